"""Finding 4: no list can be filtered by a parameter its screen does not offer, nor by a sensitive field.

Walks every list of the admin, for every model's sensitive fields (``SENSITIVE_FIELDS``), directly and
through every relation that leads to them.
"""

import pytest
from django.apps import apps
from django.contrib import admin

from accounts.models import Role
from tests.conftest import make_user
from tests.factories import CadreFactory, CareCaseFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def _list_url(model):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def _paths_to_sensitive_fields(model, depth=2, prefix=""):
    """``reason_illness``, ``cadre__health``, ``care_case__cadre__id_number``… reachable from ``model``."""
    for name in getattr(model, "SENSITIVE_FIELDS", {}):
        yield prefix + name
    if depth == 0:
        return
    for field in model._meta.get_fields():
        if field.is_relation and field.many_to_one and field.related_model is not None and field.concrete:
            yield from _paths_to_sensitive_fields(field.related_model, depth - 1, f"{prefix}{field.name}__")


def test_every_model_with_personal_data_declares_its_sensitive_fields():
    from core.privacy import encrypted_fields

    for model in apps.get_models():
        if model._meta.label.startswith(("simple_history", "mfa.")) or model.__name__.startswith("Historical"):
            continue
        for name in encrypted_fields(model):
            assert name in getattr(model, "SENSITIVE_FIELDS", {}), f"{model._meta.label}.{name}"


def test_a_street_admin_cannot_filter_any_list_by_a_sensitive_field(client):
    community = CommunityFactory()
    CareCaseFactory(cadre=CadreFactory(community=community), reason_illness=True)
    client.force_login(make_user(Role.STREET, street=community.street))
    tried = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(_request_for(client)):
            continue
        for path in _paths_to_sensitive_fields(model):
            for lookup in (path, f"{path}__exact", f"{path}__isnull"):
                response = client.get(_list_url(model), {lookup: "1"})
                assert response.status_code == 400, (model._meta.label, lookup, response.status_code)
                tried += 1
    assert tried > 20


def test_the_care_reasons_filter_of_the_review_is_refused(client):
    community = CommunityFactory()
    ill = CareCaseFactory(cadre=CadreFactory(community=community, name="病重者"), reason_illness=True)
    client.force_login(make_user(Role.STREET, street=community.street))
    response = client.get("/admin/cadres/carecase/", {"reason_illness__exact": "1"})
    assert response.status_code == 400
    assert ill.cadre.name not in response.content.decode()


def test_a_parameter_no_filter_offers_is_a_400_on_every_list(client):
    client.force_login(make_user(Role.BUREAU))
    request = _request_for(client)
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        for lookup in ("no_such_field", "pk__gt", "id__in", "created_at__year"):
            response = client.get(_list_url(model), {lookup: "1"})
            assert response.status_code == 400, (model._meta.label, lookup, response.status_code)


def test_an_unreadable_filter_value_is_a_400(client):
    client.force_login(make_user(Role.BUREAU))
    assert client.get("/admin/cadres/cadre/", {"is_party_member__exact": "maybe"}).status_code == 400


def test_offered_filters_still_work(client):
    community = CommunityFactory()
    CadreFactory(community=community, is_party_member=True, name="党员甲")
    CadreFactory(community=community, is_party_member=False, name="群众乙")
    client.force_login(make_user(Role.STREET, street=community.street))
    response = client.get("/admin/cadres/cadre/", {"is_party_member__exact": "1"})
    assert response.status_code == 200
    assert [c.name for c in response.context["cl"].result_list] == ["党员甲"]


def test_search_never_runs_over_a_sensitive_field_without_its_permission():
    from django.test import RequestFactory

    street_user = make_user(Role.STREET, street=CommunityFactory().street)
    request = RequestFactory().get("/")
    request.user = street_user
    from core.privacy import may_look_up

    for model, model_admin in admin.site._registry.items():
        for field in model_admin.get_search_fields(request):
            assert may_look_up(street_user, model, field.lstrip("^=@")), (model._meta.label, field)


def _request_for(client):
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    return request
