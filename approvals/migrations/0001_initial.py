"""The approvals app takes over the month's approval and its steps from communities, tables and rows untouched.

Only Django's state moves (SeparateDatabaseAndState); the tables keep their names through Meta.db_table.
Their content types are renamed, so permissions already granted and admin log entries stay attached.
"""

import core.dates
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("monthapproval", "approvalstep")
STATES = [
    ("open", "未提交"),
    ("submitted", "待街道审核"),
    ("approved", "待区审定"),
    ("accepted", "区已审定"),
    ("confirmed", "市已确认"),
]


def rename_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="communities", model__in=MOVED).update(app_label="approvals")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="approvals", model__in=MOVED).update(app_label="communities")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("communities", "0009_approval_figures"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MonthApproval",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("month", models.DateField(help_text="当月1日。", validators=[core.dates.DateBounds("2000-01-01")], verbose_name="月份")),
                        ("state", models.CharField(choices=STATES, default="open", max_length=10, verbose_name="状态")),
                        ("explanations", models.JSONField(blank=True, default=dict, verbose_name="未通过检查的说明")),
                        ("returned_reason", models.CharField(blank=True, max_length=300, verbose_name="退回原因")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="提交时间")),
                        ("first_submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="首次提交时间")),
                        ("figures", models.JSONField(blank=True, default=dict, verbose_name="审定时的数据")),
                        ("accepted_at", models.DateTimeField(blank=True, null=True, verbose_name="审定时间")),
                        ("changes", models.JSONField(blank=True, default=list, verbose_name="审定后的修改")),
                        ("changed_at", models.DateTimeField(auto_now=True, verbose_name="最近变更")),
                        ("community", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="approvals", to="communities.community", verbose_name="社区")),
                    ],
                    options={
                        "verbose_name": "月度审核",
                        "verbose_name_plural": "月度审核",
                        "db_table": "communities_monthapproval",
                        "ordering": ["-month", "community_id"],
                        "constraints": [
                            models.UniqueConstraint(fields=("community", "month"), name="approval_one_per_community_month", violation_error_message="该社区该月已有审核记录。"),
                            models.CheckConstraint(condition=models.Q(("month__day", 1)), name="approval_month_first_day", violation_error_message="月份应为当月1日。"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ApprovalStep",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("action", models.CharField(max_length=20, verbose_name="操作")),
                        ("from_state", models.CharField(choices=STATES, max_length=10, verbose_name="原状态")),
                        ("to_state", models.CharField(choices=STATES, max_length=10, verbose_name="新状态")),
                        ("at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                        ("reason", models.CharField(blank=True, max_length=300, verbose_name="原因")),
                        ("approval", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="steps", to="approvals.monthapproval")),
                        ("by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人")),
                    ],
                    options={
                        "verbose_name": "审核记录",
                        "verbose_name_plural": "审核记录",
                        "db_table": "communities_approvalstep",
                        "ordering": ["approval_id", "at", "pk"],
                    },
                ),
            ]
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
