"""The worker's daily parts beyond sign-in: needs (需求清单), care visits (走访) and service hours (时间银行)."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.absences import absences_of, branch_activities, branch_life_of, by_branch, excuse_of
from activities.archive import archive_workbook, branch_archive
from activities.forms import (
    AttendanceForm,
    FinishNeedForm,
    FollowUpForm,
    MatchNeedForm,
    NeedForm,
    ResourceForm,
    ServiceHoursForm,
    VisitForm,
)
from activities.models import Activity, Need, Project, Redemption, Resource, ServiceRecord, SignIn
from activities.services import (
    balance_of,
    credit_volunteer_activity,
    move_need,
    raise_need,
    record_follow_up,
    record_service,
    record_visit_with_need,
    suggestions_for,
)
from activities.views import _activity, _require_worker, _worker_community
from cadres.models import (
    IN_PERSON_REASONS,
    Attendance,
    AttendanceExcuse,
    Cadre,
    CareCase,
    Group,
    PartyBranch,
    Talent,
    TalentCategory,
)
from cadres.selectors import care_cases_due, search_cadres
from cadres.services import mark_attendance, mark_lives_away
from communities.models import AuditEvent
from core.audit import record_event
from core.dates import Period, local_midnight, month_start, next_month, parse_month
from core.forms import parse_id, posted
from core.privacy import age_by_month, can_see_health, can_see_identity, shown
from core.scope import scope_of
from core.spreadsheets import xlsx_response

URGENCY_ORDER = Case(
    When(urgency=Need.Urgency.CRITICAL, then=Value(0)),
    When(urgency=Need.Urgency.URGENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
STATUS_ORDER = Case(
    When(status=Need.Status.OPEN, then=Value(0)),
    When(status=Need.Status.MATCHED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _picked_cadre(request, key="cadre"):
    """The cadre the worker picked (a living cadre of their own community), or None."""
    pk = parse_id(request.POST.get(key) or request.GET.get(key))
    if pk is None:
        return None
    return get_object_or_404(Cadre.objects.for_user(request.user).living().select_related("community"), pk=pk)


def cadre_pick(request):
    """Cadres of my community found by name, initials or phone's last 4, as choices for a form."""
    community = _worker_community(request)
    query = request.GET.get("q", "")
    results = list(search_cadres(community=community, query=query, limit=10))
    return render(request, "activities/_cadre_pick.html", {"results": results, "query": query})


# --- needs (需求清单) ---------------------------------------------------------------------------


def need_list(request):
    """My community's needs: open ones first, the most urgent on top."""
    community = _worker_community(request)
    status = request.GET.get("status", "")
    needs = Need.objects.in_community(community).select_related("cadre", "taken_by_talent__cadre", "taken_by_group")
    if status in Need.Status.values:
        needs = needs.filter(status=status)
    needs = needs.annotate(status_rank=STATUS_ORDER, urgency_rank=URGENCY_ORDER).order_by(
        "status_rank", "urgency_rank", "-raised_on", "-pk"
    )
    page = Paginator(needs, 30).get_page(request.GET.get("page"))
    context = {"community": community, "page": page, "status": status, "statuses": Need.Status.choices}
    return render(request, "activities/need_list.html", context)


def need_new(request):
    """Raise a need for a cadre (picked by name) or for the community."""
    community = _worker_community(request)
    cadre = _picked_cadre(request)
    form = NeedForm(posted(request))
    if request.method == "POST" and form.is_valid():
        form.instance.community, form.instance.cadre = community, cadre
        try:
            need = raise_need(need=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("需求已登记：%(title)s") % {"title": need.title})
            return redirect("need_detail", need.pk)
    return render(request, "activities/need_form.html", {"form": form, "cadre": cadre})


def _need(request, pk):
    _require_worker(request)
    queryset = Need.objects.for_user(request.user).select_related(
        "community", "cadre", "taken_by_talent__cadre", "taken_by_group", "taken_by_resource"
    )
    return get_object_or_404(queryset, pk=pk)


def need_detail(request, pk):
    """One need: its steps so far, who could take it, and the next step."""
    need = _need(request, pk)
    today = timezone.localdate()
    context = {
        "need": need,
        "changes": need.changes.select_related("by"),
        "suggestions": suggestions_for(need, scope=scope_of(request.user))
        if need.can_move_to(Need.Status.MATCHED)
        else None,
        "match_form": MatchNeedForm(initial={"on": today}),
        "finish_form": FinishNeedForm(initial={"on": today}),
        "can_match": need.can_move_to(Need.Status.MATCHED),
        "can_resolve": need.can_move_to(Need.Status.RESOLVED),
        "can_close": need.can_move_to(Need.Status.CLOSED),
    }
    return render(request, "activities/need_detail.html", context)


@require_POST
def need_match(request, pk):
    """社区派单: the need goes to a talent, a team, a resource or a named unit."""
    need = _need(request, pk)
    form = MatchNeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写对接日期。"))
        return redirect("need_detail", need.pk)
    data = form.cleaned_data
    choice = {
        "talent": Talent.objects.for_user(request.user).filter(pk=data["talent"]).first() if data["talent"] else None,
        "group": Group.objects.for_user(request.user).filter(pk=data["group"]).first() if data["group"] else None,
        "resource": Resource.objects.for_user(request.user).filter(pk=data["resource"]).first()
        if data["resource"]
        else None,
    }
    try:
        move_need(
            need=need,
            to=Need.Status.MATCHED,
            on=data["on"],
            by=request.user,
            taken_by_name=data["taken_by_name"],
            **choice,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已派单。"))
    return redirect("need_detail", need.pk)


@require_POST
def need_finish(request, pk, to):
    """Resolve (已解决) or close (已关闭) a need, dated."""
    need = _need(request, pk)
    status = {"resolve": Need.Status.RESOLVED, "close": Need.Status.CLOSED}.get(to)
    form = FinishNeedForm(request.POST)
    if status is None or not form.is_valid():
        messages.error(request, _("请填写日期。"))
        return redirect("need_detail", need.pk)
    try:
        move_need(
            need=need, to=status, on=form.cleaned_data["on"], by=request.user, outcome=form.cleaned_data["outcome"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("需求已更新为“%(status)s”。") % {"status": status.label})
    return redirect("need_detail", need.pk)


def resource_list(request):
    """My community's resources (资源清单), with a form to add one."""
    community = _worker_community(request)
    form = ResourceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        form.instance.community = community
        form.save()
        messages.success(request, _("资源已登记：%(name)s") % {"name": form.instance.name})
        return redirect("resource_list")
    resources = Resource.objects.in_community(community).order_by("-is_available", "kind", "name")
    return render(request, "activities/resource_list.html", {"form": form, "resources": resources})


def project_list(request):
    """My community's joint projects (项目清单): who claimed them, the needs they meet, progress."""
    community = _worker_community(request)
    projects = (
        Project.objects.in_community(community)
        .select_related("claimed_by_branch", "claimed_by_group")
        .prefetch_related("needs", "resources")
        .order_by("status", "-pk")
    )
    return render(request, "activities/project_list.html", {"projects": projects})


def talent_list(request):
    """The silver talents (银色人才) of my community, searched by category and word."""
    _require_worker(request)
    category, words = request.GET.get("category", ""), request.GET.get("q", "").strip()
    talents = (
        Talent.objects.for_user(request.user)
        .search(category=category if category in TalentCategory.values else "", words=words)
        .select_related("cadre")
        .order_by("category", "cadre__name")
    )
    page = Paginator(talents, 30).get_page(request.GET.get("page"))
    context = {"page": page, "category": category, "q": words, "categories": TalentCategory.choices}
    return render(request, "activities/talent_list.html", context)


# --- care and visits (困难帮扶、走访慰问) ---------------------------------------------------------


def care_list(request):
    """Who needs a visit: overdue care cases, most overdue first, then the other open cases."""
    _require_worker(request)
    today = timezone.localdate()
    cases = care_cases_due(CareCase.objects.for_user(request.user), as_of=today)
    overdue = [case for case in cases if case.days_overdue > 0]
    upcoming = [case for case in cases if case.days_overdue <= 0]
    return render(request, "activities/care_list.html", {"overdue": overdue, "upcoming": upcoming, "today": today})


def visit_new(request):
    """Record a visit to a cadre of my community; a need found on the visit is raised in the same step."""
    _require_worker(request)
    cadre = _picked_cadre(request)
    form = VisitForm(posted(request), initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and cadre is None:
        form.add_error(None, _("请先选择走访对象。"))
    if request.method == "POST" and cadre is not None and form.is_valid():
        data = form.cleaned_data
        try:
            _visit, need = record_visit_with_need(
                cadre=cadre,
                visited_on=data["visited_on"],
                visitors=data["visitors"],
                kind=data["kind"],
                summary=data["summary"],
                by=request.user,
                need=form.need(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已登记对%(name)s的走访。") % {"name": cadre.name})
            if need is not None:
                messages.success(request, _("需求已登记：%(title)s") % {"title": need.title})
                return redirect("need_detail", need.pk)
            return redirect("care_list")
    return render(request, "activities/visit_form.html", {"form": form, "cadre": cadre})


# --- the time bank (时间银行) -----------------------------------------------------------------------


def timebank(request):
    """Log verified service hours for a cadre of my community; the latest entries below."""
    community = _worker_community(request)
    cadre = _picked_cadre(request)
    form = ServiceHoursForm(posted(request), initial={"served_on": timezone.localdate()})
    if request.method == "POST" and cadre is None:
        form.add_error(None, _("请先选择服务人。"))
    if request.method == "POST" and cadre is not None and form.is_valid():
        data = form.cleaned_data
        try:
            record = record_service(
                cadre=cadre,
                served_on=data["served_on"],
                hours=data["hours"],
                description=data["description"],
                verified_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("已记入%(name)s %(hours)s小时，%(points)d积分。")
                % {"name": cadre.name, "hours": record.hours, "points": record.points},
            )
            return redirect("timebank")
    recent = ServiceRecord.objects.in_community(community).select_related("cadre").order_by("-created_at")[:20]
    context = {"form": form, "cadre": cadre, "recent": recent, "balance": balance_of(cadre) if cadre else None}
    return render(request, "activities/timebank.html", context)


def timebank_statement(request, cadre_pk):
    """A person's time-bank statement on paper: every entry and the balance (for people without phones)."""
    cadre = get_object_or_404(Cadre.objects.for_user(request.user).select_related("community"), pk=cadre_pk)
    entries = [
        (record.served_on, record.description, record.hours, record.points, None)
        for record in ServiceRecord.objects.filter(cadre=cadre).order_by("served_on", "pk")
    ] + [
        (redemption.redeemed_on, redemption.item, None, None, redemption.points)
        for redemption in Redemption.objects.filter(cadre=cadre).order_by("redeemed_on", "pk")
    ]
    entries.sort(key=lambda entry: entry[0])
    rows, running = [], 0
    for day, text, hours, earned, spent in entries:
        running += (earned or 0) - (spent or 0)
        rows.append({"day": day, "text": text, "hours": hours, "earned": earned, "spent": spent, "balance": running})
    record_event(
        kind=AuditEvent.Kind.DOWNLOAD, request=request, rows=len(rows), what="timebank_statement", cadre=cadre.pk
    )
    context = {"cadre": cadre, "rows": rows, "balance": running, "today": timezone.localdate()}
    return render(request, "activities/timebank_statement.html", context)


@require_POST
def activity_credit_hours(request, pk):
    """The worker confirms a volunteer-service activity: its signed-in cadres are credited their hours."""
    activity = _activity(request, pk)
    try:
        credited = credit_volunteer_activity(activity=activity, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已为%(count)d位老同志记入服务时长。") % {"count": credited})
    return redirect("activity_detail", activity.pk)


# --- one branch, one archive (一支部一档案) ---------------------------------------------------------


def _archive(request, branch_pk):
    branch = get_object_or_404(
        PartyBranch.objects.for_user(request.user).select_related("community", "venue", "secretary"), pk=branch_pk
    )
    this_month = month_start(timezone.localdate())
    first = parse_month(request.GET.get("from"), this_month.replace(month=1))
    last = parse_month(request.GET.get("to"), this_month)
    if last < first:
        first, last = last, first
    return branch_archive(branch=branch, first_month=first, last_month=last)


def branch_archive_page(request, branch_pk):
    """The branch's archive for a period as a printable page."""
    archive = _archive(request, branch_pk)
    record_event(
        kind=AuditEvent.Kind.DOWNLOAD,
        request=request,
        what="branch_archive",
        branch=archive.branch.pk,
        period=f"{archive.start:%Y-%m}/{archive.end:%Y-%m}",
        format="html",
    )
    context = {
        "archive": archive,
        "last_day": archive.end - datetime.timedelta(days=1),
        "from": f"{archive.start:%Y-%m}",
        "to": f"{archive.end - datetime.timedelta(days=1):%Y-%m}",
    }
    return render(request, "activities/branch_archive.html", context)


def branch_archive_xlsx(request, branch_pk):
    """The branch's archive for a period as one .xlsx (members, activities, sign-ins, records, photos)."""
    archive = _archive(request, branch_pk)
    record_event(
        kind=AuditEvent.Kind.DOWNLOAD,
        request=request,
        what="branch_archive",
        branch=archive.branch.pk,
        period=f"{archive.start:%Y-%m}/{archive.end:%Y-%m}",
        format="xlsx",
    )
    name = f"{archive.branch.name}-{archive.start:%Y%m}-{archive.end - datetime.timedelta(days=1):%Y%m}.xlsx"
    return xlsx_response(archive_workbook(archive), name)


# --- a cadre's page (一人一档) ----------------------------------------------------------------------


def cadre_file(request, pk):
    """One cadre as a liaison reads them before a visit: the roster facts the role may see (masked by
    default), branch and groups, a year of activities, care visits and when the next is due, open needs,
    talents, and the time bank. Inside the worker's community only; unmasked facts go in the audit trail."""
    _require_worker(request)
    cadre = get_object_or_404(Cadre.objects.for_user(request.user).select_related("community", "former_unit"), pk=pk)
    today = timezone.localdate()
    identity, health = can_see_identity(request.user), can_see_health(request.user)
    # the opening is in the audit trail (accounts.gate.WHEREABOUTS_PAGES)
    year_ago = today - datetime.timedelta(days=365)
    attended = (
        SignIn.objects.filter(cadre=cadre, activity__starts_at__date__gte=year_ago)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity")
        .order_by("-activity__starts_at")
    )
    cases = list(CareCase.objects.filter(cadre=cadre).open_on(today).with_last_visit(today))
    for case in cases:
        case.due_on = case.due_on_after(case.last_seen)
        case.late = case.due_on < today
    context = {
        "cadre": cadre,
        "age": age_by_month(cadre.birth_date, today),
        "identity": identity,
        "health": health,
        # every personal field as this reader may see it: the one rule (core.privacy.shown)
        "shown": {field: shown(request.user, cadre, field) for field in Cadre.SENSITIVE_FIELDS},
        "branches": cadre.branch_memberships.current().select_related("branch", "branch__owner"),
        "registration": cadre.registrations.current().select_related("community").first(),
        "mobile": cadre.mobile_records.open().first(),
        "groups": cadre.group_memberships.select_related("group"),
        "attended_count": attended.count(),
        "attended": attended[:20],
        "cases": cases,
        "visits": cadre.visits.order_by("-visited_on")[:5],
        "needs": Need.objects.filter(cadre=cadre).still_open().order_by("raised_on"),
        "talents": Talent.objects.filter(cadre=cadre),
        "balance": balance_of(cadre),
        "service": ServiceRecord.objects.filter(cadre=cadre).order_by("-served_on", "-pk")[:5],
        "attendance_form": AttendanceForm(initial=_excuse_initial(cadre)),
        # dated, newest first: what held when (a past month's figures read these)
        "excuses": cadre.excuses.select_related("recorded_by")[:10],
    }
    return render(request, "activities/cadre_file.html", context)


# --- 送学上门: nobody left out of branch life -------------------------------------------------------


def absence_list(request):
    """Who missed this month's branch activities (主题党日, study, 组织生活) of my community, and who has been
    followed up: each absence to record, the branches' attendance rates and follow-up completion. A unit's
    staff follow up the members of the unit's branches the same way (``branch_activities``)."""
    scope = _follows_up(request)
    today = timezone.localdate()
    month = parse_month(request.GET.get("month"), month_start(today))
    period = Period.month_of(month)
    activities = branch_activities(scope_of(request.user), local_midnight(period.start), local_midnight(period.end))
    entries = absences_of(activities)
    pending = sum(1 for entry in entries for absence in entry.absences if not absence.follow_up)
    context = {
        "worker": scope.level == "community",
        "health": can_see_health(request.user),  # why a member is excused (卧床) is a health fact
        "month": month,
        "previous": month_start(month - datetime.timedelta(days=1)),
        "next": next_month(month) if next_month(month) <= today else None,
        "entries": entries,
        "branches": by_branch(entries),
        "pending": pending,
    }
    return render(request, "activities/absence_list.html", context)


def _follows_up(request):
    """The scope of whoever follows up a branch's absences: a community worker, or a unit's staff."""
    scope = scope_of(request.user)
    if scope.level not in ("community", "unit"):
        raise PermissionDenied
    return scope


def follow_up_new(request, pk, cadre_pk):
    """Record how one absent member was followed up (送学上门, phone, online); back to the list after."""
    scope = _follows_up(request)
    # the activities of my own branches, wherever they met (not those held in my room by a guest)
    activity = get_object_or_404(branch_life_of(scope).select_related("organiser_branch", "community"), pk=pk)
    # a member of that branch wherever they live, or one of my own people (the service says why when the
    # person was not a member on the day)
    members = Cadre.objects.filter(branch_memberships__branch_id=activity.organiser_branch_id)
    cadre = get_object_or_404((Cadre.objects.for_user(request.user) | members).distinct(), pk=cadre_pk)
    form = FollowUpForm(posted(request), initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_follow_up(
                activity=activity,
                cadre=cadre,
                how=data["how"],
                done_on=data["done_on"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已记录对%(name)s的跟进。") % {"name": cadre.name})
            month = timezone.localtime(activity.starts_at).strftime("%Y-%m")
            return redirect(f"{reverse('absence_list')}?month={month}#activity-{activity.pk}")
    excuse = excuse_of(cadre, timezone.localtime(activity.starts_at).date())
    if excuse and not can_see_health(request.user):
        excuse = _("不计入参与率")  # why (卧床, 外出) is a health fact the reader may not see
    context = {"form": form, "activity": activity, "cadre": cadre, "excuse": excuse}
    return render(request, "activities/follow_up_form.html", context)


def _excuse_initial(cadre: Cadre) -> dict:
    """The form's starting state: what holds now."""
    held = {excuse.reason: excuse for excuse in AttendanceExcuse.objects.open().filter(cadre=cadre)}
    in_person = next((reason for reason in IN_PERSON_REASONS if reason in held), "")
    away = held.get(Attendance.LIVES_AWAY)
    return {"attendance": in_person, "lives_away": away is not None, "away_place": away.place if away else ""}


@require_POST
def cadre_attendance(request, pk):
    """From a day of this month, a member is bedridden or away, lives elsewhere, or is back to normal
    (followed up at home, not counted absent, on the days it holds: ``cadres.services.mark_attendance``)."""
    _require_worker(request)
    if not can_see_health(request.user):
        raise PermissionDenied  # why a member cannot come (卧床) is a health fact
    cadre = get_object_or_404(Cadre.objects.for_user(request.user), pk=pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("cadre_file", cadre.pk)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            mark_attendance(cadre=cadre, attendance=data["attendance"], on=data["on"], by=request.user)
            mark_lives_away(
                cadre=cadre, lives_away=data["lives_away"], place=data["away_place"], on=data["on"], by=request.user
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已更新%(name)s参加组织生活的情况。") % {"name": cadre.name})
    return redirect("cadre_file", cadre.pk)
