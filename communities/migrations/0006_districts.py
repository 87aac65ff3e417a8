"""Districts (区/县) above streets: every existing street goes into the district its code begins with.

An installation so far held one district; its streets' codes share their first six digits. Each distinct
prefix becomes one district (named 本区 when there is one, else by its code until the bureau names it), and
no street is left without one.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def streets_into_districts(apps, schema_editor):
    District = apps.get_model("communities", "District")
    Street = apps.get_model("communities", "Street")
    prefixes = sorted({code[:6] for code in Street.objects.values_list("code", flat=True)})
    for prefix in prefixes:
        name = "本区" if len(prefixes) == 1 else f"区县{prefix}"
        district = District.objects.create(code=prefix, name=name)
        Street.objects.filter(code__startswith=prefix).update(district=district)


class Migration(migrations.Migration):
    dependencies = [("communities", "0005_staffscope_moved_to_accounts")]

    operations = [
        migrations.CreateModel(
            name="District",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, verbose_name="名称")),
                (
                    "code",
                    models.CharField(
                        help_text="国家统计局统计用区划代码的前6位。",
                        max_length=6,
                        unique=True,
                        validators=[django.core.validators.RegexValidator("^\\d{6}$", "区县代码应为6位数字。")],
                        verbose_name="统计用区划代码",
                    ),
                ),
            ],
            options={
                "verbose_name": "区/县",
                "verbose_name_plural": "区/县",
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("code__regex", "^\\d{6}$")),
                        name="district_code_6_digits",
                        violation_error_message="区县代码应为6位数字。",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="street",
            name="district",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="streets",
                to="communities.district",
                verbose_name="区/县",
            ),
        ),
        migrations.RunPython(streets_into_districts, migrations.RunPython.noop),
    ]
