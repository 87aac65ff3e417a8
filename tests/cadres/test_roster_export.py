"""The roster export is streamed: rows read a batch of communities at a time and written as they come."""

import csv
import io

import pytest
from django.http import FileResponse
from openpyxl import load_workbook

from accounts.models import Role
from cadres import exports, selectors
from cadres.exports import write_roster
from cadres.models import Cadre
from cadres.roster import HEADERS, TEXT_COLUMNS, template_workbook
from tests.conftest import make_user
from tests.factories import CadreFactory, CommunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster():
    places = [CommunityFactory(code=f"37011400{n:04d}") for n in (3, 1, 2)]
    for place in places:
        for name in ("王五", "李四", "张三"):
            CadreFactory(community=place, name=name)
    return places


def test_the_roster_is_filed_by_community_code_then_name_in_both_formats(roster):
    xlsx, text = io.BytesIO(), io.BytesIO()
    assert write_roster(xlsx, Cadre.objects.all()) == 9
    assert write_roster(text, Cadre.objects.all(), as_csv=True) == 9
    sheet = list(load_workbook(io.BytesIO(xlsx.getvalue())).active.iter_rows(values_only=True))
    lines = list(csv.reader(io.StringIO(text.getvalue().decode("utf-8-sig"))))
    expected = [
        (place.name, name) for place in sorted(roster, key=lambda c: c.code) for name in ("张三", "李四", "王五")
    ]
    assert [(row[4], row[0]) for row in sheet[1:]] == expected
    assert [(row[4], row[0]) for row in lines[1:]] == expected
    assert sheet[0][:2] == ("姓名", "性别") and lines[0][:2] == ["姓名", "性别"]


def test_rows_are_read_a_batch_of_communities_at_a_time(roster, monkeypatch, django_assert_num_queries):
    """Memory holds one batch, never the roster: the queries grow with batches, the rows come lazily."""
    monkeypatch.setattr(selectors, "COMMUNITIES_PER_BATCH", 1)
    rows = exports.roster_rows(Cadre.objects.all())
    with django_assert_num_queries(3):  # community ids, their codes, the first batch
        first = next(rows)
    assert first[0] == "张三"
    with django_assert_num_queries(2):  # two more batches for the other two communities
        assert len(list(rows)) == 8


def test_the_admin_streams_the_export_from_a_temporary_file(client, roster):
    client.force_login(make_user(Role.BUREAU))
    response = client.post("/admin/cadres/cadre/export/", {"format": "0", "resource": "0"})
    assert response.status_code == 200
    assert isinstance(response, FileResponse)  # not the whole file in memory as HttpResponse content
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert len(rows) == 10


def test_the_templates_id_and_phone_columns_are_text_so_excel_keeps_every_digit():
    assert {"身份证号码", "联系电话"} <= set(TEXT_COLUMNS)
    sheet = load_workbook(io.BytesIO(template_workbook(communities=["华阳社区"]))).active
    for header in TEXT_COLUMNS:
        letter = sheet.cell(row=1, column=HEADERS.index(header) + 1).column_letter
        assert sheet.column_dimensions[letter].number_format == "@", header
        assert sheet[f"{letter}2"].number_format == "@"
        assert isinstance(sheet[f"{letter}2"].value, str)


def test_every_download_has_a_chinese_file_name(client, roster):
    """Finding: downloads had English names (Cadre-2026-12-02.xlsx). Each named for what it is and where."""
    from urllib.parse import unquote

    client.force_login(make_user(Role.BUREAU))
    community = Cadre.objects.order_by("pk").first().community

    def name_of(response):
        assert response.status_code == 200, response.status_code
        return unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])

    whole = name_of(client.post("/admin/cadres/cadre/export/", {"format": "0", "resource": "0"}))
    assert whole.startswith("离退休干部花名册-全区-") and whole.endswith(".xlsx")
    one = name_of(
        client.post(f"/admin/cadres/cadre/export/?community={community.pk}", {"format": "0", "resource": "0"})
    )
    assert one.startswith(f"离退休干部花名册-{community.name}-")
    assert name_of(client.get("/admin/cadres/cadre/import/template/")) == "花名册模板.xlsx"
    for name in (whole, one):
        assert not name.isascii()
