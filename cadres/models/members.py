"""One membership home, many managers (一方隶属、多方管理): residence registration and mobile members.

A party member's organisational home is one current 组织关系在本支部 membership (a unit's formal branch or a
community's branch; a database constraint allows no second), the community itself (``membership_in_community``)
or a party organisation outside the district (``Cadre.membership_elsewhere``). A member whose home is not
where they live reports to that community (居住地报到, ``ResidenceRegistration``); a member away from their
branch for long is a mobile member (流动党员, ``MobileMember``), reached at an interval like a care visit.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models.care import VisitInterval
from cadres.models.people import Cadre, living_q
from communities.models import Community
from core import dates
from core.privacy import IDENTITY_PERMISSION, EncryptedChar
from core.scope import ScopedQuerySet

CADRE_UNITS = ("cadre__former_unit", "cadre__managing_unit")


class RegistrationQuerySet(ScopedQuerySet):
    community_path = "community"
    unit_paths = CADRE_UNITS

    def current(self):
        return self.exclude(status=ResidenceRegistration.Status.ENDED)


class ResidenceRegistration(models.Model):
    """A party member reporting to the community where they live (居住地报到) while their home is elsewhere."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("已报到")
        ACTIVE = "active", _("参加社区活动")
        ENDED = "ended", _("已结束")

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("党员"))
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("报到社区")
    )
    reported_on = models.DateField(_("报到日期"), validators=[dates.done])
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.REPORTED)
    follow_up = models.TextField(_("跟进情况"), blank=True, help_text=_("认领岗位、参加活动、联系情况。"))
    followed_up_on = models.DateField(_("最近跟进"), null=True, blank=True, validators=[dates.done])
    ended_on = models.DateField(_("结束日期"), null=True, blank=True, validators=[dates.done])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    history = HistoricalRecords()
    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("居住地报到")
        verbose_name_plural = _("居住地报到")
        ordering = ["community_id", "-reported_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=~Q(status="ended"),
                name="registration_one_current_per_cadre",
                violation_error_message=_("该党员已在一个社区报到，请先结束原来的报到。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("reported_on")),
                name="registration_ends_after_report",
                violation_error_message=_("结束日期不能早于报到日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.cadre} → {self.community}"

    def clean(self):
        if self.cadre_id and not self.cadre.is_party_member:
            raise ValidationError({"cadre": _("只有中共党员办理居住地报到。")})


class MobileMemberQuerySet(ScopedQuerySet):
    community_path = "cadre__community"
    unit_paths = CADRE_UNITS

    def open(self):
        return self.filter(returned_on__isnull=True)

    def with_last_contact(self):
        """Annotate ``last_seen``: the last contact, else the day the member left."""
        last = (
            MobileContact.objects.filter(mobile=OuterRef("pk"))
            .order_by()
            .values("mobile")
            .annotate(last=Max("contacted_on"))
            .values("last")
        )
        return self.annotate(last_seen=Coalesce(Subquery(last, output_field=models.DateField()), "left_on"))

    def overdue(self, as_of: datetime.date):
        """Open records whose last contact (or leaving) is older than their interval on ``as_of`` (as care's)."""
        late = Q()
        for days in VisitInterval.values:
            cutoff = as_of - datetime.timedelta(days=days)
            contacts = MobileContact.objects.filter(mobile=OuterRef("pk"))
            seen_since = Exists(contacts.filter(contacted_on__gte=cutoff, contacted_on__lte=as_of))
            seen_before = Exists(contacts.filter(contacted_on__lt=cutoff))
            late |= Q(contact_interval_days=days) & ~seen_since & (Q(left_on__lt=cutoff) | seen_before)
        return self.open().filter(living_q("cadre__")).filter(late).with_last_contact()


class MobileMember(models.Model):
    """A party member away from their branch for long (流动党员): where they are and how to reach them."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="mobile_records", verbose_name=_("党员"))
    place = models.CharField(_("现所在地"), max_length=100)
    contact = EncryptedChar(_("联系方式"), max_length=50, blank=True, help_text=_("电话、微信或亲属电话。"))
    left_on = models.DateField(_("外出时间"), validators=[dates.done])
    contact_interval_days = models.PositiveSmallIntegerField(
        _("联系周期"), choices=VisitInterval, default=VisitInterval.QUARTERLY
    )
    returned_on = models.DateField(_("返回时间"), null=True, blank=True, validators=[dates.done])
    notes = models.TextField(_("备注"), blank=True)

    history = HistoricalRecords()
    objects = MobileMemberQuerySet.as_manager()

    SENSITIVE_FIELDS = {"contact": IDENTITY_PERMISSION}

    class Meta:
        verbose_name = _("流动党员")
        verbose_name_plural = _("流动党员")
        ordering = ["-left_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(returned_on__isnull=True),
                name="mobile_member_one_open_per_cadre",
                violation_error_message=_("该党员已登记为流动党员。"),
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=models.F("left_on")),
                name="mobile_member_returns_after_leaving",
                violation_error_message=_("返回时间不能早于外出时间。"),
            ),
        ]

    def __str__(self):
        return f"{self.cadre}（{self.place}）"

    def clean(self):
        if self.cadre_id and not self.cadre.is_party_member:
            raise ValidationError({"cadre": _("流动党员须为中共党员。")})

    def due_on_after(self, last_seen: datetime.date) -> datetime.date:
        return last_seen + datetime.timedelta(days=self.contact_interval_days)


class MobileContact(models.Model):
    """One contact with a mobile member (a call, a message, a visit back home)."""

    mobile = models.ForeignKey(
        MobileMember, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("流动党员")
    )
    contacted_on = models.DateField(_("联系日期"), validators=[dates.done])
    note = models.CharField(_("联系情况"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联系人"),
    )

    class Meta:
        verbose_name = _("流动党员联系记录")
        verbose_name_plural = _("流动党员联系记录")
        ordering = ["-contacted_on"]
        indexes = [models.Index(fields=["mobile", "contacted_on"], name="mobile_contact_idx")]

    def __str__(self):
        return f"{self.mobile.cadre} {self.contacted_on}"
