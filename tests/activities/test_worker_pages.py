"""The worker's phone pages: find by pinyin, tap to sign in, undo, walk-ins, create, print."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, SignIn
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, SignInFactory, VenueFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def activity(community):
    return ActivityFactory(community=community, title="学习二十大精神")


@pytest.fixture
def zhang(community):
    return CadreFactory(community=community, name="张国伟", phone="13800005678")


@pytest.fixture
def worker(client, community_user):
    client.force_login(community_user)
    return client


@pytest.mark.parametrize("query", ["zgw", "ZGW", "zhangguowei", "zhangg", "张国伟", "国伟", "5678"])
def test_a_cadre_is_found_by_initials_full_pinyin_name_or_phone_tail(worker, activity, zhang, query):
    CadreFactory(community=activity.community, name="李秀英", phone="13900001111")
    response = worker.get(f"/worker/activities/{activity.pk}/search/", {"q": query})
    names = [cadre.name for cadre in response.context["results"]]
    assert names == ["张国伟"]


def test_search_never_shows_other_communities_or_the_deceased(worker, activity, zhang):
    CadreFactory(name="张国文")  # another community
    CadreFactory(community=activity.community, name="张国强", deceased_on=datetime.date(2025, 1, 1))
    response = worker.get(f"/worker/activities/{activity.pk}/search/", {"q": "zg"})
    assert [cadre.name for cadre in response.context["results"]] == ["张国伟"]


def test_one_tap_signs_in_and_the_count_updates(worker, activity, zhang):
    response = worker.post(f"/worker/activities/{activity.pk}/sign-in/", {"cadre": zhang.pk}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="signed-count">1<' in page and "张国伟" in page
    again = worker.post(f"/worker/activities/{activity.pk}/sign-in/", {"cadre": zhang.pk}, **HTMX)
    assert "已经签过到了" in again.content.decode()
    assert SignIn.objects.count() == 1


def test_a_mistaken_tap_is_undone(worker, activity, zhang):
    worker.post(f"/worker/activities/{activity.pk}/sign-in/", {"cadre": zhang.pk})
    sign_in = SignIn.objects.get()
    response = worker.post(f"/worker/activities/{activity.pk}/sign-ins/{sign_in.pk}/undo/", **HTMX)
    assert 'id="signed-count">0<' in response.content.decode()
    assert not SignIn.objects.exists()


def test_a_walk_in_resident_is_added_by_name(worker, activity):
    response = worker.post(f"/worker/activities/{activity.pk}/sign-in/", {"walk_in_name": "王大妈"}, **HTMX)
    assert "王大妈" in response.content.decode()
    assert SignIn.objects.get().walk_in_name == "王大妈"


def test_the_count_shows_the_expected_members_of_the_organising_branch(worker, activity, zhang):
    from tests.factories import BranchMembershipFactory, PartyBranchFactory

    branch = PartyBranchFactory(community=activity.community)
    BranchMembershipFactory.create_batch(4, branch=branch)
    activity.organiser_branch = branch
    activity.save()
    response = worker.get(f"/worker/activities/{activity.pk}/")
    assert response.context["expected"] == 4
    assert "本支部应到 4 人" in response.content.decode()
    # more people than the branch expects (walk-ins, other branches): never "30 / 5"
    SignInFactory.create_batch(6, activity=activity)
    page = worker.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert 'id="signed-count">6</strong> 人' in page and "/ 4" not in page


def test_a_worker_of_another_community_can_neither_open_nor_sign_into_the_activity(client, activity, zhang):
    client.force_login(make_user(Role.COMMUNITY, community=CommunityFactory()))
    assert client.get(f"/worker/activities/{activity.pk}/").status_code == 404
    assert client.post(f"/worker/activities/{activity.pk}/sign-in/", {"cadre": zhang.pk}).status_code == 404
    assert client.get(f"/worker/activities/{activity.pk}/print/").status_code == 404
    sign_in = SignInFactory(activity=activity)
    assert client.post(f"/worker/activities/{activity.pk}/sign-ins/{sign_in.pk}/undo/").status_code == 404
    assert SignIn.objects.count() == 1


def test_a_cadre_of_another_community_cannot_be_signed_in_by_key_guessing(worker, activity):
    stranger = CadreFactory()
    assert worker.post(f"/worker/activities/{activity.pk}/sign-in/", {"cadre": stranger.pk}).status_code == 404
    assert not SignIn.objects.exists()


def test_a_worker_creates_an_activity_and_a_clash_is_named(worker, community):
    venue = VenueFactory(community=community, name="党员活动室")
    today = timezone.localdate()
    data = {
        "kind": "study",
        "title": "书记有约",
        "venue": venue.pk,
        "date": today.isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
    }
    response = worker.post("/worker/activities/new/", data)
    activity = Activity.objects.get()
    assert response.url == f"/worker/activities/{activity.pk}/"
    assert activity.community == community and activity.created_by is not None
    clash = worker.post("/worker/activities/new/", {**data, "title": "文艺排练", "start_time": "10:00"})
    assert clash.status_code == 200
    assert "党员活动室在这段时间已安排“书记有约”" in clash.content.decode()
    assert Activity.objects.count() == 1


def test_a_worker_cannot_book_another_communitys_venue(worker, community):
    elsewhere = VenueFactory()
    response = worker.post(
        "/worker/activities/new/",
        {
            "kind": "study",
            "title": "学习",
            "venue": elsewhere.pk,
            "date": "2026-12-01",
            "start_time": "09:00",
            "end_time": "10:00",
        },
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_the_sign_in_book_prints_30_names_a_page(worker, activity):
    for n in range(35):
        SignInFactory(activity=activity, cadre=CadreFactory(community=activity.community, name=f"签到人{n:02d}"))
    response = worker.get(f"/worker/activities/{activity.pk}/print/")
    page = response.content.decode()
    assert page.count('class="sheet"') == 2
    assert "签到人00" in page and "签到人34" in page
    assert "第 2 页，共 2 页" in page
    assert "本人签名" in page and activity.title in page


def test_the_activity_page_costs_the_same_with_a_long_book(worker, activity, django_assert_max_num_queries):
    SignInFactory.create_batch(5, activity=activity)
    worker.get(f"/worker/activities/{activity.pk}/")
    SignInFactory.create_batch(40, activity=activity)
    with django_assert_max_num_queries(12):
        assert worker.get(f"/worker/activities/{activity.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        worker.get(f"/worker/activities/{activity.pk}/search/", {"q": "w"})


def test_the_bureau_prints_a_month_of_a_branchs_sign_in_books(client, community):
    from tests.factories import PartyBranchFactory

    branch = PartyBranchFactory(community=community)
    tz = timezone.get_current_timezone()
    for day in (3, 25):
        held = ActivityFactory(
            community=community,
            organiser_branch=branch,
            title=f"11月{day}日组织生活",
            starts_at=datetime.datetime(2026, 11, day, 9, tzinfo=tz),
        )
        SignInFactory(activity=held, cadre=CadreFactory(community=community, name=f"党员{day}"))
    ActivityFactory(
        community=community,
        organiser_branch=branch,
        title="十二月的活动",
        starts_at=datetime.datetime(2026, 12, 1, 9, tzinfo=tz),
    )
    client.force_login(make_user(Role.BUREAU))
    page = client.get(f"/worker/books/branch/{branch.pk}/2026-11/").content.decode()
    assert page.count('class="sheet"') == 2
    assert "11月3日组织生活" in page and "党员25" in page and "十二月的活动" not in page
    assert (
        f"/worker/books/branch/{branch.pk}/"
        in client.get(f"/admin/cadres/partybranch/{branch.pk}/change/").content.decode()
    )


# (one of them: whether the month is frozen, approvals.lock; the first tap of a planned activity marks it held)
def _tap(worker, activity, cadre, django_assert_max_num_queries, most=22):
    with django_assert_max_num_queries(most) as queries:
        response = worker.post(f"/worker/activities/{activity.pk}/sign-in/", {"cadre": cadre.pk}, **HTMX)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_a_tap_answers_with_the_row_and_the_count_whatever_the_size_of_the_book(
    worker, activity, django_assert_max_num_queries
):
    """A tap on a 300-person activity costs what a tap on a 3-person one does: same queries, same bytes."""
    first = CadreFactory(community=activity.community, name="张国伟")
    small, queries = _tap(worker, activity, first, django_assert_max_num_queries)
    SignInFactory.create_batch(300, activity=activity)
    later = CadreFactory(community=activity.community, name="李秀英")
    large, _queries = _tap(worker, activity, later, django_assert_max_num_queries, most=queries)
    assert 'id="signed-count">302<' in large and "李秀英" in large
    assert "张国伟" not in large  # the book is not sent back
    assert len(large.encode()) < 4096 and abs(len(large) - len(small)) < 64


def test_an_undo_answers_with_the_count_only(worker, activity, zhang):
    SignInFactory.create_batch(50, activity=activity)
    worker.post(f"/worker/activities/{activity.pk}/sign-in/", {"cadre": zhang.pk})
    sign_in = SignIn.objects.get(cadre=zhang)
    response = worker.post(f"/worker/activities/{activity.pk}/sign-ins/{sign_in.pk}/undo/", **HTMX)
    page = response.content.decode()
    assert 'id="signed-count">50<' in page and "sign-in-" not in page
    assert len(page.encode()) < 2048


def test_the_book_page_reads_a_constant_number_of_queries(worker, activity, django_assert_max_num_queries):
    SignInFactory.create_batch(5, activity=activity)
    with django_assert_max_num_queries(20) as few:
        worker.get(f"/worker/activities/{activity.pk}/")
    SignInFactory.create_batch(120, activity=activity)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = worker.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert 'id="signed-count">125<' in page


# --- the tap as the liaison sees it: the tapped row changes, the count with it, QR sign-ins appear -------


def test_a_tap_from_the_results_turns_that_row_into_signed_with_its_undo(worker, activity, zhang):
    response = worker.post(f"/worker/activities/{activity.pk}/sign-in/", {"cadre": zhang.pk, "from": "search"}, **HTMX)
    page = response.content.decode()
    sign_in = SignIn.objects.get()
    # the main answer is the result row itself, now 已签到 with an undo of this very sign-in
    assert page.lstrip().startswith(f'<li class="row result signed" id="result-{zhang.pk}"')
    assert "✓ 已签到" in page and f"/sign-ins/{sign_in.pk}/undo/" in page
    # out of band: the new line at the top of the book, and the count
    assert f'<div hx-swap-oob="afterbegin:#book-list"><li class="row signed" id="sign-in-{sign_in.pk}"' in page
    assert 'id="signed-count">1<' in page

    undo = worker.post(f"/worker/activities/{activity.pk}/sign-ins/{sign_in.pk}/undo/", {"from": "search"}, **HTMX)
    page = undo.content.decode()
    assert page.lstrip().startswith(f'<li class="row result" id="result-{zhang.pk}"') and ">签到<" in page
    assert f'<li id="sign-in-{sign_in.pk}" hx-swap-oob="delete">' in page
    assert 'id="signed-count">0<' in page and not SignIn.objects.exists()


def test_same_names_are_told_apart_by_age_phone_tail_and_branch(worker, activity):
    from tests.factories import BranchMembershipFactory, PartyBranchFactory

    elder = CadreFactory(
        community=activity.community, name="王建华", phone="13900001111", birth_date=datetime.date(1946, 5, 1)
    )
    CadreFactory(community=activity.community, name="王建华", phone="13900002222", birth_date=datetime.date(1958, 5, 1))
    BranchMembershipFactory(cadre=elder, branch=PartyBranchFactory(community=activity.community, name="第一支部"))
    page = worker.get(f"/worker/activities/{activity.pk}/search/", {"q": "王建华"}).content.decode()
    assert "尾号1111" in page and "尾号2222" in page and "第一支部" in page
    assert page.count("岁") == 2


def test_the_open_page_hears_of_qr_sign_ins_within_seconds_and_the_answer_stays_small(worker, activity, zhang):
    page = worker.get(f"/worker/activities/{activity.pk}/").content.decode()
    assert f"/worker/activities/{activity.pk}/book/updates/?after=0" in page and 'hx-trigger="every 5s"' in page
    SignInFactory.create_batch(3, activity=activity, method=SignIn.Method.QR)
    update = worker.get(f"/worker/activities/{activity.pk}/book/updates/", {"after": 0}, **HTMX).content.decode()
    assert update.count('hx-swap-oob="afterbegin:#book-list"') == 3 and 'id="signed-count">3<' in update
    last = SignIn.objects.order_by("pk").last().pk
    assert f"?after={last}" in update  # the next poll asks only for what comes after
    quiet = worker.get(f"/worker/activities/{activity.pk}/book/updates/", {"after": last}, **HTMX).content.decode()
    assert "afterbegin" not in quiet and len(quiet.encode()) < 1024
