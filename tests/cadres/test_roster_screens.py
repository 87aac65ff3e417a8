"""The roster in the admin and on the command line: upload, preview, confirm, export, round trip."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.models import Role
from cadres.models import Cadre, RosterImport
from communities.models import AuditEvent
from core.privacy import mask_id_number
from tests.cadres.roster_files import good_row, roster_file
from tests.conftest import make_user
from tests.factories import CadreFactory, CommunityFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the jobs are queued on commit


@pytest.fixture
def community():
    return CommunityFactory(name="桃花山社区")


def _upload(client, rows):
    upload = roster_file(rows)
    upload.name = "花名册.xlsx"
    return client.post("/admin/cadres/cadre/import/", {"file": upload})


def test_a_good_file_is_previewed_then_imported_on_confirm(client, community):
    user = make_user(Role.STREET, street=community.street)
    client.force_login(user)
    response = _upload(client, [good_row(community, n) for n in range(3)])
    assert response.status_code == 302
    status_url = response.url
    preview = client.get(status_url)
    page = preview.content.decode()
    assert "检查通过" in page and "确认导入" in page
    assert Cadre.objects.count() == 0  # nothing before the confirm

    assert client.post(status_url).status_code == 302
    page = client.get(status_url).content.decode()
    assert "导入完成：新增 3 人" in page
    assert Cadre.objects.count() == 3
    roster_import = RosterImport.objects.get()
    assert roster_import.status == "done"
    assert not roster_import.file  # the uploaded personal data is not kept
    event = AuditEvent.objects.get(kind="import")
    assert (event.username, event.rows, event.detail["new"]) == (user.username, 3, 3)

    client.post(status_url)  # a second confirm (double click, back button) imports nothing more
    assert Cadre.objects.count() == 3


def test_the_preview_shows_which_rows_change_and_how_before_anything_is_written(client, community):
    """A clerk confirms what they can see: the rows that will change, column by column, old → new; the new
    rows by name; personal numbers, the address and health named as changed but never shown."""
    client.force_login(make_user(Role.BUREAU))
    other = CommunityFactory(name="华阳社区", street=community.street)
    first = [good_row(community, n) for n in range(3)]
    status_url = _upload(client, first).url
    client.post(status_url)
    assert Cadre.objects.count() == 3

    second = [
        good_row(community, 0),  # unchanged
        good_row(community, 1, 居住社区="华阳社区", 联系电话="13999990000"),  # moved house, new phone
        good_row(community, 2, 是否中共党员="否", 入党时间=None),
        good_row(community, 3),  # someone new
    ]
    page = client.get(_upload(client, second).url).content.decode()

    assert "将要更新的老同志" in page and "将要新增的老同志" in page
    changed = page[page.index("将要更新的老同志") : page.index("将要新增的老同志")]
    assert "张国强1" in changed and "桃花山社区" in changed and other.name in changed
    assert "有更改（个人信息不在此显示）" in changed and "13999990000" not in page and "13800000001" not in page
    assert "张国明2" in changed and "1975-07-01" in changed and "是否中共党员" in changed
    assert "张国伟0" not in changed  # an unchanged row is not listed
    added = page[page.index("将要新增的老同志") :]
    assert "张国华3" in added and "<td>5</td>" in added  # Excel row 5: the header is row 1
    assert Cadre.objects.get(name="张国强1").community == community  # nothing written before the confirm


def test_a_bad_file_lists_every_error_writes_nothing_and_offers_the_list_as_excel(client, community):
    client.force_login(make_user(Role.BUREAU))
    rows = [
        good_row(community, 0),
        good_row(community, 1, 联系电话="12345"),
        good_row(community, 2, 居住社区="无此社区"),
    ]
    status_url = _upload(client, rows).url
    page = client.get(status_url).content.decode()
    assert "发现 2 处问题，本次没有写入任何数据" in page
    assert "电话号码“12345”格式不对" in page
    assert "找不到名为“无此社区”的社区" in page
    assert Cadre.objects.count() == 0
    workbook = load_workbook(io.BytesIO(client.get(status_url + "errors.xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("Excel行号", "列", "原因")
    assert [(row[0], row[1]) for row in rows[1:]] == [(3, "联系电话"), (4, "居住社区")]


def test_a_file_that_is_not_excel_is_refused_at_upload(client, community):
    client.force_login(make_user(Role.BUREAU))
    fake = io.BytesIO(b"<html>not excel</html>")
    fake.name = "roster.xlsx"
    response = client.post("/admin/cadres/cadre/import/", {"file": fake})
    assert response.status_code == 200
    assert "请上传Excel文件" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_the_template_has_the_design_headers_and_drop_downs(client, community):
    from cadres.roster import HEADERS

    client.force_login(make_user(Role.BUREAU))
    workbook = load_workbook(io.BytesIO(client.get("/admin/cadres/cadre/import/template/").content))
    sheet = workbook.worksheets[0]
    assert tuple(cell.value for cell in sheet[1]) == HEADERS
    assert sheet["T2"].value.startswith("示例")
    formulas = {validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert '"男,女"' in formulas and '"是,否"' in formulas and '"离休,退休"' in formulas


def test_a_street_admin_exports_its_street_only_and_masked(client, community):
    mine = CadreFactory(community=community, phone="13812345678")
    theirs = CadreFactory()
    client.force_login(make_user(Role.STREET, street=community.street))
    response = client.post("/admin/cadres/cadre/export/", {"format": "0", "resource": "0"})
    assert response.status_code == 200, response.status_code
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("姓名", "性别", "出生日期", "身份证号码", "居住社区")
    assert [row[0] for row in rows[1:]] == [mine.name]
    assert rows[1][3] == mask_id_number(mine.id_number)
    assert rows[1][5] == "138****5678"
    assert theirs.name not in str(rows)
    event = AuditEvent.objects.get(kind="export")
    assert event.rows == 1 and event.detail["masked"] is True


def test_an_export_reimports_with_no_change(client, community, tmp_path):
    for n in range(5):
        CadreFactory(community=community, is_party_member=n % 2 == 0, joined_party_on=None, phone=f"1390000000{n}")
    target = tmp_path / "roster.xlsx"
    call_command("export_roster", str(target))
    from cadres.roster import check_roster

    with open(target, "rb") as source:
        check = check_roster(source)
    assert check.is_valid, [str(e) for e in check.errors]
    assert check.counts == {"rows": 5, "new": 0, "updated": 0, "unchanged": 5}


def test_import_roster_exits_1_listing_every_bad_row_and_writes_nothing(community, tmp_path, capsys):
    target = tmp_path / "bad.xlsx"
    target.write_bytes(roster_file([good_row(community, 0), good_row(community, 1, 出生日期="1999-99-99")]).read())
    with pytest.raises(SystemExit) as exit_:
        call_command("import_roster", str(target))
    assert exit_.value.code == 1
    assert "第3行【出生日期】" in capsys.readouterr().err
    assert Cadre.objects.count() == 0


def test_import_roster_dry_run_checks_without_writing(community, tmp_path, capsys):
    target = tmp_path / "good.xlsx"
    target.write_bytes(roster_file([good_row(community, n) for n in range(2)]).read())
    call_command("import_roster", str(target), dry_run=True)
    assert "检查通过（未写入）：2 行" in capsys.readouterr().out
    assert Cadre.objects.count() == 0
    call_command("import_roster", str(target))
    assert Cadre.objects.count() == 2


def test_export_roster_for_one_community(community, tmp_path):
    CadreFactory(community=community, name="甲社区人")
    CadreFactory(name="乙社区人")
    target = tmp_path / "one.xlsx"
    call_command("export_roster", str(target), community=community.code)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["甲社区人"]


def test_the_clerk_asks_for_new_units_at_upload_and_the_import_creates_them(client, community):
    from cadres.models import Unit

    client.force_login(make_user(Role.BUREAU))
    upload = roster_file([good_row(community, 0, 原工作单位="区新设单位")])
    upload.name = "花名册.xlsx"
    status_url = client.post("/admin/cadres/cadre/import/", {"file": upload, "create_units": "on"}).url
    assert "检查通过" in client.get(status_url).content.decode()
    client.post(status_url)
    assert Unit.objects.get().name == "区新设单位"
    assert Cadre.objects.get().former_unit.name == "区新设单位"
