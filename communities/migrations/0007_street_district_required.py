"""Every street is in a district (filled by 0006; its own migration so PostgreSQL has no pending trigger events)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("communities", "0006_districts")]

    operations = [
        migrations.AlterField(
            model_name="street",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="streets",
                to="communities.district",
                verbose_name="区/县",
            ),
        ),
    ]
