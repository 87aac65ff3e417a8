"""Admin pages cost the same with a few rows as with hundreds: counts per page row, capped inlines."""

import pytest
from django.contrib import admin
from django.urls import reverse

from activities.models import Activity
from cadres.models import Group, PartyBranch
from core.admin_base import ReadOnlyTabularInline
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    GroupFactory,
    PartyBranchFactory,
    SignInFactory,
)

pytestmark = pytest.mark.django_db

# inlines that edit rows and stay uncapped, with why their rows stay few
EDITED_INLINES = {
    "MembershipInline": "a cadre's own branch memberships: one or two",
    "GroupMemberInline": "a group's members, edited here: tens, not hundreds",
    "StaffScopeInline": "one row per account",
    "StaffProfileInline": "one row per account",
}


@pytest.fixture
def bureau(client, bureau_user):
    bureau_user.is_staff = True
    bureau_user.save()
    client.force_login(bureau_user)
    return client


def test_every_inline_of_the_admin_is_capped_or_edits_few_rows():
    uncapped = []
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            if not issubclass(inline, ReadOnlyTabularInline) and inline.__name__ not in EDITED_INLINES:
                uncapped.append(f"{type(model_admin).__name__}.{inline.__name__}")
    assert not uncapped, f"inlines that render every row: {uncapped}"


def _queries(client, url, django_assert_max_num_queries, most=40):
    with django_assert_max_num_queries(most) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


@pytest.mark.parametrize(
    ("model", "grow"),
    [
        (Activity, lambda: SignInFactory.create_batch(3, activity=ActivityFactory())),
        (Group, lambda: GroupFactory()),
        (PartyBranch, lambda: BranchMembershipFactory.create_batch(3, branch=PartyBranchFactory())),
    ],
)
def test_a_list_costs_the_same_queries_with_more_rows(bureau, model, grow, django_assert_max_num_queries):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    grow()
    _response, few = _queries(bureau, url, django_assert_max_num_queries)
    for _n in range(20):
        grow()
    _queries(bureau, url, django_assert_max_num_queries, most=few)


def test_an_activity_with_a_big_book_shows_fifty_lines_and_links_the_rest(bureau, django_assert_max_num_queries):
    activity = ActivityFactory()
    SignInFactory.create_batch(3, activity=activity)
    url = reverse("admin:activities_activity_change", args=[activity.pk])
    small, few = _queries(bureau, url, django_assert_max_num_queries)
    SignInFactory.create_batch(120, activity=activity)
    large, _many = _queries(bureau, url, django_assert_max_num_queries, most=few + 1)  # + the total's COUNT
    page = large.content.decode()
    assert "共 123 条" in page
    full_list = reverse("admin:activities_signin_changelist") + f"?activity__id__exact={activity.pk}"
    assert full_list.replace("?", "?") in page.replace("&amp;", "&")
    assert len(large.content) < len(small.content) * 3  # 50 rows, not 123
    listed = bureau.get(full_list)
    assert listed.status_code == 200 and listed.context["cl"].result_count == 123


def test_a_branch_of_hundreds_shows_fifty_members_and_links_the_rest(bureau, django_assert_max_num_queries):
    branch = PartyBranchFactory()
    BranchMembershipFactory.create_batch(80, branch=branch)
    url = reverse("admin:cadres_partybranch_change", args=[branch.pk])
    response, _queries_done = _queries(bureau, url, django_assert_max_num_queries)
    page = response.content.decode()
    assert "共 80 条" in page and "branch__id__exact" in page
    assert response.context["inline_admin_formsets"][0].formset.forms.__len__() == 50
