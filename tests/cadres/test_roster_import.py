"""Importing messy rosters: every defect named by row, column and reason; all or nothing."""

import datetime

import pytest

from cadres.models import Cadre
from cadres.parsers import make_id_number
from cadres.roster import InvalidRosterError, apply_roster, check_roster
from core.scope import Scope
from tests.cadres.roster_files import good_row, roster_file
from tests.factories import CadreFactory, CommunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="桃花山社区")


def _messages(check):
    return [str(error) for error in check.errors]


def test_a_clean_roster_imports_every_row(community):
    source = roster_file([good_row(community, n) for n in range(5)])
    check = check_roster(source)
    assert check.is_valid, _messages(check)
    assert check.counts == {"rows": 5, "new": 5, "updated": 0, "unchanged": 0}
    assert Cadre.objects.count() == 0  # checking writes nothing
    assert apply_roster(source).counts == check.counts
    assert Cadre.objects.count() == 5
    cadre = Cadre.objects.get(name="张国伟0")
    assert (cadre.community, cadre.phone, cadre.is_party_member) == (community, "13800000000", True)
    assert cadre.name_initials == "zgw0"


def test_messy_but_readable_cells_are_cleaned(community):
    birth = datetime.date(1950, 3, 4)
    number = make_id_number("370114", birth, 123)
    row = good_row(
        community,
        姓名="　张国伟 ",  # full-width spaces
        身份证号码="".join(
            chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number[:6] + number[8:17]
        ),  # 15 digits, full-width
        出生日期="1950年3月4日",
        联系电话="+86 138-1234-5678",
        是否中共党员="是",
        入党时间="1975.7.1",
    )
    check = apply_roster(roster_file([row]))
    assert check.is_valid, _messages(check)
    cadre = Cadre.objects.get()
    assert (cadre.name, cadre.id_number, cadre.birth_date) == ("张国伟", number, birth)
    assert cadre.phone == "13812345678"
    assert cadre.joined_party_on == datetime.date(1975, 7, 1)


def test_birth_date_and_gender_are_filled_from_the_id_number_when_blank(community):
    apply_roster(roster_file([good_row(community, 3, 性别=None, 出生日期=None)]))
    cadre = Cadre.objects.get()
    assert (cadre.gender, cadre.birth_date) == ("M", datetime.date(1950, 4, 4))


def test_every_bad_row_is_named_with_its_row_column_and_reason_and_nothing_is_written(community):
    rows = [
        good_row(community, 0),  # row 2: fine
        good_row(community, 1, 身份证号码="370114195002021234"),  # row 3: wrong check digit
        good_row(community, 2, 出生日期="1951-03-03"),  # row 4: disagrees with the ID number
        good_row(community, 3, 性别="女"),  # row 5: disagrees with the ID number
        good_row(community, 4, 居住社区="不存在社区"),  # row 6: unknown community
        good_row(community, 5, 联系电话="12345"),  # row 7: not a phone
        good_row(community, 6, 出生日期="三月四日"),  # row 8: unreadable date
        good_row(community, 7, 是否中共党员="也许"),  # row 9: not 是/否
        good_row(community, 8, 姓名=None),  # row 10: name missing
        good_row(community, 0, 姓名="重复的人"),  # row 11: same ID as row 2
    ]
    source = roster_file(rows)
    check = check_roster(source)
    assert not check.is_valid
    errors = {(error.row, error.column): error.message for error in check.errors}
    assert "校验位" in errors[(3, "身份证号码")]
    assert "与身份证号码不一致" in errors[(4, "出生日期")]
    assert "与身份证号码不一致" in errors[(5, "性别")]
    assert "找不到名为“不存在社区”的社区" in errors[(6, "居住社区")]
    assert "电话号码“12345”格式不对" in errors[(7, "联系电话")]
    assert "无法识别日期“三月四日”" in errors[(8, "出生日期")]
    assert "应填“是”或“否”" in errors[(9, "是否中共党员")]
    assert "必填" in errors[(10, "姓名")]
    assert "与第11行重复" in errors[(2, "身份证号码")]
    assert "与第2行重复" in errors[(11, "身份证号码")]
    assert str(check.errors[0]).startswith("第2行【身份证号码】：")
    with pytest.raises(InvalidRosterError) as refused:
        apply_roster(source)
    assert [str(e) for e in refused.value.check.errors] == _messages(check)
    assert Cadre.objects.count() == 0


def test_the_corrected_file_then_imports(community):
    rows = [good_row(community, n) for n in range(3)]
    rows[1]["联系电话"] = "12345"
    assert not check_roster(roster_file(rows)).is_valid
    rows[1]["联系电话"] = "13912345678"
    assert check_roster(roster_file(rows)).is_valid
    apply_roster(roster_file(rows))
    assert Cadre.objects.count() == 3


def test_an_ambiguous_community_name_lists_the_candidates(community):
    twin = CommunityFactory(name="桃花山社区")
    check = check_roster(roster_file([good_row(community, 0)]))
    message = check.errors[0].message
    assert community.code in message and twin.code in message
    apply_roster(roster_file([good_row(community, 0, 居住社区=twin.code)]))
    assert Cadre.objects.get().community == twin


def test_a_street_user_cannot_import_into_another_street(community):
    elsewhere = CommunityFactory(name="远方社区")
    scope = Scope(level="street", street_id=community.street_id)
    check = check_roster(roster_file([good_row(elsewhere, 0, 居住社区="远方社区")]), scope=scope)
    assert "不在您的管辖范围内" in check.errors[0].message


def test_reimporting_the_same_file_changes_nothing(community):
    rows = [good_row(community, n) for n in range(4)]
    apply_roster(roster_file(rows))
    history = Cadre.history.count()
    check = apply_roster(roster_file(rows))
    assert check.counts == {"rows": 4, "new": 0, "updated": 0, "unchanged": 4}
    assert Cadre.objects.count() == 4
    assert Cadre.history.count() == history


def test_a_changed_phone_updates_exactly_that_cadre_and_the_history_shows_it(community):
    rows = [good_row(community, n) for n in range(4)]
    apply_roster(roster_file(rows))
    rows[2]["联系电话"] = "13700009999"
    check = apply_roster(roster_file(rows))
    assert check.counts == {"rows": 4, "new": 0, "updated": 1, "unchanged": 3}
    cadre = Cadre.objects.get(name=rows[2]["姓名"])
    assert (cadre.phone, cadre.phone_tail) == ("13700009999", "9999")
    latest = cadre.history.latest()
    assert latest.history_type == "~"
    assert latest.history_change_reason == "导入花名册"
    assert latest.prev_record.phone == "13800000002"
    assert [change.field for change in latest.diff_against(latest.prev_record).changes] == ["phone"]


def test_a_cadre_is_matched_by_id_number_never_duplicated(community):
    existing = CadreFactory(community=community, name="旧名字")
    row = good_row(community, 0, 身份证号码=existing.id_number, 出生日期=existing.birth_date, 姓名="新名字")
    assert apply_roster(roster_file([row])).counts["updated"] == 1
    assert Cadre.objects.get().name == "新名字"


def test_a_missing_required_column_is_reported_once(community):
    headers = ["姓名", "性别", "出生日期", "居住社区"]
    check = check_roster(roster_file([good_row(community, 0)], headers=headers))
    assert check.errors[0].message == "缺少必需的列：身份证号码。"


def test_a_file_that_is_not_excel_is_refused_politely():
    import io

    check = check_roster(io.BytesIO(b"not a spreadsheet"))
    assert "无法读取文件" in check.errors[0].message


def test_masked_id_numbers_are_refused(community):
    check = check_roster(roster_file([good_row(community, 0, 身份证号码="3701**********1234")]))
    assert "已脱敏" in check.errors[0].message


def test_the_template_example_row_is_skipped(community):
    import io

    from cadres.roster import template_workbook

    check = check_roster(io.BytesIO(template_workbook(communities=[community.name])))
    assert check.is_valid
    assert check.rows == 0


def test_a_bad_row_after_many_good_batches_still_leaves_nothing_written(community):
    rows = [good_row(community, n, 姓名=f"批量{n}") for n in range(2100)]
    rows[-1]["联系电话"] = "12345"
    with pytest.raises(InvalidRosterError):
        apply_roster(roster_file(rows))
    assert Cadre.objects.count() == 0
    assert Cadre.history.count() == 0
