import datetime

import pytest
from django.db import connection

from cadres.models import Cadre
from cadres.parsers import make_id_number
from core.privacy import mask_id_number, mask_phone
from tests.conftest import make_user
from tests.factories import CadreFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def _raw(cadre, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cadres_cadre WHERE id = %s", [cadre.pk])
        return cursor.fetchone()[0]


def test_id_numbers_phones_and_health_are_encrypted_at_rest():
    cadre = CadreFactory(phone="13812345678", health="高血压", notes="独居，需每周探望")
    for column, plain in [("id_number", cadre.id_number), ("phone", "13812345678"), ("health", "高血压")]:
        stored = _raw(cadre, column)
        assert plain not in stored
        assert stored.startswith("gAAAA")  # a Fernet token
    fresh = Cadre.objects.get(pk=cadre.pk)
    assert (fresh.phone, fresh.health, fresh.notes) == ("13812345678", "高血压", "独居，需每周探望")


def test_blank_personal_values_stay_blank():
    cadre = CadreFactory(phone="", health="")
    fresh = Cadre.objects.get(pk=cadre.pk)
    assert fresh.phone == ""
    assert fresh.health == ""
    assert fresh.phone_tail == ""


def test_a_cadre_is_found_by_id_number_in_any_written_form():
    number = make_id_number("370114", datetime.date(1950, 3, 4), 123)
    cadre = CadreFactory(id_number=number, birth_date=datetime.date(1950, 3, 4))
    assert list(Cadre.objects.with_id_number(number)) == [cadre]
    assert list(Cadre.objects.with_id_number("370114500304123")) == [cadre]  # the old 15-digit form
    assert not Cadre.objects.with_id_number("garbage").exists()


def test_the_phone_tail_is_kept_apart_for_search():
    cadre = CadreFactory(phone="138 1234 5678")
    assert Cadre.objects.get(pk=cadre.pk).phone_tail == "5678"


def test_masks_show_the_region_of_an_id_number_and_the_ends_of_a_phone():
    assert mask_id_number("37011419500304123X") == "3701**************"
    assert mask_phone("13812345678") == "138****5678"


def test_a_street_admin_sees_masked_numbers_in_the_list(client):
    cadre = CadreFactory(phone="13812345678")
    client.force_login(make_user("street", street=cadre.community.street))
    page = client.get("/admin/cadres/cadre/").content.decode()
    assert mask_id_number(cadre.id_number) in page
    assert cadre.id_number not in page
    assert "138****5678" in page
    assert "13812345678" not in page


def test_a_bureau_admin_sees_full_numbers(client):
    cadre = CadreFactory(phone="13812345678")
    client.force_login(make_user("bureau"))
    page = client.get("/admin/cadres/cadre/").content.decode()
    assert cadre.id_number in page
    assert "13812345678" in page


def test_a_street_admin_sees_a_masked_change_page_without_health(client):
    cadre = CadreFactory(phone="13812345678", health="高血压")
    client.force_login(make_user("street", street=cadre.community.street))
    page = client.get(f"/admin/cadres/cadre/{cadre.pk}/change/").content.decode()
    assert cadre.id_number not in page
    assert "13812345678" not in page
    assert "高血压" not in page


def test_the_bureau_finds_a_cadre_by_full_id_number(client):
    cadre = CadreFactory()
    CadreFactory()
    client.force_login(make_user("bureau"))
    response = client.get("/admin/cadres/cadre/", {"q": cadre.id_number})
    assert list(response.context["cl"].result_list) == [cadre]


def test_searching_by_id_number_finds_nothing_without_the_permission(client):
    cadre = CadreFactory()
    client.force_login(make_user("street", street=cadre.community.street))
    response = client.get("/admin/cadres/cadre/", {"q": cadre.id_number})
    assert list(response.context["cl"].result_list) == []


def test_anyone_in_scope_finds_a_cadre_by_the_last_4_phone_digits(client):
    cadre = CadreFactory(phone="13800005678")
    CadreFactory(community=cadre.community, phone="13800001111")
    client.force_login(make_user("street", street=cadre.community.street))
    response = client.get("/admin/cadres/cadre/", {"q": "5678"})
    assert list(response.context["cl"].result_list) == [cadre]


def test_adding_a_cadre_with_a_registered_id_number_is_refused_with_a_reason(client):
    existing = CadreFactory()
    community = CommunityFactory()
    client.force_login(make_user("bureau"))
    response = client.post(
        "/admin/cadres/cadre/add/",
        {
            "name": "王建国",
            "id_number": existing.id_number,
            "community": community.pk,
            "retirement_kind": "tuixiu",
            "ethnicity": "汉族",
            "branch_memberships-TOTAL_FORMS": "0",
            "branch_memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "该身份证号码已登记" in response.content.decode()
    assert Cadre.objects.count() == 1


def test_a_new_cadre_added_in_the_admin_gets_birth_date_gender_and_digest_from_the_id_number(client):
    community = CommunityFactory()
    number = make_id_number("370114", datetime.date(1948, 10, 1), 124)
    client.force_login(make_user("bureau"))
    response = client.post(
        "/admin/cadres/cadre/add/",
        {
            "name": "李秀英",
            "id_number": number,
            "community": community.pk,
            "retirement_kind": "tuixiu",
            "ethnicity": "汉族",
            "branch_memberships-TOTAL_FORMS": "0",
            "branch_memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    cadre = Cadre.objects.get()
    assert (cadre.birth_date, cadre.gender, cadre.name_initials) == (datetime.date(1948, 10, 1), "F", "lxy")
    assert Cadre.objects.with_id_number(number).get() == cadre
