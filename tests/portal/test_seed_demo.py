import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import StaffScope
from activities.models import Activity, SignIn
from cadres.models import Cadre, PartyBranch
from communities.models import Community, Street, Venue

pytestmark = pytest.mark.django_db

MODELS = [Street, Community, Venue, Cadre, PartyBranch, Activity, SignIn]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_builds_a_populated_district_with_one_account_per_role(capsys):
    call_command("seed_demo", scale="tiny")
    counts = _counts()
    assert all(counts.values()), counts
    assert Cadre.objects.count() == 120
    output = capsys.readouterr().out
    for username in ("bureau", "street", "community", "leader"):
        assert username in output
        assert get_user_model().objects.get(username=username).check_password("Laoganbu@2026")
    assert StaffScope.objects.get(user__username="community").community is not None
    assert StaffScope.objects.get(user__username="street").street is not None


def test_seed_demo_twice_does_not_duplicate_anything():
    call_command("seed_demo", scale="tiny")
    first = _counts()
    call_command("seed_demo", scale="tiny")
    assert _counts() == first
    assert get_user_model().objects.filter(username="bureau").count() == 1


def test_seed_demo_with_the_same_seed_gives_the_same_cadres(django_db_blocker):
    call_command("seed_demo", scale="tiny", seed=7)
    first = sorted(Cadre.objects.values_list("id_number", "name", "birth_date"))
    from activities.models import Need, NeedChange, Project, Redemption, Resource, RoomRequest, ServiceRecord
    from approvals.models import MonthApproval
    from cadres.models import (
        BranchMembership,
        CareCase,
        Group,
        GroupMembership,
        LeaderLink,
        MobileContact,
        MobileMember,
        ResidenceRegistration,
        Talent,
        Visit,
        VisitCampaign,
    )

    for model in (
        MonthApproval,
        RoomRequest,
        MobileContact,
        MobileMember,
        ResidenceRegistration,
        Redemption,
        ServiceRecord,
        NeedChange,
        Project,
        Need,
        Resource,
        Visit,
        VisitCampaign,
        CareCase,
        LeaderLink,
        Talent,
        GroupMembership,
        Group,
        SignIn,
        Activity,
        BranchMembership,
    ):
        model.objects.all().delete()
    PartyBranch.objects.all().delete()
    Cadre.objects.all().delete()
    Venue.objects.all().delete()
    StaffScope.objects.all().delete()
    Community.objects.all().delete()
    Street.objects.all().delete()
    call_command("seed_demo", scale="tiny", seed=7)
    again = sorted(Cadre.objects.values_list("id_number", "name", "birth_date"))
    assert first == again


def test_demo_ages_look_like_the_seeds_roughly_30_percent_aged_75_plus(settings):
    call_command("seed_demo", scale="district")
    import datetime

    today = datetime.date.today()
    living = Cadre.objects.living()
    cutoff = today.replace(year=today.year - 75)
    share = living.filter(birth_date__lte=cutoff).count() / living.count()
    assert 0.22 < share < 0.38
    ids = set(Cadre.objects.values_list("id_number", flat=True))
    assert len(ids) == 3000


def test_seed_demo_refuses_production_settings(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", scale="tiny")
    assert Street.objects.count() == 0


def test_every_party_member_of_the_demo_has_one_home_and_units_lend_rooms():
    import datetime

    from core.dates import Period, month_start, months_back
    from core.scope import CITY
    from portal.figures import membership_figures, room_use_figures

    call_command("seed_demo", scale="district")
    today = datetime.date.today()
    counted = membership_figures(CITY, today)
    assert counted["homes"]["none"] == 0, counted
    assert counted["homes"]["unit_branch"] > counted["homes"]["community"]  # units' branches hold most members
    assert counted["registered"] and counted["mobile"]
    opened = month_start(today)
    recent = room_use_figures(CITY, Period(months_back(opened, 3), opened))
    assert recent["guest_hours"] > 0 and recent["guests"], recent
