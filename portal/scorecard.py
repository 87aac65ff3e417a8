"""The pilot-community scorecard (示范点): the bureau's weighted criteria, scored per community and quarter.

Every value is one of ``portal.figures.community_measures`` (the figures module's definitions, grouped by
community); a criterion scores its weight times value / target, capped at the weight; a community's score is
its points over the weights of the criteria that apply to it (a community with no care case is not scored on
visits), out of 100. Stars and the pilot mark follow from the lines the bureau sets (``ReportingSettings``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from communities.models import Community
from core.dates import Period
from core.scope import Scope
from core.spreadsheets import Percent, add_sheet, new_workbook, to_bytes
from portal.figures import community_measures
from portal.models import ReportingSettings, ScoreCriterion

RATE_MEASURES = {m for m in ScoreCriterion.Measure.values if m != ScoreCriterion.Measure.ACTIVITIES}


@dataclass(frozen=True)
class Cell:
    criterion: ScoreCriterion
    value: float | None  # None: does not apply to this community this quarter
    part: float
    whole: float
    points: float | None

    @property
    def source(self) -> str:
        """What was counted, in words a clerk can check against the records."""
        if self.value is None:
            return _("不适用")
        if self.criterion.measure == ScoreCriterion.Measure.ACTIVITIES:
            return _("%(part)s次 / %(whole)s个月") % {"part": self.part, "whole": self.whole}
        return f"{self.part}/{self.whole}"


@dataclass(frozen=True)
class CommunityScore:
    community: Community
    cells: list[Cell]
    score: float
    stars: int
    is_pilot: bool

    @property
    def star_text(self) -> str:
        return "★" * self.stars


def score_communities(
    scope: Scope, quarter: Period, today: datetime.date
) -> tuple[list[ScoreCriterion], list[CommunityScore]]:
    """The active criteria and every community of ``scope`` scored for ``quarter``, best first."""
    settings_row = ReportingSettings.current()
    criteria = list(ScoreCriterion.objects.filter(is_active=True, weight__gt=0))
    measures = community_measures(scope, quarter, deadline_day=settings_row.deadline_day, today=today)
    communities = Community.objects.in_scope(scope).select_related("street").in_bulk(list(measures))
    scores = []
    for pk, values in measures.items():
        cells = []
        for criterion in criteria:
            value, part, whole = values[criterion.measure]
            points = (
                None
                if value is None
                else float(criterion.weight) * min(1.0, float(Decimal(str(value)) / criterion.target))
            )
            cells.append(Cell(criterion, value, part, whole, None if points is None else round(points, 2)))
        weights = sum(cell.criterion.weight for cell in cells if cell.points is not None)
        score = (
            round(100 * sum(cell.points for cell in cells if cell.points is not None) / weights, 1) if weights else 0.0
        )
        stars = sum(1 for line in settings_row.stars if score >= line)
        scores.append(CommunityScore(communities[pk], cells, score, stars, score >= settings_row.pilot_score))
    scores.sort(key=lambda row: (-row.score, row.community.street.code, row.community.code))
    return criteria, scores


def scorecard_workbook(title: str, criteria: list[ScoreCriterion], scores: list[CommunityScore]) -> bytes:
    """The scorecard as an .xlsx (the formula-safe writer): a row per community, value and points per criterion."""
    workbook = new_workbook()
    headers = [_("街道"), _("社区"), _("得分"), _("星级"), _("示范点")]
    for criterion in criteria:
        headers += [f"{criterion}（{_('数值')}）", f"{criterion}（{_('来源')}）", f"{criterion}（{_('得分')}）"]
    rows = []
    for row in scores:
        line = [
            row.community.street.name,
            row.community.name,
            row.score,
            "★" * row.stars,
            _("是") if row.is_pilot else "",
        ]
        for cell in row.cells:
            value = cell.value
            if value is not None and cell.criterion.measure in RATE_MEASURES:
                value = Percent(value)
            line += [value if value is not None else "—", cell.source, cell.points if cell.points is not None else "—"]
        rows.append(line)
    add_sheet(workbook, title, headers, rows, [12, 16, 8, 8, 8, *[14] * (3 * len(criteria))], heading=title)
    return to_bytes(workbook)
