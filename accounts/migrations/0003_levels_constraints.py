"""The constraints of 0002_levels, once its rows are filled (PostgreSQL refuses them with pending trigger events)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_levels")]

    operations = [
        migrations.AddConstraint(
            model_name='staffscope',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('community__isnull', True), ('district__isnull', True), ('level', 'city'), ('street__isnull', True), ('unit__isnull', True)), models.Q(('community__isnull', True), ('district__isnull', False), ('level', 'district'), ('street__isnull', True), ('unit__isnull', True)), models.Q(('community__isnull', True), ('district__isnull', True), ('level', 'street'), ('street__isnull', False), ('unit__isnull', True)), models.Q(('community__isnull', False), ('district__isnull', True), ('level', 'community'), ('street__isnull', True), ('unit__isnull', True)), models.Q(('community__isnull', True), ('district__isnull', True), ('level', 'unit'), ('street__isnull', True), ('unit__isnull', False)), _connector='OR'), name='staffscope_place_matches_level', violation_error_message='工作范围与所选区县、街道、社区或单位不一致。'),
        ),
    ]
