"""Locked months: once a community's month is accepted up the hierarchy, its records are not edited until the
level above unlocks it (``portal.approvals``). Every service that writes a month's records asks here."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communities.models import MonthApproval
from core.dates import month_start


def locked_month(community_id: int | None, day: datetime.date | None) -> MonthApproval | None:
    """The accepted approval that locks ``day``'s month in the community, if any."""
    if community_id is None or day is None:
        return None
    return (
        MonthApproval.objects.filter(
            community_id=community_id, month=month_start(day), state__in=MonthApproval.LOCKED_STATES
        )
        .only("pk", "month", "state")
        .first()
    )


def check_unlocked(community_id: int | None, day: datetime.date | None) -> None:
    """Refuse, saying why and who can help, a change to a record of a locked month."""
    approval = locked_month(community_id, day)
    if approval is not None:
        raise ValidationError(
            _("%(month)s的台账已审定锁定，不能修改。如需更正，请联系区委老干部局解锁并说明原因。")
            % {"month": date_format(approval.month, "YEAR_MONTH_FORMAT")},
            code="locked",
        )
