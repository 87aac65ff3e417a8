from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, using="default", **kwargs):
    """After every migrate, the role groups carry exactly the permissions of communities/roles.py."""
    from django.contrib.auth.models import Group, Permission

    from communities.roles import sync_role_groups

    # the portal is the last app with models: by its turn every permission has been created
    if sender.label == "portal":
        sync_role_groups(Group, Permission)


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("社区与阵地")

    def ready(self):
        post_migrate.connect(_sync_role_groups, dispatch_uid="communities.sync_role_groups")
