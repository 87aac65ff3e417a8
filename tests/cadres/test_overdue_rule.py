"""The overdue rule as the database runs it equals the rule as written: the last visit on or before the
day (else the opening) is older than the case's interval. Random cases, visits and days; both databases."""

import datetime
import random

import pytest

from cadres.models import CareCase, Visit
from cadres.models.care import VisitInterval
from tests.factories import CadreFactory, CareCaseFactory

pytestmark = pytest.mark.django_db


def _overdue_by_hand(case, visits, as_of):
    if case.opened_on > as_of or (case.closed_on and case.closed_on <= as_of):
        return False
    seen = [day for day in visits if day <= as_of]
    last = max(seen) if seen else case.opened_on
    return last < as_of - datetime.timedelta(days=case.visit_interval_days)


def test_overdue_equals_the_rule_written_out_on_random_cases():
    rng = random.Random(2026)
    start = datetime.date(2026, 1, 1)
    visits_of = {}
    for n in range(60):
        case = CareCaseFactory(
            cadre=CadreFactory(),
            visit_interval_days=rng.choice(VisitInterval.values),
            opened_on=start + datetime.timedelta(days=rng.randint(0, 200)),
            closed_on=start + datetime.timedelta(days=rng.randint(150, 330)) if n % 5 == 0 else None,
        )
        days = sorted(
            {case.opened_on + datetime.timedelta(days=rng.randint(-5, 200)) for _v in range(rng.randint(0, 4))}
        )
        days = [day for day in days if day <= datetime.date(2026, 11, 30)]
        for day in days:
            Visit.objects.create(cadre=case.cadre, care_case=case, visited_on=day, visitors="李联络")
        visits_of[case.pk] = days
    cases = list(CareCase.objects.all())
    for as_of in [start + datetime.timedelta(days=rng.randint(0, 330)) for _d in range(12)]:
        expected = {case.pk for case in cases if _overdue_by_hand(case, visits_of[case.pk], as_of)}
        assert set(CareCase.objects.overdue(as_of).values_list("pk", flat=True)) == expected, as_of
        for case in CareCase.objects.overdue(as_of):  # the annotation the lists show still holds
            seen = [day for day in visits_of[case.pk] if day <= as_of]
            assert case.last_seen == (max(seen) if seen else case.opened_on)
