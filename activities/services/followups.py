"""送学上门: recording how an absence was followed up (who cannot come is marked in ``cadres.services``)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.absences import BRANCH_LIFE, absences_of
from activities.models import Activity, FollowUp
from approvals.lock import assert_record_open
from cadres.models import Cadre

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def record_follow_up(
    *, activity: Activity, cadre: Cadre, how: str, done_on: datetime.date, note: str, by: User | None
) -> FollowUp:
    """One follow-up per absence; the member must belong to the activity's branch and not have signed in."""
    follow_up = FollowUp(activity=activity, cadre=cadre, how=how, done_on=done_on, note=note.strip(), recorded_by=by)
    assert_record_open(follow_up)  # the month of the branch's community, which counts it (not the lent room's)
    if activity.kind not in BRANCH_LIFE or not activity.organiser_branch_id:
        raise ValidationError(_("只有支部的组织生活、主题党日和学习活动需要送学上门。"))
    if activity.sign_ins.filter(cadre=cadre).exists():
        raise ValidationError(_("这位党员已经签到参加了活动，不需要送学上门。"))
    # an absence as the list defines it: a member of the branch on the activity's day
    [entry] = absences_of(Activity.objects.filter(pk=activity.pk))
    if all(absence.cadre.pk != cadre.pk for absence in entry.absences):
        raise ValidationError(_("这位党员不是组织这次活动的支部的成员。"))
    if done_on < timezone.localtime(activity.starts_at).date():
        raise ValidationError(_("跟进日期不能早于活动日期。"))
    follow_up.full_clean(exclude=["activity", "cadre", "recorded_by"], validate_unique=False)
    try:
        with transaction.atomic():
            follow_up.save()
    except IntegrityError:
        raise ValidationError(_("这次缺席已经跟进过了。")) from None
    return follow_up
