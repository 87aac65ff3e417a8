"""Every admin changelist and change page renders for the demo data within a bounded query count."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from cadres.models import Cadre
from communities.models import Community
from tests.conftest import make_user
from tests.factories import CadreFactory, CommunityFactory

LOCAL_APPS = {"communities", "accounts", "cadres", "activities", "portal"}
ADMIN_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in LOCAL_APPS),
    key=lambda model: model._meta.label,
)
# a full page is 50 rows: an N+1 query would blow far past this
MAX_CHANGELIST_QUERIES = 16
MAX_CHANGE_PAGE_QUERIES = 30


@pytest.fixture
def demo(db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.audit import record_event

    call_command("seed_demo", scale="tiny", verbosity=0)
    user = get_user_model().objects.get(username="bureau")
    user.groups.add(Group.objects.get(name="auditor"))  # to open the audit screens too
    record_event(kind="login", user=user)
    return get_user_model().objects.get(pk=user.pk)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_admin_index_lists_every_app(client, demo, django_assert_max_num_queries):
    client.force_login(demo)
    # 4 of them: the ledgers that need the bureau; 3: the months waiting for the user's approval; whatever their number
    with django_assert_max_num_queries(19):
        response = client.get("/admin/")
    assert response.status_code == 200
    for model in ADMIN_MODELS:
        assert str(model._meta.verbose_name_plural) in response.content.decode()


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_every_changelist_renders_within_a_bounded_query_count(client, demo, model, django_assert_max_num_queries):
    client.force_login(demo)
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES):
        response = client.get(_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_every_change_page_renders_within_a_bounded_query_count(client, demo, model, django_assert_max_num_queries):
    client.force_login(demo)
    obj = model.objects.order_by("pk").last()
    with django_assert_max_num_queries(MAX_CHANGE_PAGE_QUERIES):
        response = client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_every_add_page_renders(client, demo, model, rf):
    """An add page opens where the admin lets the bureau add (and 403s where records are made elsewhere:
    sign-ins on the phone, follow-ups on the absence list); never a 404 or a 500."""
    client.force_login(demo)
    asked = rf.get("/")
    asked.user = demo
    addable = admin.site._registry[model].has_add_permission(asked)
    response = client.get(_url(model, "add"))
    assert response.status_code == (200 if addable else 403)


def test_the_cadre_changelist_costs_the_same_with_more_rows(client, demo, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(demo)
    url = _url(Cadre, "changelist") + "?p=1"
    client.get(url)  # warm up: the once-a-day account checks land in the session
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    CadreFactory.create_batch(60, community=Community.objects.first())
    with django_assert_num_queries(len(before)):
        client.get(url)


def test_a_cadre_change_history_page_renders(client, demo, django_assert_max_num_queries):
    client.force_login(demo)
    cadre = Cadre.objects.first()
    with django_assert_max_num_queries(MAX_CHANGE_PAGE_QUERIES):
        response = client.get(_url(Cadre, "history", cadre.pk))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_street_admin_lists_only_cadres_of_its_street(client):
    mine = CadreFactory()
    theirs = CadreFactory()
    user = make_user("street", street=mine.community.street)
    client.force_login(user)
    response = client.get(_url(Cadre, "changelist"))
    page = response.content.decode()
    assert mine.name in page
    assert theirs.id_number not in page
    assert list(response.context["cl"].result_list) == [mine]


@pytest.mark.django_db
def test_a_street_admin_gets_404_for_a_cadre_of_another_street(client):
    theirs = CadreFactory()
    user = make_user("street", street=CommunityFactory().street)
    client.force_login(user)
    assert client.get(_url(Cadre, "change", theirs.pk)).status_code == 404
    assert client.get(_url(Cadre, "history", theirs.pk)).status_code == 404


@pytest.mark.django_db
def test_a_street_admin_can_only_pick_communities_of_its_street(client):
    mine = CommunityFactory()
    other = CommunityFactory()
    user = make_user("street", street=mine.street)
    client.force_login(user)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "cadres", "model_name": "cadre", "field_name": "community", "term": ""},
    )
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {mine.pk}
    assert other.pk not in ids


def test_an_activity_change_page_costs_the_same_with_a_longer_sign_in_book(client, demo, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from activities.models import Activity
    from tests.factories import SignInFactory

    client.force_login(demo)
    activity = Activity.objects.first()
    url = _url(Activity, "change", activity.pk)
    client.get(url)  # warm up: the once-a-day account checks land in the session
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    SignInFactory.create_batch(30, activity=activity)
    with django_assert_num_queries(len(before)):
        response = client.get(url)
    assert response.status_code == 200


def test_a_branch_change_page_costs_the_same_with_more_members(client, demo, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadres.models import PartyBranch
    from tests.factories import BranchMembershipFactory

    client.force_login(demo)
    branch = PartyBranch.objects.first()
    url = _url(PartyBranch, "change", branch.pk)
    client.get(url)  # warm up: the once-a-day account checks land in the session
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    BranchMembershipFactory.create_batch(30, branch=branch)
    with django_assert_num_queries(len(before)):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_street_filter_is_one_drop_down_that_keeps_the_search(client):
    """A province has hundreds of streets: one <select> and a button, not a link per street."""
    from communities.models import Street

    streets = [CommunityFactory().street for _n in range(30)]
    mine = CadreFactory(community=CommunityFactory(street=streets[3]), name="王建国")
    CadreFactory(community=CommunityFactory(street=streets[4]), name="王建设")
    client.force_login(make_user("bureau"))
    page = client.get(_url(Cadre, "changelist"), {"q": "王建"}).content.decode()
    assert page.count('<select id="filter-street" name="street">') == 1
    assert page.count("?street=") == 0  # no link a street
    assert '<input type="hidden" name="q" value="王建">' in page
    assert page.count("<option value=") == Street.objects.count() + 1  # and 全部
    listed = client.get(_url(Cadre, "changelist"), {"q": "王建", "street": streets[3].pk})
    assert list(listed.context["cl"].result_list) == [mine]


def test_every_filter_choice_of_every_list_answers(client, demo):
    """Each choice a list's filter panel offers (a link or a drop-down option) opens the list, never a 400."""
    import re
    from html import unescape

    client.force_login(demo)
    followed = 0
    for model in ADMIN_MODELS:
        url = _url(model, "changelist")
        page = client.get(url).content.decode()
        panel = page.partition('id="changelist-filter"')[2].partition("</nav>")[0]
        links = {unescape(href) for href in re.findall(r'href="(\?[^"]*)"', panel)}
        for select, options in re.findall(r'<select id="filter-[^"]*" name="([^"]+)">(.*?)</select>', panel, re.S):
            links |= {f"?{select}={value}" for value in re.findall(r'<option value="([^"]+)"', options)[:3]}
        for link in sorted(links):
            response = client.get(url + link)
            assert response.status_code == 200, (model._meta.label, link, response.status_code)
            assert "e=1" not in response.get("Location", ""), (model._meta.label, link)
            followed += 1
    assert followed > 50


@pytest.mark.django_db
def test_an_editable_inline_costs_the_same_queries_for_60_rows_as_for_2(client):
    """Every editable inline with an autocomplete (group members, branch memberships) loads the rows'
    choices once, not once per row."""
    from cadres.models import GroupMembership
    from tests.factories import GroupFactory

    community = CommunityFactory()
    small, large = GroupFactory(community=community), GroupFactory(community=community)
    for group, size in ((small, 2), (large, 60)):
        GroupMembership.objects.bulk_create(
            GroupMembership(group=group, cadre=CadreFactory(community=community)) for _n in range(size)
        )
    client.force_login(make_user("bureau", is_staff=True))
    counted = {}
    for group in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(type(group), "change", group.pk)).status_code == 200
        counted[group.pk] = len(queries)
    assert counted[large.pk] <= counted[small.pk], counted  # (the first page also loads the session's rows)
