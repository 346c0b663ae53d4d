"""The one settings module, driven by ``CYBERCAP_*`` environment variables and ``DATABASE_URL``.

Every variable is read once, here, through :class:`cybercap.conf.Env`; a bad value stops
start-up with a message naming the variable. Secrets may come from ``NAME_FILE``.
See docs/deployment.md for the full list.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cybercap.conf import Env, ImproperlyConfiguredError

INSECURE_SECRET_KEY = "cybercap-insecure-development-key-do-not-use-in-production"  # noqa: S105 - a known marker that `cybercap serve` refuses

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = PACKAGE_DIR.parent.parent

env = Env()

try:
    BASE_DIR = Path(env.str("CYBERCAP_BASE_DIR", str(Path.cwd()))).resolve()
    VAR_DIR = Path(env.str("CYBERCAP_VAR_DIR", str(BASE_DIR / "var"))).resolve()
    _default_content = _REPO_DIR / "content"
    if not _default_content.is_dir():
        _default_content = BASE_DIR / "content"
    CONTENT_DIR = Path(env.str("CYBERCAP_CONTENT_DIR", str(_default_content))).resolve()

    DEMO = env.bool("CYBERCAP_DEMO", False)
    DEBUG = env.bool("CYBERCAP_DEBUG", False)
    SECRET_KEY = env.str("CYBERCAP_SECRET_KEY", "") or INSECURE_SECRET_KEY
    ALLOWED_HOSTS = env.list(
        "CYBERCAP_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if (DEBUG or DEMO) else []
    )
    CSRF_TRUSTED_ORIGINS = env.list("CYBERCAP_CSRF_TRUSTED_ORIGINS")
    HTTPS = env.bool("CYBERCAP_HTTPS", not (DEBUG or DEMO))
    BEHIND_PROXY = env.bool("CYBERCAP_BEHIND_PROXY", False)
    SITE_URL = env.str("CYBERCAP_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

    _database_url = env.str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cybercap.sqlite3'}")
    try:
        _database = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types
        raise ImproperlyConfiguredError(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if _database["ENGINE"] not in (
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    ):
        raise ImproperlyConfiguredError(
            "DATABASE_URL must point at PostgreSQL (postgres://...) or SQLite (sqlite:///...)."
        )
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database["CONN_MAX_AGE"] = 0
        _database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    DATABASES = {"default": _database}

    REDIS_URL = env.str("REDIS_URL", "")
    if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfiguredError("REDIS_URL must start with redis://, rediss:// or unix://.")

    EMAIL_HOST = env.str("CYBERCAP_EMAIL_HOST", "")
    EMAIL_PORT = env.int("CYBERCAP_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env.str("CYBERCAP_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env.str("CYBERCAP_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env.bool("CYBERCAP_EMAIL_TLS", True)
    EMAIL_USE_SSL = env.bool("CYBERCAP_EMAIL_SSL", False)
    DEFAULT_FROM_EMAIL = env.str("CYBERCAP_EMAIL_FROM", "cybercap <noreply@cybercap.invalid>")
    DISPLAY_TIME_ZONE = env.str("CYBERCAP_TIME_ZONE", "Asia/Singapore")
    SESSION_COOKIE_AGE = env.int("CYBERCAP_SESSION_AGE", 8 * 3600, minimum=300)
    SESSION_IDLE_TIMEOUT = env.int("CYBERCAP_SESSION_IDLE", 3600, minimum=60)
    MAX_UPLOAD_BYTES = env.int("CYBERCAP_MAX_UPLOAD_MB", 50, minimum=1) * 1024 * 1024
    AXES_FAILURE_LIMIT = env.int("CYBERCAP_LOGIN_FAILURE_LIMIT", 5, minimum=1)
    AXES_COOLOFF_MINUTES = env.int("CYBERCAP_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
    HSTS_SECONDS = env.int("CYBERCAP_HSTS_SECONDS", 31536000, minimum=0)
    HSTS_PRELOAD = env.bool("CYBERCAP_HSTS_PRELOAD", True)
    LOG_LEVEL = env.choice("CYBERCAP_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
    TASK_BACKEND = env.choice(
        "CYBERCAP_TASKS", ("database", "immediate"), "immediate" if DEMO else "database"
    )
    API_TOKEN_DEFAULT_DAYS = env.int("CYBERCAP_API_TOKEN_DAYS", 90, minimum=1)
except ImproperlyConfiguredError as exc:
    raise ImproperlyConfigured(str(exc)) from None

try:
    from zoneinfo import ZoneInfo

    ZoneInfo(DISPLAY_TIME_ZONE)
except Exception:
    raise ImproperlyConfigured(
        f"CYBERCAP_TIME_ZONE={DISPLAY_TIME_ZONE!r} is not a known time zone (e.g. Asia/Jakarta)."
    ) from None

# --- applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "cybercap.core",
    "cybercap.network",
    "cybercap.accounts",
    "cybercap.api",
    "cybercap.reviews",
    "cybercap.quizzes",
    "cybercap.certificates",
    "cybercap.elearning",
    "cybercap.activities",
    "cybercap.evidence",
    "cybercap.demo",
    "cybercap.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cybercap.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cybercap.accounts.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cybercap.urls"
WSGI_APPLICATION = "cybercap.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cybercap.core.context_processors.shell",
            ],
            "string_if_invalid": "",
        },
    }
]

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASK_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default", "email"],
    }
}

# --- authentication -----------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "cybercap.accounts.backends.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 3 * 3600

AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if BEHIND_PROXY else 0

OTP_TOTP_ISSUER = "cybercap"
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions are cached only in a cache that every app server shares (Redis): a per-process
# local-memory cache would serve one worker a stale copy of a session another worker changed
# (a second factor just verified, a log-out).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- internationalisation ------------------------------------------------------------------------

LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# Django lacks three of the region's languages; teach it their names once, here.
LANG_INFO.setdefault("lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ພາສາລາວ"})
LANG_INFO.setdefault(
    "fil", {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"}
)
LANG_INFO.setdefault("tet", {"bidi": False, "code": "tet", "name": "Tetum", "name_local": "Tetun"})

LANGUAGES = [
    ("en", _("English")),
    ("id", _("Indonesian")),
    ("th", _("Thai")),
    ("vi", _("Vietnamese")),
    ("ms", _("Malay")),
    ("fil", _("Filipino")),
    ("km", _("Khmer")),
    ("lo", _("Lao")),
    ("my", _("Burmese")),
    ("tet", _("Tetum")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

# --- static files and uploads -------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or DEMO)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- e-mail -----------------------------------------------------------------------------------

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    EMAIL_USE_TLS = False
EMAIL_TIMEOUT = 20
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- security -----------------------------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = (
    False  # htmx reads no cookie; the token travels in a header set by hx-headers
)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = HSTS_SECONDS if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and HSTS_PRELOAD
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# --- logging --------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- the API --------------------------------------------------------------------------------------

NINJA_PAGINATION_PER_PAGE = 50
