from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台")

    def ready(self):
        from allauth.account.decorators import secure_admin_login
        from django.contrib import admin
        from django.shortcuts import redirect

        from approvals.services import provide
        from portal import checks  # noqa: F401 - registers the production requirements with `check --deploy`
        from portal.month_facts import FACTS

        provide(FACTS)  # the month's checks and figures, for the approval steps

        # one login path for the whole site: the admin logs in through allauth
        admin.site.login = secure_admin_login(admin.site.login)
        # passwords are changed in one place, where the policy and the audit trail see it
        admin.site.password_change = lambda request, extra_context=None: redirect("account_change_password")
        admin.site.site_header = _("老干部工作社区融合平台")
        admin.site.site_title = _("老干部工作社区融合平台")
        admin.site.index_title = _("管理后台")
        admin.site.index_template = "admin/portal_index.html"  # with the ledgers that need the bureau
