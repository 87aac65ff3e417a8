"""Settings for the portal, read from the environment.

With no environment at all the portal runs on embedded defaults: SQLite under
``var/``, Celery tasks run in-process, a local-memory cache, media under
``var/media/``. Production sets ``DJANGO_ENV=production`` plus the variables
listed in ``.env.example``; it has no default for secrets.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"

# In production nothing below has a default that works: what is missing is named by `check --deploy`
# and refused by every server process as it starts (portal/checks.py).
if IS_PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")  # no default: production must set it
    DEBUG = env.bool("DEBUG", default=False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
else:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-not-for-production")
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Personal data at rest (core/privacy.py): Fernet keys derived from SECRET_KEY
# (+ SECRET_KEY_FALLBACKS) and each salt of FIELD_ENCRYPTION_KEYS; the first encrypts, all decrypt.
# Digests for lookup use their own key. Rotation is described in the README.
if IS_PRODUCTION:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
    PERSONAL_DATA_HASH_KEY = env("PERSONAL_DATA_HASH_KEY", default="")
else:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=["dev-only-field-encryption-salt"])
    PERSONAL_DATA_HASH_KEY = env("PERSONAL_DATA_HASH_KEY", default="dev-only-personal-data-hash-key")
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "import_export",
    "django_htmx",
    "csp",
]
LOCAL_APPS = [
    "communities",
    "accounts",
    "approvals",
    "cadres",
    "activities",
    "portal",
    "demo",  # seed_demo and the benchmarks' data; refuses to run in production
]
# simple_history comes last so that the portal's clean_old_history (which keeps 180 days) wins
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS + ["simple_history"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # every answer but static files: Cache-Control: no-store, private (they carry personal data)
    "portal.middleware.PrivateResponsesMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (allauth's do).
    "accounts.middleware.PortalLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # the session ends when the person stops (polls do not count) and after its absolute length
    "accounts.sessions.SessionEndsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.AccountPolicyMiddleware",
    # who may open which page: one table (accounts/gate.py), every view
    "accounts.gate.RoleGateMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode (DATABASE_POOLED=true) a connection holds no state between
    # transactions: Django's server-side cursors (WITH HOLD, kept across transactions) are turned off.
    # The portal needs none: large reads go a batch of communities at a time (cadres.selectors.roster_batches).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_POOLED", default=False)
else:
    # SQLite: wait for a writer instead of failing at once; WAL lets readers go on.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
    # The tests' database is a file in memory (/dev/shm) rather than SQLite's shared-cache memory database:
    # that one refuses a second writer at once ("table is locked") where a file waits for it, so two
    # requests of a browser test writing together (a page and its service worker) would fail by chance.
    if Path("/dev/shm").is_dir():
        DATABASES["default"]["TEST"] = {"NAME": f"/dev/shm/laoganbu-test-{os.getpid()}.sqlite3"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and Celery: Redis when REDIS_URL is set, else local memory and eager tasks.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Redis down: a cache miss, not an error page (sessions and the lockout live in PostgreSQL)
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task runs longer than this (a roster of 50,000 rows is the longest); a ledger unit has its own limit.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1800)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
LEDGER_UNIT_TIME_LIMIT = env.int("LEDGER_UNIT_TIME_LIMIT", default=300)
# A message taken but not acknowledged (its worker died) goes back to the queue after the visibility
# timeout. It must be longer than the longest task, or a task still running would be delivered twice
# (a test holds this). The sweeper does not wait for it: it re-sends a dead worker's units within minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=7200)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False  # a copy is harmless: units are claimed
# The sweeper (portal.tasks.sweep_jobs): how often it runs, how long a task may be silent before its
# worker is asked about, how long a run may make no progress before its queued units are re-sent.
JOBS = {
    "sweep_seconds": env.int("JOBS_SWEEP_SECONDS", default=60),
    "grace_seconds": env.int("JOBS_GRACE_SECONDS", default=30),
    "stall_seconds": env.int("JOBS_STALL_SECONDS", default=120),
    "attempts": 3,  # a unit or import whose worker died this many times fails, with the reason
    "run_hours": 6,  # a run still unfinished after this fails what is left
    "check_months": 24,  # the daily check looks this many closed months back (from the first ledger)
    "inspect_timeout": 1.0,
}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Periodic jobs, all in one place (Asia/Shanghai). Run exactly ONE `celery beat` for the whole deployment;
# the monthly ledger job also takes a lock in the cache (Redis), so a second beat cannot start a second build.
CELERY_BEAT_SCHEDULE = {
    "ledgers-last-month": {
        "task": "portal.tasks.build_last_months_ledgers",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    "ledgers-last-year": {
        "task": "portal.tasks.build_last_years_summaries",
        "schedule": crontab(minute=0, hour=3, day_of_month=1, month_of_year=1),
    },
    "jobs-sweep": {
        "task": "portal.tasks.sweep_jobs",
        "schedule": float(JOBS["sweep_seconds"]),
    },
    "ledgers-check-closed-months": {
        "task": "portal.tasks.check_closed_months",
        "schedule": crontab(minute=30, hour=3),
    },
    "media-orphans": {
        "task": "portal.tasks.sweep_orphan_files",
        "schedule": crontab(minute=45, hour="*"),
    },
    "roster-imports-stale": {
        "task": "cadres.tasks.discard_stale_roster_imports",
        "schedule": crontab(minute=30, hour="*"),
    },
    "reminders-weekly": {
        "task": "portal.tasks.build_weekly_reminders",
        "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
    },
}

# Authentication: django-allauth, username and password; accounts are made by the bureau.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.backends.MobileNumberBackend",
]
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
# allauth's own rate limits stay on (backed by the cache: Redis in production) as a backstop
# behind the portal's lockout: 5 failed logins lock an account for 30 minutes.
# An office of dozens behind one address logs in at nine: allauth's 30 logins a minute per address would
# refuse the 31st, so its per-address limits are wide; the per-account lockout is what stops guessing.
# A refusal is the portal's own page in Chinese (portal.views.too_many_requests, config.urls.handler429).
ACCOUNT_RATE_LIMITS = {"login": "300/m/ip", "login_failed": "60/m/ip,10/30m/key"}
LOGIN_LOCKOUT_ATTEMPTS = 5
LOGIN_LOCKOUT_MINUTES = 30
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "accounts.adapters.MFAAdapter"  # secrets encrypted at rest
MFA_TOTP_ISSUER = "老干部工作社区融合平台"
# TOTP is required in production of every account that can export or see unmasked personal data, and of
# the three administrators (accounts.services.needs_two_factor); the embedded demo lets a newcomer straight in.
# MFA_REQUIRED_FOR_BUREAU is the old name of the same switch.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=env.bool("MFA_REQUIRED_FOR_BUREAU", default=IS_PRODUCTION))
# a session ends after 30 minutes in which the person did nothing (polls and the service worker do not
# count: accounts/sessions.py), and 10 hours after the login whatever they did
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_MAX_SECONDS = env.int("SESSION_MAX_HOURS", default=10) * 3600
# the stored session lives at most that long; the idle end is the middleware's, so it can say why
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_SAVE_EVERY_REQUEST = False  # saved when the person acts, never by a poll
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
ACCOUNT_SESSION_REMEMBER = False
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.validators.NotRecentlyUsedValidator", "OPTIONS": {"remember": 5}},
]

# Language and time: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static and media files are all served by the portal itself: no CDN on an intranet.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = DEBUG
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Media on S3-compatible object storage (MinIO, a cloud's OSS) once MEDIA_S3_BUCKET is set: photos, rosters
# and ledgers are then shared by every host; the portal reads them itself (scope checked), never by a
# public URL. Without it, the local disk under MEDIA_ROOT (one host).
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "core.s3.S3MediaStorage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default=None),
            "access_key": env("MEDIA_S3_ACCESS_KEY", default=None),
            "secret_key": env("MEDIA_S3_SECRET_KEY", default=None),
            "region_name": env("MEDIA_S3_REGION", default=None),
            "location": env("MEDIA_S3_PREFIX", default="media"),
            "addressing_style": "path",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "core.files.MediaStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# django-import-export writes through core/spreadsheets.py (SafeXLSX, SafeCSV): every text a string
# cell, formula starts prefixed in CSV. Its own escaping (it strips one leading "=") is off: nothing is lost.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# exporting a model's rows takes its view permission (and scope); without this the export page is open
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# The change history is audit trail: reading it takes the historical models' view
# permissions, which only the auditor group holds; nobody holds "change" on them.
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# Security. Production tightens these; check --deploy must pass there.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=IS_PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if IS_PRODUCTION else None
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"  # a Chinese page with a way back, not Django's bare one
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
# Content-Security-Policy: only the portal's own origin. Inline style attributes are
# allowed (the Django admin uses a few); inline and foreign scripts are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],  # allauth draws the TOTP QR code as a data: image
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Limits on what users upload (README "Upload limits"): a request body over MAX_REQUEST_BYTES is refused
# before it is read; a roster over its size, inflated size or row count before it is parsed; a photo over
# PHOTO_MAX_PIXELS before it is decoded.
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=20 * 1024 * 1024)
ROSTER_MAX_UNCOMPRESSED_BYTES = env.int("ROSTER_MAX_UNCOMPRESSED_BYTES", default=250 * 1024 * 1024)
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=100_000)
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=20 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=30_000_000)
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields other than files
FILE_UPLOAD_PERMISSIONS = 0o600  # uploads hold personal data: readable by the portal's user only

# QR self sign-in: attempts allowed per client IP and per activity within the window
# QR self sign-in counts failures only (a room on one Wi-Fi shares an address): per name in an
# activity, per address in an activity, per activity, within the window
SELF_SIGN_IN_FAILURES_PER_PERSON = env.int("SELF_SIGN_IN_FAILURES_PER_PERSON", default=5)
# past these, tries wait (activities/self_sign_in.py): from one address 1 s, 2 s, 4 s … at most a minute;
# in a whole activity a few seconds between tries from every address. Nobody whose details are right is refused.
SELF_SIGN_IN_FAILURES_PER_IP = env.int("SELF_SIGN_IN_FAILURES_PER_IP", default=20)
SELF_SIGN_IN_FAILURES_PER_ACTIVITY = env.int("SELF_SIGN_IN_FAILURES_PER_ACTIVITY", default=100)
SELF_SIGN_IN_MAX_WAIT_SECONDS = 60
SELF_SIGN_IN_BUSY_SPACING_SECONDS = 5
SELF_SIGN_IN_WINDOW_SECONDS = 10 * 60

# Time bank (时间银行): points credited for each hour of verified service
TIME_BANK_POINTS_PER_HOUR = env.int("TIME_BANK_POINTS_PER_HOUR", default=10)
