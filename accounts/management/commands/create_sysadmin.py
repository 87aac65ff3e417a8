"""Create the first system administrator (系统管理员): the one account made from the command line."""

import getpass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, StaffProfile, StaffScope
from accounts.roles import sync_role_groups
from accounts.services import account_snapshot
from communities.models import AuditEvent
from core.audit import record_event


class Command(BaseCommand):
    help = "开设系统管理员账号（仅管理账号、角色与范围，不能查看花名册）。首次登录须修改密码。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取初始密码（自动化部署用）。")

    @transaction.atomic
    def handle(self, *args, username, password_stdin, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"账号 {username} 已存在。")
        password = input() if password_stdin else getpass.getpass("初始密码：")
        user = User(username=username, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        user.set_password(password)
        user.save()
        sync_role_groups(Group, Permission)
        user.groups.set([Group.objects.get(name=Role.SYSADMIN)])
        StaffScope.objects.create(user=user, level=StaffScope.Level.CITY)
        StaffProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})
        record_event(
            kind=AuditEvent.Kind.ACCOUNT_CREATED, target=username, via="create_sysadmin", after=account_snapshot(user)
        )
        self.stdout.write(self.style.SUCCESS(f"已开设系统管理员 {username}，首次登录须修改密码。"))
