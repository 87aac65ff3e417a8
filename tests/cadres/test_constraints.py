import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import StaffScope
from activities.models import SignIn
from cadres.models import BranchMembership, Cadre
from cadres.parsers import make_id_number
from tests.factories import (
    ActivityFactory,
    BranchMembershipFactory,
    CadreFactory,
    CommunityFactory,
    PartyBranchFactory,
    SignInFactory,
    StreetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_two_cadres_cannot_share_an_id_number():
    cadre = CadreFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CadreFactory(id_number=cadre.id_number, birth_date=cadre.birth_date)


def test_two_communities_cannot_share_a_code():
    community = CommunityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityFactory(code=community.code)


def test_a_community_code_must_have_12_digits():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityFactory(code="37011400100")


def test_a_cadre_signs_in_to_an_activity_once():
    sign_in = SignInFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SignIn.objects.create(activity=sign_in.activity, cadre=sign_in.cadre)
    assert SignIn.objects.count() == 1


def test_a_walk_in_resident_signs_in_once_by_name():
    activity = ActivityFactory()
    SignIn.objects.create(activity=activity, walk_in_name="李大妈")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignIn.objects.create(activity=activity, walk_in_name="李大妈")


def test_a_sign_in_names_a_cadre_or_a_walk_in_but_not_neither():
    activity = ActivityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SignIn.objects.create(activity=activity)


def test_a_cadre_is_in_a_branch_once():
    membership = BranchMembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        BranchMembership.objects.create(branch=membership.branch, cadre=membership.cadre)


def test_a_star_rating_is_between_one_and_five():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyBranchFactory(star_rating=6)


def test_an_activity_must_end_after_it_starts():
    starts_at = datetime.datetime(2026, 5, 25, 9, tzinfo=datetime.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(starts_at=starts_at, ends_at=starts_at)


def test_a_street_scope_must_name_a_street_and_only_a_street():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffScope.objects.create(user=user, level=StaffScope.Level.STREET)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffScope.objects.create(
            user=user, level=StaffScope.Level.STREET, street=StreetFactory(), community=CommunityFactory()
        )


def _unsaved_cadre(**overrides):
    community = CommunityFactory()
    values = {
        "name": " 张国伟 ",
        "community": community,
        "id_number": make_id_number("370114", datetime.date(1950, 3, 4), 123),
        "birth_date": None,
        "gender": "",
    }
    values.update(overrides)
    return Cadre(**values)


def test_birth_date_and_gender_are_filled_from_the_id_number():
    cadre = _unsaved_cadre()
    cadre.full_clean()
    assert cadre.birth_date == datetime.date(1950, 3, 4)
    assert cadre.gender == "M"
    assert cadre.name == "张国伟"
    assert (cadre.name_pinyin, cadre.name_initials) == ("zhangguowei", "zgw")


def test_a_birth_date_that_disagrees_with_the_id_number_is_refused():
    cadre = _unsaved_cadre(birth_date=datetime.date(1951, 3, 4))
    with pytest.raises(ValidationError) as error:
        cadre.full_clean()
    assert "出生日期与身份证号码不一致" in str(error.value.message_dict["birth_date"])


def test_a_gender_that_disagrees_with_the_id_number_is_refused():
    cadre = _unsaved_cadre(gender="F")
    with pytest.raises(ValidationError) as error:
        cadre.full_clean()
    assert "性别" in str(error.value.message_dict["gender"])


def test_a_15_digit_id_number_is_stored_as_18_digits():
    cadre = _unsaved_cadre(id_number="370114500304123")
    cadre.full_clean()
    assert len(cadre.id_number) == 18


def test_a_deceased_cadre_leaves_the_living_list_but_stays_on_record():
    living = CadreFactory()
    deceased = CadreFactory(deceased_on=datetime.date(2025, 1, 1))
    assert list(Cadre.objects.living()) == [living]
    assert Cadre.objects.filter(pk=deceased.pk).exists()
