"""`make bench-scale` keeps working: its smoke size runs the whole benchmark on the test database."""

import io
import json

import pytest
from django.core.management import call_command

from activities.models import SignIn
from cadres.models import Cadre
from demo.scale import SIZES

pytestmark = pytest.mark.django_db


def test_the_benchmark_generates_a_province_and_times_every_screen(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    out = io.StringIO()
    target = tmp_path / "bench.json"
    call_command("bench_scale", scale="smoke", repeat=2, skip_export=True, json_path=str(target), stdout=out)
    size = SIZES["smoke"]
    assert Cadre.objects.count() == size.cadres
    assert SignIn.objects.filter(cadre__community__name="测速2社区").exists()
    report = json.loads(target.read_text(encoding="utf-8"))
    names = [row["name"] for row in report["rows"]]
    for screen in (
        "admin: cadre list",
        "admin: name search",
        "admin: ID number search",
        "admin: activity list",
        "branch change page",
        "worker home",
        "sign-in tap, 300-person",
        "district dashboard, uncached",
        "street dashboard, cached",
        "ledger",
    ):
        assert any(screen in name for name in names), screen
    stock = [row for row in report["rows"] if row["reference"] == "stock ModelAdmin"]
    assert stock and all(row["reference_p50_ms"] > 0 and row["ratio"] is not None for row in stock)
    taps = [row for row in report["rows"] if "tap" in row["name"]]
    assert all(row["extra"]["bytes"] < 8_000 for row in taps)
    assert report["machine"]["cpus"] and report["database"]["cadres"] == size.cadres
    assert "p95 ms" in out.getvalue()


def test_the_benchmark_refuses_a_database_that_holds_a_roster(tmp_path):
    from django.core.management.base import CommandError

    from tests.factories import CadreFactory

    CadreFactory()
    with pytest.raises(CommandError, match="empty database"):
        call_command("bench_scale", scale="smoke", stdout=io.StringIO())
