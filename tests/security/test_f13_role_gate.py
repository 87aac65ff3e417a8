"""Finding 13: one role gate — one table of roles → pages (accounts/gate.py), applied to every view.

The permission matrix (tests/portal/test_permission_matrix.py) walks every URL as every role; these tests tie
the matrix to the table: a page is refused (403) to exactly the roles the table leaves out.
"""

import pytest
from django.urls import URLResolver, get_resolver

from accounts.gate import PAGE_ROLES, PUBLIC_PAGES, SELF_GATED_NAMESPACES, SELF_GATED_PREFIXES
from accounts.models import Role
from tests.accounts.test_permission_matrix import ACTORS, PAGES

ROLE_OF_ACTOR = {
    "bureau": Role.BUREAU,
    "street": Role.STREET,
    "community": Role.COMMUNITY,
    "leader": Role.LEADER,
    "sysadmin": Role.SYSADMIN,
    "auditor": Role.AUDITOR,
}


def _named_patterns(patterns=None, prefix="", namespaces=()):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _named_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), pattern.name, namespaces


def _gated_pages():
    for pattern, name, namespaces in _named_patterns():
        if set(namespaces) & SELF_GATED_NAMESPACES or (name or "").startswith(SELF_GATED_PREFIXES):
            continue
        yield pattern, name


def test_every_page_is_in_the_role_table():
    missing = [f"{pattern} ({name})" for pattern, name in _gated_pages() if name not in {*PAGE_ROLES, *PUBLIC_PAGES}]
    assert not missing, f"say who may open these pages in accounts/gate.py PAGE_ROLES: {missing}"


def test_the_table_names_no_page_that_does_not_exist():
    names = {name for _pattern, name in _gated_pages()}
    assert set(PAGE_ROLES) <= names


@pytest.mark.parametrize("pattern_and_name", list(_gated_pages()), ids=lambda item: item[1])
def test_each_role_is_refused_exactly_the_pages_the_table_leaves_out(pattern_and_name):
    pattern, name = pattern_and_name
    answers = dict(zip(ACTORS, PAGES[pattern], strict=True))
    for actor, role in ROLE_OF_ACTOR.items():
        if name in PUBLIC_PAGES or role in PAGE_ROLES[name]:
            assert answers[actor] != 403, (pattern, actor)
        else:
            assert answers[actor] == 403, (pattern, actor)


def test_no_view_decides_roles_itself():
    """Role checks live in the gate only: views ask for scope, never for a role name."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.glob("*/views*.py"), *root.glob("*/views/*.py")]:
        text = path.read_text()
        if "_require_role" in text or "has_perm(" in text and "PermissionDenied" in text:
            offenders.append(str(path.relative_to(root)))
    assert not offenders, offenders
