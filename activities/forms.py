from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivitySeries, FollowUp, Need, Resource, RoomRequest
from cadres.models import IN_PERSON_REASONS, MobileMember, PartyBranch, ServiceCategory, Visit
from cadres.services import excuse_day_bounds
from communities.models import Venue
from core import dates
from core.forms import IdField


class DateInput(forms.DateInput):
    """The phone's date picker: <input type=date> takes only ISO dates, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class ActivityForm(forms.ModelForm):
    """A worker's new activity: the date and the two times typed the way they say them."""

    date = forms.DateField(label=_("日期"), widget=DateInput(), validators=[dates.planned])
    start_time = forms.TimeField(label=_("开始"), widget=TimeInput())
    end_time = forms.TimeField(label=_("结束"), widget=TimeInput())

    class Meta:
        model = Activity
        fields = ["kind", "title", "venue", "organiser_branch"]

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["venue"].queryset = Venue.objects.in_community(community).filter(is_active=True)
        self.fields["venue"].label_from_instance = lambda venue: venue.name  # all are of my community
        # my own branches: a unit's branch meeting here holds its own activities (through a room request)
        self.fields["organiser_branch"].queryset = PartyBranch.objects.in_community(community).filter(
            owner__isnull=True
        )
        if self.instance.pk and self.instance.is_guest():
            # a guest's activity in my room: I may move it (day, times, room) or cancel it, never make it mine
            branch = self.instance.organiser_branch_id
            self.fields["organiser_branch"].queryset = PartyBranch.objects.filter(pk=branch)
            for name in ("kind", "title", "organiser_branch"):
                self.fields[name].disabled = True
            self.fields["title"].help_text = _(
                "这是借用本社区场地的其他组织的活动：可以调整时间和场地，不能改为本社区的活动。"
            )
        if self.instance.pk:
            starts, ends = timezone.localtime(self.instance.starts_at), timezone.localtime(self.instance.ends_at)
            self.initial.update(date=starts.date(), start_time=starts.time(), end_time=ends.time())
        else:
            self.fields["date"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        date, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if date and start and end:
            tz = timezone.get_current_timezone()
            self.instance.starts_at = timezone.make_aware(timezone.datetime.combine(date, start), tz)
            self.instance.ends_at = timezone.make_aware(timezone.datetime.combine(date, end), tz)
            if end <= start:
                self.add_error("end_time", _("结束时间要晚于开始时间。"))
        self.instance.community = self.community
        return cleaned


class ActivitySeriesForm(forms.ModelForm):
    """A recurring activity: what, where, how often, from which date to which."""

    class Meta:
        model = ActivitySeries
        fields = [
            "kind",
            "title",
            "venue",
            "organiser_branch",
            "repeat",
            "first_date",
            "last_date",
            "start_time",
            "end_time",
        ]
        widgets = {
            "first_date": DateInput(),
            "last_date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
        }

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.fields["venue"].queryset = Venue.objects.in_community(community).filter(is_active=True)
        self.fields["venue"].label_from_instance = lambda venue: venue.name
        self.fields["venue"].required = True
        self.fields["organiser_branch"].queryset = PartyBranch.objects.in_community(community).filter(
            owner__isnull=True
        )


# --- the daily parts of the three lists, care and the time bank -----------------------------------


class NeedForm(forms.ModelForm):
    """A need raised by the worker: from a cadre (picked by name) or from the community."""

    class Meta:
        model = Need
        fields = ["title", "category", "urgency", "description", "raised_on"]
        widgets = {
            "raised_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["raised_on"].initial = timezone.localdate()


class MatchNeedForm(forms.Form):
    """Who takes the need: a suggested talent, team or resource, or a unit typed in."""

    talent = IdField(required=False, widget=forms.HiddenInput)
    group = IdField(required=False, widget=forms.HiddenInput)
    resource = IdField(required=False, widget=forms.HiddenInput)
    taken_by_name = forms.CharField(label=_("接单方（单位或个人）"), max_length=100, required=False)
    on = forms.DateField(label=_("对接日期"), widget=DateInput(), validators=[dates.done])


class FinishNeedForm(forms.Form):
    """Resolve or close a need, dated, with what was done."""

    on = forms.DateField(label=_("日期"), widget=DateInput(), validators=[dates.done])
    outcome = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class VisitForm(forms.Form):
    """A visit recorded on the phone; ticking 发现需求 raises a need in the same step."""

    kind = forms.ChoiceField(label=_("方式"), choices=Visit.Kind.choices, initial=Visit.Kind.ROUTINE)
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput(), validators=[dates.done])
    visitors = forms.CharField(label=_("走访人"), max_length=100)
    summary = forms.CharField(label=_("情况记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    raise_need = forms.BooleanField(label=_("走访中发现需求，登记到需求清单"), required=False)
    need_title = forms.CharField(label=_("需求"), max_length=200, required=False)
    need_category = forms.ChoiceField(label=_("类别"), choices=ServiceCategory.choices, required=False)
    need_urgency = forms.ChoiceField(label=_("紧急程度"), choices=Need.Urgency.choices, initial=Need.Urgency.NORMAL)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("raise_need"):
            if not cleaned.get("need_title"):
                self.add_error("need_title", _("请填写需求内容。"))
            if not cleaned.get("need_category"):
                self.add_error("need_category", _("请选择需求类别。"))
        return cleaned

    def need(self):
        """The need to raise with the visit, or None."""
        data = self.cleaned_data
        if not data.get("raise_need"):
            return None
        return {"title": data["need_title"], "category": data["need_category"], "urgency": data["need_urgency"]}


class FollowUpForm(forms.Form):
    """送学上门 recorded on the phone: how the absent member got the activity's content, and when."""

    how = forms.ChoiceField(
        label=_("方式"), choices=FollowUp.How.choices, initial=FollowUp.How.AT_HOME, widget=forms.RadioSelect
    )
    done_on = forms.DateField(label=_("跟进日期"), widget=DateInput(), validators=[dates.done])
    note = forms.CharField(
        label=_("情况"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：送去学习材料，讲了本次主题党日的内容。"),
    )


class AttendanceForm(forms.Form):
    """送学上门: from which day a member is bedridden, long away or living elsewhere (``cadres.services``)."""

    attendance = forms.ChoiceField(
        label=_("参加组织生活"),
        choices=[("", _("正常参加"))] + [(reason.value, reason.label) for reason in IN_PERSON_REASONS],
        required=False,
    )
    lives_away = forms.BooleanField(label=_("易地居住"), required=False)
    away_place = forms.CharField(label=_("易地居住地"), max_length=100, required=False)
    on = forms.DateField(label=_("从哪天起"), widget=DateInput(), validators=[dates.in_life])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        earliest, latest = excuse_day_bounds()
        self.fields["on"].widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())
        self.fields["on"].initial = latest


class ServiceHoursForm(forms.Form):
    """Hours of service the worker has verified, for the time bank."""

    served_on = forms.DateField(label=_("服务日期"), widget=DateInput(), validators=[dates.done])
    hours = forms.DecimalField(
        label=_("时长（小时）"),
        min_value=0.5,
        max_value=24,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    description = forms.CharField(label=_("服务内容"), max_length=200)


class ResourceForm(forms.ModelForm):
    """A resource the community can offer (资源清单)."""

    class Meta:
        model = Resource
        fields = ["name", "kind", "category", "provider", "contact", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TapMomentField(forms.DateTimeField):
    """When a phone says a tap was made. A time out of bounds (a phone's clock that is wrong) does not lose
    the tap: the time is dropped and the tap counts from when it arrived."""

    default_validators = [dates.done]

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError:
            return None


class TapForm(forms.Form):
    """One sign-in tap as a phone sends it: a cadre or a walk-in's name, the phone's key for the tap,
    and for a tap stored while the phone had no signal, when it was made."""

    key = forms.UUIDField(required=False)
    cadre = IdField(required=False)
    walk_in_name = forms.CharField(required=False, max_length=50)
    at = TapMomentField(required=False)


# --- 一方隶属、多方管理: registration and mobile members ---------------------------------------------


class RegistrationForm(forms.Form):
    reported_on = forms.DateField(label=_("报到日期"), widget=DateInput(), validators=[dates.done])
    follow_up = forms.CharField(label=_("认领岗位或说明"), max_length=200, required=False)


class MobileContactForm(forms.Form):
    contacted_on = forms.DateField(label=_("联系日期"), widget=DateInput(), validators=[dates.done])
    note = forms.CharField(label=_("联系情况"), max_length=200, required=False)


class ReturnedForm(forms.Form):
    returned_on = forms.DateField(label=_("返回日期"), widget=DateInput(), validators=[dates.done])


class MobileMemberForm(forms.ModelForm):
    class Meta:
        model = MobileMember
        fields = ["place", "contact", "left_on", "contact_interval_days", "notes"]
        widgets = {"left_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}


# --- shared rooms --------------------------------------------------------------------------------


class RoomRequestForm(forms.ModelForm):
    """A unit's request for a time in a community's room: the date and times as the finder offered them."""

    date = forms.DateField(label=_("日期"), widget=DateInput(), validators=[dates.planned])
    start_time = forms.TimeField(label=_("开始"), widget=TimeInput())
    end_time = forms.TimeField(label=_("结束"), widget=TimeInput())

    class Meta:
        model = RoomRequest
        fields = ["branch", "kind", "title", "people"]

    def __init__(self, *args, venue, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.venue = venue
        self.fields["branch"].queryset = branches
        if branches.count() == 1:
            self.fields["branch"].initial = branches.first()

    def clean(self):
        cleaned = super().clean()
        date, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if date and start and end:
            tz = timezone.get_current_timezone()
            self.instance.starts_at = timezone.make_aware(timezone.datetime.combine(date, start), tz)
            self.instance.ends_at = timezone.make_aware(timezone.datetime.combine(date, end), tz)
            if end <= start:
                self.add_error("end_time", _("结束时间要晚于开始时间。"))
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("不能同意的原因"), max_length=200, help_text=_("申请单位会看到。"))
