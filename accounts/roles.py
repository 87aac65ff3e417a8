"""The role groups and the model permissions each carries: the one place rights are defined.

Groups are re-synced after every ``migrate`` (``accounts.apps``) and by ``seed_demo``.
The three administrators of 等保 level 3 (三员分立) never overlap: the system
administrator manages accounts, roles and scopes and reads no roster; the bureau
works with the data and grants no rights; the auditor reads the audit trail and
account history only.
"""

from accounts.models import Role

# role -> {app_label: actions}: every model of the app, except the account models below
ROLE_PERMISSIONS = {
    Role.SYSADMIN: {},
    Role.BUREAU: {
        "communities": ("view", "add", "change", "delete"),
        "cadres": ("view", "add", "change"),
        "activities": ("view", "add", "change", "delete"),
        "portal": ("view", "add", "change", "delete"),
    },
    Role.AUDITOR: {},
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
    # unit staff work on the portal's pages only (their unit's people, branches and room requests)
    Role.UNIT: {},
}

# accounts, roles and scopes: granted only by name in EXTRA_PERMISSIONS (the system administrator's)
ACCOUNT_MODELS = {
    ("auth", "user"),
    ("auth", "group"),
    ("auth", "permission"),
    ("accounts", "staffscope"),
    ("accounts", "staffprofile"),
}

# permissions that are not "may act on this model" but "may see this kind of data":
# granted to these roles only, whatever their model actions say
DATA_PERMISSIONS = {
    "view_identity": {Role.BUREAU},  # full ID and phone numbers
    "view_health": {Role.BUREAU, Role.COMMUNITY},  # health and care details (own community by scope)
    "read_audit_trail": {Role.AUDITOR},  # the audit trail and every change history
}

# model permissions beyond the app-wide actions above
EXTRA_PERMISSIONS = {
    # accounts and their scope; the street and community lists only to pick a scope from
    Role.SYSADMIN: {
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "accounts.view_staffscope",
        "accounts.add_staffscope",
        "accounts.change_staffscope",
        "accounts.view_staffprofile",
        "accounts.add_staffprofile",
        "accounts.change_staffprofile",
        "communities.view_district",
        "communities.view_street",
        "communities.view_community",
    },
    # the auditor reads accounts and their history (who was given which role and scope, when)
    Role.AUDITOR: {"auth.view_user", "accounts.view_staffscope"},
    # the community worker records visits (and the care case's last visit) for their own community
    Role.COMMUNITY: {"cadres.add_visit", "cadres.view_visit", "cadres.view_carecase"},
}

# ledgers and runs are the bureau's
BUREAU_ONLY_MODELS = {
    ("portal", "ledgerrun"),
    ("portal", "completenessrule"),
    ("portal", "reportingsettings"),
    ("portal", "scorecriterion"),
}

# append-only ledgers: nobody changes or deletes an entry; a correction is a reversing entry
APPEND_ONLY_MODELS = {("activities", "servicerecord"), ("activities", "redemption"), ("activities", "needchange")}


def wanted_permissions(role, permissions) -> list:
    """The permissions of ``role`` among ``permissions`` (rows with their content type)."""
    apps = ROLE_PERMISSIONS.get(role, {})
    extra = EXTRA_PERMISSIONS.get(role, set())
    wanted = []
    for permission in permissions:
        app_label, model = permission.content_type.app_label, permission.content_type.model
        codename = permission.codename
        if codename in DATA_PERMISSIONS:
            if role in DATA_PERMISSIONS[codename]:
                wanted.append(permission)
            continue
        if model.startswith("historical"):
            # the change history is part of the audit trail: only the auditor reads it
            if role == Role.AUDITOR and codename.startswith("view_"):
                wanted.append(permission)
            continue
        if f"{app_label}.{codename}" in extra:
            wanted.append(permission)
            continue
        action = codename.split("_", 1)[0]
        if action not in apps.get(app_label, ()):
            continue
        if (app_label, model) in ACCOUNT_MODELS:
            continue
        if action in ("change", "delete") and (app_label, model) in APPEND_ONLY_MODELS:
            continue
        if role != Role.BUREAU and (app_label, model) in BUREAU_ONLY_MODELS:
            continue
        wanted.append(permission)
    return wanted


def sync_role_groups(Group, Permission):  # noqa: N803 - model classes, as a migration passes them
    """Create every role group with exactly its permissions (idempotent)."""
    permissions = list(Permission.objects.select_related("content_type"))
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(wanted_permissions(role, permissions))
