"""Finding 3: no text typed by a user becomes a live formula in any spreadsheet the portal produces.

One writer (core/spreadsheets.py) writes every workbook and CSV; the first test keeps it the only one,
the others feed formula-like text through every spreadsheet a user can download.
"""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from core.spreadsheets import FORMULA_STARTS, csv_text, csv_value
from portal.ledgers import LedgerPlace, build_ledger
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CommunityFactory,
    NeedFactory,
    PartyBranchFactory,
    SignInFactory,
    StreetFactory,
    UnitFactory,
)

ROOT = Path(__file__).resolve().parents[2]
EVIL = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def test_only_the_spreadsheet_module_writes_workbooks_or_csv():
    writers = re.compile(
        r"from openpyxl import .*Workbook|openpyxl\.Workbook|import csv|csv\.writer|csv\.DictWriter"
        r"|base_formats\.(XLSX|CSV|XLS|TSV|ODS)\b|from import_export\.formats\.base_formats import"
        r"|\.export\(\)\.(xlsx|csv)|tablib\.Dataset"
    )
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "var/")) or relative == "core/spreadsheets.py":
            continue
        if "/management/commands/bench_" in relative:
            continue  # benchmarks write generated test data, never a user's text
        if writers.search(path.read_text()):
            offenders.append(relative)
    assert not offenders, f"write spreadsheets through core/spreadsheets.py: {offenders}"


def test_every_export_format_of_the_admin_is_the_safe_one():
    from django.contrib import admin
    from import_export.admin import ExportMixin

    from core.spreadsheets import SafeCSV, SafeXLSX

    for model_admin in admin.site._registry.values():
        if isinstance(model_admin, ExportMixin):
            assert set(model_admin.get_export_formats()) <= {SafeXLSX, SafeCSV}, model_admin


@pytest.mark.parametrize("value", EVIL)
def test_a_csv_field_that_starts_like_a_formula_is_prefixed(value):
    assert csv_value(value) == "'" + value
    rows = list(csv.reader(io.StringIO(csv_text(["h"], [[value]]).lstrip("\ufeff"), newline="")))
    assert rows == [["h"], ["'" + value]]


def test_plain_values_are_left_alone():
    assert csv_value("张国伟") == "张国伟" and csv_value(3) == 3 and csv_value(None) == ""


def _assert_no_formulas(content: bytes, *, expect: str | None = None):
    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    if expect is not None:
        assert any(expect in text for text in texts), f"{expect!r} missing from the workbook"


def _assert_csv_safe(text: str):
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for field in row:
            assert not field.startswith(FORMULA_STARTS), field


@pytest.fixture
def poisoned(db):
    """A community where every text a user types starts like a formula."""
    street = StreetFactory(name=EVIL[2])
    community = CommunityFactory(street=street, name=EVIL[1])
    cadre = CadreFactory(community=community, name=EVIL[0], former_unit=UnitFactory(name=EVIL[3]), hobbies=EVIL[4])
    branch = PartyBranchFactory(community=community, name=EVIL[5])
    BranchMembershipFactory(branch=branch, cadre=cadre, joined_on=datetime.date(2020, 1, 1))
    starts = timezone.make_aware(datetime.datetime(2026, 10, 15, 9))
    activity = ActivityFactory(
        community=community, organiser_branch=branch, title=EVIL[6], starts_at=starts, record=EVIL[7]
    )
    SignInFactory(activity=activity, cadre=cadre)
    SignInFactory(activity=activity, cadre=None, walk_in_name=EVIL[8])
    NeedFactory(community=community, cadre=cadre, title=EVIL[9])
    return community, branch, cadre


def test_the_monthly_ledger_holds_typed_text_as_text(poisoned):
    community, _branch, _cadre = poisoned
    report = build_ledger(unit=LedgerPlace.of_community(community), month=datetime.date(2026, 10, 1))
    with report.file.open("rb") as source:
        _assert_no_formulas(source.read(), expect=EVIL[6])


def test_the_branch_archive_holds_typed_text_as_text(client, poisoned):
    _community, branch, _cadre = poisoned
    client.force_login(make_user(Role.BUREAU))
    response = client.get(f"/worker/branches/{branch.pk}/archive.xlsx", {"from": "2026-01", "to": "2026-12"})
    assert response.status_code == 200
    _assert_no_formulas(response.content, expect=EVIL[7])


def test_dashboard_downloads_hold_names_as_text(client, poisoned):
    client.force_login(make_user(Role.BUREAU))
    response = client.get("/dashboard/charts/breakdown.xlsx", {"month": "2026-10"})
    assert response.status_code == 200
    _assert_no_formulas(response.content, expect=EVIL[2])


@pytest.mark.parametrize("format_index, kind", [("0", "xlsx"), ("1", "csv")])
def test_the_admin_roster_export_holds_typed_text_as_text(client, poisoned, format_index, kind):
    client.force_login(make_user(Role.BUREAU))
    response = client.post("/admin/cadres/cadre/export/", {"format": format_index, "resource": "0"})
    assert response.status_code == 200
    if kind == "xlsx":
        _assert_no_formulas(response.getvalue(), expect=EVIL[0])
    else:
        text = response.getvalue().decode("utf-8")
        _assert_csv_safe(text)
        assert ["'" + EVIL[0]] == [row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_export_command_holds_typed_text_as_text(poisoned, tmp_path, suffix):
    target = tmp_path / f"roster{suffix}"
    call_command("export_roster", str(target), stdout=io.StringIO())
    if suffix == ".xlsx":
        _assert_no_formulas(target.read_bytes(), expect=EVIL[0])
    else:
        _assert_csv_safe(target.read_text(encoding="utf-8"))


def test_the_template_and_error_list_hold_typed_text_as_text(client, poisoned):
    from cadres.roster import RowError, error_workbook

    client.force_login(make_user(Role.BUREAU))
    template = client.get("/admin/cadres/cadre/import/template/")
    _assert_no_formulas(template.content, expect=EVIL[1])  # the community names' drop-down list
    _assert_no_formulas(error_workbook([RowError(3, "姓名", EVIL[0])]), expect=EVIL[0])


def test_the_pilot_scorecard_holds_names_as_text(client, poisoned):
    client.force_login(make_user(Role.BUREAU))
    response = client.get("/dashboard/scorecard.xlsx", {"quarter": "2026-Q4"})
    assert response.status_code == 200
    _assert_no_formulas(response.content, expect=EVIL[1])
