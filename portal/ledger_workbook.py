"""The ledger workbooks, written with core.spreadsheets (Chinese headers, frozen, A4 print settings)."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.absences import BranchSummary, branch_activities, with_attendance
from activities.models import Activity, Need, Project, Redemption, Resource, ServiceRecord, SignIn
from activities.models.timebank import balance, earned_through, spent_through
from cadres.models import Cadre, TalentCategory, Visit
from cadres.selectors import roster_batches
from core.dates import Period, local_midnight
from core.privacy import age_by_month, mask_id_number, mask_phone
from core.scope import Scope
from core.spreadsheets import Percent, add_sheet, new_workbook, to_bytes, to_file
from portal.figures import (
    BRANCH_KIND_LABELS,
    BREAKDOWN_FIGURES,
    BREAKDOWN_LABELS,
    FIGURE_KEYS,
    FIGURE_LABELS,
    SHARES,
)


def _value(key, value):
    if value is None:
        return "—"
    return Percent(value) if key in SHARES else value


def figure_rows(numbers: dict) -> list[tuple]:
    """The figures as (item, detail, value) rows, dictionaries spread over one row each."""
    kind_labels = dict(Activity.Kind.choices)
    talent_labels = dict(TalentCategory.choices)
    rows = []
    for key in FIGURE_KEYS:
        value, label = numbers.get(key), str(FIGURE_LABELS[key])
        if key == "age_bands":
            rows += [(label, _("%(band)s岁") % {"band": band}, count) for band, count in value.items()]
        elif key == "branches_by_kind":
            rows += [(label, str(BRANCH_KIND_LABELS[kind]), count) for kind, count in value.items()]
        elif key == "activities_by_kind":
            rows += [(label, str(kind_labels[kind]), count) for kind, count in value.items()]
            rows.append((label, _("合计"), sum(value.values())))
        elif key == "talents_by_category":
            rows += [(label, str(talent_labels[category]), count) for category, count in value.items()]
        else:
            rows.append((label, "", _value(key, value)))
    return rows


# the month's activities, visits and needs of a whole district are read this many at a time (on a pooled
# connection, where server-side cursors are off, the rows still arrive at once but as plain tuples)
ROWS_PER_CHUNK = 2_000


def _local(moment, pattern="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(pattern)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a month's ledger, as data: its title, columns, widths and page orientation; its rows
    come from the function of the same name below (``rows(context)``)."""

    title: str
    headers: tuple
    widths: tuple
    rows: Callable[["MonthContext"], Iterable[tuple]]
    landscape: bool = False
    community_only: bool = False


@dataclass(frozen=True)
class MonthContext:
    scope: Scope
    period: Period
    is_community: bool
    checks: list
    numbers: dict = field(default_factory=dict)
    children: list = field(default_factory=list)

    @property
    def as_of(self) -> datetime.date:
        return self.period.last_day


def roster_rows(context: MonthContext) -> Iterable[tuple]:
    """Living cadres on the month's last day, ID and phone masked; a batch of communities at a time."""
    as_of = context.as_of
    genders = {value: str(label) for value, label in Cadre._meta.get_field("gender").choices}
    kinds = {value: str(label) for value, label in Cadre._meta.get_field("retirement_kind").choices}
    yes, no = _("是"), _("否")
    roster = Cadre.objects.in_scope(context.scope).living_on(as_of).filter(birth_date__lte=as_of)
    n = 0
    for batch in roster_batches(roster):
        for name, gender, born, id_number, phone, community, member, held, kind, employer in batch.values_list(
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "community__name",
            "is_party_member",
            "membership_in_community",
            "retirement_kind",
            "former_unit__name",
        ):
            n += 1
            yield (
                n,
                name,
                genders.get(gender, gender),
                age_by_month(born, as_of),
                mask_id_number(id_number),
                mask_phone(phone),
                community,
                yes if member else no,
                yes if held else no,
                kinds.get(kind, kind or ""),
                employer,
            )


def activity_rows(context: MonthContext) -> Iterable[tuple]:
    """Activities held in the month with their sign-in counts (and, for a community, the names)."""
    period = context.period
    activities = (
        Activity.objects.in_scope(context.scope)
        .held()
        .between(local_midnight(period.start), local_midnight(period.end))
        .select_related("community", "venue", "organiser_branch")
        .annotate(signed=Count("sign_ins"), cadres_signed=Count("sign_ins", filter=Q(sign_ins__cadre__isnull=False)))
        .order_by("starts_at")
    )
    names: dict[int, list[str]] = {}
    if context.is_community:
        for activity_id, cadre_name, walk_in in (
            SignIn.objects.filter(activity__in=activities.values("pk"))
            .order_by("activity_id", "signed_at")
            .values_list("activity_id", "cadre__name", "walk_in_name")
        ):
            names.setdefault(activity_id, []).append(cadre_name or walk_in)
    for a in activities.iterator(chunk_size=ROWS_PER_CHUNK):
        yield (
            _local(a.starts_at),
            a.community.name,
            a.title,
            a.get_kind_display(),
            a.venue.name if a.venue_id else "",
            a.organiser_branch.name if a.organiser_branch_id else "",
            a.signed,
            a.cadres_signed,
            *(["、".join(names.get(a.pk, []))] if context.is_community else []),
        )


def visit_rows(context: MonthContext) -> Iterable[tuple]:
    """Who was visited, when, how and by whom (the summary is a care detail: not in the ledger)."""
    visits = (
        Visit.objects.in_scope(context.scope)
        .between(context.period.start, context.period.end)
        .select_related("cadre", "cadre__community", "campaign")
        .order_by("visited_on", "pk")
    )
    for v in visits.iterator(chunk_size=ROWS_PER_CHUNK):
        yield (
            v.visited_on,
            v.cadre.community.name,
            v.cadre.name,
            v.get_kind_display(),
            v.visitors,
            v.campaign.name if v.campaign_id else "",
        )


def list_rows(context: MonthContext) -> Iterable[tuple]:
    """The three lists: needs moving in the month or still open, every resource, every project."""
    scope, period, as_of = context.scope, context.period, context.as_of
    needs = (
        Need.objects.in_scope(scope)
        .filter(raised_on__lte=as_of)
        .filter(
            Q(raised_on__gte=period.start)
            | Q(matched_on__gte=period.start, matched_on__lte=as_of)
            | Q(resolved_on__gte=period.start, resolved_on__lte=as_of)
            | Q(closed_on__gte=period.start, closed_on__lte=as_of)
            | (Q(resolved_on__isnull=True) & Q(closed_on__isnull=True))
        )
        .select_related("community", "cadre", "taken_by_talent__cadre", "taken_by_group")
        .order_by("raised_on", "pk")
    )
    for n in needs.iterator(chunk_size=ROWS_PER_CHUNK):
        yield (
            _("需求"),
            n.title,
            n.community.name,
            n.get_category_display(),
            n.get_status_display(),
            n.raised_on,
            n.matched_on,
            n.resolved_on or n.closed_on,
            n.cadre.name if n.cadre_id else _("社区"),
            n.taker,
        )
    resources = Resource.objects.in_scope(scope).select_related("community").order_by("community__code", "name")
    for r in resources:
        yield (
            _("资源"),
            r.name,
            r.community.name,
            r.get_category_display(),
            r.get_kind_display(),
            None,
            None,
            None,
            r.provider,
            "",
        )
    projects = (
        Project.objects.in_scope(scope)
        .select_related("community", "claimed_by_branch", "claimed_by_group")
        .order_by("community__code", "pk")
    )
    for p in projects:
        yield (
            _("项目"),
            p.title,
            p.community.name,
            p.get_category_display(),
            p.get_status_display(),
            p.claimed_on,
            None,
            p.finished_on,
            "",
            f"{p.claimant}（{p.progress}%）",
        )


def timebank_rows(context: MonthContext) -> Iterable[tuple]:
    """Each person's month in the time bank and the balance held at its end."""
    scope, period, as_of = context.scope, context.period, context.as_of
    in_month = {"served_on__gte": period.start, "served_on__lt": period.end}
    served = {
        row["cadre"]: row
        for row in ServiceRecord.objects.in_scope(scope)
        .values("cadre")
        .annotate(
            hours=Sum("hours", filter=Q(**in_month)),
            earned=Sum("points", filter=Q(**in_month)),
            earned_total=earned_through(as_of),
        )
        .order_by()
    }
    spent = {
        row["cadre"]: row
        for row in Redemption.objects.in_scope(scope)
        .values("cadre")
        .annotate(
            spent=Sum("points", filter=Q(redeemed_on__gte=period.start, redeemed_on__lt=period.end)),
            spent_total=spent_through(as_of),
        )
        .order_by()
    }
    people = (
        Cadre.objects.filter(pk__in=set(served) | set(spent))
        .select_related("community")
        .order_by("community__code", "name")
    )
    for c in people:
        earned, exchanged = served.get(c.pk, {}), spent.get(c.pk, {})
        yield (
            c.name,
            c.community.name,
            float(earned.get("hours") or 0),
            earned.get("earned") or 0,
            exchanged.get("spent") or 0,
            balance(earned.get("earned_total"), exchanged.get("spent_total")),
        )


def _branch_line(summary: BranchSummary) -> tuple:
    return (
        summary.community_name,
        summary.branch_name,
        summary.activities,
        summary.expected,
        summary.attended,
        _value("branch_attendance_rate", summary.attendance_rate),
        summary.absences,
        summary.followed,
        _value("follow_up_completion", summary.completion),
    )


def branch_life_rows(context: MonthContext) -> Iterable[tuple]:
    """送学上门: each branch's activities of the month, attendance and follow-ups (``activities.absences``),
    then the total; one streamed query, a branch at a time."""
    period = context.period
    activities = with_attendance(
        branch_activities(context.scope, local_midnight(period.start), local_midnight(period.end))
    ).order_by(
        "organiser_branch__community__name",
        "organiser_branch__community_id",
        "organiser_branch__name",
        "organiser_branch_id",
    )
    total, current, current_id = BranchSummary("", community_name=_("合计")), None, None
    for community, branch_id, branch, *counts in activities.values_list(
        "organiser_branch__community__name",
        "organiser_branch_id",
        "organiser_branch__name",
        "expected",
        "attended",
        "absences",
        "followed",
    ).iterator(chunk_size=ROWS_PER_CHUNK):
        if branch_id != current_id:
            if current is not None:
                yield _branch_line(current)
            current, current_id = BranchSummary(branch, community_name=community), branch_id
        numbers = dict(zip(("expected", "attended", "absences", "followed"), counts, strict=True))
        current.add(**numbers)
        total.add(**numbers)
    if current is not None:
        yield _branch_line(current)
    yield _branch_line(total)


def unit_rows(context: MonthContext) -> Iterable[tuple]:
    """The key figures of each street (of a district) or community (of a street), then the whole scope."""
    for row in context.children:
        yield (row["name"], *(_value(key, row[key]) for key in BREAKDOWN_FIGURES))
    numbers = {**context.numbers, "activities": sum(context.numbers["activities_by_kind"].values())}
    yield (_("合计"), *(_value(key, numbers[key]) for key in BREAKDOWN_FIGURES))


def check_rows(context: MonthContext) -> Iterable[tuple]:
    """The bureau's completeness checks: each done, or each missing item on a line."""
    for check in context.checks:
        if check["missing"]:
            yield from ((check["check"], _("未完成"), item) for item in check["missing"])
        else:
            yield (check["check"], _("已完成"), "")


# the drill-down sheet by the level of the units below: its name and its first column's header (each its own
# string: a translated name is never sliced into a header)
CHILD_SHEETS = {
    "district": (gettext_lazy("分区县"), gettext_lazy("区县")),
    "street": (gettext_lazy("分街道"), gettext_lazy("街道")),
    "community": (gettext_lazy("分社区"), gettext_lazy("社区")),
}

MONTH_SHEETS = (
    Sheet(
        gettext_lazy("花名册"),
        (
            gettext_lazy("序号"),
            gettext_lazy("姓名"),
            gettext_lazy("性别"),
            gettext_lazy("年龄"),
            gettext_lazy("身份证号码"),
            gettext_lazy("联系电话"),
            gettext_lazy("居住社区"),
            gettext_lazy("中共党员"),
            gettext_lazy("组织关系在社区"),
            gettext_lazy("离退休类别"),
            gettext_lazy("原工作单位"),
        ),
        (6, 10, 6, 6, 22, 14, 14, 9, 12, 10, 20),
        roster_rows,
        landscape=True,
    ),
    Sheet(
        gettext_lazy("活动与签到"),
        (
            gettext_lazy("时间"),
            gettext_lazy("社区"),
            gettext_lazy("主题"),
            gettext_lazy("类型"),
            gettext_lazy("地点"),
            gettext_lazy("组织支部"),
            gettext_lazy("签到人次"),
            gettext_lazy("其中老干部"),
        ),
        (16, 14, 26, 12, 16, 20, 9, 9, 50),
        activity_rows,
        landscape=True,
    ),
    Sheet(
        gettext_lazy("支部组织生活"),
        (
            gettext_lazy("社区"),
            gettext_lazy("支部"),
            gettext_lazy("活动次数"),
            gettext_lazy("应到人次"),
            gettext_lazy("实到人次"),
            gettext_lazy("参与率"),
            gettext_lazy("缺席人次"),
            gettext_lazy("已送学上门"),
            gettext_lazy("完成率"),
        ),
        (14, 24, 9, 9, 9, 9, 9, 11, 9),
        branch_life_rows,
        landscape=True,
    ),
    Sheet(
        gettext_lazy("走访慰问"),
        (
            gettext_lazy("日期"),
            gettext_lazy("社区"),
            gettext_lazy("走访对象"),
            gettext_lazy("方式"),
            gettext_lazy("走访人"),
            gettext_lazy("集中走访"),
        ),
        (12, 14, 10, 12, 20, 24),
        visit_rows,
    ),
    Sheet(
        gettext_lazy("三张清单"),
        (
            gettext_lazy("清单"),
            gettext_lazy("名称"),
            gettext_lazy("社区"),
            gettext_lazy("类别"),
            gettext_lazy("状态/类型"),
            gettext_lazy("提出/认领日期"),
            gettext_lazy("对接日期"),
            gettext_lazy("解决/完成日期"),
            gettext_lazy("提出人/提供方"),
            gettext_lazy("接单/认领方"),
        ),
        (8, 24, 14, 12, 10, 13, 12, 13, 16, 22),
        list_rows,
        landscape=True,
    ),
    Sheet(
        gettext_lazy("时间银行"),
        (
            gettext_lazy("姓名"),
            gettext_lazy("社区"),
            gettext_lazy("本月服务时长"),
            gettext_lazy("本月获得积分"),
            gettext_lazy("本月兑换积分"),
            gettext_lazy("月末积分余额"),
        ),
        (10, 14, 14, 14, 14, 14),
        timebank_rows,
    ),
    Sheet(
        gettext_lazy("完整性检查"),
        (gettext_lazy("检查项"), gettext_lazy("结果"), gettext_lazy("缺项")),
        (36, 10, 40),
        check_rows,
        community_only=True,
    ),
)


def _signature_rows(unit) -> list[tuple]:
    """The lines a printed ledger is signed on (填报人, 审核人), below the figures."""
    built = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return [
        ("", "", ""),
        (_("填报单位"), unit.name, ""),
        (_("填报人（签字）"), "", ""),
        (_("审核人（签字）"), "", ""),
        (_("生成时间"), built, ""),
    ]


def month_workbook(*, unit, period, numbers, checks, children=()) -> BinaryIO:
    """A month's ledger: 概况, then the sheets of MONTH_SHEETS (完整性检查 for a community only).

    Rows go from the database into the write-only workbook and the workbook into a temporary file, so
    memory stays bounded whatever the size of the scope (a district of 500,000 cadres): the caller
    stores the file and closes it.
    """
    is_community = unit.level == "community"
    title = _("%(place)s %(year)d年%(month)d月 老干部工作台账") % {
        "place": unit.name,
        "year": period.start.year,
        "month": period.start.month,
    }
    workbook = new_workbook()
    rows = figure_rows(numbers) + _signature_rows(unit)
    add_sheet(workbook, _("概况"), [_("项目"), _("分项"), _("数值")], rows, [30, 18, 14], heading=title)
    context = MonthContext(
        scope=unit.scope,
        period=period,
        is_community=is_community,
        checks=checks,
        numbers=numbers,
        children=list(children),
    )
    if context.children:
        sheet_name, column = CHILD_SHEETS[context.children[0]["level"]]
        add_sheet(
            workbook,
            str(sheet_name),
            [str(column), *(str(BREAKDOWN_LABELS[key]) for key in BREAKDOWN_FIGURES)],
            unit_rows(context),
            [16, 11, 9, 12, 9, 10, 10, 11, 11, 11],
            landscape=True,
        )
    for sheet in MONTH_SHEETS:
        if sheet.community_only and not is_community:
            continue
        headers = [str(header) for header in sheet.headers]
        if sheet.rows is activity_rows and is_community:
            headers.append(_("签到名单"))
        add_sheet(
            workbook,
            str(sheet.title),
            headers,
            sheet.rows(context),
            list(sheet.widths),
            landscape=sheet.landscape,
        )
    return to_file(workbook)


def year_workbook(*, unit, year, numbers, previous) -> bytes:
    """The year's summary (年报): each figure this year beside the year before, and the change."""
    workbook = new_workbook()
    this_rows, before_rows = figure_rows(numbers), figure_rows(previous)
    rows = []
    for (label, detail, value), (_label, _detail, earlier) in zip(this_rows, before_rows, strict=True):
        change = value - earlier if isinstance(value, int | float) and isinstance(earlier, int | float) else ""
        rows.append((label, detail, value, earlier, change))
    title = _("%(place)s %(year)d年度老干部工作年报") % {"place": unit.name, "year": year}
    add_sheet(
        workbook,
        _("年度对比"),
        [_("项目"), _("分项"), _("%(year)d年") % {"year": year}, _("%(year)d年") % {"year": year - 1}, _("增减")],
        rows,
        [30, 18, 14, 14, 10],
        heading=title,
    )
    return to_bytes(workbook)
