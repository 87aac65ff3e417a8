"""一方隶属、多方管理 on the worker's phone: who has not reported, who has, mobile members, members without a home.

Each list comes from ``cadres.members`` inside the worker's scope and downloads as the same rows in a workbook.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.forms import MobileContactForm, MobileMemberForm, RegistrationForm, ReturnedForm
from activities.views import _require_worker
from activities.views_lists import _picked_cadre
from cadres import members
from cadres.models import Cadre, MobileMember
from communities.models import AuditEvent
from core.audit import record_event
from core.forms import posted
from core.privacy import age_by_month
from core.spreadsheets import add_sheet, new_workbook, to_bytes, xlsx_response

LISTS = {
    "unregistered": gettext_lazy("居住未报到"),
    "registered": gettext_lazy("已报到党员"),
    "mobile": gettext_lazy("流动党员"),
    "homeless": gettext_lazy("组织关系未落实"),
}


def _rows(name: str, scope, today: datetime.date):
    """The list's entries and, for the workbook, its headers and rows."""
    if name == "unregistered":
        cadres = list(
            members.with_home(members.not_registered(scope, today))
            .select_related("former_unit")
            .order_by("name_pinyin", "pk")
        )
        headers = [_("姓名"), _("年龄"), _("原工作单位"), _("组织关系所在")]
        rows = [
            [c.name, age_by_month(c.birth_date, today), str(c.former_unit or ""), members.home_text(c)] for c in cadres
        ]
        return cadres, headers, rows
    if name == "registered":
        registrations = list(members.registrations(scope))
        headers = [_("姓名"), _("报到日期"), _("状态"), _("原工作单位"), _("组织关系所在"), _("最近跟进")]
        rows = [
            [
                r.cadre.name,
                r.reported_on,
                r.get_status_display(),
                str(r.cadre.former_unit or ""),
                f"{r.home_unit}·{r.home_branch}" if r.home_unit else (r.home_branch or r.cadre.membership_elsewhere),
                r.followed_up_on,
            ]
            for r in registrations
        ]
        return registrations, headers, rows
    if name == "mobile":
        records = members.by_due_date(members.mobile_members(scope), today)
        headers = [_("姓名"), _("现所在地"), _("外出时间"), _("上次联系"), _("联系周期"), _("应联系日期")]
        rows = [
            [m.cadre.name, m.place, m.left_on, m.last_seen, m.get_contact_interval_days_display(), m.due_on]
            for m in records
        ]
        return records, headers, rows
    cadres = list(members.without_home(scope, today).select_related("former_unit").order_by("name_pinyin", "pk"))
    headers = [_("姓名"), _("年龄"), _("原工作单位")]
    rows = [[c.name, age_by_month(c.birth_date, today), str(c.former_unit or "")] for c in cadres]
    return cadres, headers, rows


def member_list(request, name="unregistered"):
    """One of the four lists, with the count of each in the tabs."""
    if name not in LISTS:
        raise Http404
    scope = _require_worker(request)
    today = timezone.localdate()
    entries, _headers, _values = _rows(name, scope, today)
    counts = {
        "unregistered": members.not_registered(scope, today).count(),
        "registered": members.registrations(scope).count(),
        "mobile": members.mobile_members(scope).count(),
        "homeless": members.without_home(scope, today).count(),
    }
    tabs = [(key, label, counts[key]) for key, label in LISTS.items()]
    context = {
        "name": name,
        "title": LISTS[name],
        "tabs": tabs,
        "entries": entries,
        "today": today,
        "overdue": [entry for entry in entries if name == "mobile" and entry.days_overdue > 0],
    }
    return render(request, "activities/member_list.html", context)


def member_list_xlsx(request, name):
    if name not in LISTS:
        raise Http404
    scope = _require_worker(request)
    today = timezone.localdate()
    _entries, headers, rows = _rows(name, scope, today)
    record_event(kind=AuditEvent.Kind.DOWNLOAD, request=request, what="member_list", list=name, rows=len(rows))
    workbook = new_workbook()
    add_sheet(workbook, LISTS[name], headers, rows, [14] * len(headers), heading=f"{LISTS[name]}（{today:%Y-%m-%d}）")
    return xlsx_response(to_bytes(workbook), f"{LISTS[name]}-{today:%Y%m%d}.xlsx")


def register_member(request, pk):
    """Record a member's 居住地报到 in my community (from the 居住未报到 list)."""
    _require_worker(request)
    cadre = get_object_or_404(Cadre.objects.for_user(request.user).living().filter(is_party_member=True), pk=pk)
    form = RegistrationForm(posted(request), initial={"reported_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            members.register(
                cadre=cadre,
                on=form.cleaned_data["reported_on"],
                by=request.user,
                follow_up=form.cleaned_data["follow_up"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已登记%(name)s居住地报到。") % {"name": cadre.name})
            return redirect("member_list")
    return render(request, "activities/member_form.html", {"form": form, "cadre": cadre, "what": _("居住地报到")})


def mobile_new(request):
    """Put a member on the mobile-members list (流动党员) with where they are and how to reach them."""
    _require_worker(request)
    cadre = _picked_cadre(request)
    form = MobileMemberForm(posted(request), initial={"left_on": timezone.localdate()})
    if request.method == "POST" and cadre is None:
        form.add_error(None, _("请先选择党员。"))
    if request.method == "POST" and cadre is not None and form.is_valid():
        form.instance.cadre = cadre
        try:
            members.record_mobile(mobile=form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已登记流动党员%(name)s。") % {"name": cadre.name})
            return redirect("member_list_named", "mobile")
    context = {"form": form, "cadre": cadre, "picker": True, "what": _("登记流动党员")}
    return render(request, "activities/member_form.html", context)


def _mobile(request, pk):
    _require_worker(request)
    return get_object_or_404(MobileMember.objects.for_user(request.user).open().select_related("cadre"), pk=pk)


def mobile_contact(request, pk):
    """Record a contact with a mobile member; the next is due one interval later."""
    mobile = _mobile(request, pk)
    form = MobileContactForm(posted(request), initial={"contacted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        members.record_contact(
            mobile=mobile, on=form.cleaned_data["contacted_on"], note=form.cleaned_data["note"], by=request.user
        )
        messages.success(request, _("已记录与%(name)s的联系。") % {"name": mobile.cadre.name})
        return redirect("member_list_named", "mobile")
    context = {
        "form": form,
        "cadre": mobile.cadre,
        "what": _("记录联系"),
        "back": reverse("member_list_named", args=["mobile"]),
    }
    return render(request, "activities/member_form.html", context)


def mobile_returned(request, pk):
    """A mobile member is back: the record closes (the history keeps it)."""
    mobile = _mobile(request, pk)
    form = ReturnedForm(posted(request), initial={"returned_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            members.mark_returned(mobile=mobile, on=form.cleaned_data["returned_on"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s已返回。") % {"name": mobile.cadre.name})
            return redirect("member_list_named", "mobile")
    context = {
        "form": form,
        "cadre": mobile.cadre,
        "what": _("返回登记"),
        "back": reverse("member_list_named", args=["mobile"]),
    }
    return render(request, "activities/member_form.html", context)
