"""Original units (原单位): the roster maps 原工作单位 names to units — an unknown name is the row's error with
the close matches, or becomes a new unit when the importer asks; the export writes the name back."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from cadres.models import Cadre, Unit
from cadres.roster import apply_roster, check_roster
from tests.cadres.roster_files import good_row, roster_file
from tests.factories import CadreFactory, CommunityFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="桃花山社区")


def test_a_known_unit_is_found_by_its_name_whatever_the_spacing(community):
    education = UnitFactory(name="区教育局")
    source = roster_file(
        [good_row(community, 0, 原工作单位="区教育局"), good_row(community, 1, 原工作单位=" 区教育局 ")]
    )
    check = apply_roster(source)
    assert check.is_valid, [str(error) for error in check.errors]
    assert set(Cadre.objects.values_list("former_unit", flat=True)) == {education.pk}


def test_an_unknown_unit_is_the_rows_error_naming_the_close_matches(community):
    UnitFactory(name="区教育局")
    UnitFactory(name="区卫健局")
    check = check_roster(roster_file([good_row(community, 0), good_row(community, 1, 原工作单位="区教育")]))
    assert [(error.row, error.column) for error in check.errors] == [(3, "原工作单位")]
    message = check.errors[0].message
    assert "找不到名为“区教育”的单位" in message and "区教育局" in message and "自动建立新单位" in message
    assert Unit.objects.count() == 2


def test_asked_to_create_units_the_import_creates_each_new_one_once_and_the_check_none(community):
    rows = [good_row(community, n, 原工作单位="明水街道中心小学") for n in range(3)]
    check = check_roster(roster_file(rows), create_units=True)
    assert check.is_valid and not Unit.objects.exists()  # checking writes nothing
    apply_roster(roster_file(rows), create_units=True)
    unit = Unit.objects.get()
    assert (unit.name, unit.kind) == ("明水街道中心小学", Unit.Kind.INSTITUTION)
    assert unit.retirees.count() == 3


def test_the_export_writes_the_units_name_and_re_imports_with_no_change(community, tmp_path):
    CadreFactory(community=community, former_unit=UnitFactory(name="区财政局"))
    path = tmp_path / "roster.xlsx"
    call_command("export_roster", str(path), stdout=io.StringIO())
    sheet = load_workbook(path).active
    headers = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=headers.index("原工作单位") + 1).value == "区财政局"
    assert apply_roster(path.open("rb")).counts["unchanged"] == 1


def test_checking_a_re_import_costs_the_same_queries_for_5_rows_as_for_40(community, django_assert_max_num_queries):
    """Comparing each known cadre's unit with the file's must not load the unit row by row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit = UnitFactory(name="区教育局")
    rows = [good_row(community, n, 原工作单位="区教育局") for n in range(40)]
    apply_roster(roster_file(rows))
    assert Cadre.objects.filter(former_unit=unit).count() == 40
    counts = []
    for size in (5, 40):
        with CaptureQueriesContext(connection) as queries:
            assert check_roster(roster_file(rows[:size])).counts["unchanged"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
