"""Weekly reminders: overdue visits and the month's 80th, 90th and 100th birthdays, per community."""

import datetime

import pytest

from cadres.services import record_visit
from portal.models import WeeklyReminder
from portal.reminders import build_reminders, turning_day
from tests.factories import CadreFactory, CareCaseFactory, CommunityFactory

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 3, 2)


def test_milestone_birthdays_of_the_month_are_listed_by_month_never_by_day(community):
    CadreFactory(community=community, name="八十寿", birth_date=datetime.date(1946, 3, 4))  # 80 on Wednesday
    CadreFactory(community=community, name="九十寿", birth_date=datetime.date(1936, 3, 8))  # 90 on Sunday
    CadreFactory(community=community, name="月末寿", birth_date=datetime.date(1946, 3, 29))  # later this month
    CadreFactory(community=community, name="下月寿", birth_date=datetime.date(1946, 4, 9))  # next month
    CadreFactory(community=community, name="八十一", birth_date=datetime.date(1945, 3, 4))  # 81: no milestone
    CadreFactory(
        community=community, name="已故", birth_date=datetime.date(1926, 3, 3), deceased_on=datetime.date(2025, 1, 1)
    )
    build_reminders(week_start=MONDAY)
    reminder = WeeklyReminder.objects.get(community=community, week_start=MONDAY)
    assert reminder.birthdays == [
        {"name": "九十寿", "month": "2026-03", "age": 90},
        {"name": "八十寿", "month": "2026-03", "age": 80},
        {"name": "月末寿", "month": "2026-03", "age": 80},
    ]


def test_a_week_across_two_months_lists_both_months(community):
    CadreFactory(community=community, name="三月寿", birth_date=datetime.date(1946, 3, 2))
    CadreFactory(community=community, name="四月寿", birth_date=datetime.date(1946, 4, 20))
    build_reminders(week_start=datetime.date(2026, 3, 30))
    names = [item["name"] for item in WeeklyReminder.objects.get(community=community).birthdays]
    assert names == ["三月寿", "四月寿"]


def test_a_29_february_birthday_falls_on_1_march_in_a_common_year():
    assert turning_day(datetime.date(1948, 2, 29), datetime.date(2028, 2, 28)) == (datetime.date(2028, 2, 29), 80)
    assert turning_day(datetime.date(1936, 2, 29), datetime.date(2026, 2, 23)) == (datetime.date(2026, 3, 1), 90)


def test_overdue_visits_are_listed_and_a_rebuild_replaces_the_week(community):
    case = CareCaseFactory(cadre__community=community, cadre__name="王独居", opened_on=datetime.date(2026, 1, 1))
    record_visit(cadre=case.cadre, visited_on=datetime.date(2026, 1, 20), visitors="李联络")
    other = CommunityFactory()
    build_reminders(week_start=MONDAY)
    build_reminders(week_start=MONDAY)
    assert WeeklyReminder.objects.filter(week_start=MONDAY).count() == 2
    reminder = WeeklyReminder.objects.get(community=community)
    assert reminder.overdue == [{"name": "王独居", "days": 11, "last_seen": "2026-01-20"}]
    assert WeeklyReminder.objects.get(community=other).overdue == []


def test_the_worker_home_shows_the_communitys_reminders_and_the_bureau_the_districts(
    client, community, community_user, bureau_user
):
    CadreFactory(community=community, name="八十寿", birth_date=datetime.date(1946, 3, 4))
    CadreFactory(community=CommunityFactory(), name="外社区寿星", birth_date=datetime.date(1946, 3, 5))
    build_reminders(week_start=MONDAY)
    client.force_login(community_user)
    page = client.get("/worker/").content.decode()
    assert "八十寿" in page and "外社区寿星" not in page
    client.force_login(bureau_user)
    page = client.get("/reminders/").content.decode()
    assert "八十寿" in page and "外社区寿星" in page
