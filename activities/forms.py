from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivitySeries
from cadres.models import PartyBranch
from communities.models import Venue


class ActivityForm(forms.ModelForm):
    """A worker's new activity: the date and the two times typed the way they say them."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}))

    class Meta:
        model = Activity
        fields = ["kind", "title", "venue", "organiser_branch"]

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["venue"].queryset = Venue.objects.in_community(community).filter(is_active=True)
        self.fields["venue"].label_from_instance = lambda venue: venue.name  # all are of my community
        self.fields["organiser_branch"].queryset = PartyBranch.objects.in_community(community)
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
        fields = ["kind", "title", "venue", "organiser_branch", "repeat", "first_date", "last_date",
                  "start_time", "end_time"]  # fmt: skip
        widgets = {
            "first_date": forms.DateInput(attrs={"type": "date"}),
            "last_date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.community = community
        self.fields["venue"].queryset = Venue.objects.in_community(community).filter(is_active=True)
        self.fields["venue"].label_from_instance = lambda venue: venue.name
        self.fields["venue"].required = True
        self.fields["organiser_branch"].queryset = PartyBranch.objects.in_community(community)
