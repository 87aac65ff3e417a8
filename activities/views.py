"""The community worker's activity pages: create, sign people in, print the sign-in book."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.forms import ActivityForm, ActivitySeriesForm, TapForm
from activities.models import Activity, ActivityPhoto, RecordDraft, SignIn
from activities.photos import add_photo
from activities.screens import grant_for, issue_grant, live_grants, revoke_grants
from activities.selectors import organisers_of, venue_hours_by_month, venue_hours_in_month, venue_week
from activities.self_sign_in import (
    activity_for_token,
    count_failure,
    is_open,
    note_try,
    qr_svg,
    svg_of,
    wait_before_try,
    window,
)
from activities.services import (
    cancel_activity,
    create_series,
    record_sign_in,
    restore_activity,
    save_activity,
    save_record,
    undo_sign_in,
)
from cadres.models import BranchMembership, Cadre, PartyBranch
from cadres.selectors import find_cadre_for_self_sign_in, search_cadres, search_result
from communities.models import Community, Venue
from core.audit import client_ip
from core.dates import local_midnight, next_month, parse_day, parse_month, week_start
from core.forms import parse_id, posted
from core.scope import scope_of

BOOK_PAGE = 30  # 一员一簿: the printed sign-in book holds 30 names an A4 page


def _require_worker(request):
    """A community worker's scope (the role is checked by the gate); an account without one is refused."""
    scope = scope_of(request.user)
    if scope.level != "community":
        raise PermissionDenied
    return scope


def _worker_community(request):
    """The community of a community worker."""
    return Community.objects.get(pk=_require_worker(request).community_id)


def _activity(request, pk):
    _require_worker(request)
    queryset = Activity.objects.for_user(request.user).select_related("venue", "organiser_branch", "community")
    return get_object_or_404(queryset, pk=pk)


def _expected(activity):
    if not activity.organiser_branch_id:
        return None
    return BranchMembership.objects.current().filter(branch_id=activity.organiser_branch_id).count()


def _book_context(activity):
    # newest first on the phone: the name just signed in is at the top (the print keeps the order of arrival)
    sign_ins = list(activity.sign_ins.select_related("cadre").only(*BOOK_ROW_FIELDS).order_by("-signed_at", "-pk"))
    return {
        "activity": activity,
        "sign_ins": sign_ins,
        "signed": len(sign_ins),
        "expected": _expected(activity),
        "last_pk": max((sign_in.pk for sign_in in sign_ins), default=0),
    }


# what a row of the book shows: no encrypted column of the cadre is read (nor decrypted) for it
BOOK_ROW_FIELDS = ("activity_id", "cadre_id", "cadre__name", "walk_in_name", "signed_at", "method")


def activity_new(request):
    """Create an activity of my community; a clash at the venue is named, not saved."""
    community = _worker_community(request)
    form = ActivityForm(posted(request), community=community)
    if request.method == "POST" and form.is_valid():
        try:
            activity = save_activity(activity=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("activity_detail", activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "community": community})


def activity_edit(request, pk):
    """Change one activity (one date of a series moves alone); a clash is named, not saved."""
    activity = _activity(request, pk)
    form = ActivityForm(posted(request), instance=activity, community=activity.community)
    if request.method == "POST" and form.is_valid():
        try:
            save_activity(activity=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("activity_detail", activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


def activity_detail(request, pk):
    """The activity on a phone: search, tap to sign in, the book so far."""
    activity = _activity(request, pk)
    context = _book_context(activity)
    if activity.status == Activity.Status.CANCELLED:  # no QR and no sign-in: the page says so and offers a restore
        context["photos"] = []
        return render(request, "activities/activity_detail.html", context)
    context["qr"] = qr_svg(request, activity)
    context["qr_open"], context["qr_closes"] = window(activity)
    context["photos"] = list(activity.photos.only("pk", "activity_id"))
    # a record typed but not saved (a session that timed out, a phone that locked) comes back here
    context["draft"] = RecordDraft.objects.filter(activity=activity, author=request.user).first()
    return render(request, "activities/activity_detail.html", context)


def activity_search(request, pk):
    """Cadres of the community matching the box (name, pinyin initials, full pinyin, phone's last 4)."""
    activity = _activity(request, pk)
    query = request.GET.get("q", "")
    results = list(search_cadres(community=activity.community, query=query))
    signed = dict(activity.sign_ins.filter(cadre__in=results).values_list("cadre_id", "pk"))
    for cadre in results:
        cadre.signed_in = SignIn(pk=signed[cadre.pk]) if cadre.pk in signed else None
    return render(
        request, "activities/_search_results.html", {"activity": activity, "results": results, "query": query}
    )


@require_POST
def activity_sign_in(request, pk):
    """One tap signs a cadre in (or a walk-in resident by name); a second tap changes nothing."""
    activity = _activity(request, pk)
    tap = TapForm(request.POST)
    if not tap.is_valid():  # a walk-in's name of more than 50 characters, a mangled form
        errors = [message for messages in tap.errors.values() for message in messages]
        return _tap_response(request, activity, {"error": " ".join(errors)})
    cadre = None
    if tap.cleaned_data["cadre"]:
        cadre = get_object_or_404(Cadre.objects.for_user(request.user).living(), pk=tap.cleaned_data["cadre"])
    context = {}
    try:
        sign_in, created = record_sign_in(
            activity=activity,
            cadre=cadre,
            walk_in_name=tap.cleaned_data["walk_in_name"],
            by=request.user,
            key=tap.cleaned_data["key"],
        )
        context["sign_in"] = sign_in if created else None
        context["sign_in_for_row"] = sign_in
        context["notice"] = None if created else "already"
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
    if cadre is not None and request.POST.get("from") == "search":
        context["from_search"] = True
        context["cadre"] = search_result(community=activity.community, pk=cadre.pk)
    return _tap_response(request, activity, context)


@require_POST
def activity_undo(request, pk, sign_in_pk):
    """Take back a mistaken tap (from the book or from the search results)."""
    activity = _activity(request, pk)
    sign_in = get_object_or_404(SignIn, pk=sign_in_pk, activity=activity)
    cadre_pk = sign_in.cadre_id
    try:
        undo_sign_in(sign_in=sign_in)
    except ValidationError as error:  # the month is frozen: the line stays, and the worker is told why
        return _tap_response(request, activity, {"error": " ".join(error.messages)})
    context = {"undone": sign_in_pk}
    if cadre_pk is not None:
        result = search_result(community=activity.community, pk=cadre_pk)
        if request.POST.get("from") == "search":
            context.update(from_search=True, cadre=result, sign_in_for_row=None)
        else:
            context["undone_cadre"] = result  # a result row on the screen turns back to 签到
    return _tap_response(request, activity, context)


def _tap_response(request, activity, extra):
    """The answer to a tap: the row(s) it changed and the count, never the whole book (a few KB at any size)."""
    if request.htmx:
        context = {"activity": activity, "signed": activity.sign_ins.count(), "expected": _expected(activity)}
        return render(request, "activities/_book_tap.html", {**context, **extra})
    return redirect("activity_detail", activity.pk)


def activity_book_updates(request, pk):
    """Every few seconds the open sign-in page asks what is new (QR self sign-ins, a second worker's taps):
    the lines after the last one it has, and the count."""
    activity = _activity(request, pk)
    after = parse_id(request.GET.get("after")) or 0
    rows = list(
        activity.sign_ins.filter(pk__gt=after).select_related("cadre").only(*BOOK_ROW_FIELDS).order_by("pk")[:BOOK_PAGE]
    )
    context = {
        "activity": activity,
        "rows": rows,
        "after": rows[-1].pk if rows else after,
        "signed": activity.sign_ins.count(),
        "expected": _expected(activity),
    }
    return render(request, "activities/_book_updates.html", context)


def _book_pages(activity):
    """The sign-in book of an activity cut into A4 pages of 30 lines (blank lines for late arrivals)."""
    sign_ins = list(activity.sign_ins.all())
    pages = []
    for start in range(0, max(len(sign_ins), 1), BOOK_PAGE):
        rows = [(start + index + 1, sign_in) for index, sign_in in enumerate(sign_ins[start : start + BOOK_PAGE])]
        rows += [(None, None)] * (BOOK_PAGE - len(rows))
        pages.append(rows)
    return {"activity": activity, "pages": pages, "total": len(sign_ins)}


def _signed_book_queryset():
    return SignIn.objects.select_related("cadre").order_by("signed_at", "pk")


def activity_screen(request, pk):
    """The liaison opens the room's screen (大屏) for one activity: a link for the room's PC, shown once,
    that carries no session (``activities/screens.py``); or takes every open screen back."""
    activity = _activity(request, pk)
    context = {"activity": activity}
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            taken = revoke_grants(activity=activity, by=request.user, request=request)
            messages.success(request, _("已收回%(count)d块大屏。") % {"count": taken})
            return redirect("activity_screen", activity.pk)
        try:
            secret = issue_grant(activity=activity, by=request.user, request=request)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect("activity_detail", activity.pk)
        link = request.build_absolute_uri(reverse("room_screen", args=[secret]))
        context.update(link=link, link_qr=svg_of(link, scale=4))
    context["live"] = live_grants(activity).count()
    return render(request, "activities/activity_screen.html", context)


def _screen_context(request, grant):
    activity = grant.activity
    return {
        "activity": activity,
        "signed": activity.sign_ins.count(),
        "now": timezone.localtime(),
        "secret": request.resolver_match.kwargs["secret"],
    }


@login_not_required
def room_screen(request, secret):
    """The room's screen: the activity's QR, the count and the time, large; no names, no links."""
    grant = grant_for(secret)
    if grant is None:
        return render(request, "activities/room_screen.html", {"ended": True}, status=404)
    context = _screen_context(request, grant)
    context["qr"] = qr_svg(request, grant.activity, fit=True)
    context["qr_open"], context["qr_closes"] = window(grant.activity)
    return render(request, "activities/room_screen.html", context)


@login_not_required
def room_screen_count(request, secret):
    """The screen's count, every few seconds; once the grant has ended, 286 tells htmx to stop asking."""
    grant = grant_for(secret)
    if grant is None:
        # 286 stops htmx polling; the page loads again and shows only 大屏已停用 (no QR left on the screen)
        response = render(request, "activities/_screen_count.html", {"ended": True}, status=286)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "activities/_screen_count.html", _screen_context(request, grant))


def activity_print(request, pk):
    """The sign-in book for the browser's print: 30 names an A4 page, with a signature column."""
    activity = _activity(request, pk)
    activity = Activity.objects.prefetch_related(Prefetch("sign_ins", queryset=_signed_book_queryset())).get(
        pk=activity.pk
    )
    liaison = request.user.get_full_name() or request.user.get_username()
    context = {"books": [_book_pages(activity)], "liaison": liaison, "back": reverse("activity_detail", args=[pk])}
    return render(request, "activities/activity_print.html", context)


def branch_month_print(request, branch_pk, month):
    """A month of sign-in books of one branch, for the bureau's ledgers (一支部一档案)."""
    branch = get_object_or_404(PartyBranch.objects.for_user(request.user), pk=branch_pk)
    first = parse_month(month)
    if first is None:
        raise Http404
    activities = (
        Activity.objects.held()
        .filter(organiser_branch=branch)
        .between(local_midnight(first), local_midnight(next_month(first)))
        .select_related("venue", "community")
        .prefetch_related(Prefetch("sign_ins", queryset=_signed_book_queryset()))
        .order_by("starts_at")
    )
    books = [_book_pages(activity) for activity in activities]
    back = reverse("branch_archive", args=[branch.pk])
    context = {"books": books, "liaison": "", "branch": branch, "month": first, "back": back}
    return render(request, "activities/activity_print.html", context)


# --- QR self sign-in (no login: the cadre's own phone) ------------------------------------------


@login_not_required
def self_sign_in(request, token):
    """A cadre signs in with name and the last 4 digits of phone or ID number; answers reveal nobody."""
    activity = activity_for_token(token)
    if activity is None:
        raise Http404
    opens, closes = window(activity)
    context = {"activity": activity, "opens": opens, "closes": closes}
    if not is_open(activity):
        return render(request, "activities/self_sign_in.html", {**context, "closed": True})
    if request.method == "POST":
        name, ip = request.POST.get("name", ""), client_ip(request) or "-"
        wait = wait_before_try(activity_id=activity.pk, ip=ip, name=name)
        if wait is None:
            context["message"] = _("这个姓名尝试次数过多，请现场工作人员帮您签到。")
            return render(request, "activities/self_sign_in.html", context, status=429)
        if wait:
            context["message"] = _("请稍等 %(seconds)d 秒，再点“签到”。") % {"seconds": wait}
            context["name"] = name
            return render(request, "activities/self_sign_in.html", context, status=429)
        note_try(activity_id=activity.pk, ip=ip, name=name)
        cadre = find_cadre_for_self_sign_in(
            community=activity.community, name=name, digits=request.POST.get("digits", "")
        )
        if cadre is None:
            count_failure(activity_id=activity.pk, ip=ip, name=name)
            context["message"] = _("未能签到：请核对姓名和后四位数字，或请现场工作人员帮您签到。")
            context["name"] = name
        else:
            record_sign_in(activity=activity, cadre=cadre, method=SignIn.Method.QR)
            context["welcome"] = cadre.name
    return render(request, "activities/self_sign_in.html", context)


# --- the record book (写实册): text and photos ---------------------------------------------------


@require_POST
def activity_record(request, pk):
    """Save the activity's written record; an activity with a record has been held."""
    activity = _activity(request, pk)
    try:
        save_record(activity=activity, text=request.POST.get("record", ""), by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("activity_detail", activity.pk)
    messages.success(request, _("活动记录已保存。"))
    return redirect("activity_detail", activity.pk)


@require_POST
def activity_record_draft(request, pk):
    """Keep what is being typed into the record, a few seconds after each pause (the page sends it)."""
    activity = _activity(request, pk)
    text = request.POST.get("record", "")[: RecordDraft._meta.get_field("text").max_length]
    if text.strip() == activity.record.strip():
        RecordDraft.objects.filter(activity=activity, author=request.user).delete()
    else:
        RecordDraft.objects.update_or_create(activity=activity, author=request.user, defaults={"text": text})
    saved = timezone.localtime().strftime("%H:%M")
    return HttpResponse(_("草稿已保存（%(time)s）") % {"time": saved})


@require_POST
def activity_photo_upload(request, pk):
    """Photos straight from the phone's camera; each is checked by content and stripped of EXIF."""
    activity = _activity(request, pk)
    files = request.FILES.getlist("photos")
    added = 0
    for upload in files:
        try:
            add_photo(activity=activity, upload=upload, by=request.user)
            added += 1
        except ValidationError as error:
            messages.error(request, f"{upload.name}：{' '.join(error.messages)}")
    if added:
        messages.success(request, _("已上传%(count)d张照片。") % {"count": added})
    return redirect("activity_detail", activity.pk)


def activity_photo(request, pk, photo_pk, size):
    """A photo or its thumbnail, only for users whose scope holds the activity (leaders see figures only)."""
    photo = get_object_or_404(
        ActivityPhoto.objects.for_user(request.user).select_related("activity"), pk=photo_pk, activity_id=pk
    )
    field = photo.thumbnail if size == "thumb" else photo.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the venue schedule (活动安排表) and series -------------------------------------------------


def venue_list(request):
    """My community's venues with this month's hours of use."""
    community = _worker_community(request)
    today = timezone.localdate()
    venues = list(Venue.objects.in_community(community).filter(is_active=True).order_by("name"))
    hours = venue_hours_by_month(venues=venues, month=today)
    venues = [(venue, hours[venue.pk]) for venue in venues]
    return render(request, "activities/venue_list.html", {"community": community, "venues": venues, "today": today})


def venue_schedule(request, pk):
    """One venue's week: every organisation's use of the room, and its hours this month."""
    community = _worker_community(request)
    venue = get_object_or_404(Venue.objects.in_community(community), pk=pk)
    day = parse_day(request.GET.get("week"), timezone.localdate())
    monday = week_start(day)
    month = monday + datetime.timedelta(days=3)  # a week belongs to the month of its Thursday
    context = {
        "venue": venue,
        "days": venue_week(venue=venue, monday=monday),
        "monday": monday,
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
        "month": month,
        "hours": venue_hours_in_month(venue=venue, month=month),
        "organisers": organisers_of(venue=venue, since=monday - datetime.timedelta(days=90)),
    }
    return render(request, "activities/venue_schedule.html", context)


def series_new(request):
    """Create a recurring activity once; a clash on any date is named and nothing is saved."""
    community = _worker_community(request)
    form = ActivitySeriesForm(posted(request), community=community)
    if request.method == "POST" and form.is_valid():
        try:
            occurrences = create_series(series=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已创建%(count)d次活动。") % {"count": len(occurrences)})
            return redirect(
                f"{reverse('venue_schedule', args=[form.instance.venue_id])}?week={occurrences[0].starts_at.date()}"
            )
    return render(request, "activities/series_form.html", {"form": form})


def activity_cancel(request, pk):
    """Cancel one date (of a series or not) after a confirmation; the others stay as they are."""
    activity = _activity(request, pk)
    if request.method != "POST" or activity.status == Activity.Status.CANCELLED:
        return render(request, "activities/activity_cancel.html", {"activity": activity, "back": _back_to(activity)})
    try:
        cancel_activity(activity=activity)
    except ValidationError as error:  # the month is frozen
        messages.error(request, " ".join(error.messages))
        return redirect("activity_detail", pk=activity.pk)
    messages.success(
        request, _("已取消：%(title)s。如取消错了，可在活动页面点“恢复活动”。") % {"title": activity.title}
    )
    return redirect(_back_to(activity))


@require_POST
def activity_restore(request, pk):
    """Undo a cancellation, if the slot at the venue is still free (else the reason names the clash)."""
    activity = _activity(request, pk)
    try:
        restore_activity(activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已恢复：%(title)s") % {"title": activity.title})
    return redirect("activity_detail", pk=activity.pk)


def _back_to(activity) -> str:
    """Where a cancelled activity's worker returns to: the room's week, or the home page."""
    if activity.venue_id:
        local = timezone.localtime(activity.starts_at).date()
        return f"{reverse('venue_schedule', args=[activity.venue_id])}?week={local}"
    return reverse("worker_home")
