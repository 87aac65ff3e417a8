"""Re-encrypt every stored personal value with the first key of FIELD_ENCRYPTION_KEYS (key rotation)."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.privacy import DecryptionError, encrypted_fields, reencrypt

BATCH = 1000


class Command(BaseCommand):
    help = "用当前第一个密钥重新加密全部个人信息字段（密钥轮换，见 README）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只检查：用现有密钥逐行解密，不写入（恢复备份后用）。")

    def handle(self, *args, check=False, **options):
        if check:
            return self._check()
        total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if fields:
                total += self._rotate_model(model, fields)
        total += self._rotate_two_factor_secrets()
        self.stdout.write(self.style.SUCCESS(f"已重新加密 {total} 行。"))

    def _check(self):
        """Read every encrypted value with the configured keys; fail when any of them cannot be opened."""
        read = unreadable = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            rows = model._base_manager.order_by("pk").only("pk", *fields)
            pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                batch = pks[start : start + BATCH]
                try:
                    read += len(list(rows.filter(pk__in=batch)))
                except DecryptionError:  # find the rows one by one
                    for pk in batch:
                        try:
                            rows.get(pk=pk)
                            read += 1
                        except DecryptionError:
                            unreadable += 1
        if unreadable:
            raise CommandError(f"有 {unreadable} 行无法用现有密钥解密：FIELD_ENCRYPTION_KEYS 缺少密钥。")
        self.stdout.write(self.style.SUCCESS(f"已检查 {read} 行，全部可以解密。"))

    def _rotate_model(self, model, fields):
        """Decrypt-and-encrypt in batches; reading goes through the fields, writing through bulk_update."""
        done = 0
        last_pk = None
        while True:
            queryset = model._base_manager.order_by("pk").only("pk", *fields)
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            rows = list(queryset[:BATCH])
            if not rows:
                return done
            with transaction.atomic():
                model._base_manager.bulk_update(rows, fields)
            done += len(rows)
            last_pk = rows[-1].pk
            self.stdout.write(f"{model._meta.label}: {done}")

    def _rotate_two_factor_secrets(self):
        """TOTP secrets and recovery-code seeds are encrypted by the MFA adapter with the same keys."""
        from allauth.mfa.models import Authenticator

        done = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update():
                data = dict(authenticator.data)
                changed = False
                for key in ("secret", "seed"):
                    if data.get(key):
                        data[key] = reencrypt(data[key])
                        changed = True
                if changed:
                    authenticator.data = data
                    authenticator.save(update_fields=["data"])
                    done += 1
        return done
