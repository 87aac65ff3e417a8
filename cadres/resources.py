"""django-import-export resources: the roster's columns for exports, masked unless permitted."""

from import_export import resources
from import_export.fields import Field

from cadres.models import Cadre, Gender
from cadres.roster import COLUMNS
from core.privacy import shown


class CadreResource(resources.ModelResource):
    """The roster template's columns, in its order, written as a clerk would type them."""

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        # no user: the command line, run by whoever holds the server (full data)
        self.user = user

    class Meta:
        model = Cadre
        fields = ()

    def get_export_queryset(self, request=None):
        return Cadre.objects.select_related("community", "former_unit")

    def get_export_fields(self, selected_fields=None):
        fields = [self.fields[column.attribute] for column in COLUMNS]
        if selected_fields:
            fields = [f for f in fields if f.column_name in selected_fields or f.attribute in selected_fields]
        return fields

    def export_field(self, field, instance, **kwargs):
        name = field.attribute
        value = getattr(instance, name)
        if name == "gender":
            return Gender(value).label if value else ""
        if name == "community":
            return instance.community.name
        if name == "former_unit":
            return instance.former_unit.name if instance.former_unit else ""
        if name == "retirement_kind":
            return Cadre.RetirementKind(value).label if value else ""
        if name in ("is_party_member", "membership_in_community"):
            return "是" if value else "否"
        if name in Cadre.SENSITIVE_FIELDS:  # the one rule: in full, masked or left empty (core.privacy)
            value = shown(self.user, instance, name)
        if value is None:
            return ""
        return value


for _column in COLUMNS:
    CadreResource.fields[_column.attribute] = Field(attribute=_column.attribute, column_name=_column.header)
