"""A month the beat could not start is retried and never left locked; a ledger whose file is gone says so."""

import datetime

import pytest
from django.core.cache import cache
from django.db import OperationalError

from accounts.models import Role
from portal.ledgers import LedgerPlace, build_ledger
from portal.models import LedgerRun
from portal.tasks import build_last_months_ledgers
from tests.conftest import make_user
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def test_a_database_blip_at_the_start_is_retried_and_the_month_is_built(monkeypatch):
    CommunityFactory()
    from portal import tasks

    real, calls = tasks.start_month, []

    def blip_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OperationalError("the database restarted")
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "start_month", blip_once)
    result = build_last_months_ledgers.apply(throw=False)  # eager: the retry runs at once
    assert result.state == "SUCCESS"
    assert len(calls) == 2  # the retry was not turned away by the month's lock
    assert LedgerRun.objects.count() == 1


def test_the_months_lock_is_released_when_the_start_fails(monkeypatch):
    from portal import tasks

    def broken(*args, **kwargs):
        raise RuntimeError("broker unreachable")

    monkeypatch.setattr(tasks, "start_month", broken)
    with pytest.raises(RuntimeError):
        build_last_months_ledgers.apply(throw=True)
    from django.utils import timezone

    from core.dates import previous_month

    assert cache.get(f"ledgers:beat:{previous_month(timezone.localdate()):%Y-%m}") is None


def test_a_ledger_whose_file_is_gone_says_so_and_offers_a_rebuild(client):
    community = CommunityFactory()
    report = build_ledger(unit=LedgerPlace.of_community(community), month=datetime.date(2026, 10, 1))
    report.file.storage.delete(report.file.name)
    client.force_login(make_user(Role.BUREAU))
    response = client.get(f"/ledgers/{report.pk}/download/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "台账文件缺失" in page and "/admin/portal/ledgerrun/build/?month=2026-10" in page
