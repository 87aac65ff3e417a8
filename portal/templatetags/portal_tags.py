"""Small display filters for the portal's pages."""

from django import template

register = template.Library()


@register.filter
def percent(value):
    """0.4286 → 42.9%; no value → —."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
