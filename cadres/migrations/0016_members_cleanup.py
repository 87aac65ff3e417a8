"""The old flags are gone (their rows moved in 0015); one organisational home per member from now on."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [('cadres', '0015_members_data')]

    operations = [
        migrations.RemoveConstraint(
            model_name='cadre',
            name='cadre_mobile_member_is_member',
        ),
        migrations.RemoveField(
            model_name='cadre',
            name='is_mobile_member',
        ),
        migrations.RemoveField(
            model_name='cadre',
            name='mobile_place',
        ),
        migrations.RemoveField(
            model_name='cadre',
            name='reported_on',
        ),
        migrations.RemoveField(
            model_name='historicalcadre',
            name='is_mobile_member',
        ),
        migrations.RemoveField(
            model_name='historicalcadre',
            name='mobile_place',
        ),
        migrations.RemoveField(
            model_name='historicalcadre',
            name='reported_on',
        ),
        migrations.AddConstraint(
            model_name='branchmembership',
            constraint=models.UniqueConstraint(condition=models.Q(('left_on__isnull', True), ('relation', 'held')), fields=('cadre',), name='membership_one_home_per_cadre', violation_error_message='该党员的组织关系已在另一个支部，只能有一个；在这里请选“参加组织生活”。'),
        ),
    ]
