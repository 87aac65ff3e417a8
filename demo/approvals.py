"""The demo's ledgers on their way up: a year of months submitted (most on time, some late), approved by the
streets and accepted by the districts, and last month part way, so the reporting rates and the scorecard have
something to show. Written as rows (the demo's history, no accounts acted); accepted months keep their figures."""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from activities.selectors import local_midnight
from communities.models import MonthApproval
from core.dates import months_back, next_month
from core.scope import Scope
from portal.figures import figures
from portal.ledgers import month_period

YEAR = 12


def build_approvals(builder, *, communities):
    """Last month: a spread of states (the deadline may not have passed); the eleven before: accepted, but for a
    few communities that reported late, are still waiting, or never reported."""
    rng, today = builder.random, builder.today
    last = months_back(today, 1)
    # the demo worker's community (the first) has last month still to submit: their home shows the task
    first = min(communities, key=lambda community: community.code)
    rows = []
    for back in range(YEAR, 0, -1):
        month = months_back(today, back)
        for community in communities:
            draw = rng.random()
            if back == 1:
                state = (
                    MonthApproval.State.OPEN
                    if draw < 0.35
                    else MonthApproval.State.SUBMITTED
                    if draw < 0.6
                    else MonthApproval.State.APPROVED
                    if draw < 0.8
                    else MonthApproval.State.ACCEPTED
                )
            else:
                state = MonthApproval.State.OPEN if draw < 0.04 else MonthApproval.State.ACCEPTED
            if state == MonthApproval.State.OPEN or (back == 1 and community is first):
                continue
            # most by the deadline (the 5th), some days after it; never after today
            day = next_month(month) + datetime.timedelta(days=rng.randint(0, 3) if draw < 0.85 else rng.randint(5, 12))
            if back == 1:
                day = min(day, today)
            at = min(local_midnight(day) + datetime.timedelta(hours=rng.randint(8, 17)), timezone.now())
            approval = MonthApproval(
                community=community,
                month=month,
                state=state,
                submitted_at=at,
                first_submitted_at=at,
                accepted_at=at + datetime.timedelta(days=2) if state == MonthApproval.State.ACCEPTED else None,
            )
            if state == MonthApproval.State.ACCEPTED and month == last:
                approval.figures = _figures(community, month, today)
            rows.append(approval)
    MonthApproval.objects.bulk_create(rows, batch_size=builder.batch_size)
    builder.counts["month approvals"] = len(rows)


def _figures(community, month, today):
    period = month_period(month)
    scope = Scope(level="community", street_id=community.street_id, community_id=community.pk)
    numbers = figures(scope, as_of=min(period.last_day, today), period=period)
    return json.loads(json.dumps(numbers, cls=DjangoJSONEncoder))
