"""The leaders' dashboard (驾驶舱): figure cards and charts for a scope and a month, with drill-down.

Every number comes from ``portal.figures``; this module only chooses the scope and the month, caches
the figures (Redis in production, local memory by default) and shapes them for the charts.
"""

import datetime

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from cadres.models import TalentCategory
from communities.models import Community, District, Street
from core import scope as scopes
from core.dates import month_start, parse_month
from core.forms import parse_id
from core.scope import Scope, scope_of
from core.spreadsheets import add_sheet, new_workbook, to_bytes
from portal.figures import BRANCH_KIND_LABELS, Period, membership_figures, month_view, room_use_figures

CACHE_SECONDS = 10 * 60
CACHE_VERSION = 3


def chosen_month(value: str | None, today: datetime.date) -> datetime.date:
    """The first day of the month asked for (YYYY-MM), never after this month; this month by default."""
    return min(parse_month(value, month_start(today)), month_start(today))


PLACE_LEVELS = ("city", "district", "street", "community")


def _place(user, level: str, pk) -> District | Street | Community | None:
    """The place of ``level`` with ``pk`` inside the user's scope, with the places above it."""
    if level == "community":
        return Community.objects.for_user(user).select_related("street__district").filter(pk=pk).first()
    if level == "street":
        return Street.objects.for_user(user).select_related("district").filter(pk=pk).first()
    return District.objects.for_user(user).filter(pk=pk).first()


def _trail(place) -> list:
    """A place and the places above it, from the district down."""
    if isinstance(place, Community):
        return [place.street.district, place.street, place]
    if isinstance(place, Street):
        return [place.district, place]
    return [place]


def drilled_scope(
    user, *, street: str | None, community: str | None, district: str | None = None
) -> tuple[Scope, list]:
    """The scope the user drilled to (within their own) and the breadcrumb above it; outside it: 404.

    The crumbs run from the user's own level down: 全市 › 章丘区 › 明水街道 › 桃花山社区.
    """
    own = scope_of(user)
    if own.level not in PLACE_LEVELS:
        raise Http404
    asked = [(level, value) for level, value in (("community", community), ("street", street), ("district", district))]
    level, pk = next(((level, value) for level, value in asked if value), (own.level, None))
    if pk is None and own.level != "city":
        pk = {"district": own.district_id, "street": own.street_id, "community": own.community_id}[own.level]
    if pk is None:
        return own, [(_("全市"), {})]
    place = _place(user, level, parse_id(pk)) if parse_id(pk) else None
    if place is None:
        raise Http404
    trail = _trail(place)
    if level == "community":
        scope = scopes.community(place.pk, street_id=trail[1].pk, district_id=trail[0].pk)
    elif level == "street":
        scope = scopes.street(place.pk, district_id=trail[0].pk)
    else:
        scope = scopes.district(place.pk)
    crumbs = [(_("全市"), {})] if own.level == "city" else []
    for above, row in zip(PLACE_LEVELS[1:], trail, strict=False):
        if PLACE_LEVELS.index(above) >= PLACE_LEVELS.index(own.level):
            crumbs.append((row.name, {above: row.pk}))
    return scope, crumbs


def dashboard_data(scope: Scope, month: datetime.date, today: datetime.date) -> dict:
    """Figures, the 12-month series and the drill-down table for a scope and month, cached with their time."""
    key = f"dashboard:v{CACHE_VERSION}:{scope.place_key}:{month}:{today}"
    data = cache.get(key)
    if data is None:
        period = Period.month_of(month)
        as_of = min(period.last_day, today)
        # a closed month reads the figures its ledgers stored; only the open month is counted live
        data = {
            **month_view(scope, month=month, today=today),
            # where members belong and who uses whose rooms: counted live (the ledgers do not store them)
            "membership": membership_figures(scope, as_of),
            "room_use": room_use_figures(scope, period),
            "as_of": as_of,
            "computed_at": timezone.now(),
        }
        cache.set(key, data, CACHE_SECONDS)
    return data


def charts(data: dict) -> dict:
    """The charts' data, labelled in the user's language (rendered by static/js/dashboard.js with ECharts)."""
    numbers, series = data["figures"], data["series"]
    kinds = dict(Activity.Kind.choices)
    talents = dict(TalentCategory.choices)
    share = numbers["share_rooms_six_haves"]
    extra = {}
    if "reporting_trend" in data:
        trend = data["reporting_trend"]
        extra["reporting"] = {
            "type": "line",
            "title": _("台账报送率（近12个月，%）"),
            "labels": trend["months"],
            "series": [
                {"name": _("提交率"), "data": trend["submitted"]},
                {"name": _("按时提交率"), "data": trend["on_time"]},
                {"name": _("区审定率"), "data": trend["accepted"]},
            ],
        }
    return extra | {
        "age_bands": {
            "type": "bar",
            "title": _("年龄结构"),
            "labels": list(numbers["age_bands"]),
            "series": [{"name": _("人数"), "data": list(numbers["age_bands"].values())}],
        },
        "party": {
            "type": "bar",
            "title": _("离退休干部党组织"),
            "labels": [*[str(v) for v in BRANCH_KIND_LABELS.values()], _("应建未建支部的社区")],
            "series": [
                {
                    "name": _("数量"),
                    "data": [*numbers["branches_by_kind"].values(), numbers["communities_needing_branch"]],
                }
            ],
        },
        "activity_trend": {
            "type": "stacked",
            "title": _("活动趋势（按月、按类型）"),
            "labels": series["months"],
            "series": [
                {"name": str(kinds[kind]), "data": values}
                for kind, values in series["activities_by_kind"].items()
                if any(values)
            ],
        },
        "participation": {
            "type": "line",
            "title": _("签到人次与参与人数"),
            "labels": series["months"],
            "series": [
                {"name": _("签到人次"), "data": series["sign_ins"]},
                {"name": _("参加活动的老干部"), "data": series["unique_participants"]},
            ],
        },
        "needs_funnel": {
            "type": "bar",
            "title": _("需求对接"),
            "labels": [_("新增需求"), _("解决需求"), _("未办结需求")],
            "series": [
                {"name": _("需求"), "data": [numbers["needs_opened"], numbers["needs_resolved"], numbers["needs_open"]]}
            ],
        },
        "time_bank": {
            "type": "bar",
            "title": _("时间银行积分"),
            "labels": [_("本月兑换积分"), _("积分余额合计")],
            "series": [{"name": _("积分"), "data": [numbers["points_redeemed"], numbers["points_outstanding"]]}],
        },
        "six_haves": {
            "type": "pie",
            "title": _("党员活动室“六有”达标"),
            "labels": [_("达标"), _("未达标")],
            "series": [
                {
                    "name": _("占比"),
                    "data": [round(share * 100, 1), round(100 - share * 100, 1)] if share is not None else [0, 0],
                }
            ],
        },
        "talents": {
            "type": "bar",
            "title": _("银色人才（按作用发挥类型）"),
            "labels": [str(talents[c]) for c in numbers["talents_by_category"]],
            "series": [{"name": _("人数"), "data": list(numbers["talents_by_category"].values())}],
        },
    }


def breakdown_table(data: dict) -> dict:
    """The drill-down table in a chart's shape, so it downloads the same way."""
    rows = data["children"]
    columns = [
        ("cadres_total", _("离退休干部")),
        ("party_members", _("党员")),
        ("share_75_plus", _("75岁以上占比")),
        ("activities", _("活动")),
        ("sign_ins", _("签到人次")),
        ("participation_rate", _("参与率")),
        ("care_overdue", _("逾期未走访")),
        ("needs_open", _("未办结需求")),
    ]
    return {
        "title": _("下级单位"),
        "labels": [row["name"] for row in rows],
        "series": [{"name": label, "data": [row[key] for row in rows]} for key, label in columns],
    }


def chart_workbook(chart: dict) -> bytes:
    """One chart's data as an .xlsx: a label column and one column per series."""
    workbook = new_workbook()
    add_sheet(
        workbook,
        chart["title"],
        [_("项目"), *[item["name"] for item in chart["series"]]],
        ([label, *[item["data"][index] for item in chart["series"]]] for index, label in enumerate(chart["labels"])),
        [24, *[14] * len(chart["series"])],
    )
    return to_bytes(workbook)
