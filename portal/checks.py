"""What production needs before it may start: one list, read by ``check --deploy`` and by every server process.

gunicorn (wsgi/asgi) and the Celery worker and beat refuse to start in production while anything here is
missing; ``manage.py check --deploy`` names each missing piece with what to set.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

DEV_DEFAULTS = ("dev-only", "change-me")


def _weak(value) -> bool:
    values = value if isinstance(value, (list, tuple)) else [value]
    return not values or any(not item or str(item).startswith(DEV_DEFAULTS) for item in values)


def production_problems() -> list[tuple[str, str, str]]:
    """(id, what is missing, what to set) for each production requirement not met; empty when all are."""
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append(
            ("portal.E001", "数据库不是PostgreSQL（production requires PostgreSQL）", "设置 DATABASE_URL=postgres://…")
        )
    if not settings.REDIS_URL:
        problems.append(
            (
                "portal.E002",
                "未配置Redis：缓存（登录锁定计数）只在单个进程内，后台任务不会执行（no REDIS_URL）",
                "设置 REDIS_URL=redis://…",
            )
        )
    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        problems.append(("portal.E003", "缓存为进程内存（local-memory cache in production）", "设置 REDIS_URL"))
    if _weak(settings.SECRET_KEY) or len(settings.SECRET_KEY) < 50:
        problems.append(("portal.E004", "SECRET_KEY 缺失、过短或为示例值", "设置至少50个随机字符的 SECRET_KEY"))
    if _weak(settings.FIELD_ENCRYPTION_KEYS):
        problems.append(("portal.E005", "FIELD_ENCRYPTION_KEYS 缺失或为示例值（个人信息加密密钥）", "设置随机密钥"))
    if _weak(settings.PERSONAL_DATA_HASH_KEY):
        problems.append(("portal.E006", "PERSONAL_DATA_HASH_KEY 缺失或为示例值", "设置随机密钥"))
    if not settings.ALLOWED_HOSTS:
        problems.append(("portal.E007", "ALLOWED_HOSTS 未设置", "设置门户的域名"))
    if not settings.MFA_REQUIRED:
        problems.append(("portal.E008", "未要求双因素认证（MFA_REQUIRED=false）", "生产环境须设置 MFA_REQUIRED=true"))
    if settings.DEBUG:
        problems.append(("portal.E009", "DEBUG 已打开", "设置 DEBUG=false"))
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_production_requirements(app_configs=None, **kwargs):
    """``check --deploy``: every production requirement not met, each with what to set."""
    if not settings.IS_PRODUCTION:
        return []
    return [checks.Error(what, hint=hint, id=code) for code, what, hint in production_problems()]


def refuse_unsafe_start() -> None:
    """Called as a server process starts: in production, refuse to serve with anything missing."""
    if not settings.IS_PRODUCTION:
        return
    problems = production_problems()
    if problems:
        listing = "; ".join(f"{code} {what} → {hint}" for code, what, hint in problems)
        raise ImproperlyConfigured(f"生产环境配置不完整，拒绝启动：{listing}")
