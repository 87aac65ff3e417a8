"""Small display filters for the portal's pages."""

import html

from django import template
from django.utils.safestring import mark_safe

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


@register.simple_tag(takes_context=True)
def approval_todos(context):
    """The months the user must act on next (the street's to approve, the district's to accept), and how many."""
    from django.utils import timezone

    from approvals.services import pending_for

    return pending_for(context["request"].user, timezone.localdate())


@register.simple_tag
def breakdown_rows(children, month_value):
    """The drill-down table's rows in one pass (400 streets × 9 cells: a template loop was a third of the
    dashboard's time); each number as ``intcomma`` and ``percent`` would draw it, every text escaped."""
    rows = []
    for row in children:
        cells = [
            f"{row['cadres_total']:,}",
            f"{row['party_members']:,}",
            percent(row["share_75_plus"]),
            f"{row['activities']:,}",
            f"{row['sign_ins']:,}",
            percent(row["participation_rate"]),
            f"{row['care_overdue']:,}",
            f"{row['needs_open']:,}",
        ]
        link = f"?{html.escape(str(row['level']))}={int(row['pk'])}&amp;month={html.escape(str(month_value))}"
        rows.append(
            f'<tr><td><a class="drill" href="{link}">{html.escape(str(row["name"]))}</a></td>'
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + "</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - names and parameters escaped above, the rest are numbers


@register.filter
def age(born):
    """A cadre's age today, counted from the year and month of birth (what every role may see)."""
    from django.utils import timezone

    from core.privacy import age_by_month

    return age_by_month(born, timezone.localdate())
