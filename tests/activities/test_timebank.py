"""The time bank: points by the configured rule, balances derived, append-only entries, never below zero."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, Redemption, ServiceRecord
from activities.services import (
    balance_of,
    credit_volunteer_activity,
    record_service,
    redeem_points,
    reverse_redemption,
    reverse_service,
)
from communities.models import AuditEvent
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, SignInFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def clerk(community):
    return make_user(Role.COMMUNITY, community=community)


@pytest.fixture
def cadre(community):
    return CadreFactory(community=community, name="张国伟")


def test_points_follow_the_configured_rule(cadre, clerk, settings):
    assert record_service(cadre=cadre, served_on=DAY, hours="2.5", description="助餐", verified_by=clerk).points == 25
    settings.TIME_BANK_POINTS_PER_HOUR = 3
    assert record_service(cadre=cadre, served_on=DAY, hours="2.5", description="助餐", verified_by=clerk).points == 8


def test_the_balance_is_earned_less_exchanged(cadre, clerk):
    record_service(cadre=cadre, served_on=DAY, hours=3, description="助餐", verified_by=clerk)
    record_service(cadre=cadre, served_on=DAY, hours=2, description="陪诊", verified_by=clerk)
    redeem_points(cadre=cadre, points=20, item="理发一次", on=DAY, by=clerk)
    assert balance_of(cadre) == 30


def test_an_exchange_beyond_the_balance_is_refused_and_writes_nothing(cadre, clerk):
    record_service(cadre=cadre, served_on=DAY, hours=1, description="助餐", verified_by=clerk)
    with pytest.raises(ValidationError, match="余额为10，不足50"):
        redeem_points(cadre=cadre, points=50, item="大米一袋", on=DAY, by=clerk)
    assert not Redemption.objects.exists()
    assert balance_of(cadre) == 10


def test_a_correction_is_a_reversing_entry_made_once(cadre, clerk):
    record = record_service(cadre=cadre, served_on=DAY, hours=2, description="助餐", verified_by=clerk)
    reversal = reverse_service(record=record, by=clerk, reason="重复登记")
    assert (reversal.kind, reversal.hours, reversal.points, reversal.reverses) == (
        "reversal",
        Decimal("-2"),
        -20,
        record,
    )
    assert balance_of(cadre) == 0
    assert ServiceRecord.objects.count() == 2  # the mistaken entry stays, beside its reversal
    with pytest.raises(ValidationError, match="已经冲正过"):
        reverse_service(record=record, by=clerk, reason="again")


def test_points_already_exchanged_cannot_be_reversed_away(cadre, clerk):
    record = record_service(cadre=cadre, served_on=DAY, hours=5, description="助餐", verified_by=clerk)
    exchange = redeem_points(cadre=cadre, points=40, item="食用油", on=DAY, by=clerk)
    with pytest.raises(ValidationError, match="余额将为负数"):
        reverse_service(record=record, by=clerk, reason="x")
    reverse_redemption(redemption=exchange, by=clerk)
    assert balance_of(cadre) == 50
    reverse_service(record=record, by=clerk, reason="x")
    assert balance_of(cadre) == 0


def test_the_database_refuses_entries_whose_signs_do_not_match(cadre, clerk):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecord.objects.create(
            cadre=cadre, served_on=DAY, hours=-1, points=-10, description="x", verified_by=clerk
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Redemption.objects.create(cadre=cadre, points=-5, item="x", redeemed_on=DAY, recorded_by=clerk)


def test_a_volunteer_activity_credits_its_signed_in_cadres_once(community, cadre, clerk):
    start = timezone.now() - datetime.timedelta(hours=5)
    activity = ActivityFactory(
        community=community,
        kind=Activity.Kind.VOLUNTEER,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2, minutes=30),
    )
    SignInFactory(activity=activity, cadre=cadre)
    SignInFactory(activity=activity, cadre=CadreFactory(community=community))
    SignInFactory(activity=activity, cadre=None, walk_in_name="居民王某")  # walk-ins hold no account
    assert credit_volunteer_activity(activity=activity, by=clerk) == 2
    assert credit_volunteer_activity(activity=activity, by=clerk) == 0
    assert balance_of(cadre) == 25
    assert set(ServiceRecord.objects.values_list("hours", flat=True)) == {Decimal("2.5")}


def test_only_volunteer_activities_that_have_begun_are_credited(community, clerk):
    study = ActivityFactory(
        community=community, kind=Activity.Kind.STUDY, starts_at=timezone.now() - datetime.timedelta(hours=3)
    )
    with pytest.raises(ValidationError, match="志愿服务"):
        credit_volunteer_activity(activity=study, by=clerk)
    later = ActivityFactory(
        community=community, kind=Activity.Kind.VOLUNTEER, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="还没有开始"):
        credit_volunteer_activity(activity=later, by=clerk)


def test_the_worker_confirms_hours_from_the_activity_page(client, community, cadre, clerk):
    start = timezone.now() - datetime.timedelta(hours=4)
    activity = ActivityFactory(community=community, kind=Activity.Kind.VOLUNTEER, starts_at=start)
    SignInFactory(activity=activity, cadre=cadre)
    client.force_login(clerk)
    assert "确认服务时长" in client.get(f"/worker/activities/{activity.pk}/").content.decode()
    response = client.post(f"/worker/activities/{activity.pk}/credit-hours/", follow=True)
    assert "已为1位老同志记入服务时长" in response.content.decode()
    assert balance_of(cadre) == 20


def test_the_worker_logs_hours_for_a_cadre(client, cadre, clerk):
    client.force_login(clerk)
    response = client.post(
        "/worker/timebank/",
        {"cadre": cadre.pk, "served_on": "2026-03-02", "hours": "1.5", "description": "陪同就医"},
        follow=True,
    )
    assert "已记入张国伟 1.5小时，15积分" in response.content.decode()
    assert ServiceRecord.objects.get().verified_by == clerk


def test_the_admin_offers_no_change_or_delete_of_entries(client, cadre, clerk):
    record = record_service(cadre=cadre, served_on=DAY, hours=1, description="助餐", verified_by=clerk)
    client.force_login(make_user(Role.BUREAU))
    assert client.post(f"/admin/activities/servicerecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/activities/servicerecord/{record.pk}/change/", {"hours": "9", "description": "改"})
    record.refresh_from_db()
    assert (record.hours, record.description) == (Decimal("1.0"), "助餐")
    page = client.get("/admin/activities/servicerecord/").content.decode()
    assert "删除所选" not in page


def test_the_bureau_enters_hours_in_the_admin_and_points_are_computed(client, cadre):
    bureau = make_user(Role.BUREAU)
    client.force_login(bureau)
    data = {"cadre": cadre.pk, "served_on": "2026-03-02", "hours": "3", "description": "电话问候独居老人"}
    response = client.post("/admin/activities/servicerecord/add/", data)
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.points, record.verified_by) == (30, bureau)


def test_the_paper_statement_shows_every_entry_and_the_balance(client, cadre, clerk):
    record_service(cadre=cadre, served_on=DAY, hours=3, description="助餐", verified_by=clerk)
    redeem_points(cadre=cadre, points=20, item="理发一次", on=DAY + datetime.timedelta(days=1), by=clerk)
    client.force_login(make_user(Role.BUREAU))
    page = client.get(f"/worker/timebank/statement/{cadre.pk}/").content.decode()
    assert "助餐" in page and "理发一次" in page and "<strong>10</strong>" in page
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, detail__what="timebank_statement").exists()


@pytest.mark.django_db(transaction=True)
def test_two_exchanges_at_the_same_moment_never_take_a_balance_below_zero(community, monkeypatch):
    """Two clerks exchange 80 of someone's 100 points at once: one wins, the other is refused (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (.ci/run's second pass); SQLite serialises writers")
    from activities.services import timebank

    clerk = make_user(Role.COMMUNITY, community=community)
    cadre = CadreFactory(community=community)
    record_service(cadre=cadre, served_on=DAY, hours=10, description="助餐", verified_by=clerk)
    real_balance = timebank.balance_of

    def slow_balance(person):
        value = real_balance(person)
        time.sleep(0.5)  # both transactions would read 100 here if nothing made them queue
        return value

    monkeypatch.setattr(timebank, "balance_of", slow_balance)
    outcomes, start = [], threading.Barrier(2)

    def exchange():
        start.wait()
        try:
            redeem_points(cadre=cadre, points=80, item="体检套餐", on=DAY, by=clerk)
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=exchange) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "refused"]
    assert Redemption.objects.count() == 1
    assert real_balance(cadre) == 20
