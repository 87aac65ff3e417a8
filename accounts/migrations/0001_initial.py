"""The accounts app takes over four models from portal and communities, tables and rows untouched.

Only Django's state moves (SeparateDatabaseAndState); the tables keep their names through Meta.db_table.
Their content types are renamed, so permissions already granted and admin log entries stay attached.
"""

import core.privacy
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = {"staffscope": "communities", "staffprofile": "portal", "loginthrottle": "portal", "passwordhistory": "portal"}


def rename_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, old_label in MOVED.items():
        ContentType.objects.filter(app_label=old_label, model=model).update(app_label="accounts")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, old_label in MOVED.items():
        ContentType.objects.filter(app_label="accounts", model=model).update(app_label=old_label)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('communities', '0004_constraint_messages'),
        ('portal', '0011_jobs_that_finish'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LoginThrottle',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=150, unique=True, verbose_name='账号名')),
                        ('failures', models.PositiveSmallIntegerField(default=0, verbose_name='连续失败次数')),
                        ('window_started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='计数开始')),
                        ('locked_until', models.DateTimeField(blank=True, null=True, verbose_name='锁定至')),
                    ],
                    options={
                        'verbose_name': '登录失败计数',
                        'verbose_name_plural': '登录失败计数',
                        'db_table': 'portal_loginthrottle',
                        'default_permissions': (),
                    },
                ),
                migrations.CreateModel(
                    name='StaffProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('mobile', core.privacy.EncryptedChar(blank=True, help_text='可用手机号码代替用户名登录。', max_length=20, verbose_name='手机号码')),
                        ('mobile_digest', core.privacy.DigestField(editable=False, max_length=64, null=True, source='mobile', unique=True, verbose_name='手机号码摘要')),
                        ('must_change_password', models.BooleanField(default=True, help_text='由管理员开设或重置密码的账号，首次登录须自行修改密码。', verbose_name='下次登录须修改密码')),
                        ('password_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='密码修改时间')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='staff_profile', to=settings.AUTH_USER_MODEL, verbose_name='账号')),
                    ],
                    options={
                        'verbose_name': '账号安全信息',
                        'verbose_name_plural': '账号安全信息',
                        'db_table': 'portal_staffprofile',
                    },
                ),
                migrations.CreateModel(
                    name='PasswordHistory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('password', models.CharField(max_length=128, verbose_name='密码摘要')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='设置时间')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='password_history', to=settings.AUTH_USER_MODEL, verbose_name='账号')),
                    ],
                    options={
                        'verbose_name': '历史密码',
                        'verbose_name_plural': '历史密码',
                        'db_table': 'portal_passwordhistory',
                        'default_permissions': (),
                        'indexes': [models.Index(fields=['user', '-created_at'], name='password_history_user_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='StaffScope',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('level', models.CharField(choices=[('district', '全区'), ('street', '街道'), ('community', '社区')], max_length=10, verbose_name='范围')),
                        ('community', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.community', verbose_name='社区/村')),
                        ('street', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='communities.street', verbose_name='街道/镇')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='staff_scope', to=settings.AUTH_USER_MODEL, verbose_name='账号')),
                    ],
                    options={
                        'verbose_name': '工作范围',
                        'verbose_name_plural': '工作范围',
                        'db_table': 'communities_staffscope',
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('community__isnull', True), ('level', 'district'), ('street__isnull', True)), models.Q(('community__isnull', True), ('level', 'street'), ('street__isnull', False)), models.Q(('community__isnull', False), ('level', 'community'), ('street__isnull', True)), _connector='OR'), name='staffscope_place_matches_level', violation_error_message='工作范围与所选街道或社区不一致。')],
                    },
                ),
            ],
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
