"""The migration that made units a model: every 原工作单位 and 现管单位 text became one unit (same name in any
case or spacing, one unit) and each cadre points to it; nothing typed was lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cadres", "0010_roster_import_changes"), ("communities", "0005_staffscope_moved_to_accounts")]
AFTER = [("cadres", "0011_units")]


def test_unit_texts_become_units_without_loss():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Street = old.get_model("communities", "Street")
    Community = old.get_model("communities", "Community")
    Cadre = old.get_model("cadres", "Cadre")
    street = Street.objects.create(name="明水街道", code="370181001")
    community = Community.objects.create(name="桃花山社区", code="370181001001", street=street)
    texts = [("区教育局", "区教育局"), ("区教育局 ", "区人民医院"), ("", "")]
    for n, (former, managing) in enumerate(texts):
        Cadre.objects.create(
            name=f"张{n}",
            id_number=f"token{n}",
            id_number_digest=f"digest{n}",
            community=community,
            former_employer=former,
            managing_unit=managing,
            birth_date="1950-01-01",
            gender="M",
        )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        Unit = new.get_model("cadres", "Unit")
        Cadre = new.get_model("cadres", "Cadre")
        assert sorted(Unit.objects.values_list("name", "kind")) == [
            ("区人民医院", "institution"),
            ("区教育局", "organ"),
        ]
        got = {
            c.name: (c.former_unit and c.former_unit.name, c.managing_unit and c.managing_unit.name)
            for c in Cadre.objects.select_related("former_unit", "managing_unit")
        }
        assert got == {"张0": ("区教育局", "区教育局"), "张1": ("区教育局", "区人民医院"), "张2": (None, None)}
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
