"""Ledgers (台账): built per scope from the figures module, replaced on rebuild, checked, downloaded in scope."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from accounts.models import Role
from activities.models import Activity
from communities.models import AuditEvent
from core.dates import Period, previous_month
from portal.figures import FIGURE_KEYS
from portal.ledgers import LedgerPlace, build_ledger, completeness
from portal.models import CompletenessRule, LedgerReport, LedgerRun
from portal.tasks import build_last_months_ledgers
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    CadreFactory,
    CareCaseFactory,
    CommunityFactory,
    PartyBranchFactory,
    SignInFactory,
    StreetFactory,
    VenueFactory,
    the_district,
)

pytestmark = pytest.mark.django_db
OCTOBER = datetime.date(2026, 10, 1)


def _at(day, hour=9):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def district():
    """Two streets, three communities; activities and sign-ins in October, counted by hand in the tests."""
    street_a, street_b = StreetFactory(name="明水街道"), StreetFactory(name="双山街道")
    a1 = CommunityFactory(street=street_a, name="桃花山社区")
    a2 = CommunityFactory(street=street_a, name="瑞祥社区")
    b1 = CommunityFactory(street=street_b, name="汇泉社区")
    zhang = CadreFactory(community=a1, name="张国伟", phone="13812345678")
    li = CadreFactory(community=a1, name="李秀英")
    CadreFactory(community=a2)
    CadreFactory(community=b1)
    room = VenueFactory(community=a1, name="桃花山党员活动室")
    VenueFactory(community=a1, name="闲置活动室")  # no activity in October: the check lists it
    branch = PartyBranchFactory(community=a1, name="桃花山支部", venue=room)
    study = ActivityFactory(
        community=a1,
        venue=room,
        organiser_branch=branch,
        kind=Activity.Kind.SECRETARY_APPOINTMENT,
        title="书记有约",
        starts_at=_at(datetime.date(2026, 10, 25)),
    )
    SignInFactory(activity=study, cadre=zhang)
    SignInFactory(activity=study, cadre=li)
    SignInFactory(activity=study, cadre=None, walk_in_name="居民甲")
    ActivityFactory(community=b1, title="九月的活动", starts_at=_at(datetime.date(2026, 9, 30)))
    return {"a1": a1, "a2": a2, "b1": b1, "street_a": street_a, "zhang": zhang}


def test_the_command_builds_every_community_street_and_the_district(district):
    call_command("build_ledgers", "--month", "2026-10", stdout=io.StringIO())
    reports = LedgerReport.objects.filter(kind="month", period_start=OCTOBER)
    assert reports.filter(level="community").count() == 3
    assert reports.filter(level="street").count() == 2
    assert reports.filter(level="district").count() == 1
    district_report = reports.get(level="district")
    assert set(district_report.figures) == set(FIGURE_KEYS)
    assert (district_report.figures["cadres_total"], district_report.figures["sign_ins"]) == (4, 3)
    run = LedgerRun.objects.get()
    assert (run.status, run.scopes_built, run.scopes_expected, run.trigger) == ("done", 6, 6, "command")


def test_rebuilding_a_month_replaces_its_ledgers(district, django_capture_on_commit_callbacks):
    call_command("build_ledgers", "--month", "2026-10", stdout=io.StringIO())
    first = LedgerReport.objects.get(level="community", community=district["a1"])
    old_file = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        call_command("build_ledgers", "--month", "2026-10", stdout=io.StringIO())
    assert LedgerReport.objects.count() == 6
    again = LedgerReport.objects.get(level="community", community=district["a1"])
    assert again.pk == first.pk and again.run_id != first.run_id
    assert not again.file.storage.exists(old_file)  # the old workbook is gone, not left beside the new one


def test_one_community_can_be_built_alone(district):
    call_command("build_ledgers", "--month", "2026-10", "--community", district["b1"].code, stdout=io.StringIO())
    assert list(LedgerReport.objects.values_list("level", "community")) == [("community", district["b1"].pk)]


def test_the_command_names_a_bad_month_or_community(district):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("build_ledgers", "--month", "10/2026")
    with pytest.raises(CommandError, match="没有代码"):
        call_command("build_ledgers", "--month", "2026-10", "--community", "999999999999")


def test_the_community_workbook_has_every_sheet_with_its_rows(district):
    report = build_ledger(unit=LedgerPlace.of_community(district["a1"]), month=OCTOBER)
    with report.file.open("rb") as source:
        book = load_workbook(io.BytesIO(source.read()))
    assert book.sheetnames == [
        "概况",
        "花名册",
        "活动与签到",
        "支部组织生活",
        "走访慰问",
        "三张清单",
        "时间银行",
        "完整性检查",
    ]
    overview = {(row[0], row[1]): row[2] for row in book["概况"].iter_rows(min_row=3, values_only=True)}
    assert overview[("在册离退休干部", None)] == 2
    assert overview[("签到人次", None)] == 3
    assert overview[("开展活动", "书记有约")] == 1
    roster = list(book["花名册"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[1] for row in roster) == ["张国伟", "李秀英"]
    assert all("*" in row[4] and "*" in row[5] for row in roster)  # ID and phone numbers masked
    activities = list(book["活动与签到"].iter_rows(min_row=2, values_only=True))
    assert [(row[2], row[6], row[8]) for row in activities] == [("书记有约", 3, "张国伟、李秀英、居民甲")]
    sheet = book["花名册"]
    assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 and sheet.page_setup.orientation == "landscape"
    checks = {row[0]: (row[1], row[2]) for row in book["完整性检查"].iter_rows(min_row=2, values_only=True)}
    assert checks["每个党员活动室当月开展活动"] == ("未完成", "闲置活动室")
    assert checks["每个建制型支部当月开展“书记有约”"] == ("已完成", None)


@pytest.mark.parametrize(
    ("language", "sheet", "column"), [("zh-hans", "分街道", "街道"), ("en", "By street", "Street")]
)
def test_the_drill_down_sheet_is_named_and_headed_in_each_language(district, language, sheet, column):
    """The sheet's name and its first column are each their own string (a sliced "By street" read "y street")."""
    from django.utils import translation

    with translation.override(language):
        report = build_ledger(unit=LedgerPlace.of_district(the_district()), month=OCTOBER)
    with report.file.open("rb") as source:
        book = load_workbook(io.BytesIO(source.read()))
    assert sheet in book.sheetnames
    assert next(book[sheet].iter_rows(max_row=1, values_only=True))[0] == column


def test_the_district_ledger_has_a_table_of_its_streets_with_a_total_and_the_lines_to_sign(district):
    report = build_ledger(unit=LedgerPlace.of_district(the_district()), month=OCTOBER)
    with report.file.open("rb") as source:
        book = load_workbook(io.BytesIO(source.read()))
    assert "分街道" in book.sheetnames and "完整性检查" not in book.sheetnames
    rows = list(book["分街道"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["明水街道", "双山街道", "合计"]
    cadres, activities, sign_ins = 1, 4, 5
    assert [row[cadres] for row in rows] == [3, 1, 4]
    assert [(row[activities], row[sign_ins]) for row in rows] == [(1, 3), (0, 0), (1, 3)]
    overview = [row[0] for row in book["概况"].iter_rows(min_row=3, values_only=True)]
    assert {"填报单位", "填报人（签字）", "审核人（签字）"} <= set(overview)
    street = build_ledger(unit=LedgerPlace.of_street(district["street_a"]), month=OCTOBER)
    with street.file.open("rb") as source:
        rows = list(load_workbook(io.BytesIO(source.read()))["分社区"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["桃花山社区", "瑞祥社区", "合计"]


def test_the_ledger_gives_each_branch_its_attendance_and_follow_ups(district):
    from activities.models import FollowUp
    from tests.factories import BranchMembershipFactory

    a1 = district["a1"]
    branch = a1.branches.get()
    for cadre in a1.cadres.all():
        BranchMembershipFactory(branch=branch, cadre=cadre)
    absent = BranchMembershipFactory(branch=branch).cadre
    day = ActivityFactory(
        community=a1,
        organiser_branch=branch,
        kind=Activity.Kind.PARTY_DAY,
        title="十月主题党日",
        venue=None,
        starts_at=_at(datetime.date(2026, 10, 8)),
    )
    for cadre in a1.cadres.exclude(pk=absent.pk):
        SignInFactory(activity=day, cadre=cadre)
    FollowUp.objects.create(activity=day, cadre=absent, how="home", done_on=datetime.date(2026, 10, 9))
    report = build_ledger(unit=LedgerPlace.of_district(the_district()), month=OCTOBER)
    with report.file.open("rb") as source:
        book = load_workbook(io.BytesIO(source.read()))
    rows = list(book["支部组织生活"].iter_rows(min_row=2, values_only=True))
    assert [tuple(round(v, 4) if isinstance(v, float) else v for v in row) for row in rows] == [
        ("桃花山社区", "桃花山支部", 1, 3, 2, 0.6667, 1, 1, 1.0),  # the 书记有约 is not branch life
        ("合计", None, 1, 3, 2, 0.6667, 1, 1, 1.0),
    ]
    assert report.figures["branch_attendance_rate"] == 0.6667
    assert report.figures["follow_up_completion"] == 1.0


def test_completeness_checks_follow_the_bureaus_settings(district):
    CareCaseFactory(cadre=district["zhang"], opened_on=datetime.date(2026, 8, 1))  # never visited: overdue
    codes = {check["code"]: check["missing"] for check in completeness(district["a1"].pk, Period.month_of(OCTOBER))}
    assert codes["care_visited"] == ["张国伟"]
    assert codes["org_life"] == ["桃花山支部"]  # a 书记有约 is not organisational life
    CompletenessRule.objects.filter(code="rooms_used").update(is_active=False)
    CompletenessRule.objects.filter(code="secretary_day").update(threshold=5)
    codes = {check["code"] for check in completeness(district["a1"].pk, Period.month_of(OCTOBER))}
    assert "rooms_used" not in codes


def test_the_beat_entry_point_builds_last_month_once(district, monkeypatch):
    from portal import tasks

    monkeypatch.setattr(tasks.timezone, "localdate", lambda: datetime.date(2026, 11, 1))
    run_id = build_last_months_ledgers()
    assert LedgerRun.objects.get(pk=run_id).period_start == OCTOBER
    assert build_last_months_ledgers() is None  # a second beat firing for the same month starts nothing
    assert LedgerReport.objects.filter(period_start=OCTOBER).count() == 6


def test_last_month_crosses_the_year():
    assert previous_month(datetime.date(2027, 1, 1)) == datetime.date(2026, 12, 1)


def test_the_year_summary_compares_with_the_year_before(district):
    call_command("build_ledgers", "--year", "2026", stdout=io.StringIO())
    report = LedgerReport.objects.get(kind="year", level="district")
    with report.file.open("rb") as source:
        sheet = load_workbook(io.BytesIO(source.read()))["年度对比"]
    assert [cell.value for cell in sheet[2]] == ["项目", "分项", "2026年", "2025年", "增减"]
    rows = {(row[0], row[1]): row[2:] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows[("签到人次", None)] == (3, 0, 3)


def test_users_list_and_download_only_their_scopes_ledgers(client, district):
    call_command("build_ledgers", "--month", "2026-10", stdout=io.StringIO())
    street_admin = make_user(Role.STREET, street=district["street_a"])
    client.force_login(street_admin)
    listed = {report.scope_name for report in client.get("/ledgers/").context["page"].object_list}
    assert listed == {"明水街道", "桃花山社区", "瑞祥社区"}
    other = LedgerReport.objects.get(level="community", community=district["b1"])
    assert client.get(f"/ledgers/{other.pk}/download/").status_code == 404
    mine = LedgerReport.objects.get(level="community", community=district["a1"])
    response = client.get(f"/ledgers/{mine.pk}/download/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, detail__what="ledger").count() == 1


def test_the_bureau_queues_a_rebuild_from_the_admin(client, district, django_capture_on_commit_callbacks):
    client.force_login(make_user(Role.BUREAU))
    assert client.get("/admin/portal/ledgerrun/build/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post("/admin/portal/ledgerrun/build/", {"month": "2026-10"})
    assert len(queued) == 1  # the job is queued only once the request's transaction commits
    assert response.status_code == 302
    assert LedgerRun.objects.get().trigger == "admin"
    assert LedgerReport.objects.filter(period_start=OCTOBER).count() == 6
    assert client.post("/admin/portal/ledgerrun/build/", {"month": "2099-01"}).status_code == 200  # refused: future


def test_leaders_read_the_figures_but_do_not_download_the_roster_inside(client, district, leader_user):
    call_command("build_ledgers", "--month", "2026-10", stdout=io.StringIO())
    client.force_login(leader_user)
    page = client.get("/ledgers/")
    assert page.status_code == 200 and "由工作人员下载" in page.content.decode()
    report = LedgerReport.objects.get(level="district")
    assert client.get(f"/ledgers/{report.pk}/download/").status_code == 403
