"""The migration that dated the excuses of 送学上门: each member's flags (卧床/外出, 易地居住 and its place) became
an excuse in force from long ago, so every past month reads as it did; and back again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cadres", "0016_members_cleanup")]
AFTER = [("cadres", "0017_attendance_excuses")]


def _cadre(apps, community, n, **flags):
    Cadre = apps.get_model("cadres", "Cadre")
    return Cadre.objects.create(
        name=f"张{n}",
        id_number=f"token{n}",
        id_number_digest=f"digest{n}",
        community=community,
        birth_date="1950-01-01",
        gender="M",
        **flags,
    )


def test_flags_become_excuses_in_force_since_long_ago_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    district = old.get_model("communities", "District").objects.create(name="章丘区", code="370181")
    street = old.get_model("communities", "Street").objects.create(name="明水街道", code="370181001", district=district)
    community = old.get_model("communities", "Community").objects.create(
        name="桃花山社区", code="370181001001", street=street
    )
    _cadre(old, community, 0, attendance="bedridden")
    _cadre(old, community, 1, attendance="away", lives_away=True, away_place="青岛市")
    _cadre(old, community, 2, lives_away=True, away_place="济南市")
    _cadre(old, community, 3)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        Excuse = new.get_model("cadres", "AttendanceExcuse")
        rows = set(Excuse.objects.values_list("cadre__name", "reason", "place", "starts_on", "ends_on"))
        since = datetime.date(1900, 1, 1)
        assert rows == {
            ("张0", "bedridden", "", since, None),
            ("张1", "away", "", since, None),
            ("张1", "lives_away", "青岛市", since, None),
            ("张2", "lives_away", "济南市", since, None),
        }
        # an excuse that has ended holds nothing now: going back, it leaves no flag
        Excuse.objects.create(
            cadre=new.get_model("cadres", "Cadre").objects.get(name="张3"),
            reason="bedridden",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 2, 1),
        )
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        back = executor.loader.project_state(BEFORE).apps
        flags = set(
            back.get_model("cadres", "Cadre").objects.values_list("name", "attendance", "lives_away", "away_place")
        )
        assert flags == {
            ("张0", "bedridden", False, ""),
            ("张1", "away", True, "青岛市"),
            ("张2", "", True, "济南市"),
            ("张3", "", False, ""),
        }
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
