"""The demo's ledgers on their way up: a year of months submitted (most on time, some late), approved by the
streets and accepted by the districts, and last month part way, so the reporting rates and the scorecard have
something to show.

Every month goes through ``approvals.services.act`` — the same refusals, the same written reasons for failing
checks, the same figures kept at acceptance — by the demo's own clerks (one per community, street and district,
as a bureau has people; no password signs them in). Only the steps' times are moved back afterwards to the days
the demo's history says they happened.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Role, StaffScope
from approvals.models import ApprovalStep, MonthApproval
from approvals.services import act, approval_for, facts
from core.dates import local_midnight, months_back, next_month

YEAR = 12
State = MonthApproval.State
# what a community writes when a check fails (a room under repair, a branch that met elsewhere)
EXPLANATION = "本月情况特殊，已在下月补齐（示范数据）。"


def _clerk(username: str, role: Role, **scope) -> object:
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.set_unusable_password()  # the demo's history was written by them; nobody signs in as them
    user.first_name = "示范经办人"
    user.save()
    user.groups.set([Group.objects.get(name=role.value)])
    StaffScope.objects.update_or_create(user=user, defaults=scope)
    return user


def _clerks(communities):
    """One worker per community, one clerk per street and one per district, as the approval rules expect."""
    workers, streets, districts = {}, {}, {}
    for community in communities:
        street = community.street
        workers[community.pk] = _clerk(
            f"demo-{community.code}", Role.COMMUNITY, level=StaffScope.Level.COMMUNITY, community=community
        )
        if street.pk not in streets:
            streets[street.pk] = _clerk(
                f"demo-{street.code}", Role.STREET, level=StaffScope.Level.STREET, street=street
            )
        if street.district_id not in districts:
            districts[street.district_id] = _clerk(
                f"demo-{street.district.code}",
                Role.BUREAU,
                level=StaffScope.Level.DISTRICT,
                district_id=street.district_id,
            )
    return workers, streets, districts


def _submit(approval, worker):
    explanations = {
        check["code"]: EXPLANATION
        for check in facts().checks(approval.community_id, approval.month)
        if check["missing"]
    }
    return act(approval=approval, action="submit", by=worker, explanations=explanations)


def build_approvals(builder, *, communities):
    """Last month: a spread of states (the deadline may not have passed); the eleven before: accepted, but for a
    few communities that reported late, are still waiting, or never reported."""
    rng, today = builder.random, builder.today
    communities = sorted(communities, key=lambda community: community.code)
    workers, streets, districts = _clerks(communities)
    # the demo worker's community (the first) has last month still to submit: their home shows the task
    first = communities[0]
    steps = 0
    for back in range(YEAR, 0, -1):
        month = months_back(today, back)
        for community in communities:
            draw = rng.random()
            if back == 1:
                state = (
                    State.OPEN
                    if draw < 0.35
                    else State.SUBMITTED
                    if draw < 0.6
                    else State.APPROVED
                    if draw < 0.8
                    else State.ACCEPTED
                )
            else:
                state = State.OPEN if draw < 0.04 else State.ACCEPTED
            if state == State.OPEN or (back == 1 and community is first):
                continue
            # most by the deadline (the 5th), some days after it; never after today
            day = next_month(month) + datetime.timedelta(days=rng.randint(0, 3) if draw < 0.85 else rng.randint(5, 12))
            if back == 1:
                day = min(day, today)
            at = min(local_midnight(day) + datetime.timedelta(hours=rng.randint(8, 17)), timezone.now())
            approval = _submit(approval_for(community, month), workers[community.pk])
            taken = ["submit"]
            if state in (State.APPROVED, State.ACCEPTED):
                approval = act(
                    approval=approval,
                    action="approve",
                    by=streets[community.street_id],
                    reason=_approver_reason(approval),
                )
                taken.append("approve")
            if state == State.ACCEPTED:
                approval = act(approval=approval, action="accept", by=districts[community.street.district_id])
                taken.append("accept")
            steps += len(taken)
            _move_back(approval, at, taken)
    builder.counts["month approvals"] = MonthApproval.objects.exclude(state=State.OPEN).count()
    builder.counts["approval steps"] = steps


def _approver_reason(approval) -> str:
    from approvals.services import unexplained_checks

    return "已核实（示范数据）。" if unexplained_checks(approval, approval.explanations) else ""


def _move_back(approval, at, taken):
    """The steps' times as the demo's history has them: submitted at ``at``, approved a day later, accepted two."""
    times = {"submit": at, "approve": at + datetime.timedelta(days=1), "accept": at + datetime.timedelta(days=2)}
    now = timezone.now()
    for action in taken:
        ApprovalStep.objects.filter(approval=approval, action=action).update(at=min(times[action], now))
    MonthApproval.objects.filter(pk=approval.pk).update(
        submitted_at=at,
        first_submitted_at=at,
        accepted_at=min(times["accept"], now) if "accept" in taken else None,
    )
