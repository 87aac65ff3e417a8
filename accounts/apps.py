from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, using="default", **kwargs):
    """After every migrate, the role groups carry exactly the permissions of accounts/roles.py."""
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import sync_role_groups

    # the portal is the last app with models: by its turn every permission has been created
    if sender.label == "portal":
        sync_role_groups(Group, Permission)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与角色")

    def ready(self):
        from allauth.mfa import signals as mfa_signals

        from accounts import sessions  # noqa: F401 - the session's clock starts at every login
        from accounts.adapters import two_factor_failed

        post_migrate.connect(_sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        mfa_signals.authentication_failed.connect(two_factor_failed, dispatch_uid="accounts.two_factor_failed")
