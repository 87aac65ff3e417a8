"""Ledgers (台账): a month's (or a year's) figures and workbook for a community, a street or the district.

Every build goes through ``build_ledger``: it reads the figures module, writes the workbook and replaces
the scope's report for the period in one transaction, so building a month twice leaves one report.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Need
from cadres.models import CareCase, PartyBranch
from communities.models import Community, District, Street, Venue
from core import scope as scopes
from core.dates import Period, local_midnight
from core.files import removed_on_failure
from core.scope import CITY, Scope
from portal.figures import figures, live_month
from portal.ledger_workbook import month_workbook, year_workbook
from portal.models import CompletenessRule, LedgerReport, LedgerRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LedgerPlace:
    """The place a ledger is for: the city, one district, one street or one community."""

    level: str
    pk: int | None = None
    name: str = ""
    street_id: int | None = None

    @property
    def scope(self) -> Scope:
        if self.level == LedgerReport.Level.COMMUNITY:
            return scopes.community(self.pk, street_id=self.street_id)
        if self.level == LedgerReport.Level.STREET:
            return scopes.street(self.pk)
        if self.level == LedgerReport.Level.DISTRICT:
            return scopes.district(self.pk)
        return CITY

    @property
    def key(self) -> str:
        return f"{self.level}:{self.pk or ''}"

    @property
    def place(self) -> dict:
        """The report's place fields for this unit."""
        fields = {"district_id": None, "street_id": None, "community_id": None}
        if self.level != LedgerReport.Level.CITY:
            fields[f"{self.level}_id"] = self.pk
        return fields

    @classmethod
    def of_community(cls, community):
        return cls(LedgerReport.Level.COMMUNITY, community.pk, community.name, community.street_id)

    @classmethod
    def of_street(cls, street):
        return cls(LedgerReport.Level.STREET, street.pk, street.name)

    @classmethod
    def of_district(cls, place):
        return cls(LedgerReport.Level.DISTRICT, place.pk, place.name)

    @classmethod
    def city(cls):
        return cls(LedgerReport.Level.CITY, None, str(_("全市")))

    @classmethod
    def from_key(cls, key: str):
        level, _sep, pk = key.partition(":")
        if level == LedgerReport.Level.COMMUNITY:
            return cls.of_community(Community.objects.get(pk=pk))
        if level == LedgerReport.Level.STREET:
            return cls.of_street(Street.objects.get(pk=pk))
        if level == LedgerReport.Level.DISTRICT:
            # "district:" named the one district before districts were rows (a run started before 0006)
            return cls.of_district(District.objects.get(pk=pk) if pk else District.objects.get())
        return cls.city()


# --- completeness checks (the bureau configures them: CompletenessRule) ---------------------------


def completeness(community_id: int, period: Period) -> list[dict]:
    """What a community's month is missing under each active check: [{check, missing: [names]}]."""
    start, end = period.start, period.end  # local dates; activities are compared at local midnight
    tz_start, tz_end = local_midnight(start), local_midnight(end)
    held = Q(
        activities__starts_at__gte=tz_start,
        activities__starts_at__lt=tz_end,
        activities__status=Activity.Status.HELD,  # took place (Activity.objects.held)
    )
    results = []
    for rule in CompletenessRule.objects.filter(is_active=True):
        if rule.code == CompletenessRule.Code.ROOMS_USED:
            rooms = (
                Venue.objects.filter(community_id=community_id, is_active=True)
                .party_rooms()
                .annotate(n=Count("activities", filter=held))
                .filter(n__lt=rule.threshold)
            )
            missing = [room.name for room in rooms.order_by("name")]
        elif rule.code in (CompletenessRule.Code.SECRETARY_DAY, CompletenessRule.Code.ORGANISATIONAL_LIFE):
            kinds = (
                [Activity.Kind.SECRETARY_APPOINTMENT]
                if rule.code == CompletenessRule.Code.SECRETARY_DAY
                else [Activity.Kind.ORGANISATIONAL_LIFE, Activity.Kind.PARTY_DAY]
            )
            branches = PartyBranch.objects.filter(community_id=community_id)
            if rule.code == CompletenessRule.Code.SECRETARY_DAY:
                branches = branches.formal()
            branches = branches.annotate(n=Count("activities", filter=held & Q(activities__kind__in=kinds)))
            missing = [branch.name for branch in branches.filter(n=0).order_by("name")]
        elif rule.code == CompletenessRule.Code.CARE_VISITED:
            late = CareCase.objects.filter(cadre__community_id=community_id).overdue(period.last_day)
            missing = [case.cadre.name for case in late.select_related("cadre").order_by("cadre__name")]
        else:  # NEEDS_ANSWERED: no need waits 待对接 longer than the threshold at the month's end
            waited_since = period.last_day - datetime.timedelta(days=rule.threshold)
            waiting = (
                Need.objects.filter(community_id=community_id, raised_on__lt=waited_since)
                .exclude(matched_on__lte=period.last_day)
                .exclude(closed_on__lte=period.last_day)
            )
            missing = [f"{need.title}（{need.raised_on:%Y-%m-%d}）" for need in waiting.order_by("raised_on")]
        results.append({"check": str(rule), "code": rule.code, "missing": missing})
    return results


# --- building ---------------------------------------------------------------------------------------


def build_ledger(*, unit: LedgerPlace, month: datetime.date, run: LedgerRun | None = None) -> LedgerReport:
    """Build (or rebuild) the month's ledger of ``unit``: figures, checks and workbook; one report per scope."""
    period = Period.month_of(month)
    # the figures and the rows of the units below (分街道/分社区), from one pass over the month
    numbers, children = live_month(unit.scope, as_of=period.last_day, period=period)
    checks = completeness(unit.pk, period) if unit.level == LedgerReport.Level.COMMUNITY else []
    with month_workbook(unit=unit, period=period, numbers=numbers, checks=checks, children=children) as content:
        return _save(
            unit=unit,
            kind=LedgerReport.Kind.MONTH,
            start=period.start,
            numbers=numbers,
            checks=checks,
            # copied from the temporary file a chunk at a time; a worker killed during the copy leaves a
            # file no row names, which the hourly media sweep deletes (core.files.sweep_orphan_files)
            content=File(content),
            run=run,
        )


def build_year_summary(*, unit: LedgerPlace, year: int, run: LedgerRun | None = None) -> LedgerReport:
    """The year's summary (年报) of ``unit``, compared with the year before."""
    this, before = Period.year(year), Period.year(year - 1)
    numbers = figures(unit.scope, as_of=this.last_day, period=this)
    previous = figures(unit.scope, as_of=before.last_day, period=before)
    content = year_workbook(unit=unit, year=year, numbers=numbers, previous=previous)
    return _save(
        unit=unit,
        kind=LedgerReport.Kind.YEAR,
        start=this.start,
        numbers=numbers,
        checks=[{"previous_year": previous}],
        content=ContentFile(content),
        run=run,
    )


def _save(*, unit, kind, start, numbers, checks, content, run) -> LedgerReport:
    place = unit.place
    with removed_on_failure(), transaction.atomic():  # a full disk or a refused row leaves no file behind
        report = (
            LedgerReport.objects.select_for_update()
            .filter(kind=kind, level=unit.level, period_start=start, **place)
            .first()
        )
        old_file = report.file.name if report is not None and report.file else None
        if report is None:
            report = LedgerReport(kind=kind, level=unit.level, period_start=start, **place)
        report.figures, report.checks, report.run, report.built_at = numbers, checks, run, timezone.now()
        label = f"{start:%Y}" if kind == LedgerReport.Kind.YEAR else f"{start:%Y-%m}"
        report.file.save(f"{label}/{unit.level}-{unit.pk or 0}-{kind}.xlsx", content, save=False)
        report.save()
        if old_file and old_file != report.file.name:
            storage = report.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return report
