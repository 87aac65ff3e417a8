import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_in_chinese_by_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert "老干部工作社区融合平台" in page
    assert 'lang="zh-hans"' in page


def test_english_is_selectable_and_translated(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    page = response.content.decode()
    assert 'lang="en"' in page
    assert "Retired Cadres" in page
    assert "Log in" in page


def test_the_english_catalogue_translates_model_names():
    from django.utils import translation

    from cadres.models import Cadre

    with translation.override("en"):
        assert str(Cadre._meta.verbose_name) == "Retired cadre"
        assert str(Cadre._meta.get_field("id_number").verbose_name) == "ID number"


def test_an_english_browser_still_gets_chinese_until_the_user_chooses(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page
