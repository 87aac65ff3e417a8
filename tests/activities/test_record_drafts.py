"""A record typed on the phone survives a timed-out session: kept as a draft while it is typed, shown again on
the activity's page after the login, ended by saving; a form sent after the session ended leads back to its
page (not to a 405), and nothing is sent twice."""

import pytest
from django.test import Client

from activities.models import RecordDraft
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "老党员张国伟讲述入党经历，大家讨论热烈。"


@pytest.fixture
def activity(community):
    return ActivityFactory(community=community, title="主题党日")


def test_the_text_is_kept_as_it_is_typed_and_comes_back_after_the_next_login(client, community_user, activity):
    client.force_login(community_user)
    answer = client.post(f"/worker/activities/{activity.pk}/record/draft/", {"record": TEXT}, **HTMX)
    assert answer.status_code == 200 and "草稿已保存" in answer.content.decode()
    assert RecordDraft.objects.get(activity=activity, author=community_user).text == TEXT

    client.logout()  # the session timed out
    again = Client()
    again.force_login(community_user)
    page = again.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert "未保存的草稿" in page and TEXT in page
    activity.refresh_from_db()
    assert activity.record == ""  # a draft is not the record until it is saved


def test_saving_the_record_ends_the_draft(client, community_user, activity):
    client.force_login(community_user)
    client.post(f"/worker/activities/{activity.pk}/record/draft/", {"record": TEXT}, **HTMX)
    client.post(f"/worker/activities/{activity.pk}/record/", {"record": TEXT})
    activity.refresh_from_db()
    assert activity.record == TEXT and not RecordDraft.objects.exists()
    page = client.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert "未保存的草稿" not in page


def test_drafts_are_each_workers_own_and_inside_scope(client, community_user, activity):
    from accounts.models import Role
    from tests.conftest import make_user
    from tests.factories import CommunityFactory

    stranger = make_user(Role.COMMUNITY, community=CommunityFactory())
    client.force_login(stranger)
    assert client.post(f"/worker/activities/{activity.pk}/record/draft/", {"record": "x"}, **HTMX).status_code == 404
    colleague = make_user(Role.COMMUNITY, community=activity.community)
    client.force_login(colleague)
    client.post(f"/worker/activities/{activity.pk}/record/draft/", {"record": "同事的草稿"}, **HTMX)
    client.force_login(community_user)
    assert "同事的草稿" not in client.get(f"/worker/activities/{activity.pk}/").content.decode()


def test_a_form_sent_after_the_session_ended_leads_back_to_its_page_after_the_login(client, activity):
    page = f"/worker/activities/{activity.pk}/"
    response = client.post(f"{page}record/", {"record": TEXT}, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={page}"
    activity.refresh_from_db()
    assert activity.record == ""  # nothing was written, and nothing will be sent again
    # a referer from another site is never followed
    other = client.post(f"{page}record/", {"record": TEXT}, HTTP_REFERER="https://evil.example/x")
    assert "evil" not in other["Location"]
