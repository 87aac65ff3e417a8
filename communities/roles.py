"""The four role groups and the model permissions each carries.

Groups are created by a data migration and re-synced by ``seed_demo``; a later
app that adds models adds its permissions here and a migration that calls
``sync_role_groups``.
"""

from communities.models import Role

# role -> {app_label: actions}; "*" means every model of the app
ROLE_PERMISSIONS = {
    Role.BUREAU: {
        "communities": ("view", "add", "change", "delete"),
        "cadres": ("view", "add", "change"),
        "activities": ("view", "add", "change", "delete"),
        "portal": ("view", "add", "change", "delete"),
        "auth": ("view", "add", "change"),
    },
    Role.STREET: {
        "communities": ("view", "change"),
        "cadres": ("view", "add", "change"),
        "activities": ("view", "add", "change"),
        "portal": ("view",),
    },
    Role.COMMUNITY: {
        "communities": ("view",),
        "cadres": ("view",),
        "activities": ("view", "add", "change"),
        "portal": ("view",),
    },
    Role.LEADER: {
        "communities": ("view",),
        "portal": ("view",),
    },
}

# permissions that are not "may act on this model" but "may see this kind of data":
# granted to these roles only, whatever their model actions say
DATA_PERMISSIONS = {
    "view_identity": {Role.BUREAU},  # full ID and phone numbers
    "view_health": {Role.BUREAU, Role.COMMUNITY},  # health and care details (own community by scope)
    "read_audit_trail": set(),  # a separate grant, not every bureau administrator
}

# model permissions beyond the app-wide actions above: the community worker records visits
# (and the care case's last visit) for their own community from the worker pages
EXTRA_PERMISSIONS = {
    Role.COMMUNITY: {"cadres.add_visit", "cadres.view_visit", "cadres.view_carecase"},
}

# append-only ledgers: nobody changes or deletes an entry; a correction is a reversing entry
APPEND_ONLY_MODELS = {("activities", "servicerecord"), ("activities", "redemption"), ("activities", "needchange")}

# staff scope models are bureau-only even for viewing
BUREAU_ONLY_MODELS = {
    ("communities", "staffscope"),
    ("portal", "staffprofile"),
    ("portal", "ledgerrun"),
    ("portal", "completenessrule"),
    ("auth", "user"),
    ("auth", "group"),
}


def sync_role_groups_in_migration(apps, schema_editor=None):
    """For a data migration: create the permissions of every app now (Django makes them after migrate), then sync."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


AUDITOR_GROUP = "auditor"  # 审计员: reads the audit trail; granted to named people, not to a role


def sync_role_groups(Group, Permission):  # noqa: N803 - model classes, as a migration passes them
    """Create the four role groups and the auditor group with exactly their permissions (idempotent)."""
    auditor, _ = Group.objects.get_or_create(name=AUDITOR_GROUP)
    auditor.permissions.set(
        Permission.objects.filter(codename="read_audit_trail")
        | Permission.objects.filter(codename__startswith="view_historical")
    )
    for role, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        extra = EXTRA_PERMISSIONS.get(role, set())
        for app_label in {*apps, *(label.split(".")[0] for label in extra)}:
            actions = apps.get(app_label, ())
            for permission in Permission.objects.filter(content_type__app_label=app_label).select_related(
                "content_type"
            ):
                if permission.codename in DATA_PERMISSIONS:
                    continue
                action = permission.codename.split("_", 1)[0]
                model = permission.content_type.model
                if action not in actions and f"{app_label}.{permission.codename}" not in extra:
                    continue
                if action in ("change", "delete") and (app_label, model) in APPEND_ONLY_MODELS:
                    continue
                if role != Role.BUREAU and (app_label, model) in BUREAU_ONLY_MODELS:
                    continue
                # the change history is part of the audit trail: the auditor group reads it
                if model.startswith("historical"):
                    continue
                wanted.append(permission)
        wanted += Permission.objects.filter(
            codename__in=[codename for codename, roles in DATA_PERMISSIONS.items() if role in roles]
        )
        group.permissions.set(wanted)
