"""Who sees what: one mechanism, used by every screen, export and job.

A user's scope is the district (everything), one street, or one community. It is
read from the user's ``StaffScope`` once per request (cached on the user
object) and applied by ``ScopedQuerySet.for_user``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self, TypeAlias

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Scope:
    """What one account may see: the whole district, one street or one community."""

    level: str  # "district", "street", "community" or "none"
    street_id: int | None = None
    community_id: int | None = None

    @property
    def is_district(self):
        return self.level == "district"


if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Account: TypeAlias = User | AnonymousUser  # whoever makes a request

NO_SCOPE = Scope(level="none")
DISTRICT = Scope(level="district")


def scope_of(user: Account | None) -> Scope:
    """The scope of ``user``; superusers see the district, strangers nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = DISTRICT
    else:
        # looked up through the app registry, not imported: the models import this module (no cycle)
        StaffScope = apps.get_model("accounts", "StaffScope")  # noqa: N806 - a model class
        row = (
            StaffScope.objects.filter(user_id=user.pk)
            .select_related("community")
            .only("level", "street_id", "community_id", "community__street_id")
            .first()
        )
        if row is None:
            scope = NO_SCOPE
        elif row.level == StaffScope.Level.DISTRICT:
            scope = DISTRICT
        elif row.level == StaffScope.Level.STREET:
            scope = Scope(level="street", street_id=row.street_id)
        else:
            scope = Scope(
                level="community",
                street_id=row.community.street_id if row.community is not None else None,
                community_id=row.community_id,
            )
    setattr(user, "_portal_scope", scope)  # noqa: B010 - a per-request cache on the user object
    return scope


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a community, directly or through a relation.

    Subclasses name the path from the model to its community in
    ``community_path`` (``"community"``, ``"cadre__community"``…); the empty
    path means the model is the community itself.
    """

    community_path = "community"

    def for_user(self, user: Account | None) -> Self:
        """The rows ``user`` may see under their scope."""
        return self.in_scope(scope_of(user))

    def in_scope(self, scope: Scope) -> Self:
        """The rows inside ``scope``."""
        if scope.level == "district":
            return self.all()
        if scope.level == "none":
            return self.none()
        prefix = f"{self.community_path}__" if self.community_path else ""
        if scope.level == "street":
            return self.filter(**{f"{prefix}street_id": scope.street_id})
        community_key = f"{self.community_path}_id" if self.community_path else "pk"
        return self.filter(**{community_key: scope.community_id})

    def in_community(self, community: models.Model | int) -> Self:
        """The rows of one community."""
        key = f"{self.community_path}_id" if self.community_path else "pk"
        return self.filter(**{key: getattr(community, "pk", community)})
