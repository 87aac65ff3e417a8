"""Care: who is overdue for a visit on fixed dates, campaigns' progress, and who may read care details."""

import datetime

import pytest

from accounts.models import Role
from cadres.models import CareCase, Visit, VisitCampaign
from cadres.selectors import campaign_progress, care_cases_overdue
from cadres.services import record_visit
from core.scope import CITY as DISTRICT
from tests.conftest import make_user
from tests.factories import CadreFactory, CareCaseFactory, CommunityFactory

pytestmark = pytest.mark.django_db
NEW_YEAR = datetime.date(2026, 1, 1)


def _overdue(on):
    return [(case.cadre.name, case.days_overdue) for case in care_cases_overdue(CareCase.objects.all(), as_of=on)]


def test_a_monthly_case_is_overdue_the_day_after_thirty_days_without_a_visit(community):
    CareCaseFactory(cadre__community=community, cadre__name="王独居", opened_on=NEW_YEAR, visit_interval_days=30)
    assert _overdue(datetime.date(2026, 1, 31)) == []
    assert _overdue(datetime.date(2026, 2, 1)) == [("王独居", 1)]
    assert _overdue(datetime.date(2026, 2, 11)) == [("王独居", 11)]


def test_a_visit_restarts_the_interval_and_later_visits_do_not_count_earlier(community):
    case = CareCaseFactory(cadre__community=community, cadre__name="王独居", opened_on=NEW_YEAR)
    record_visit(cadre=case.cadre, visited_on=datetime.date(2026, 1, 20), visitors="李联络")
    assert _overdue(datetime.date(2026, 2, 19)) == []
    assert _overdue(datetime.date(2026, 2, 20)) == [("王独居", 1)]
    record_visit(cadre=case.cadre, visited_on=datetime.date(2026, 2, 25), visitors="李联络")
    assert _overdue(datetime.date(2026, 2, 20)) == [("王独居", 1)]  # as of the 20th the later visit had not happened
    assert _overdue(datetime.date(2026, 3, 1)) == []
    assert Visit.objects.filter(care_case=case).count() == 2  # visits count for the open case by themselves


def test_the_overdue_list_puts_the_most_overdue_first(community):
    CareCaseFactory(cadre__community=community, cadre__name="甲", opened_on=datetime.date(2026, 2, 20))
    CareCaseFactory(cadre__community=community, cadre__name="乙", opened_on=NEW_YEAR, visit_interval_days=7)
    CareCaseFactory(cadre__community=community, cadre__name="丙", opened_on=NEW_YEAR, visit_interval_days=14)
    assert _overdue(datetime.date(2026, 3, 31)) == [("乙", 82), ("丙", 75), ("甲", 9)]


def test_closed_cases_and_the_deceased_are_not_overdue(community):
    CareCaseFactory(cadre__community=community, opened_on=NEW_YEAR, closed_on=datetime.date(2026, 1, 15))
    CareCaseFactory(cadre__community=community, opened_on=NEW_YEAR, cadre__deceased_on=datetime.date(2026, 2, 2))
    CareCaseFactory(cadre__community=community, cadre__name="丁", opened_on=NEW_YEAR)
    assert _overdue(datetime.date(2026, 3, 1)) == [("丁", 29)]


def test_one_cadre_has_one_open_case_at_a_time(community):
    from django.db import IntegrityError, transaction

    case = CareCaseFactory(cadre__community=community)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareCaseFactory(cadre=case.cadre)


def test_a_campaign_counts_every_cadre_aged_80_and_every_open_case_per_community(street):
    first, second = CommunityFactory(street=street, name="甲社区"), CommunityFactory(street=street, name="乙社区")
    campaign = VisitCampaign.objects.create(
        name="2026年春节走访慰问", starts_on=datetime.date(2026, 1, 20), ends_on=datetime.date(2026, 2, 20), min_age=80
    )
    eighty = CadreFactory(community=first, birth_date=datetime.date(1946, 1, 20))  # 80 on the first day
    CadreFactory(community=first, birth_date=datetime.date(1946, 1, 21))  # 79 on the first day
    in_care = CareCaseFactory(cadre__community=first, cadre__birth_date=datetime.date(1960, 5, 1)).cadre
    CadreFactory(community=first, birth_date=datetime.date(1930, 1, 1), deceased_on=datetime.date(2025, 12, 1))
    old = CadreFactory(community=second, birth_date=datetime.date(1935, 1, 1))
    record_visit(cadre=eighty, visited_on=datetime.date(2026, 1, 25), visitors="局领导", campaign=campaign)
    record_visit(cadre=in_care, visited_on=datetime.date(2026, 1, 10), visitors="李联络")  # before the window
    record_visit(cadre=old, visited_on=datetime.date(2026, 2, 20), visitors="李联络")  # the window's last day
    rows = {row["community"]: (row["total"], row["done"]) for row in campaign_progress(campaign, scope=DISTRICT)}
    assert rows == {"甲社区": (2, 1), "乙社区": (1, 1)}


def test_care_reasons_are_shown_to_the_bureau_but_not_to_a_street_administrator(client, community):
    CareCaseFactory(cadre__community=community, reason_illness=True, notes="晚期肿瘤")
    bureau = make_user(Role.BUREAU)
    street_admin = make_user(Role.STREET, street=community.street)
    client.force_login(bureau)
    assert "重病" in client.get("/admin/cadres/carecase/").content.decode()
    client.force_login(street_admin)
    page = client.get("/admin/cadres/carecase/").content.decode()
    assert "重病" not in page
    case = CareCase.objects.get()
    page = client.get(f"/admin/cadres/carecase/{case.pk}/change/").content.decode()
    assert "晚期肿瘤" not in page and "重病" not in page


def test_the_worker_sees_overdue_cases_first_with_reasons(client, community, community_user):
    CareCaseFactory(cadre__community=community, cadre__name="王独居", opened_on=NEW_YEAR, reason_disabled=True)
    CareCaseFactory(cadre__name="外社区")  # another community
    client.force_login(community_user)
    page = client.get("/worker/care/").content.decode()
    assert "王独居" in page and "失能" in page and "外社区" not in page
    assert "逾期" in page


def test_the_care_list_costs_the_same_with_many_cases(client, community, community_user, django_assert_max_num_queries):
    for _n in range(25):
        case = CareCaseFactory(cadre__community=community, opened_on=NEW_YEAR)
        record_visit(cadre=case.cadre, visited_on=datetime.date(2026, 2, 1), visitors="李联络")
    client.force_login(community_user)
    with django_assert_max_num_queries(12):
        response = client.get("/worker/care/")
    assert len(response.context["overdue"]) + len(response.context["upcoming"]) == 25


def test_the_time_bank_page_costs_the_same_with_many_entries(
    client, community, community_user, django_assert_max_num_queries
):
    from activities.services import record_service

    for _n in range(25):
        record_service(
            cadre=CadreFactory(community=community),
            served_on=datetime.date(2026, 3, 1),
            hours=1,
            description="助餐",
            verified_by=community_user,
        )
    client.force_login(community_user)
    with django_assert_max_num_queries(12):
        assert client.get("/worker/timebank/").status_code == 200
