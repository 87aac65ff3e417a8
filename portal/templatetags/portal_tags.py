"""Small display filters for the portal's pages."""

from django import template

register = template.Library()


@register.filter
def percent(value):
    """0.4286 → 42.9%; no value → —."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.simple_tag(takes_context=True)
def may_open(context, url_name):
    """Whether the page's user may open the page ``url_name`` (the role gate's table): links only to those."""
    from accounts.gate import may_open as gate_allows

    request = context.get("request")
    return request is not None and gate_allows(request.user, url_name)


@register.simple_tag
def ledger_problems():
    """Months whose ledgers failed or are missing, for the bureau's home page (the admin index)."""
    from portal.ledger_runs import problems

    return problems()
