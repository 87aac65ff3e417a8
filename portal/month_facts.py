"""What the approvals package asks of the top layer about a community's month (``approvals.services.provide``):
its completeness checks, its figures, the reporting deadline day, and the ledger rebuild after acceptance."""

import datetime
import logging

from django.utils import timezone

from approvals.models import MonthApproval, MonthChange
from approvals.services import MonthFacts
from communities.models import Community
from core.dates import Period
from portal.figures import community_month_figures
from portal.ledgers import completeness
from portal.models import ReportingSettings


def checks(community_id: int, month: datetime.date) -> list[dict]:
    return completeness(community_id, Period.month_of(month))


def figures(community: Community, month: datetime.date) -> dict:
    return community_month_figures(community, month, today=timezone.localdate())


def deadline_day() -> int:
    return ReportingSettings.current().deadline_day


def accepted(approval: MonthApproval) -> None:
    """Called after the acceptance commits: the month's ledger is built again from the accepted records."""
    from portal.tasks import BROKER_ERRORS, rebuild_accepted_month

    try:
        rebuild_accepted_month.delay(approval.community_id, approval.month.isoformat())
    except BROKER_ERRORS:  # the broker is out of reach: the acceptance stands, and the sweeper rebuilds it later
        logger.warning("could not queue the ledger rebuild of %s %s", approval.community_id, approval.month)
        MonthChange.objects.update_or_create(
            community_id=approval.community_id, month=approval.month, defaults={"changed_at": timezone.now()}
        )


logger = logging.getLogger(__name__)
FACTS = MonthFacts(checks=checks, figures=figures, deadline_day=deadline_day, accepted=accepted)
