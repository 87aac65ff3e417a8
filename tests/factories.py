"""factory_boy factories: small, valid objects for every model the tests need."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from activities.models import Activity, Need, NeedChange, Resource, SignIn
from cadres.models import (
    Attendance,
    AttendanceExcuse,
    BranchMembership,
    Cadre,
    CareCase,
    Group,
    PartyBranch,
    ServiceCategory,
    Talent,
    TalentCategory,
    Unit,
    pinyin_keys,
)
from cadres.parsers import make_id_number
from communities.models import Community, District, Street, Venue

SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "国建明华军平志伟德文秀英兰芳"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("Correct-Horse-42")


def the_district():
    """The district tests' streets are in unless they name one (a one-district installation)."""
    return District.objects.get_or_create(code="370114", defaults={"name": "章丘区"})[0]


def district_scope():
    """The scope of the tests' one district."""
    from core.scope import district

    return district(the_district().pk)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"第{n}区")
    code = factory.Sequence(lambda n: f"{370200 + n % 800:06d}")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    name = factory.Sequence(lambda n: f"第{n}街道")
    code = factory.Sequence(lambda n: f"370114{n % 1000:03d}")
    district = factory.LazyFunction(the_district)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"幸福{n}社区")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.street.code}{n % 1000:03d}")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"党员活动室{n}")
    kind = Venue.Kind.PARTY_ROOM
    capacity = 40


def _name(n):
    return SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + GIVEN[(n // len(GIVEN)) % len(GIVEN)]


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(_name)
    gender = "M"
    birth_date = factory.Sequence(lambda n: datetime.date(1940 + n % 30, 1 + n % 12, 1 + n % 28))
    id_number = factory.LazyAttributeSequence(
        lambda o, n: make_id_number("370114", o.birth_date, (n % 500) * 2 + (1 if o.gender == "M" else 0))
    )
    name_pinyin = factory.LazyAttribute(lambda o: pinyin_keys(o.name)[0])
    name_initials = factory.LazyAttribute(lambda o: pinyin_keys(o.name)[1])
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    is_party_member = True


class AttendanceExcuseFactory(factory.django.DjangoModelFactory):
    """A dated excuse (送学上门); tests that mark one through a page use ``cadres.services`` instead."""

    class Meta:
        model = AttendanceExcuse

    cadre = factory.SubFactory(CadreFactory)
    reason = Attendance.BEDRIDDEN
    starts_on = datetime.date(2020, 1, 1)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"区直单位{n}")


class PartyBranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyBranch

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"离退休干部第{n}党支部")
    kind = PartyBranch.Kind.FORMAL


class BranchMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BranchMembership

    branch = factory.SubFactory(PartyBranchFactory)
    cadre = factory.SubFactory(CadreFactory, community=factory.SelfAttribute("..branch.community"))


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    community = factory.SubFactory(CommunityFactory)
    venue = factory.SubFactory(VenueFactory, community=factory.SelfAttribute("..community"))
    kind = Activity.Kind.STUDY
    title = factory.Sequence(lambda n: f"学习活动{n}")
    starts_at = factory.Sequence(lambda n: timezone.now().replace(microsecond=0) + datetime.timedelta(hours=3 * n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    # one that has begun took place (as a sign-in or a record would mark it); one still ahead is planned
    status = factory.LazyAttribute(
        lambda o: Activity.Status.HELD if o.starts_at <= timezone.now() else Activity.Status.PLANNED
    )


class SignInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignIn

    activity = factory.SubFactory(ActivityFactory)
    cadre = factory.SubFactory(CadreFactory, community=factory.SelfAttribute("..activity.community"))


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"志愿服务队{n}")
    kind = Group.Kind.VOLUNTEER
    category = ServiceCategory.LIFE_CARE


class TalentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talent

    cadre = factory.SubFactory(CadreFactory)
    category = TalentCategory.CULTURE
    specialty = "书法教学"


class CareCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareCase

    cadre = factory.SubFactory(CadreFactory)
    reason_lives_alone = True
    visit_interval_days = 30
    responsible = "李联络"
    opened_on = datetime.date(2026, 1, 1)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    community = factory.SubFactory(CommunityFactory)
    kind = Resource.Kind.SERVICE
    category = ServiceCategory.LIFE_CARE
    name = factory.Sequence(lambda n: f"助餐服务{n}")
    provider = "长者食堂"


class NeedFactory(factory.django.DjangoModelFactory):
    """An open need (待对接) with its first dated step, as raise_need leaves it."""

    class Meta:
        model = Need
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"上门理发{n}")
    category = ServiceCategory.LIFE_CARE
    raised_on = datetime.date(2026, 3, 2)

    @factory.post_generation
    def first_step(need, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if create:
            NeedChange.objects.create(need=need, from_status="", to_status=need.status, on=need.raised_on)


def open_screen(activity, *, by=None, secret=None) -> str:
    """A display grant of ``activity``'s room screen that holds for a day whatever the activity's window
    (``activities.screens.issue_grant`` refuses one after the window); returns the link's secret."""
    import hashlib

    from django.contrib.auth import get_user_model

    from activities.models import ScreenGrant

    secret = secret or f"test-screen-{activity.pk}"
    ScreenGrant.objects.get_or_create(
        secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
        defaults={
            "activity": activity,
            "issued_by": by or get_user_model().objects.order_by("pk").first() or UserFactory(),
            "expires_at": timezone.now() + datetime.timedelta(days=1),
        },
    )
    return secret
