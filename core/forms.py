"""What a request carries, read one way everywhere: a form bound only to a POST, ids bounded before any
query (an id past a 64-bit integer was a 500 on SQLite), text cut to its field's length by the form.

``posted(request)``: ``Form(request.POST or None)`` left a form unbound when a POST came empty (a button
without fields, a JSON body), and the view then answered 500; a POST is always bound, however empty.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

ID_MAX = 2**63 - 1  # BigAutoField: the widest id any table of the portal has, on PostgreSQL and SQLite


def posted(request):
    """The form data to bind: the POST's (even when empty) for a POST, nothing for any other method."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None


def parse_id(value) -> int | None:
    """An id typed or sent by a page (a query string, a hidden field, JSON), or None when it cannot be one."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


class IdField(forms.IntegerField):
    """A form field holding a row's id: a whole number from 1 to the widest id, nothing past it."""

    default_error_messages = {"invalid": _("编号不正确。")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
