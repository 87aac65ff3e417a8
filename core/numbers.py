"""How a share is written, everywhere a figure is a part of a whole (rates, completions, shares)."""

from __future__ import annotations


def share(part: float, whole: float) -> float | None:
    """``part / whole`` rounded to four places (a percentage to two decimals); None when there is no whole,
    so an empty scope reads 无数据 rather than 0%."""
    return round(part / whole, 4) if whole else None
