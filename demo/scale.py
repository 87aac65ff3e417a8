"""A province-sized data set, written fast: the data behind ``bench_scale``.

Rows go straight into the tables (COPY on PostgreSQL, ``executemany`` elsewhere) with explicit ids, so
foreign keys are known without reading anything back. Every column a generator does not give takes the
value Django itself would save for a template instance of the model (defaults, ``auto_now``, encryption),
so a new column with a default never breaks the generator. Personal values are encrypted and digested
exactly as the models do it; names come from a pool whose pinyin is computed once.
"""

from __future__ import annotations

import datetime
import io
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from activities.models import Activity, Need, SignIn
from cadres.models import BranchMembership, Cadre, CareCase, PartyBranch, pinyin_keys
from cadres.parsers import make_id_number
from communities.models import Community, District, Street
from core import scope as scopes
from core.dates import Period, month_start, months_back, next_month
from core.privacy import digest, encrypt
from core.scope import CITY
from demo.builder import GIVEN_CHARS, SURNAMES
from portal.figures import figures
from portal.models import LedgerReport

BATCH = 50_000


@dataclass(frozen=True)
class Size:
    """How big the generated province is."""

    cadres: int
    communities: int
    communities_per_street: int = 50
    months: int = 36  # of activities and sign-ins, ending with the open month
    signed_per_activity: int = 7
    big_community_cadres: int = 1_000  # the worker's community: a 300-person activity and a 686-member branch
    big_branch_members: int = 686

    @property
    def streets(self) -> int:
        return -(-self.communities // self.communities_per_street)


SIZES = {
    "smoke": Size(cadres=1_500, communities=10, communities_per_street=5, months=14),  # the test suite's run
    "5k": Size(cadres=5_000, communities=200, months=14),
    "150k": Size(cadres=150_000, communities=6_000),
    "500k": Size(cadres=500_000, communities=20_000),
}


@dataclass
class Province:
    """What the generator made that the benchmark needs to find again."""

    big_community_id: int
    big_street_id: int
    big_branch_id: int
    cadre_ids: range  # of the big community, contiguous
    sample_names: list[str]
    sample_pinyin: list[str]
    sample_ids: list[str]


# --- writing rows --------------------------------------------------------------------------------


class Loader:
    """Rows of ``model`` with the ``given`` columns; the rest from a template instance (as Django saves it)."""

    def __init__(self, model: type[models.Model], given: list[str], **template):
        instance = model(**template)
        fields = {field.column: field for field in model._meta.concrete_fields}
        self.model, self.given = model, given
        self.fields = [fields[column] for column in given]
        # an id not given comes from the table's sequence
        self.rest = [field for column, field in fields.items() if column not in given and not field.primary_key]
        self.constants = tuple(
            field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in self.rest
        )
        self.columns = given + [field.column for field in self.rest]

    def write(self, rows: Iterable[tuple]) -> int:
        written = 0
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                written += self._flush(batch)
                batch = []
        written += self._flush(batch)
        return written

    def _flush(self, batch: list[tuple]) -> int:
        if not batch:
            return 0
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for row in batch:
                    buffer.write("\t".join(map(_copy_text, row + self.constants)))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                prepared = [
                    tuple(
                        field.get_db_prep_save(value, connection) for field, value in zip(self.fields, row, strict=True)
                    )
                    + self.constants
                    for row in batch
                ]
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared)
        return len(batch)


def _copy_text(value) -> str:
    """One field of COPY's text format."""
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if hasattr(value, "adapted"):  # psycopg2's Json adapter of a JSONField
        value = json.dumps(value.adapted, ensure_ascii=False)
    elif isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    text = str(value)
    if any(ch in text for ch in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(*models_: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)


# --- the province --------------------------------------------------------------------------------


def generate(size: Size, *, seed: int = 2026, out=None) -> Province:
    """Streets, communities, cadres, 3 years of activities and sign-ins, branches, care, needs and the
    closed months' ledgers of the scopes the benchmark reads. One transaction; ids follow the tables'."""
    rng = random.Random(seed)
    say = out or (lambda text: None)
    today = timezone.localdate()
    with transaction.atomic():
        street0, community0, district0 = _next_id(Street), _next_id(Community), _next_id(District)
        # 20 streets to a district, the districts under one city
        Loader(District, ["id", "name", "code"]).write(
            (district0 + d, f"测速{d + 1}区", f"{990000 + d:06d}") for d in range((size.streets + 19) // 20)
        )
        Loader(Street, ["id", "name", "code", "district_id"]).write(
            (street0 + s, f"测速{s + 1}街道", f"{990000 + s // 20:06d}{s % 20 + 1:03d}", district0 + s // 20)
            for s in range(size.streets)
        )
        Loader(Community, ["id", "name", "code", "street_id"]).write(
            (
                community0 + c,
                f"测速{c + 1}社区",
                f"{990000 + (c // size.communities_per_street) // 20:06d}"
                f"{(c // size.communities_per_street) % 20 + 1:03d}{c % size.communities_per_street + 1:03d}",
                street0 + c // size.communities_per_street,
            )
            for c in range(size.communities)
        )
        say(f"{size.streets:,} streets, {size.communities:,} communities")

        # cadres: the big community first, the rest spread evenly; each community's ids contiguous
        rest = size.cadres - size.big_community_cadres
        counts = [size.big_community_cadres] + [
            rest // (size.communities - 1) + (1 if c < rest % (size.communities - 1) else 0)
            for c in range(size.communities - 1)
        ]
        cadre0 = _next_id(Cadre)
        firsts = [cadre0]
        for count in counts[:-1]:
            firsts.append(firsts[-1] + count)
        pool = name_pool(rng)
        Loader(
            Cadre,
            [
                "id",
                "name",
                "name_pinyin",
                "name_initials",
                "gender",
                "birth_date",
                "id_number",
                "id_number_digest",
                "phone",
                "phone_tail",
                "community_id",
                "is_party_member",
                "retired_on",
            ],
        ).write(_cadres(cadre0, counts, community0, pool, rng))
        say(f"{size.cadres:,} cadres")

        # one branch per community, ten members each; the big community's branch holds 686
        branch0 = _next_id(PartyBranch)
        Loader(PartyBranch, ["id", "name", "community_id", "kind"]).write(
            (branch0 + c, f"测速{c + 1}社区党支部", community0 + c, "community") for c in range(size.communities)
        )
        Loader(BranchMembership, ["branch_id", "cadre_id"]).write(
            (branch0 + c, firsts[c] + i)
            for c in range(size.communities)
            for i in range(size.big_branch_members if c == 0 else min(10, counts[c]))
        )

        # one activity a month per community (three in the big one), a week's sign-ins each
        activity0 = _next_id(Activity)
        plan = _activity_plan(size, counts, today, rng)
        Loader(Activity, ["id", "community_id", "kind", "title", "starts_at", "ends_at", "status"]).write(
            (activity0 + a, community0 + c, kind, title, starts, starts + datetime.timedelta(hours=2), "held")
            for a, (c, kind, title, starts) in enumerate(plan)
        )
        signed = Loader(SignIn, ["activity_id", "cadre_id", "signed_at"]).write(
            (activity0 + a, firsts[c] + (a * 3 + i) % counts[c], starts + datetime.timedelta(minutes=i % 30))
            for a, (c, _kind, _title, starts) in enumerate(plan)
            for i in range(min(size.signed_per_activity, counts[c]))
        )
        say(f"{len(plan):,} activities, {signed:,} sign-ins")

        # care cases for 2% of cadres; one need per community
        Loader(CareCase, ["cadre_id", "responsible", "opened_on", "reason_lives_alone"]).write(
            (cadre0 + n, "联络员", today - datetime.timedelta(days=400), True) for n in range(0, size.cadres, 50)
        )
        Loader(Need, ["community_id", "title", "category", "raised_on"]).write(
            (community0 + c, "上门理发", "life", today - datetime.timedelta(days=20 + c % 300))
            for c in range(size.communities)
        )
        _reset_sequences(
            District, Street, Community, Cadre, PartyBranch, BranchMembership, Activity, SignIn, CareCase, Need
        )
        say("branches, care cases and needs")

        # the closed months' ledgers of the scopes the dashboards read (their figures, as a ledger run stores them)
        for scope, place in ((CITY, {}), (scopes.street(street0), {"street_id": street0})):
            level = LedgerReport.Level.CITY if scope.level == "city" else LedgerReport.Level.STREET
            month = month_start(today)
            for _n in range(12):
                month = months_back(month, 1)
                period = Period.month_of(month)
                LedgerReport.objects.update_or_create(
                    kind=LedgerReport.Kind.MONTH,
                    level=level,
                    period_start=month,
                    **place,
                    defaults={
                        "figures": figures(scope, as_of=period.last_day, period=period),
                        "built_at": timezone.now(),
                    },
                )
        say("12 closed months of city and street ledgers")
    return Province(
        big_community_id=community0,
        big_street_id=street0,
        big_branch_id=branch0,
        cadre_ids=range(cadre0, cadre0 + counts[0]),
        sample_names=[name for name, _full, _initials in pool[:50]],
        sample_pinyin=[full for _name, full, _initials in pool[:50]],
        sample_ids=[make_id_number("990101", datetime.date(1950, 1, 1), n) for n in range(0, 50)],
    )


def name_pool(rng: random.Random, size: int = 4_000) -> list[tuple[str, str, str]]:
    names = {
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice([1, 2]))) for _ in range(size)
    }
    return [(name, *pinyin_keys(name)) for name in sorted(names)]


def _cadres(cadre0, counts, community0, pool, rng) -> Iterator[tuple]:
    """Cadre rows; the first 50 carry the sample ID numbers the benchmark searches for."""
    number = 0
    for c, count in enumerate(counts):
        for _i in range(count):
            name, full, initials = pool[number % len(pool)]
            birth = datetime.date(1930 + number % 35, 1 + number % 12, 1 + number % 28)
            region = "990101" if number < 50 else f"{990102 + number // 1000 % 900:06d}"
            id_number = make_id_number(region, datetime.date(1950, 1, 1) if number < 50 else birth, number % 1000)
            phone = f"1{rng.choice('3589')}{number:09d}"
            yield (
                cadre0 + number,
                name,
                full,
                initials,
                "M" if number % 2 else "F",
                datetime.date(1950, 1, 1) if number < 50 else birth,
                encrypt(id_number),
                digest(id_number),
                encrypt(phone),
                phone[-4:],
                community0 + c,
                number % 3 != 0,
                datetime.date(2000 + number % 20, 1, 1),
            )
            number += 1


def _activity_plan(size: Size, counts, today, rng) -> list[tuple[int, str, str, datetime.datetime]]:
    """(community index, kind, title, start) of every generated activity: months back to the open month."""
    kinds = [kind for kind, _label in Activity.Kind.choices]
    plan = []
    first = months_back(month_start(today), size.months - 1)
    month = first
    while month <= today:
        last_day = (next_month(month) - datetime.timedelta(days=1)).day
        days = today.day if month == month_start(today) else last_day
        for c in range(size.communities):
            for n in range(3 if c == 0 else 1):
                day = month.replace(day=1 + (c * 7 + n * 5) % days)
                starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + n)))
                if starts >= timezone.now():
                    starts = timezone.now() - datetime.timedelta(hours=3 + n)
                plan.append((c, kinds[(c + n + month.month) % len(kinds)], f"{month:%Y年%m月}活动", starts))
        month = next_month(month)
    return plan
