from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Commands only (seed_demo, bench_reports, bench_search); no models."""

    name = "demo"
    verbose_name = _("演示数据")
