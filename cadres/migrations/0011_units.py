"""Original units (原单位) become a model: every distinct 原工作单位 and 现管单位 text becomes one unit (by name,
case-insensitive), and each cadre points to it; nothing typed is lost. The history keeps the ids."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

ENTERPRISE = ("公司", "集团", "银行", "供销社", "厂", "矿")
INSTITUTION = ("医院", "学校", "中学", "小学", "大学", "学院", "中心", "站", "所")


def _kind(name):
    if any(word in name for word in ENTERPRISE):
        return "enterprise"
    if any(word in name for word in INSTITUTION):
        return "institution"
    return "organ"


def texts_to_units(apps, schema_editor):
    Cadre = apps.get_model("cadres", "Cadre")
    Unit = apps.get_model("cadres", "Unit")
    units = {}

    def unit_for(text):
        name = " ".join((text or "").split())
        if not name:
            return None
        key = name.lower()
        if key not in units:
            units[key] = Unit.objects.create(name=name[:100], kind=_kind(name))
        return units[key]

    for cadre in Cadre.objects.only("pk", "former_employer", "managing_unit_name").iterator(chunk_size=2000):
        former, managing = unit_for(cadre.former_employer), unit_for(cadre.managing_unit_name)
        if former or managing:
            Cadre.objects.filter(pk=cadre.pk).update(former_unit=former, managing_unit=managing)


def units_to_texts(apps, schema_editor):
    Cadre = apps.get_model("cadres", "Cadre")
    for cadre in Cadre.objects.select_related("former_unit", "managing_unit").iterator(chunk_size=2000):
        Cadre.objects.filter(pk=cadre.pk).update(
            former_employer=cadre.former_unit.name if cadre.former_unit else "",
            managing_unit_name=cadre.managing_unit.name if cadre.managing_unit else "",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0010_roster_import_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Unit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="单位名称")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("organ", "党政机关"),
                            ("institution", "事业单位"),
                            ("enterprise", "国有企业"),
                            ("other", "其他"),
                        ],
                        default="organ",
                        max_length=12,
                        verbose_name="单位类型",
                    ),
                ),
            ],
            options={
                "verbose_name": "原单位",
                "verbose_name_plural": "原单位",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("name"),
                        name="unit_name_unique",
                        violation_error_message="已有同名的单位。",
                    )
                ],
            },
        ),
        migrations.RenameField(model_name="cadre", old_name="managing_unit", new_name="managing_unit_name"),
        migrations.RenameField(model_name="historicalcadre", old_name="managing_unit", new_name="managing_unit_name"),
        migrations.AddField(
            model_name="cadre",
            name="former_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="retirees",
                to="cadres.unit",
                verbose_name="原工作单位",
            ),
        ),
        migrations.AddField(
            model_name="historicalcadre",
            name="former_unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cadres.unit",
                verbose_name="原工作单位",
            ),
        ),
        migrations.AddField(
            model_name="cadre",
            name="managing_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="managed_cadres",
                to="cadres.unit",
                verbose_name="现管单位",
            ),
        ),
        migrations.AddField(
            model_name="historicalcadre",
            name="managing_unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cadres.unit",
                verbose_name="现管单位",
            ),
        ),
        migrations.RunPython(texts_to_units, units_to_texts, elidable=False),
        migrations.RemoveField(model_name="cadre", name="former_employer"),
        migrations.RemoveField(model_name="historicalcadre", name="former_employer"),
        migrations.RemoveField(model_name="cadre", name="managing_unit_name"),
        migrations.RemoveField(model_name="historicalcadre", name="managing_unit_name"),
    ]
