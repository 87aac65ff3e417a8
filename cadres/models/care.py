"""Care (困难帮扶): care cases with a visit interval, visits (走访慰问), campaigns and leader links."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models.people import Cadre, living_on_q
from core import dates
from core.privacy import HEALTH_PERMISSION, EncryptedText
from core.scope import ScopedQuerySet

# 000: care for those with serious illness, a family crisis, living alone, empty nest or disability
CARE_REASONS = (
    ("reason_illness", _("重病")),
    ("reason_family_crisis", _("家庭重大变故")),
    ("reason_lives_alone", _("独居")),
    ("reason_empty_nest", _("空巢")),
    ("reason_disabled", _("失能")),
)


class VisitInterval(models.IntegerChoices):
    WEEKLY = 7, _("每周")
    FORTNIGHTLY = 14, _("每两周")
    MONTHLY = 30, _("每月")
    BIMONTHLY = 60, _("每两个月")
    QUARTERLY = 90, _("每季度")


class CareCaseQuerySet(ScopedQuerySet):
    community_path = "cadre__community"

    def open_on(self, day: datetime.date):
        """Cases open on ``day``: opened by then and not closed before it, of cadres living then."""
        return (
            self.filter(opened_on__lte=day)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
            .filter(living_on_q(day, "cadre__"))
        )

    def with_last_visit(self, as_of: datetime.date):
        """Annotate ``last_seen``: the last visit on or before ``as_of``, else the day the case opened.

        A correlated subquery rather than a join and GROUP BY, so the cases can still be grouped or
        counted by unit.
        """
        last = (
            Visit.objects.filter(care_case=OuterRef("pk"), visited_on__lte=as_of)
            .order_by()
            .values("care_case")
            .annotate(last=Max("visited_on"))
            .values("last")
        )
        return self.annotate(last_seen=Coalesce(Subquery(last, output_field=models.DateField()), "opened_on"))

    def overdue(self, as_of: datetime.date):
        """Open cases whose last visit (or opening) is older than their interval on ``as_of``.

        The interval is one of a few fixed choices, so "older than" is one condition per choice
        and the whole test stays in the database on SQLite and PostgreSQL alike.
        """
        late = Q()
        for days in VisitInterval.values:
            # "the last visit on or before as_of (else the opening) is before the cutoff", as a WHERE:
            # no visit in [cutoff, as_of], and a visit before the cutoff or an opening before it
            cutoff = as_of - datetime.timedelta(days=days)
            visits = Visit.objects.filter(care_case=OuterRef("pk"))
            seen_since = Exists(visits.filter(visited_on__gte=cutoff, visited_on__lte=as_of))
            seen_before = Exists(visits.filter(visited_on__lt=cutoff))
            late |= Q(visit_interval_days=days) & ~seen_since & (Q(opened_on__lt=cutoff) | seen_before)
        return self.open_on(as_of).filter(late).with_last_visit(as_of)


class CareCase(models.Model):
    """A cadre in hardship (困难帮扶) who is visited at a fixed interval until the case is closed."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="care_cases", verbose_name=_("离退休干部"))
    reason_illness = models.BooleanField(_("重病"), default=False)
    reason_family_crisis = models.BooleanField(_("家庭重大变故"), default=False)
    reason_lives_alone = models.BooleanField(_("独居"), default=False)
    reason_empty_nest = models.BooleanField(_("空巢"), default=False)
    reason_disabled = models.BooleanField(_("失能"), default=False)
    visit_interval_days = models.PositiveSmallIntegerField(
        _("走访周期"), choices=VisitInterval, default=VisitInterval.MONTHLY
    )
    responsible = models.CharField(_("责任人"), max_length=50, help_text=_("负责定期走访的联络员或结对人。"))
    responsible_phone = models.CharField(_("责任人电话"), max_length=20, blank=True)
    opened_on = models.DateField(_("建档日期"), validators=[dates.done])
    closed_on = models.DateField(_("结案日期"), null=True, blank=True, validators=[dates.done])
    close_reason = models.CharField(_("结案原因"), max_length=100, blank=True)
    notes = EncryptedText(_("帮扶情况"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = CareCaseQuerySet.as_manager()

    # why someone is in hardship is health data: seen, filtered and searched only with view_health
    SENSITIVE_FIELDS = dict.fromkeys(
        [
            "reason_illness",
            "reason_family_crisis",
            "reason_lives_alone",
            "reason_empty_nest",
            "reason_disabled",
            "notes",
            "close_reason",
        ],
        HEALTH_PERMISSION,
    )

    class Meta:
        verbose_name = _("困难帮扶对象")
        verbose_name_plural = _("困难帮扶对象")
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(closed_on__isnull=True),
                name="carecase_one_open_per_cadre",
                violation_error_message=_("这位老同志已有未结案的帮扶档案，请在原档案中登记。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="carecase_closed_after_opened",
                violation_error_message=_("结案日期不能早于建档日期。"),
            ),
            models.CheckConstraint(
                condition=Q(reason_illness=True)
                | Q(reason_family_crisis=True)
                | Q(reason_lives_alone=True)
                | Q(reason_empty_nest=True)
                | Q(reason_disabled=True),
                name="carecase_has_a_reason",
                violation_error_message=_("请至少选择一项帮扶原因。"),
            ),
            models.CheckConstraint(
                condition=Q(visit_interval_days__in=VisitInterval.values),
                name="carecase_interval_valid",
                violation_error_message=_("走访周期只能选7、14、30、60或90天。"),
            ),
        ]
        indexes = [
            # the overdue list: open cases of a scope
            models.Index(fields=["closed_on", "opened_on"], name="carecase_open_idx"),
        ]

    def __str__(self):
        # no reasons here: they are health details, and a title shows wherever the case is named
        return _("%(name)s的帮扶档案") % {"name": self.cadre}

    @property
    def reasons_display(self):
        return "、".join(str(label) for field, label in CARE_REASONS if getattr(self, field))

    def due_on_after(self, last_seen: datetime.date) -> datetime.date:
        """The day the next visit is due after one on ``last_seen``."""
        return last_seen + datetime.timedelta(days=self.visit_interval_days)


class VisitQuerySet(ScopedQuerySet):
    community_path = "cadre__community"

    def between(self, start: datetime.date, end: datetime.date):
        """Visits on days in [start, end)."""
        return self.filter(visited_on__gte=start, visited_on__lt=end)


class VisitCampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        """Campaigns are district-wide: every staff account with a scope sees them (progress is scoped)."""
        from core.scope import scope_of

        return self.none() if scope_of(user).level == "none" else self.all()


class VisitCampaign(models.Model):
    """A visiting round such as the Spring Festival 慰问: every cadre of an age and every open care case."""

    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"), validators=[dates.planned])
    ends_on = models.DateField(_("结束日期"), validators=[dates.planned])
    min_age = models.PositiveSmallIntegerField(
        _("年龄起点"),
        null=True,
        blank=True,
        default=80,
        help_text=_("该年龄及以上的在世老干部都要走访；留空则不按年龄。"),
    )
    include_care_cases = models.BooleanField(_("含全部困难帮扶对象"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    objects = VisitCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("集中走访慰问")
        verbose_name_plural = _("集中走访慰问")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_dates_in_order",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return self.name


class Visit(models.Model):
    """One visit (走访慰问) to a cadre: who went, when, and what they found."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("日常走访")
        HOLIDAY = "holiday", _("节日慰问")
        BIRTHDAY = "birthday", _("生日慰问")
        ILLNESS = "illness", _("病困探望")
        PHONE = "phone", _("电话问候")

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="visits", verbose_name=_("离退休干部"))
    care_case = models.ForeignKey(
        CareCase, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("帮扶档案")
    )
    campaign = models.ForeignKey(
        VisitCampaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("集中走访"),
    )
    kind = models.CharField(_("方式"), max_length=10, choices=Kind, default=Kind.ROUTINE)
    visited_on = models.DateField(_("走访日期"), validators=[dates.done])
    visitors = models.CharField(_("走访人"), max_length=100)
    summary = EncryptedText(_("情况记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    SENSITIVE_FIELDS = {"summary": HEALTH_PERMISSION}

    history = HistoricalRecords()
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访慰问")
        verbose_name_plural = _("走访慰问")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            # a cadre's visits newest first; the period's visits of a scope
            models.Index(fields=["cadre", "visited_on"], name="visit_cadre_day_idx"),
            models.Index(fields=["care_case", "visited_on"], name="visit_case_day_idx"),
            models.Index(fields=["visited_on"], name="visit_day_idx"),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.cadre} {self.get_kind_display()}"

    def month_key(self) -> tuple[int | None, datetime.date | None]:
        """The community and day whose month this record counts in (the month lock's key)."""
        return self.cadre.community_id if self.cadre_id else None, self.visited_on


class LeaderLinkQuerySet(ScopedQuerySet):
    community_path = "cadre__community"


class LeaderLink(models.Model):
    """An in-post leader who keeps in touch with a cadre (在职领导联系老干部)."""

    leader_name = models.CharField(_("联系领导"), max_length=50)
    leader_post = models.CharField(_("职务"), max_length=100)
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="leader_links", verbose_name=_("联系对象"))
    since = models.DateField(_("开始联系"), validators=[dates.in_life])
    until = models.DateField(_("结束联系"), null=True, blank=True, validators=[dates.planned])

    history = HistoricalRecords()
    objects = LeaderLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("在职领导联系老干部")
        verbose_name_plural = _("在职领导联系老干部")
        ordering = ["leader_name", "cadre__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="leaderlink_dates_in_order",
                violation_error_message=_("结束联系日期不能早于开始联系日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.leader_name} → {self.cadre}"
