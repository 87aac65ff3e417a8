"""Who sees what: one mechanism, used by every screen, export and job.

A user's scope is a level of the organisation and one place at it: the city (everything), one district
(区/县), one street, one community, or one original unit (原单位: its retirees wherever they live, its
branches and their activities). It is read from the user's ``StaffScope`` once per request (cached on the
user object) and applied by ``ScopedQuerySet.for_user``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self, TypeAlias

from django.apps import apps
from django.db import models

# the places, from the widest down; a unit sits beside them (its people live anywhere)
LEVELS = ("city", "district", "street", "community")
# a community's path to its place at each level (the one spelling of community -> street -> district)
PLACE_PATH = {"district": "street__district_id", "street": "street_id", "community": "id"}


def place_path(level: str, community_path: str = "") -> str:
    """The field path from a row to its place at ``level``; ``community_path`` reaches the row's community
    ("" when the row is the community)."""
    if not community_path:
        return PLACE_PATH[level]
    if level == "community":
        return f"{community_path}_id"
    return f"{community_path}__{PLACE_PATH[level]}"


@dataclass(frozen=True)
class Scope:
    """What one account may see: the city, a district, a street, a community or a unit's people."""

    level: str  # "city", "district", "street", "community", "unit" or "none"
    street_id: int | None = None
    community_id: int | None = None
    district_id: int | None = None
    unit_id: int | None = None

    @property
    def is_wide(self) -> bool:
        """Whether the scope holds more than one street (the city or a district): it picks streets."""
        return self.level in ("city", "district")

    @property
    def is_city(self) -> bool:
        return self.level == "city"

    @property
    def place_key(self) -> str:
        """A key naming the scope's place, for caches."""
        return f"{self.level}:{self.district_id}:{self.street_id}:{self.community_id}:{self.unit_id}"


if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Account: TypeAlias = User | AnonymousUser  # whoever makes a request

NO_SCOPE = Scope(level="none")
CITY = Scope(level="city")


# the one way to name a place's scope (the places above it, where known, ride along for the crumbs and caches)
def district(district_id: int | None) -> Scope:
    return Scope(level="district", district_id=district_id)


def street(street_id: int, *, district_id: int | None = None) -> Scope:
    return Scope(level="street", district_id=district_id, street_id=street_id)


def community(community_id: int, *, street_id: int | None = None, district_id: int | None = None) -> Scope:
    return Scope(level="community", district_id=district_id, street_id=street_id, community_id=community_id)


def unit(unit_id: int) -> Scope:
    return Scope(level="unit", unit_id=unit_id)


def scope_of(user: Account | None) -> Scope:
    """The scope of ``user``; superusers see the city, strangers nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = CITY
    else:
        # looked up through the app registry, not imported: the models import this module (no cycle)
        StaffScope = apps.get_model("accounts", "StaffScope")  # noqa: N806 - a model class
        row = (
            StaffScope.objects.filter(user_id=user.pk)
            .select_related("community__street", "street")
            .only(
                "level",
                "district_id",
                "street_id",
                "street__district_id",
                "community_id",
                "community__street_id",
                "community__street__district_id",
                "unit_id",
            )
            .first()
        )
        scope = NO_SCOPE if row is None else _scope_of_row(row)
    setattr(user, "_portal_scope", scope)  # noqa: B010 - a per-request cache on the user object
    return scope


def _scope_of_row(row: Any) -> Scope:  # a StaffScope row (its model imports this module)
    if row.level == "city":
        return CITY
    if row.level == "district" and row.district_id is not None:
        return district(row.district_id)
    if row.level == "street" and row.street is not None:
        return street(row.street_id, district_id=row.street.district_id)
    if row.level == "community" and row.community is not None:
        place = row.community.street
        return community(row.community_id, street_id=place.pk, district_id=place.district_id)
    if row.level == "unit" and row.unit_id is not None:
        return unit(row.unit_id)
    return NO_SCOPE


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a community, directly or through a relation.

    Subclasses name the path from the model to its community in
    ``community_path`` (``"community"``, ``"cadre__community"``…); the empty
    path means the model is the community itself.
    """

    community_path = "community"
    # the paths from the model to the original unit whose staff see the row (none: unit staff see nothing)
    unit_paths: tuple[str, ...] = ()

    def for_user(self, user: Account | None) -> Self:
        """The rows ``user`` may see under their scope."""
        return self.in_scope(scope_of(user))

    def in_scope(self, scope: Scope) -> Self:
        """The rows inside ``scope``."""
        if scope.level == "city":
            return self.all()
        if scope.level == "unit":
            return self._of_unit(scope.unit_id)
        if scope.level not in LEVELS:
            return self.none()
        place = {"district": scope.district_id, "street": scope.street_id, "community": scope.community_id}
        return self.filter(**{place_path(scope.level, self.community_path): place[scope.level]})

    def _of_unit(self, unit_id: int | None) -> Self:
        if not self.unit_paths or unit_id is None:
            return self.none()
        condition = models.Q()
        for path in self.unit_paths:
            condition |= models.Q(**{f"{path}_id": unit_id})
        return self.filter(condition)

    def in_community(self, community: models.Model | int) -> Self:
        """The rows of one community."""
        key = f"{self.community_path}_id" if self.community_path else "pk"
        return self.filter(**{key: getattr(community, "pk", community)})
