"""The dashboard's figures written by hand in SQL: the reference ``bench_scale`` times the dashboard against.

What a careful engineer would run to draw the same page for a scope and its open month without the
portal: the roster counted by unit (age bands, party members), the month's activities by unit and kind,
its sign-ins by unit and for the whole scope (distinct participants are not additive), overdue care
cases, open needs and the needs funnel, the branch rule, branches, rooms, visits, the time bank and the
talents — one statement each, grouped where the page shows units. Nothing is rendered.
"""

from __future__ import annotations

import datetime

from core.dates import Period
from portal.figures import AGE_BANDS, born_on_or_before_age


def dashboard_statements(
    vendor: str, *, street_id: int | None, as_of: datetime.date, period: Period, start, end
) -> list[tuple[str, list]]:
    """(sql, params) of every statement, for the district (``street_id`` None) or one street."""
    unit = "c.street_id" if street_id is None else "c.id"
    where = "" if street_id is None else " AND c.street_id = %s"
    scope = [] if street_id is None else [street_id]
    living = "(x.deceased_on IS NULL OR x.deceased_on > %s)"
    bands, band_params = [], []
    for _key, youngest, oldest in AGE_BANDS:
        condition = []
        if youngest is not None:
            condition.append("x.birth_date <= %s")
            band_params.append(born_on_or_before_age(youngest, as_of))
        if oldest is not None:
            condition.append("x.birth_date > %s")
            band_params.append(born_on_or_before_age(oldest + 1, as_of))
        bands.append(f"count(*) FILTER (WHERE {' AND '.join(condition)})")
    band_params.append(born_on_or_before_age(75, as_of))
    if vendor == "postgresql":
        late = "COALESCE(v.last, k.opened_on) + k.visit_interval_days < %s"
    else:
        late = "date(COALESCE(v.last, k.opened_on), '+' || k.visit_interval_days || ' days') < %s"
    return [
        (
            f"SELECT {unit}, count(*), count(*) FILTER (WHERE x.is_party_member), {', '.join(bands)}, "
            "count(*) FILTER (WHERE x.birth_date <= %s) "
            "FROM cadres_cadre x JOIN communities_community c ON c.id = x.community_id "
            f"WHERE {living} AND x.birth_date <= %s{where} GROUP BY 1",
            [*band_params, as_of, as_of, *scope],
        ),
        (
            f"SELECT {unit}, a.kind, count(*) FROM activities_activity a "
            "JOIN communities_community c ON c.id = a.community_id "
            f"WHERE a.starts_at >= %s AND a.starts_at < %s AND a.status <> 'cancelled'{where} GROUP BY 1, 2",
            [start, end, *scope],
        ),
        *(
            (
                f"SELECT {group}count(s.id), count(DISTINCT s.cadre_id), "
                "count(DISTINCT s.cadre_id) FILTER (WHERE x.is_party_member) FROM activities_signin s "
                "JOIN activities_activity a ON a.id = s.activity_id "
                "JOIN communities_community c ON c.id = a.community_id "
                "LEFT JOIN cadres_cadre x ON x.id = s.cadre_id "
                f"WHERE a.starts_at >= %s AND a.starts_at < %s AND a.status <> 'cancelled'{where}{tail}",
                [start, end, *scope],
            )
            for group, tail in ((f"{unit}, ", " GROUP BY 1"), ("", ""))
        ),
        (
            f"SELECT {unit}, count(*) FROM cadres_carecase k JOIN cadres_cadre x ON x.id = k.cadre_id "
            "JOIN communities_community c ON c.id = x.community_id "
            "LEFT JOIN (SELECT care_case_id, max(visited_on) AS last FROM cadres_visit "
            "WHERE visited_on <= %s GROUP BY 1) v ON v.care_case_id = k.id "
            f"WHERE k.opened_on <= %s AND (k.closed_on IS NULL OR k.closed_on > %s) AND {living} "
            f"AND {late}{where} GROUP BY 1",
            [as_of, as_of, as_of, as_of, as_of, *scope],
        ),
        (
            f"SELECT {unit}, count(*) FROM activities_need n JOIN communities_community c ON c.id = n.community_id "
            "WHERE n.raised_on <= %s AND NOT (n.resolved_on IS NOT NULL AND n.resolved_on <= %s) "
            f"AND NOT (n.closed_on IS NOT NULL AND n.closed_on <= %s){where} GROUP BY 1",
            [as_of, as_of, as_of, *scope],
        ),
        (
            "SELECT count(*) FILTER (WHERE n.raised_on >= %s AND n.raised_on < %s), "
            "count(*) FILTER (WHERE n.resolved_on >= %s AND n.resolved_on < %s) "
            f"FROM activities_need n JOIN communities_community c ON c.id = n.community_id WHERE 1 = 1{where}",
            [period.start, period.end, period.start, period.end, *scope],
        ),
        (
            "SELECT count(*) FROM (SELECT x.community_id FROM cadres_cadre x "
            "JOIN communities_community c ON c.id = x.community_id "
            f"WHERE x.is_party_member AND x.membership_in_community AND {living}{where} "
            "GROUP BY 1 HAVING count(*) >= 3) t WHERE t.community_id NOT IN "
            "(SELECT community_id FROM cadres_partybranch WHERE kind = 'formal' AND community_id IS NOT NULL)",
            [as_of, *scope],
        ),
        (
            "SELECT count(*) FILTER (WHERE b.kind = 'formal'), count(*) FILTER (WHERE b.kind = 'functional'), "
            "count(*) FILTER (WHERE b.venue_id IS NULL), count(*) FROM cadres_partybranch b "
            f"JOIN communities_community c ON c.id = b.community_id WHERE 1 = 1{where}",
            scope,
        ),
        (
            "SELECT count(*), count(*) FILTER (WHERE v.has_place AND v.has_facilities AND v.has_sign "
            "AND v.has_flag AND v.has_materials AND v.has_rules) FROM communities_venue v "
            "JOIN communities_community c ON c.id = v.community_id "
            f"WHERE v.kind = 'party_room' AND v.is_active{where}",
            scope,
        ),
        (
            "SELECT count(*) FROM cadres_visit v JOIN cadres_cadre x ON x.id = v.cadre_id "
            f"JOIN communities_community c ON c.id = x.community_id WHERE v.visited_on >= %s AND v.visited_on < %s"
            f"{where}",
            [period.start, period.end, *scope],
        ),
        (
            "SELECT sum(r.hours) FILTER (WHERE r.served_on >= %s AND r.served_on < %s), "
            "sum(r.points) FILTER (WHERE r.served_on <= %s) FROM activities_servicerecord r "
            "JOIN cadres_cadre x ON x.id = r.cadre_id JOIN communities_community c ON c.id = x.community_id "
            f"WHERE 1 = 1{where}",
            [period.start, period.end, as_of, *scope],
        ),
        (
            "SELECT sum(r.points) FILTER (WHERE r.redeemed_on >= %s AND r.redeemed_on < %s), "
            "sum(r.points) FILTER (WHERE r.redeemed_on <= %s) FROM activities_redemption r "
            "JOIN cadres_cadre x ON x.id = r.cadre_id JOIN communities_community c ON c.id = x.community_id "
            f"WHERE 1 = 1{where}",
            [period.start, period.end, as_of, *scope],
        ),
        (
            "SELECT t.category, count(*) FROM cadres_talent t JOIN cadres_cadre x ON x.id = t.cadre_id "
            f"JOIN communities_community c ON c.id = x.community_id WHERE {living}{where} GROUP BY 1",
            [as_of, *scope],
        ),
    ]
