import pytest

from accounts.models import Role
from tests.conftest import make_user
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_login_page_is_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_logging_in_through_the_login_page_lands_a_bureau_user_in_the_admin(client, bureau_user):
    response = client.post("/accounts/login/", {"login": "alice", "password": "Correct-Horse-42"}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("user_fixture", "target"),
    [
        ("bureau_user", "/admin/"),
        ("street_user", "/admin/"),
        ("community_user", "/worker/"),
        ("leader_user", "/dashboard/"),
    ],
)
def test_each_role_is_sent_to_its_home(client, request, user_fixture, target):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == target


def test_an_account_without_a_role_is_told_so(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_the_worker_home_lists_this_weeks_activities_of_my_community_only(client, community_user, community):
    from django.utils import timezone

    mine = ActivityFactory(community=community, title="本社区学习会", starts_at=timezone.now())
    ActivityFactory(title="别的社区活动", starts_at=timezone.now())
    client.force_login(community_user)
    response = client.get("/worker/")
    page = response.content.decode()
    assert mine.title in page
    assert "别的社区活动" not in page


def test_a_leader_cannot_open_the_worker_home(client, leader_user):
    client.force_login(leader_user)
    assert client.get("/worker/").status_code == 403


def test_a_worker_cannot_open_the_dashboard(client, community_user):
    client.force_login(community_user)
    assert client.get("/dashboard/").status_code == 403


def test_the_dashboard_counts_living_cadres_in_scope(client, street_user, community):
    from tests.factories import CadreFactory

    CadreFactory.create_batch(3, community=community)
    CadreFactory(community=community, deceased_on="2024-01-01")
    CadreFactory()  # another street
    make_user(Role.LEADER)
    client.force_login(street_user)
    response = client.get("/dashboard/")
    assert response.context["cadres_total"] == 3


def test_the_worker_home_shows_what_is_planned_beyond_this_week_with_or_without_a_room(
    client, community_user, community
):
    """Finding: the home listed this week only, so an activity next week without a venue was nowhere."""
    import datetime

    from django.utils import timezone

    from activities.models import Activity

    now = timezone.now()
    ActivityFactory(community=community, title="下周健康讲座", venue=None, starts_at=now + datetime.timedelta(days=12))
    ActivityFactory(community=community, title="上周主题党日", starts_at=now - datetime.timedelta(days=3))
    ActivityFactory(
        community=community,
        title="取消的书画课",
        starts_at=now + datetime.timedelta(days=2),
        status=Activity.Status.CANCELLED,
    )
    ActivityFactory(community=community, title="两个月后的活动", starts_at=now + datetime.timedelta(days=60))
    client.force_login(community_user)
    page = client.get("/worker/").content.decode()
    upcoming, recent = page.split("近期活动")[1].split("最近7天")
    assert "下周健康讲座" in upcoming and "未定场地" in upcoming
    assert "取消的书画课" in upcoming and "已取消" in upcoming
    assert "上周主题党日" in recent
    assert "两个月后的活动" not in page
