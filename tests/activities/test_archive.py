"""One branch, one archive: its members, activities, sign-ins, records and photos for a period, as a page and xlsx."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from activities.models import Activity
from activities.photos import add_photo
from communities.models import AuditEvent
from tests.activities.test_photos import phone_photo
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    PartyBranchFactory,
    SignInFactory,
)

pytestmark = pytest.mark.django_db


def _at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def branch(community):
    branch = PartyBranchFactory(community=community, name="桃花山社区离退休干部党支部")
    BranchMembershipFactory(branch=branch, cadre__name="张国伟", joined_on=datetime.date(2020, 1, 1))
    BranchMembershipFactory(
        branch=branch, cadre__name="李秀英", joined_on=datetime.date(2020, 1, 1), left_on=datetime.date(2025, 12, 31)
    )
    march = ActivityFactory(
        community=community,
        organiser_branch=branch,
        title="三月主题党日",
        starts_at=_at(datetime.date(2026, 3, 25)),
        record="重温入党誓词，交流学习体会。",
    )
    SignInFactory(activity=march, cadre=branch.memberships.get(cadre__name="张国伟").cadre)
    SignInFactory(activity=march, cadre=None, walk_in_name="居民赵某")
    add_photo(activity=march, upload=phone_photo(800, 600))
    ActivityFactory(
        community=community,
        organiser_branch=branch,
        title="已取消的学习",
        starts_at=_at(datetime.date(2026, 4, 2)),
        status=Activity.Status.CANCELLED,
    )
    ActivityFactory(
        community=community, organiser_branch=branch, title="去年的活动", starts_at=_at(datetime.date(2025, 12, 25))
    )
    return branch


def test_the_archive_page_holds_members_activities_sign_ins_records_and_photos(client, branch, bureau_user):
    client.force_login(bureau_user)
    response = client.get(f"/worker/branches/{branch.pk}/archive/", {"from": "2026-01", "to": "2026-06"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "张国伟" in page and "李秀英" not in page
    assert "三月主题党日" in page and "重温入党誓词" in page and "居民赵某" in page
    assert "已取消的学习" not in page and "去年的活动" not in page
    assert page.count('class="photo-row"') == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, detail__what="branch_archive").count() == 1


def test_the_archive_workbook_has_a_sheet_for_each_part_and_the_photo(client, branch, bureau_user):
    client.force_login(bureau_user)
    response = client.get(f"/worker/branches/{branch.pk}/archive.xlsx", {"from": "2026-01", "to": "2026-06"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["支部概况", "党员名册", "活动与写实", "签到明细", "活动照片"]
    members = [row[1] for row in book["党员名册"].iter_rows(min_row=2, values_only=True)]
    assert members == ["张国伟"]
    activities = list(book["活动与写实"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[4], row[5]) for row in activities] == [("三月主题党日", 2, "重温入党誓词，交流学习体会。")]
    sign_ins = [row[3] for row in book["签到明细"].iter_rows(min_row=2, values_only=True)]
    assert sign_ins == ["张国伟", "居民赵某"]
    assert len(book["活动照片"]._images) == 1
    assert book["党员名册"].freeze_panes == "A2"


def test_the_archive_costs_the_same_with_more_activities(client, branch, bureau_user, django_assert_max_num_queries):
    client.force_login(bureau_user)
    for day in range(1, 20):
        activity = ActivityFactory(
            community=branch.community, organiser_branch=branch, starts_at=_at(datetime.date(2026, 5, day))
        )
        SignInFactory(activity=activity, cadre=CadreFactory(community=branch.community))
    with django_assert_max_num_queries(16):
        client.get(f"/worker/branches/{branch.pk}/archive/", {"from": "2026-01", "to": "2026-06"})


def test_another_communitys_worker_gets_404_and_a_leader_403(client, branch, stranger, leader_user):
    client.force_login(stranger)
    assert client.get(f"/worker/branches/{branch.pk}/archive/").status_code == 404
    assert client.get(f"/worker/branches/{branch.pk}/archive.xlsx").status_code == 404
    client.force_login(leader_user)
    assert client.get(f"/worker/branches/{branch.pk}/archive/").status_code == 403


def test_the_branch_rule_page_lists_communities_needing_a_branch_within_scope(client, community, street):
    from tests.factories import CommunityFactory, StreetFactory

    for _n in range(3):
        CadreFactory(community=community, is_party_member=True, membership_in_community=True)
    elsewhere = CommunityFactory(street=StreetFactory(), name="外街道社区")
    for _n in range(3):
        CadreFactory(community=elsewhere, is_party_member=True, membership_in_community=True)
    PartyBranchFactory(community=community, kind="functional")  # a functional group does not meet the rule
    client.force_login(make_user(Role.STREET, street=street))
    page = client.get("/dashboard/branch-rule/").content.decode()
    assert community.name in page and "外街道社区" not in page
    PartyBranchFactory(community=community, kind="formal")
    assert community.name not in client.get("/dashboard/branch-rule/").content.decode()
