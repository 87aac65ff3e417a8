"""The needs list (需求清单): dated steps along allowed transitions only, matching, and the worker's pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activities.models import Need, NeedChange
from activities.services import move_need, raise_need, suggestions_for
from cadres.models import ServiceCategory, TalentCategory, Visit
from core.scope import CITY as DISTRICT
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    GroupFactory,
    NeedFactory,
    ResourceFactory,
    StreetFactory,
    TalentFactory,
)

pytestmark = pytest.mark.django_db
MARCH = datetime.date(2026, 3, 2)


def _day(n):
    return MARCH + datetime.timedelta(days=n)


def test_a_raised_need_waits_with_its_first_dated_step(community, community_user):
    cadre = CadreFactory(community=community)
    need = raise_need(
        need=Need(
            community=community, cadre=cadre, title=" 上门理发 ", category=ServiceCategory.LIFE_CARE, raised_on=MARCH
        ),
        by=community_user,
    )
    assert (need.status, need.title, need.raised_by) == (Need.Status.OPEN, "上门理发", community_user)
    assert list(need.changes.values_list("from_status", "to_status", "on")) == [("", "open", MARCH)]


def test_a_need_from_someone_of_another_community_is_refused(community):
    with pytest.raises(ValidationError, match="不住在这个社区"):
        raise_need(need=Need(community=community, cadre=CadreFactory(), title="x", category="other", raised_on=MARCH))
    assert not Need.objects.exists()


def test_a_need_moves_open_matched_resolved_and_each_step_is_dated(community):
    need = NeedFactory(community=community)
    talent = TalentFactory(cadre__community=community)
    move_need(need=need, to=Need.Status.MATCHED, on=_day(2), talent=talent)
    move_need(need=need, to=Need.Status.RESOLVED, on=_day(9), outcome="已理发")
    need.refresh_from_db()
    assert (need.status, need.matched_on, need.resolved_on, need.outcome) == ("resolved", _day(2), _day(9), "已理发")
    assert need.taker == talent.cadre.name
    steps = list(NeedChange.objects.filter(need=need).values_list("from_status", "to_status", "on"))
    assert steps == [("", "open", MARCH), ("open", "matched", _day(2)), ("matched", "resolved", _day(9))]
    assert (need.resolved_on - need.raised_on).days == 9  # the time to resolve is known


def test_an_open_need_can_be_closed(community):
    need = NeedFactory(community=community)
    move_need(need=need, to=Need.Status.CLOSED, on=_day(1), outcome="家属已解决")
    need.refresh_from_db()
    assert (need.status, need.closed_on) == ("closed", _day(1))


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ((), Need.Status.RESOLVED),  # 待对接 cannot jump to 已解决
        ((), Need.Status.OPEN),
        ((Need.Status.MATCHED,), Need.Status.OPEN),
        ((Need.Status.MATCHED,), Need.Status.MATCHED),
        ((Need.Status.MATCHED, Need.Status.RESOLVED), Need.Status.CLOSED),
        ((Need.Status.MATCHED, Need.Status.RESOLVED), Need.Status.MATCHED),
        ((Need.Status.CLOSED,), Need.Status.MATCHED),
        ((Need.Status.CLOSED,), Need.Status.RESOLVED),
    ],
)
def test_moves_outside_the_allowed_transitions_are_refused_and_change_nothing(community, path, to):
    need = NeedFactory(community=community)
    for step in path:
        move_need(need=need, to=step, on=_day(1), taken_by_name="社区卫生服务站")
    need.refresh_from_db()
    before = (need.status, need.matched_on, need.resolved_on, need.closed_on, need.changes.count())
    with pytest.raises(ValidationError, match="不能改为") as refused:
        move_need(need=need, to=to, on=_day(5), taken_by_name="x")
    assert str(Need.Status(to).label) in refused.value.messages[0]
    need.refresh_from_db()
    assert (need.status, need.matched_on, need.resolved_on, need.closed_on, need.changes.count()) == before


def test_matching_needs_someone_to_take_it(community):
    need = NeedFactory(community=community)
    with pytest.raises(ValidationError, match="接单"):
        move_need(need=need, to=Need.Status.MATCHED, on=_day(1))
    assert Need.objects.get().status == "open"


def test_a_step_cannot_be_dated_before_the_one_before_it(community):
    need = NeedFactory(community=community)
    with pytest.raises(ValidationError, match="日期不能早于"):
        move_need(need=need, to=Need.Status.MATCHED, on=_day(-1), taken_by_name="x")
    move_need(need=need, to=Need.Status.MATCHED, on=_day(3), taken_by_name="x")
    with pytest.raises(ValidationError, match="日期不能早于"):
        move_need(need=need, to=Need.Status.RESOLVED, on=_day(2))


def test_the_database_refuses_a_status_without_its_dates(community):
    need = NeedFactory(community=community)
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(status=Need.Status.RESOLVED)


def test_suggestions_are_talents_teams_and_resources_of_the_same_category_nearest_first(community):
    neighbour = CommunityFactory(street=community.street)
    far_away = CommunityFactory(street=StreetFactory())
    need = NeedFactory(community=community, category=ServiceCategory.CULTURE)
    here = TalentFactory(cadre__community=community, cadre__name="王书法", category=TalentCategory.CULTURE)
    near = TalentFactory(cadre__community=neighbour, cadre__name="李书法", category=TalentCategory.CULTURE)
    TalentFactory(cadre__community=far_away, category=TalentCategory.CULTURE)  # another street
    TalentFactory(cadre__community=community, category=TalentCategory.THEORY)  # another category
    TalentFactory(cadre__community=community, category=TalentCategory.CULTURE, is_available=False)
    TalentFactory(
        cadre__community=community, cadre__deceased_on=datetime.date(2025, 1, 1), category=TalentCategory.CULTURE
    )
    team = GroupFactory(community=community, category=ServiceCategory.CULTURE)
    GroupFactory(community=community, category=ServiceCategory.CULTURE, kind="interest")  # not a volunteer team
    room = ResourceFactory(community=community, category=ServiceCategory.CULTURE)
    ResourceFactory(community=neighbour, category=ServiceCategory.CULTURE)  # resources are the community's own
    ResourceFactory(community=community, category=ServiceCategory.HEALTH)
    suggestions = suggestions_for(need, scope=DISTRICT)
    assert suggestions["talents"] == [here, near]
    assert suggestions["groups"] == [team]
    assert suggestions["resources"] == [room]


# --- the worker's pages -----------------------------------------------------------------------


@pytest.fixture
def worker(client, community_user):
    client.force_login(community_user)
    return client


def test_the_worker_raises_a_need_for_a_cadre(worker, community):
    cadre = CadreFactory(community=community, name="张国伟")
    response = worker.post(
        "/worker/needs/new/",
        {
            "cadre": cadre.pk,
            "title": "智能手机教学",
            "category": "culture",
            "urgency": "urgent",
            "raised_on": "2026-03-02",
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/worker/needs/{need.pk}/"
    assert (need.cadre, need.community, need.urgency, need.status) == (cadre, community, "urgent", "open")


def test_the_worker_dispatches_a_need_to_a_suggested_talent_then_resolves_it(worker, community):
    need = NeedFactory(community=community, category=ServiceCategory.CULTURE)
    talent = TalentFactory(cadre__community=community, cadre__name="王书法", category=TalentCategory.CULTURE)
    page = worker.get(f"/worker/needs/{need.pk}/").content.decode()
    assert "王书法" in page and "派给TA" in page
    worker.post(f"/worker/needs/{need.pk}/match/", {"talent": talent.pk, "on": "2026-03-03"})
    worker.post(f"/worker/needs/{need.pk}/resolve/", {"on": "2026-03-10", "outcome": "已上门教学"})
    need.refresh_from_db()
    assert (need.status, need.taken_by_talent, need.resolved_on) == ("resolved", talent, datetime.date(2026, 3, 10))
    page = worker.get(f"/worker/needs/{need.pk}/").content.decode()
    assert "已上门教学" in page and "派给TA" not in page


def test_the_worker_is_only_offered_talents_of_their_own_community(worker, community):
    need = NeedFactory(community=community, category=ServiceCategory.CULTURE)
    TalentFactory(cadre__community=community, cadre__name="王书法", category=TalentCategory.CULTURE)
    TalentFactory(
        cadre__community=CommunityFactory(street=community.street),
        cadre__name="李邻居",
        category=TalentCategory.CULTURE,
    )
    page = worker.get(f"/worker/needs/{need.pk}/").content.decode()
    assert "王书法" in page and "李邻居" not in page


def test_a_refused_step_is_explained_on_the_page(worker, community):
    need = NeedFactory(community=community)
    response = worker.post(f"/worker/needs/{need.pk}/resolve/", {"on": "2026-03-10"}, follow=True)
    assert "不能改为" in response.content.decode()
    assert Need.objects.get().status == "open"


def test_a_talent_of_another_street_cannot_be_sent_by_guessing_its_key(worker, community):
    need = NeedFactory(community=community)
    foreign = TalentFactory()
    worker.post(f"/worker/needs/{need.pk}/match/", {"talent": foreign.pk, "on": "2026-03-03"})
    assert Need.objects.get().status == "open"


def test_a_visit_raises_a_need_in_one_step(worker, community):
    cadre = CadreFactory(community=community, name="刘秀英")
    response = worker.post(
        "/worker/visits/new/",
        {
            "cadre": cadre.pk,
            "kind": "routine",
            "visited_on": "2026-03-05",
            "visitors": "李联络",
            "summary": "腿脚不便",
            "raise_need": "on",
            "need_title": "需要助行器",
            "need_category": "life_care",
            "need_urgency": "urgent",
        },
    )
    visit, need = Visit.objects.get(), Need.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/worker/needs/{need.pk}/"
    assert (need.visit, need.cadre, need.raised_on, need.status) == (visit, cadre, visit.visited_on, "open")


def test_a_visit_without_a_need_title_raises_nothing(worker, community):
    cadre = CadreFactory(community=community)
    response = worker.post(
        "/worker/visits/new/",
        {"cadre": cadre.pk, "kind": "routine", "visited_on": "2026-03-05", "visitors": "李联络", "raise_need": "on"},
    )
    assert response.status_code == 200 and "请填写需求内容" in response.content.decode()
    assert not Visit.objects.exists() and not Need.objects.exists()


def test_the_need_list_costs_the_same_with_many_needs(worker, community, django_assert_max_num_queries):
    for _n in range(40):
        NeedFactory(community=community, cadre=CadreFactory(community=community))
    with django_assert_max_num_queries(12):
        response = worker.get("/worker/needs/")
    assert response.status_code == 200 and len(response.context["page"].object_list) == 30


def test_needs_of_another_community_answer_404(client, stranger, community):
    need = NeedFactory(community=community)
    client.force_login(stranger)
    assert client.get(f"/worker/needs/{need.pk}/").status_code == 404
    assert client.post(f"/worker/needs/{need.pk}/close/", {"on": "2026-03-04"}).status_code == 404
    assert list(client.get("/worker/needs/").context["page"].object_list) == []


def test_the_worker_adds_a_resource_and_sees_only_their_communitys(worker, community):
    ResourceFactory(name="外社区食堂")
    worker.post(
        "/worker/resources/", {"name": "老年助餐点", "kind": "service", "category": "life_care", "provider": "长者食堂"}
    )
    page = worker.get("/worker/resources/").content.decode()
    assert "老年助餐点" in page and "外社区食堂" not in page


def test_the_worker_finds_talents_by_category_and_word(worker, community):
    TalentFactory(
        cadre__community=community, cadre__name="王书法", category=TalentCategory.CULTURE, specialty="书法教学"
    )
    TalentFactory(cadre__community=community, cadre__name="李宣讲", category=TalentCategory.THEORY, specialty="党史")
    TalentFactory(cadre__name="外社区书法", category=TalentCategory.CULTURE, specialty="书法")
    names = lambda response: [t.cadre.name for t in response.context["page"].object_list]  # noqa: E731
    assert names(worker.get("/worker/talents/", {"category": "culture"})) == ["王书法"]
    assert names(worker.get("/worker/talents/", {"q": "党史"})) == ["李宣讲"]


def test_the_project_list_costs_the_same_with_many_projects(worker, community, django_assert_max_num_queries):
    from activities.models import Project

    for n in range(15):
        project = Project.objects.create(community=community, title=f"项目{n}", category="theory")
        project.needs.add(NeedFactory(community=community))
    with django_assert_max_num_queries(12):
        assert worker.get("/worker/projects/").status_code == 200


def test_the_admin_cannot_move_a_need_to_another_community_or_status(client, community):
    from accounts.models import Role
    from tests.conftest import make_user

    need = NeedFactory(community=community)
    client.force_login(make_user(Role.BUREAU))
    editable = client.get(f"/admin/activities/need/{need.pk}/change/").context["adminform"].form.fields
    assert "title" in editable
    assert not {"community", "cadre", "raised_on", "status", "matched_on", "resolved_on"} & set(editable)
