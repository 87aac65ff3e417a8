"""The ledger workbooks, written with core.spreadsheets (Chinese headers, frozen, A4 print settings)."""

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Need, Project, Redemption, Resource, ServiceRecord, SignIn
from activities.models.timebank import balance, earned_through, spent_through
from activities.selectors import local_midnight
from cadres.models import Cadre, TalentCategory, Visit
from core.privacy import age_by_month, mask_id_number, mask_phone
from core.spreadsheets import Percent, add_sheet, new_workbook, to_bytes
from portal.figures import BRANCH_KIND_LABELS, FIGURE_KEYS, FIGURE_LABELS, SHARES


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


def _local(moment, pattern="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(pattern)


def month_workbook(*, unit, period, numbers, checks) -> bytes:
    """A month's ledger: 概况, 花名册, 活动与签到, 走访慰问, 三张清单, 时间银行 (and 完整性检查 for a community)."""
    scope, is_community = unit.scope, unit.level == "community"
    title = _("%(place)s %(year)d年%(month)d月 老干部工作台账") % {
        "place": unit.name,
        "year": period.start.year,
        "month": period.start.month,
    }
    workbook = new_workbook()
    add_sheet(workbook, _("概况"), [_("项目"), _("分项"), _("数值")], figure_rows(numbers), [30, 18, 14], heading=title)

    as_of = period.last_day
    roster = (
        Cadre.objects.in_scope(scope)
        .living_on(as_of)
        .filter(birth_date__lte=as_of)
        .select_related("community")
        .only(
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "is_party_member",
            "membership_in_community",
            "retirement_kind",
            "former_employer",
            "community__name",
            "community__code",
        )
        .order_by("community__code", "name")
    )
    add_sheet(
        workbook,
        _("花名册"),
        [
            _("序号"),
            _("姓名"),
            _("性别"),
            _("年龄"),
            _("身份证号码"),
            _("联系电话"),
            _("居住社区"),
            _("中共党员"),
            _("组织关系在社区"),
            _("离退休类别"),
            _("原工作单位"),
        ],
        [
            (
                n,
                c.name,
                c.get_gender_display(),
                age_by_month(c.birth_date, as_of),
                mask_id_number(c.id_number),
                mask_phone(c.phone),
                c.community.name,
                _("是") if c.is_party_member else _("否"),
                _("是") if c.membership_in_community else _("否"),
                c.get_retirement_kind_display(),
                c.former_employer,
            )
            for n, c in enumerate(roster.iterator(chunk_size=2000), start=1)
        ],
        [6, 10, 6, 6, 22, 14, 14, 9, 12, 10, 20],
        landscape=True,
    )

    start, end = local_midnight(period.start), local_midnight(period.end)
    activities = (
        Activity.objects.in_scope(scope)
        .held()
        .between(start, end)
        .select_related("community", "venue", "organiser_branch")
        .annotate(signed=Count("sign_ins"), cadres_signed=Count("sign_ins", filter=Q(sign_ins__cadre__isnull=False)))
        .order_by("starts_at")
    )
    names = {}
    if is_community:
        for activity_id, cadre_name, walk_in in (
            SignIn.objects.filter(activity__in=activities.values("pk"))
            .order_by("activity_id", "signed_at")
            .values_list("activity_id", "cadre__name", "walk_in_name")
        ):
            names.setdefault(activity_id, []).append(cadre_name or walk_in)
    headers = [_("时间"), _("社区"), _("主题"), _("类型"), _("地点"), _("组织支部"), _("签到人次"), _("其中老干部")]
    if is_community:
        headers.append(_("签到名单"))
    add_sheet(
        workbook,
        _("活动与签到"),
        headers,
        [
            (
                _local(a.starts_at),
                a.community.name,
                a.title,
                a.get_kind_display(),
                a.venue.name if a.venue_id else "",
                a.organiser_branch.name if a.organiser_branch_id else "",
                a.signed,
                a.cadres_signed,
                *(["、".join(names.get(a.pk, []))] if is_community else []),
            )
            for a in activities
        ],
        [16, 14, 26, 12, 16, 20, 9, 9, 50],
        landscape=True,
    )

    visits = (
        Visit.objects.in_scope(scope)
        .between(period.start, period.end)
        .select_related("cadre", "cadre__community", "campaign")
        .order_by("visited_on", "pk")
    )
    # the summary is a care detail: the ledger names who was visited, when, how and by whom
    add_sheet(
        workbook,
        _("走访慰问"),
        [_("日期"), _("社区"), _("走访对象"), _("方式"), _("走访人"), _("集中走访")],
        [
            (
                v.visited_on,
                v.cadre.community.name,
                v.cadre.name,
                v.get_kind_display(),
                v.visitors,
                v.campaign.name if v.campaign_id else "",
            )
            for v in visits
        ],
        [12, 14, 10, 12, 20, 24],
    )

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
    rows = [
        (
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
        for n in needs
    ]
    rows += [
        (
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
        for r in Resource.objects.in_scope(scope).select_related("community").order_by("community__code", "name")
    ]
    rows += [
        (
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
        for p in Project.objects.in_scope(scope)
        .select_related("community", "claimed_by_branch", "claimed_by_group")
        .order_by("community__code", "pk")
    ]
    add_sheet(
        workbook,
        _("三张清单"),
        [
            _("清单"),
            _("名称"),
            _("社区"),
            _("类别"),
            _("状态/类型"),
            _("提出/认领日期"),
            _("对接日期"),
            _("解决/完成日期"),
            _("提出人/提供方"),
            _("接单/认领方"),
        ],
        rows,
        [8, 24, 14, 12, 10, 13, 12, 13, 16, 22],
        landscape=True,
    )

    served = {
        row["cadre"]: row
        for row in ServiceRecord.objects.in_scope(scope)
        .values("cadre")
        .annotate(
            hours=Sum("hours", filter=Q(served_on__gte=period.start, served_on__lt=period.end)),
            earned=Sum("points", filter=Q(served_on__gte=period.start, served_on__lt=period.end)),
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
    add_sheet(
        workbook,
        _("时间银行"),
        [_("姓名"), _("社区"), _("本月服务时长"), _("本月获得积分"), _("本月兑换积分"), _("月末积分余额")],
        [
            (
                c.name,
                c.community.name,
                float(served.get(c.pk, {}).get("hours") or 0),
                served.get(c.pk, {}).get("earned") or 0,
                spent.get(c.pk, {}).get("spent") or 0,
                balance(served.get(c.pk, {}).get("earned_total"), spent.get(c.pk, {}).get("spent_total")),
            )
            for c in people
        ],
        [10, 14, 14, 14, 14, 14],
    )

    if is_community:
        rows = []
        for check in checks:
            if check["missing"]:
                rows += [(check["check"], _("未完成"), item) for item in check["missing"]]
            else:
                rows.append((check["check"], _("已完成"), ""))
        add_sheet(workbook, _("完整性检查"), [_("检查项"), _("结果"), _("缺项")], rows, [36, 10, 40])
    return to_bytes(workbook)


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
