"""A cadre's page (一人一档) for the liaison: what they read before a visit, masked as the role requires,
inside the community only, unmasked views in the audit trail, queries constant in the person's history."""

import datetime

import pytest
from django.utils import timezone

from activities.models import Need, ServiceRecord
from cadres.models import Visit
from communities.models import AuditEvent
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CareCaseFactory,
    CommunityFactory,
    PartyBranchFactory,
    SignInFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(community):
    cadre = CadreFactory(
        community=community, name="张国伟", phone="13812345678", address="桃花山小区3号楼", is_party_member=True
    )
    BranchMembershipFactory(cadre=cadre, branch=PartyBranchFactory(community=community, name="桃花山第一支部"))
    for days in (10, 40, 400):
        activity = ActivityFactory(
            community=community, title=f"活动{days}", starts_at=timezone.now() - datetime.timedelta(days=days)
        )
        SignInFactory(activity=activity, cadre=cadre)
    case = CareCaseFactory(
        cadre=cadre, opened_on=timezone.localdate() - datetime.timedelta(days=90), visit_interval_days=30
    )
    Visit.objects.create(
        cadre=cadre, care_case=case, visited_on=timezone.localdate() - datetime.timedelta(days=45), visitors="刘联络"
    )
    return cadre


def test_the_liaison_reads_the_whole_person_before_a_visit(client, community_user, zhang):
    client.force_login(community_user)
    page = client.get(f"/worker/cadres/{zhang.pk}/").content.decode()
    assert "张国伟" in page and "桃花山第一支部" in page
    assert "近一年参加活动 2 次" in page and "活动10" in page and "活动400" not in page
    assert "已逾期" in page  # last visit 45 days ago, monthly
    assert "积分余额 0 分" in page
    # masked for a role without the identity permission: no full phone, no address
    assert "13812345678" not in page and "138****5678" in page and "桃花山小区" not in page
    # the liaison may read health (care work): that reading is in the audit trail, with whose file it was
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SENSITIVE_VIEW)
    assert event.user == community_user and event.detail["what"] == "cadre_file"
    assert event.detail["pk"] == str(zhang.pk) and event.detail["identity"] is False


def test_another_communitys_worker_gets_404(client, zhang):
    from accounts.models import Role
    from tests.conftest import make_user

    client.force_login(make_user(Role.COMMUNITY, community=CommunityFactory()))
    assert client.get(f"/worker/cadres/{zhang.pk}/").status_code == 404


def test_the_page_costs_the_same_with_a_long_history(client, community_user, zhang, django_assert_max_num_queries):
    client.force_login(community_user)
    with django_assert_max_num_queries(30) as few:
        client.get(f"/worker/cadres/{zhang.pk}/")
    for n in range(40):
        SignInFactory(activity=ActivityFactory(community=zhang.community), cadre=zhang)
        ServiceRecord.objects.create(
            cadre=zhang,
            served_on=timezone.localdate(),
            description=f"服务{n}",
            hours=1,
            points=1,
            verified_by=community_user,
        )
        Need.objects.create(community=zhang.community, cadre=zhang, title=f"需求{n}", raised_on=timezone.localdate())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/worker/cadres/{zhang.pk}/").content.decode()
    assert "近一年参加活动 42 次" in page
