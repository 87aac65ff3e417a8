"""An acceptance and a tap (or an offline batch) at the same moment: exactly one order of events is in the database.

Either the tap committed first and the accepted figures count it, or the acceptance did and the tap was refused
with the lock's message. Never both: a tap in the month that the accepted figures do not count. PostgreSQL only
(.ci/run's second pass): the lock reads the approval row FOR SHARE, the acceptance holds it FOR UPDATE.
"""

import datetime
import threading
import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from activities.models import SignIn
from activities.services import record_sign_in, sync_sign_ins
from approvals import lock
from approvals import services as approvals
from approvals.models import MonthApproval
from core.dates import local_midnight, month_start, months_back
from portal.models import CompletenessRule
from tests.conftest import make_user
from tests.factories import ActivityFactory, CadreFactory, CommunityFactory, StreetFactory

LAST_MONTH = months_back(month_start(timezone.localdate()), 1)


def _a_closed_month():
    CompletenessRule.objects.update(is_active=False)
    street = StreetFactory()
    community = CommunityFactory(street=street)
    at = local_midnight(LAST_MONTH + datetime.timedelta(days=9)) + datetime.timedelta(hours=9)
    activity = ActivityFactory(community=community, starts_at=at, ends_at=at + datetime.timedelta(hours=2))
    people = {
        "worker": make_user(Role.COMMUNITY, community=community),
        "street": make_user(Role.STREET, street=street),
        "bureau": make_user(Role.BUREAU),
    }
    return community, activity, people


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["tap", "sync"])
@pytest.mark.parametrize("step", ["submit", "accept"])
@pytest.mark.parametrize("first", ["write", "step"])
def test_a_step_and_a_write_at_once_leave_one_order_of_events(monkeypatch, write, step, first):
    """The submission freezes the month (the race that can happen: a liaison's batch on the 3rd while the month goes
    up); the acceptance finds it frozen already. Then the month is taken up to acceptance and its figures read."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (.ci/run's second pass); SQLite serialises writers")
    community, activity, people = _a_closed_month()
    approval = approvals.approval_for(community, LAST_MONTH)
    if step == "accept":
        approval = approvals.act(approval=approval, action="submit", by=people["worker"])
        approval = approvals.act(approval=approval, action="approve", by=people["street"])
    cadres = [CadreFactory(community=community) for _n in range(3)]
    real_state, real_refusal = lock.month_state, approvals.refusal
    started = threading.Event()

    def slow_state(*args, **kwargs):  # the write has read the lock and lingers before it writes
        state = real_state(*args, **kwargs)
        started.set()
        time.sleep(0.6)
        return state

    def slow_refusal(*args, **kwargs):  # the step holds the row and lingers before it moves it
        why = real_refusal(*args, **kwargs)
        started.set()
        time.sleep(0.6)
        return why

    if first == "write":
        monkeypatch.setattr(lock, "month_state", slow_state)
    else:
        monkeypatch.setattr(approvals, "refusal", slow_refusal)
    outcome = {}

    def do_write():
        try:
            if write == "tap":
                record_sign_in(activity=activity, cadre=cadres[0], by=people["worker"])
                outcome["write"] = "signed"
            else:
                taps = [{"key": uuid.uuid4(), "cadre": cadre.pk} for cadre in cadres]
                answers = sync_sign_ins(activity=activity, taps=taps, by=people["worker"])
                outcome["write"] = "refused" if answers[0]["status"] == "refused" else "signed"
        except ValidationError:
            outcome["write"] = "refused"
        finally:
            connection.close()

    def do_step():
        try:
            by = people["worker"] if step == "submit" else people["bureau"]
            approvals.act(approval=approval, action=step, by=by)
            outcome["step"] = "taken"
            # what the street reviews from this moment on
            outcome["seen"] = SignIn.objects.filter(activity=activity).count()
        except ValidationError:
            outcome["step"] = "refused"
        finally:
            connection.close()

    leader, follower = (do_write, do_step) if first == "write" else (do_step, do_write)
    threads = [threading.Thread(target=leader), threading.Thread(target=follower)]
    threads[0].start()
    assert started.wait(10)
    threads[1].start()
    for thread in threads:
        thread.join(30)

    assert outcome["step"] == "taken"
    signed = SignIn.objects.filter(activity=activity).count()
    if step == "submit" and first == "write":
        assert outcome["write"] == "signed" and signed == (1 if write == "tap" else 3)  # it came in before
    else:
        assert outcome["write"] == "refused" and signed == 0  # the month was frozen when it wrote
    assert outcome["seen"] == signed  # nothing came into the book after the step the street or district signs
    approval.refresh_from_db()
    if step == "submit":
        approval = approvals.act(approval=approval, action="approve", by=people["street"])
        approval = approvals.act(approval=approval, action="accept", by=people["bureau"])
    # one order of events: what the district accepted is what the book holds
    assert approval.state == MonthApproval.State.ACCEPTED
    assert approval.figures["sign_ins"] == signed
