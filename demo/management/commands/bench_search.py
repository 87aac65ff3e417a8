"""Measure the sign-in search for a community of 1,000 cadres (rolled back afterwards)."""

import datetime
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from cadres.models import Cadre, pinyin_keys
from cadres.parsers import make_id_number
from cadres.selectors import search_cadres
from communities.models import Community, Street
from demo.builder import GIVEN_CHARS, SURNAMES


class RollbackError(Exception):
    pass


class Command(BaseCommand):
    help = "Time the worker's search (initials, full pinyin, name, phone tail) over a 1,000-cadre community."

    def add_arguments(self, parser):
        parser.add_argument("--cadres", type=int, default=1000)
        parser.add_argument("--queries", type=int, default=400)

    def handle(self, *args, cadres, queries, **options):
        with override_settings(DEBUG=False):
            try:
                with transaction.atomic():
                    self._run(cadres, queries)
                    raise RollbackError
            except RollbackError:
                pass

    def _run(self, size, queries):
        rng = random.Random(size)
        street, _ = Street.objects.get_or_create(code="370114998", defaults={"name": "测速街道"})
        community, _ = Community.objects.get_or_create(
            code="370114998001", defaults={"name": "测速社区", "street": street}
        )
        people = []
        for n in range(size):
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice([1, 2])))
            full, initials = pinyin_keys(name)
            birth = datetime.date(1940 + n % 40, 1 + n % 12, 1 + n % 28)
            people.append(
                Cadre(
                    name=name,
                    name_pinyin=full,
                    name_initials=initials,
                    gender="M",
                    birth_date=birth,
                    id_number=make_id_number("370198", birth, n % 999),
                    community=community,
                    phone=f"139{n:08d}",
                )
            )
        Cadre.objects.bulk_create(people, batch_size=1000)
        samples = []
        for _ in range(queries):
            person = rng.choice(people)
            query = rng.choice([person.name_initials, person.name_pinyin[:5], person.name, person.phone[-4:]])
            started = time.perf_counter()
            list(search_cadres(community=community, query=query))
            samples.append((time.perf_counter() - started) * 1000)
        self._report("selector", size, samples)

        # the whole request, as the worker's phone makes it: login, scope, query, template
        from django.test import Client

        from accounts.models import Role, StaffScope
        from activities.models import Activity
        from demo.builder import ensure_role_groups

        ensure_role_groups()
        worker = get_user_model().objects.create_user("bench-search-worker")
        worker.groups.add(Group.objects.get(name=Role.COMMUNITY))
        StaffScope.objects.create(user=worker, level=StaffScope.Level.COMMUNITY, community=community)
        now = timezone.now()
        activity = Activity.objects.create(
            community=community, kind="study", title="测速", starts_at=now, ends_at=now + datetime.timedelta(hours=1)
        )
        client = Client()
        client.force_login(worker)
        url = f"/worker/activities/{activity.pk}/search/"
        client.get(url, {"q": "a"})  # warm up
        samples = []
        for _ in range(queries // 4):
            person = rng.choice(people)
            started = time.perf_counter()
            assert client.get(url, {"q": person.name_initials}).status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
        self._report("HTTP request", size, samples)

    def _report(self, what, size, samples):
        samples.sort()
        p95 = samples[max(int(len(samples) * 0.95) - 1, 0)]
        self.stdout.write(
            f"{connection.vendor}: {what} over {size:,} cadres, {len(samples)} queries — "
            f"median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, max {samples[-1]:.1f} ms"
        )
