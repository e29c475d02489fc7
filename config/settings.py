"""MCOMS settings: every value comes from the environment, with safe demo defaults.

Bad values fail loudly (ImproperlyConfigured) instead of being silently ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MCOMS_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}"
        ) from exc


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {choices}, not {value!r}")
    return value


DEMO_SECRET = "mcoms-demo-secret-key-not-for-production"  # noqa: S105
DEBUG = envbool("DEBUG", "true")
SECRET_KEY = os.environ.get("SECRET_KEY", DEMO_SECRET)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
        ","
    )
    if h.strip()
]
if not DEBUG and (SECRET_KEY == DEMO_SECRET or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "Refusing to start with DEBUG=false and the demo or a short SECRET_KEY."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "phonenumber_field",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "mcoms.core",
    "mcoms.org",
    "mcoms.customers",
    "mcoms.packages",
    "mcoms.metering",
    "mcoms.workflow",
    "mcoms.acquisition",
    "mcoms.ledger",
    "mcoms.billing",
    "mcoms.payments",
    "mcoms.receipts",
    "mcoms.cash",
    "mcoms.reports",
    "mcoms.notifications",
    "mcoms.api",
    "mcoms.backoffice",
    "mcoms.field",
    "mcoms.selfcare",
    "mcoms.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "backoffice:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DEFAULT_DB_URL = f"sqlite:///{VAR_DIR / 'mcoms.sqlite3'}"
_db = dj_database_url.parse(
    os.environ.get("DATABASE_URL", DEFAULT_DB_URL), conn_max_age=0
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
elif _db["ENGINE"] not in ("django.db.backends.postgresql",):
    raise ImproperlyConfigured("DATABASE_URL must be sqlite:// or postgres://")
_db["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mcoms.core.lockout.lockout_response"
AXES_VERBOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# --- i18n ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("hi", _("Hindi"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

# --- Static -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns without it
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# KYC photos and documents (acquisition): the largest upload accepted, in bytes.
KYC_MAX_UPLOAD_BYTES = envint("KYC_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
# CSV import of customers and packages (docs/import.md): the largest file.
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))

# --- Money --------------------------------------------------------------------------
MCOMS_CURRENCY = os.environ.get("MCOMS_CURRENCY", "INR")
# A bank deposit not verified by head office after this many days is an
# anomaly on the Bank Deposit Review (docs/collection.md).
CASH_DEPOSIT_STALE_DAYS = envint("CASH_DEPOSIT_STALE_DAYS", "3")

# --- Bill documents (docs/billing-documents.md) --------------------------------------
# The PDF fonts come from Debian's fonts-noto-core; each path can be overridden.
BILL_FONT_DIR = Path(os.environ.get("BILL_FONT_DIR", "/usr/share/fonts/truetype/noto"))
BILL_FONT_LATIN = Path(
    os.environ.get("BILL_FONT_LATIN", BILL_FONT_DIR / "NotoSans-Regular.ttf")
)
BILL_FONT_DEVANAGARI = Path(
    os.environ.get(
        "BILL_FONT_DEVANAGARI", BILL_FONT_DIR / "NotoSansDevanagari-Regular.ttf"
    )
)
# Queue every bill's SMS when a billing run is done (a task for the worker).
BILL_SMS_AFTER_RUN = envbool("BILL_SMS_AFTER_RUN", "true")

# --- Meter drivers (docs/metering.md, "Control and tokens") -------------------------
# The SparkMeter-style vendor cloud: base URL (empty: not configured), API key,
# the header that carries it, and the timeout of one request in seconds.
SPARKMETER_BASE_URL = os.environ.get("SPARKMETER_BASE_URL", "")
if SPARKMETER_BASE_URL and not SPARKMETER_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SPARKMETER_BASE_URL must start with http(s)://")
SPARKMETER_API_KEY = os.environ.get("SPARKMETER_API_KEY", "")
SPARKMETER_AUTH_HEADER = os.environ.get(
    "SPARKMETER_AUTH_HEADER", "Authentication-Token"
)
SPARKMETER_TIMEOUT = envint("SPARKMETER_TIMEOUT_SECONDS", "10")


# --- Payment providers (docs/payments.md) --------------------------------------------
# Per company code, per provider, its settings and secrets, as JSON in
# PAYMENT_PROVIDERS or in the file PAYMENT_PROVIDERS_FILE, e.g.
# {"tara": {"razorpay": {"key_id": "...", "key_secret": "...",
#  "webhook_secret": "..."}, "mpesa": {"shortcode": "600638", "token": "..."}}}
def _payment_providers() -> dict[str, dict[str, dict[str, object]]]:
    path = os.environ.get("PAYMENT_PROVIDERS_FILE", "")
    raw = Path(path).read_text() if path else os.environ.get("PAYMENT_PROVIDERS", "")
    try:
        value = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise ImproperlyConfigured(f"PAYMENT_PROVIDERS is not JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(v, dict) and all(isinstance(c, dict) for c in v.values())
        for v in value.values()
    ):
        raise ImproperlyConfigured(
            "PAYMENT_PROVIDERS must map company codes to {provider: {settings}}."
        )
    return value


PAYMENT_PROVIDERS = _payment_providers()
# The simulator gateway (signed callbacks, a hosted page) for the demo and tests.
PAYMENT_SIMULATOR = envbool("PAYMENT_SIMULATOR", "true" if DEBUG else "false")
PAYMENT_PROVIDER_TIMEOUT = envint("PAYMENT_PROVIDER_TIMEOUT_SECONDS", "10")

# --- Receipts (docs/receipts.md) -----------------------------------------------------
# The address customers reach this server at: the receipts' QR codes and SMS
# link to PUBLIC_BASE_URL + /r/<token>.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
if not PUBLIC_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("PUBLIC_BASE_URL must start with http(s)://")
# Every new payment's receipt goes to the customer by SMS (after commit).
RECEIPT_SMS_ON_PAYMENT = envbool("RECEIPT_SMS_ON_PAYMENT", "true")
# Lookups of the public verification page per address and minute.
RECEIPT_VERIFY_PER_MINUTE = envint("RECEIPT_VERIFY_PER_MINUTE", "30")

# --- Notifications ------------------------------------------------------------------
SMS_BACKEND = envchoice("SMS_BACKEND", "console", ("console", "file", "locmem"))
SMS_FILE_PATH = Path(os.environ.get("SMS_FILE_PATH", VAR_DIR / "sms.log"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mcoms@localhost")
OTP_TTL_MINUTES = envint("OTP_TTL_MINUTES", "10")
OTP_MAX_TRIES = envint("OTP_MAX_TRIES", "5")
OTP_LOCKOUT_MINUTES = envint("OTP_LOCKOUT_MINUTES", "30")
OTP_MAX_PER_HOUR = envint("OTP_MAX_PER_HOUR", "5")
PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONE_REGION", "IN")
PHONENUMBER_DB_FORMAT = "E164"

# --- Tasks --------------------------------------------------------------------------
TASKS_BACKEND = envchoice("TASKS_BACKEND", "database", ("database", "immediate"))
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "mcoms.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mcoms.api.errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "60/min"),
        "user": os.environ.get("THROTTLE_USER", "6000/min"),
        "otp": os.environ.get("THROTTLE_OTP", "10/min"),
        "login": os.environ.get("THROTTLE_LOGIN", "20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MCOMS API",
    "DESCRIPTION": "Mini-grid Customer and Operations Management Suite, API v1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choice sets that share a field name ("kind", "state") get their own names.
    "ENUM_NAME_OVERRIDES": {
        "MeterKindEnum": "mcoms.metering.models.MeterKind",
        "MeterStateEnum": "mcoms.metering.models.MeterState",
        "KycKindEnum": "mcoms.acquisition.models.KycKind",
        "RequestStateEnum": "mcoms.workflow.models.RequestState",
        "CommandStateEnum": "mcoms.metering.models.CommandState",
        "ReadingSourceEnum": "mcoms.metering.models.ReadingSource",
        "ReadingStatusEnum": "mcoms.metering.models.ReadingStatus",
        "BatchSourceEnum": "mcoms.metering.models.BatchSource",
        "BillingRunStatusEnum": "mcoms.billing.models.RunStatus",
        "BilledServiceEnum": "mcoms.billing.models.BILLED_SERVICES",
        "MeterCommandActionEnum": "mcoms.metering.models.CommandAction",
        "ProspectStatusEnum": "mcoms.acquisition.models.ProspectStatus",
        "PaymentServiceEnum": "mcoms.payments.models.PAYABLE_SERVICES",
        "PaymentStatusEnum": "mcoms.payments.models.PaymentStatus",
        "PaymentChannelEnum": "mcoms.payments.models.Channel",
        "ProviderEventStateEnum": "mcoms.payments.models.EventState",
        "CheckoutStateEnum": "mcoms.payments.models.SessionState",
        "CheckoutChannelEnum": "mcoms.payments.models.HOSTED_CHANNELS",
        "ConflictSettleActionEnum": "mcoms.payments.models.SETTLE_ACTIONS",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"mcoms": {"handlers": ["console"], "level": "INFO"}},
}

# Field agents share carrier-grade NAT addresses, so lockout is per username, not
# per IP address (docs/decisions/0004-lockout-per-username.md).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
