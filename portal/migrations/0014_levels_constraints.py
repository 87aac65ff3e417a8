"""The constraints of 0013_levels, once its rows are filled (PostgreSQL refuses them with pending trigger events)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0013_levels")]

    operations = [
        migrations.AddConstraint(
            model_name='ledgerreport',
            constraint=models.UniqueConstraint(condition=models.Q(('level', 'city')), fields=('kind', 'period_start'), name='ledger_one_per_city', violation_error_message='该期间的全市台账已存在。'),
        ),
        migrations.AddConstraint(
            model_name='ledgerreport',
            constraint=models.UniqueConstraint(condition=models.Q(('level', 'district')), fields=('kind', 'period_start', 'district'), name='ledger_one_per_district', violation_error_message='该区县该期间的台账已存在。'),
        ),
        migrations.AddConstraint(
            model_name='ledgerreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('community__isnull', True), ('district__isnull', True), ('level', 'city'), ('street__isnull', True)), models.Q(('community__isnull', True), ('district__isnull', False), ('level', 'district'), ('street__isnull', True)), models.Q(('community__isnull', True), ('district__isnull', True), ('level', 'street'), ('street__isnull', False)), models.Q(('community__isnull', False), ('district__isnull', True), ('level', 'community'), ('street__isnull', True)), _connector='OR'), name='ledger_place_matches_level', violation_error_message='台账的层级与区县、街道、社区不一致。'),
        ),
    ]
