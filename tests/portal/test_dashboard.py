"""The leaders' dashboard: figures and charts for the scope, a month picker, drill-down within scope, cached."""

import datetime
import io

import pytest
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from cadres.admin import CadreAdmin
from cadres.models import Cadre
from core.admin_base import StreetFilter
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, SignInFactory, StreetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    street_a, street_b = StreetFactory(name="明水街道"), StreetFactory(name="双山街道")
    a1 = CommunityFactory(street=street_a, name="桃花山社区")
    b1 = CommunityFactory(street=street_b, name="汇泉社区")
    for community, count in ((a1, 3), (b1, 2)):
        for _n in range(count):
            CadreFactory(community=community)
    activity = ActivityFactory(community=a1, starts_at=timezone.localtime().replace(day=1, hour=10, minute=0))
    SignInFactory(activity=activity, cadre=a1.cadres.first())
    return {"street_a": street_a, "a1": a1, "b1": b1}


def test_the_leader_sees_the_districts_figures_charts_and_streets(client, leader_user, district):
    client.force_login(leader_user)
    response = client.get("/dashboard/")
    page = response.content.decode()
    assert response.context["figures"]["cadres_total"] == 5
    assert set(response.context["charts"]) >= {
        "age_bands",
        "activity_trend",
        "participation",
        "needs_funnel",
        "time_bank",
        "six_haves",
        "talents",
        "party",
    }
    assert 'id="chart-data"' in page and "echarts-5.6.0.min.js" in page
    assert "明水街道" in page and "双山街道" in page
    assert [row["name"] for row in response.context["children"]] == ["明水街道", "双山街道"]


def test_drilling_down_goes_district_street_community(client, leader_user, district):
    client.force_login(leader_user)
    street = client.get("/dashboard/", {"street": district["street_a"].pk})
    assert street.context["figures"]["cadres_total"] == 3
    assert [row["name"] for row in street.context["children"]] == ["桃花山社区"]
    community = client.get("/dashboard/", {"community": district["a1"].pk})
    assert community.context["figures"]["sign_ins"] == 1
    assert [name for name, _params in community.context["crumbs"]] == ["章丘区", "明水街道", "桃花山社区"]


def test_a_street_administrator_cannot_drill_outside_the_street(client, district):
    client.force_login(make_user(Role.STREET, street=district["street_a"]))
    assert client.get("/dashboard/").context["figures"]["cadres_total"] == 3
    assert client.get("/dashboard/", {"community": district["b1"].pk}).status_code == 404
    assert client.get("/dashboard/", {"street": StreetFactory().pk}).status_code == 404
    assert client.get("/dashboard/", {"street": "x"}).status_code == 404


def test_an_earlier_month_is_shown_and_a_future_one_is_not(client, leader_user, district):
    client.force_login(leader_user)
    response = client.get("/dashboard/", {"month": "2026-01"})
    assert response.context["month"] == datetime.date(2026, 1, 1)
    assert response.context["figures"]["sign_ins"] == 0
    assert response.context["as_of"] == datetime.date(2026, 1, 31)
    future = client.get("/dashboard/", {"month": "2099-01"})
    assert future.context["month"] == timezone.localdate().replace(day=1)


def test_figures_are_cached_and_the_page_says_when_they_were_computed(
    client, leader_user, district, django_assert_max_num_queries
):
    client.force_login(leader_user)
    first = client.get("/dashboard/")
    # the cached figures cost nothing; reporting and approved figures are read fresh (settings, reporting
    # 4, its trend 2, approved figures 2), whatever the number of communities
    with django_assert_max_num_queries(18):
        second = client.get("/dashboard/")
    assert second.context["computed_at"] == first.context["computed_at"]
    assert "数据计算于" in second.content.decode()


def test_the_uncached_page_costs_the_same_with_more_communities(
    client, leader_user, district, django_assert_max_num_queries
):
    for _n in range(10):
        CadreFactory(community=CommunityFactory(street=district["street_a"]))
    client.force_login(leader_user)
    with django_assert_max_num_queries(55):
        assert client.get("/dashboard/").status_code == 200


def test_each_charts_data_downloads_as_a_workbook(client, leader_user, district):
    client.force_login(leader_user)
    response = client.get("/dashboard/charts/age_bands.xlsx", {"street": district["street_a"].pk})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("项目", "人数")
    assert sum(row[1] for row in rows[1:]) == 3
    table = load_workbook(io.BytesIO(client.get("/dashboard/charts/breakdown.xlsx").content)).active
    assert [row[0] for row in table.iter_rows(min_row=2, values_only=True)] == ["明水街道", "双山街道"]
    assert client.get("/dashboard/charts/nothing.xlsx").status_code == 404


def test_community_workers_have_no_dashboard(client, community_user):
    client.force_login(community_user)
    assert client.get("/dashboard/").status_code == 403


def test_the_drill_down_rows_escape_names_and_draw_numbers_as_before(client, leader_user, district):
    """The table's rows are drawn in one pass (speed at 400 streets): names escaped, numbers grouped."""
    StreetFactory(name='<b onmouseover="x">坏名字</b>')
    client.force_login(leader_user)
    page = client.get("/dashboard/").content.decode()
    assert '<b onmouseover="x">' not in page
    assert "&lt;b onmouseover=&quot;x&quot;&gt;坏名字&lt;/b&gt;" in page
    street = district["street_a"]
    assert f'<a class="drill" href="?street={street.pk}&amp;month=' in page
    row = page[page.index(f"?street={street.pk}&amp;") :].split("</tr>")[0]
    assert row.split("</a></td>")[1].startswith("<td>3</td>")  # 3 cadres, then the other figures
    assert "%" in row and "None" not in row


def test_the_street_drop_down_escapes_names_and_marks_the_chosen_street():
    chosen = StreetFactory(name="明水街道")
    StreetFactory(name='"><script>x</script>')
    bureau = make_user(Role.BUREAU, username="filter-bureau")
    request = RequestFactory().get("/admin/cadres/cadre/", {"street": str(chosen.pk)})
    request.user = bureau
    spec = StreetFilter(request, {"street": [str(chosen.pk)]}, Cadre, CadreAdmin(Cadre, None))
    options = str(spec.options())
    assert "<script>" not in options and "&quot;&gt;&lt;script&gt;" in options
    assert f'<option value="{chosen.pk}" selected>明水街道</option>' in options
    assert '<option value="">' in options
