"""Django settings for civicgrid, read from the environment.

Every setting a deployment may change is listed in ``docs/configuration.md``: the
environment variables read here (``NAME_FILE`` only for the five read with ``envsecret``),
``CIVICGRID_POINTS_EXPIRY_DAYS`` read by ``points/rules.py``,
``CIVICGRID_POINTS_DIRECT_CREDIT_MAX`` read by ``points/checks.py``, and the proactive-governance
tuning (``GOVERNANCE_SPIKE_*``, ``GOVERNANCE_HOT_PARAMS``) that ``civicgrid/governance``
reads with ``getattr`` and that only a settings module of the deployment's own can set.
"""

import base64
import hashlib
import os
import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import dj_database_url

from civicgrid.core.env import envbool, envfloat, envint, envlist, envsecret, envstr
from civicgrid.workcal.hours import parse_office_hours

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("CIVICGRID_DATA_DIR", str(BASE_DIR.parent / "var")))
TESTING = "pytest" in sys.modules or envbool("CIVICGRID_TESTING")

DEBUG = envbool("CIVICGRID_DEBUG", False)
_DEV_SECRET = "civicgrid-development-only-secret-key-do-not-use-in-production"  # noqa: S105
_KEY_HOWTO = (
    'e.g. the output of python3 -c "import secrets;print(secrets.token_urlsafe(50))" '
    "(or set CIVICGRID_SECRET_KEY_FILE to a file that holds it)"
)
SECRET_KEY = envsecret("CIVICGRID_SECRET_KEY", _DEV_SECRET if (DEBUG or TESTING) else "")
if not SECRET_KEY:
    raise RuntimeError(
        f"CIVICGRID_SECRET_KEY is not set: set it to a random key of 50 or more characters, {_KEY_HOWTO}"
    )
if not (DEBUG or TESTING):
    # Django's own rule (check --deploy, security.W009), refused at start: the development
    # key is published in this file, and a short or repetitive key can be guessed; with it
    # anyone could sign session cookies and password-reset tokens.
    if SECRET_KEY == _DEV_SECRET or SECRET_KEY.startswith("django-insecure-"):
        _weakness = "it is the development key published in civicgrid's source"
    elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        _weakness = (
            f"it has {len(SECRET_KEY)} characters, {len(set(SECRET_KEY))} of them different "
            "(at least 50 and 5 are needed)"
        )
    else:
        _weakness = ""
    if _weakness:
        raise RuntimeError(
            f"CIVICGRID_SECRET_KEY cannot be used: {_weakness}; set a random key, {_KEY_HOWTO}"
        )

ALLOWED_HOSTS = envlist("CIVICGRID_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
# The address residents and staff use, e.g. https://grid.example.gov.cn (QR doorplates, SMS
# rating links, Open311 discovery). Required in production (system check civicgrid.W001).
PUBLIC_BASE_URL = envstr("CIVICGRID_PUBLIC_URL", "")
_public = urlsplit(PUBLIC_BASE_URL)
if PUBLIC_BASE_URL and (_public.scheme not in ("http", "https") or not _public.hostname):
    raise RuntimeError(
        f"CIVICGRID_PUBLIC_URL must be an address like https://grid.example.gov.cn, not {PUBLIC_BASE_URL!r}"
    )
CSRF_TRUSTED_ORIGINS = envlist("CIVICGRID_CSRF_TRUSTED_ORIGINS", [])
# Forms posted from the public address are trusted (its origin need not be repeated above).
if PUBLIC_BASE_URL and (_origin := f"{_public.scheme}://{_public.netloc}") not in CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS.append(_origin)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # django-ninja's own copy of Swagger UI for /api/docs (without the app it loads it from a CDN)
    "ninja",
    "civicgrid.core",
    "civicgrid.accounts",
    "civicgrid.territory",
    "civicgrid.registry",
    "civicgrid.workcal",
    "civicgrid.notify",
    "civicgrid.requests",
    "civicgrid.open311",
    "civicgrid.classifier",
    "civicgrid.governance",
    "civicgrid.points",
    "civicgrid.volunteers",
    "civicgrid.party",
    "civicgrid.gridwork",
    "civicgrid.property",
    "civicgrid.exchange",
    "civicgrid.demo",
    "civicgrid.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "civicgrid.core.middleware.HealthMiddleware",  # /healthz: before any check of the Host
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "civicgrid.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civicgrid.web.idle.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "civicgrid.core.middleware.ErrorMiddleware",
]

ROOT_URLCONF = "civicgrid.urls"
WSGI_APPLICATION = "civicgrid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicgrid.web.context_processors.civicgrid",
            ],
        },
    }
]

# Database: SQLite file by default, PostgreSQL in production via DATABASE_URL.
DATABASE_URL = envsecret("DATABASE_URL", "")
if not DATABASE_URL:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{DATA_DIR / 'civicgrid.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CIVICGRID_DB_CONN_MAX_AGE", 60))
    }
except ValueError as _exc:  # named without the address itself, which holds the password
    if isinstance(_exc, dj_database_url.UnknownSchemeError):
        _expected = "postgres://user:password@host/name or sqlite:///path"
        _reason = f"its scheme {_exc.scheme}:// is unknown ({_expected} is expected)"
    else:
        _reason = "it is not a valid URL (are special characters in the password %-encoded?)"
    raise RuntimeError(f"DATABASE_URL (or DATABASE_URL_FILE) cannot be used: {_reason}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two concurrent writers queue instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound on the server and statements prepared after their 5th use on a
    # connection: PostgreSQL then plans an intake's statements once per connection instead
    # of on every call (its CPU per intake falls by half). Behind a pooler in transaction
    # mode without prepared-statement support (PgBouncer < 1.21), set
    # CIVICGRID_DB_PREPARE_THRESHOLD=0 to send every statement unprepared.
    prepare_threshold = envint("CIVICGRID_DB_PREPARE_THRESHOLD", 5)
    if prepare_threshold > 0:
        # Added to the options of DATABASE_URL (?sslmode=require, …), never in their place.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": prepare_threshold}
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保2.0 口令复杂度: at least 3 of upper case, lower case, digits, symbols.
    {"NAME": "civicgrid.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    # Not one of the last passwords (the one an administrator set included).
    {"NAME": "civicgrid.accounts.validators.PasswordHistoryValidator"},
]
if TESTING:
    # Tests create many accounts; PBKDF2's deliberate slowness would dominate the suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_AGE = envint("CIVICGRID_SESSION_SECONDS", 8 * 3600)
# A session without any request for this long is signed out on its next one (web/idle.py);
# 0 turns it off.
SESSION_IDLE_MINUTES = envint("CIVICGRID_SESSION_IDLE_MINUTES", 30)
# Sign-in failures (web/login.py), each within the window and locking for the rest of it:
# failures of one user name from one address since its last success there lock the name
# from that address; failures of one name from any addresses lock it everywhere (much
# higher: a distributed guess); failures on different names from one address lock the address.
LOGIN_MAX_FAILURES = envint("CIVICGRID_LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_NAME_ANY_ADDRESS = envint("CIVICGRID_LOGIN_MAX_FAILURES_PER_NAME_ANY_ADDRESS", 50)
# An address from which a name signed in within these days is its known desk: the name-wide
# lock does not keep it out there (the lock of the name from that address still does).
LOGIN_KNOWN_ADDRESS_DAYS = envint("CIVICGRID_LOGIN_KNOWN_ADDRESS_DAYS", 30)
LOGIN_MAX_FAILURES_PER_ADDRESS = envint("CIVICGRID_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCK_MINUTES = envint("CIVICGRID_LOGIN_LOCK_MINUTES", 15)
# Residents looked up by a whole ID number or phone (registry/pii.py): audited, and this many
# per user within the window (a lookup confirms a guess at a masked number).
REGISTRY_PII_SEARCH_LIMIT = envint("CIVICGRID_PII_SEARCH_LIMIT", 30)
REGISTRY_PII_SEARCH_WINDOW_MINUTES = envint("CIVICGRID_PII_SEARCH_WINDOW_MINUTES", 10)
# The operator console's caller history by phone (requests/ledger.py): audited like the
# ledger's phone search, with a call-taker's budget in the same window (one every 10 s).
REQUESTS_CALLER_HISTORY_LIMIT = envint("CIVICGRID_CALLER_HISTORY_LIMIT", 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("CIVICGRID_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "civicgrid.core.views.csrf_failure"  # Chinese, and keeps what was typed
# Reverse proxies in front of the application (nginx: 1). Each appends the address it saw to
# X-Forwarded-For; the client's address is then the N-th from the right, and REMOTE_ADDR is
# the proxy's. 0: REMOTE_ADDR is the client and X-Forwarded-For, which anyone can send, is
# ignored. Used for the audit log's address and the public endpoints' per-address limits.
TRUSTED_PROXIES = envint("CIVICGRID_TRUSTED_PROXIES", 0)
NINJA_NUM_PROXIES = TRUSTED_PROXIES
if TRUSTED_PROXIES > 0:
    # Behind the proxy, which ends TLS, a request is HTTPS when the proxy says so (nginx:
    # proxy_set_header X-Forwarded-Proto $scheme, replacing whatever the client sent).
    # Without it request.is_secure() is false: the CSRF check refuses the https:// Origin of
    # every form (403), and absolute links are built as http://.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only: plain http:// is redirected (but /healthz, for local health checks), and the
# browser told to use HTTPS for this many seconds (HSTS; start small, e.g. 3600, then 31536000).
SECURE_SSL_REDIRECT = envbool("CIVICGRID_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("CIVICGRID_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("CIVICGRID_HSTS_INCLUDE_SUBDOMAINS", False)

LANGUAGE_CODE = "zh-hans"
FORMAT_MODULE_PATH = ["civicgrid.formats"]  # ISO dates first, for <input type="date">
LANGUAGES = [("zh-hans", "简体中文")]  # i18n: data (a language is named in its own words)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("CIVICGRID_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

# Background work: Django's tasks API (django-tasks), database-backed worker by default.
TASKS = {
    "default": {
        "BACKEND": envstr(
            "CIVICGRID_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# Covering indexes (INCLUDE) serve PostgreSQL; SQLite (the demo) builds them without the
# included columns, which Django warns about on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Request lines without their query strings: a search by phone or ID number carries it there.
    "filters": {
        "no_query": {"()": "civicgrid.core.logfilters.QueryStringDropped"},
        "allowed_hosts_hint": {"()": "civicgrid.core.logfilters.AllowedHostsHint"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("CIVICGRID_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["console"], "filters": ["no_query"], "propagate": False},
        "django.security.DisallowedHost": {"filters": ["allowed_hosts_hint"]},
    },
}


def _derived_key(label: str) -> str:
    digest = hashlib.sha256(f"{label}:{SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


# Personal information: AES-256-GCM at rest and an HMAC-SHA256 for exact lookup.
# Production must set both keys; development and tests derive them from SECRET_KEY.
PII_KEY = envsecret("CIVICGRID_PII_KEY", _derived_key("pii") if (DEBUG or TESTING) else "")
PII_HASH_KEY = envsecret("CIVICGRID_PII_HASH_KEY", _derived_key("pii-hash") if (DEBUG or TESTING) else "")
for _name, _key in (("CIVICGRID_PII_KEY", PII_KEY), ("CIVICGRID_PII_HASH_KEY", PII_HASH_KEY)):
    if not _key:
        raise RuntimeError(
            f"{_name} is not set: production needs it (or {_name}_FILE naming a file that holds it), "
            'urlsafe base64 of 32 bytes, e.g. the output of python3 -c "import base64,os;'
            'print(base64.urlsafe_b64encode(os.urandom(32)).decode())" (see docs/configuration.md)'
        )
# Older keys still able to decrypt (comma separated), for key rotation.
PII_OLD_KEYS = envlist("CIVICGRID_PII_OLD_KEYS", [])


def _pii_key_problem(name: str, raw: str) -> str | None:
    """Why ``raw`` is no PII key (urlsafe base64 of 32 bytes, as docs/configuration.md
    says), or None. A mistyped key would otherwise be hashed into some other key and
    everything stored be unreadable (core/crypto.py)."""
    try:
        if len(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))) == 32:
            return None
    except ValueError:
        pass
    return (
        f"{name} must be urlsafe base64 of 32 bytes (44 characters), e.g. the output of "
        'python3 -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())". '
        "If an older civicgrid ran with a passphrase there, keep reading its data with the key it "
        'was turned into: python3 -c "import base64,hashlib,sys;'
        'print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).decode())" '
        "'THE PASSPHRASE'"
    )


for _name, _raw in [
    ("CIVICGRID_PII_KEY", PII_KEY),
    ("CIVICGRID_PII_HASH_KEY", PII_HASH_KEY),
    *(("CIVICGRID_PII_OLD_KEYS", old) for old in PII_OLD_KEYS),
]:
    if (_problem := _pii_key_problem(_name, _raw)) is not None:
        raise RuntimeError(_problem)

# Map: tile URL template for Leaflet; empty means no base map (polygons on a blank canvas).
MAP_TILE_URL = envstr("CIVICGRID_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = envstr("CIVICGRID_MAP_TILE_ATTRIBUTION", "")
# Coordinate system of the tiles: "wgs84" (Tianditu, OSM) or "gcj02" (AMap, Tencent).
MAP_TILE_CRS = envstr("CIVICGRID_MAP_TILE_CRS", "wgs84")

# Locator: how far (metres) a point outside every grid may be from the nearest grid.
LOCATOR_NEAREST_METRES = envfloat("CIVICGRID_LOCATOR_NEAREST_METRES", 200.0)
# How often (seconds) a process checks whether the grid geometry changed.
LOCATOR_CHECK_SECONDS = envfloat("CIVICGRID_LOCATOR_CHECK_SECONDS", 2.0)
# How often (seconds) a process checks which catalogue version is current.
CATALOGUE_CHECK_SECONDS = envfloat("CIVICGRID_CATALOGUE_CHECK_SECONDS", 2.0)
# How often (seconds) a process re-reads the dispatch rules and handling units.
RULES_CHECK_SECONDS = envfloat("CIVICGRID_RULES_CHECK_SECONDS", 2.0)
# How long a process keeps a handling unit's contacts (requests/unit_notify.py)
CONTACTS_CHECK_SECONDS = envfloat("CIVICGRID_CONTACTS_CHECK_SECONDS", 2.0)


def _refuse(name: str, value: object, rule: str) -> NoReturn:
    """Stop the start on a setting that would only fail later (every deadline, every score),
    naming the variable, its value as written and the rule it breaks."""
    raise RuntimeError(f"{name}={os.environ.get(name, value)!r} cannot be used: {rule}") from None


# Working calendar: office hours of a working day (for limits in working hours): windows
# HH:MM-HH:MM separated by commas, in any order, none overlapping (workcal/hours.py).
WORKCAL_OFFICE_HOURS = envstr("CIVICGRID_OFFICE_HOURS", "09:00-12:00,13:30-17:30")
try:
    parse_office_hours(WORKCAL_OFFICE_HOURS)
except ValueError as _exc:
    _refuse("CIVICGRID_OFFICE_HOURS", WORKCAL_OFFICE_HOURS, f"{_exc} (e.g. 09:00-12:00,13:30-17:30)")

# Respond upon receipt: a clock turns yellow when less than this fraction of its limit is left.
REQUESTS_YELLOW_FRACTION = envfloat("CIVICGRID_YELLOW_FRACTION", 0.2)
if not 0 < REQUESTS_YELLOW_FRACTION < 1:  # (also NaN)
    _refuse(
        "CIVICGRID_YELLOW_FRACTION",
        REQUESTS_YELLOW_FRACTION,
        "it must lie strictly between 0 and 1 (the share of a limit left when its clock turns yellow)",
    )
# Notification backends by channel (dotted paths); the console backend prints.
NOTIFY_BACKENDS = {
    "sms": envstr("CIVICGRID_NOTIFY_SMS", "civicgrid.notify.backends.ConsoleBackend"),
    "wechat": envstr("CIVICGRID_NOTIFY_WECHAT", "civicgrid.notify.backends.ConsoleBackend"),
    "email": envstr("CIVICGRID_NOTIFY_EMAIL", "civicgrid.notify.backends.ConsoleBackend"),
}
# The mail server of the e-mail backend (civicgrid.notify.backends.EmailBackend).
EMAIL_HOST = envstr("CIVICGRID_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("CIVICGRID_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("CIVICGRID_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envsecret("CIVICGRID_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("CIVICGRID_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("CIVICGRID_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise RuntimeError(
        "CIVICGRID_EMAIL_USE_TLS and CIVICGRID_EMAIL_USE_SSL cannot both be on (STARTTLS or TLS)"
    )
EMAIL_TIMEOUT = envint("CIVICGRID_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = envstr("CIVICGRID_EMAIL_FROM", "civicgrid@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Attachments on requests: largest file and accepted types.
REQUESTS_ATTACHMENT_MAX_BYTES = envint("CIVICGRID_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
REQUESTS_ATTACHMENT_TYPES = envlist(
    "CIVICGRID_ATTACHMENT_TYPES", ["image/jpeg", "image/png", "image/webp", "application/pdf"]
)
# The three rates: weights of the composite score and of partial answers.
RATES_WEIGHTS = {
    "response": envfloat("CIVICGRID_WEIGHT_RESPONSE", 0.10),
    "resolution": envfloat("CIVICGRID_WEIGHT_RESOLUTION", 0.45),
    "satisfaction": envfloat("CIVICGRID_WEIGHT_SATISFACTION", 0.45),
}
RATES_PARTLY_SOLVED_WEIGHT = envfloat("CIVICGRID_PARTLY_SOLVED_WEIGHT", 0.5)
RATES_BASIC_SATISFIED_WEIGHT = envfloat("CIVICGRID_BASIC_SATISFIED_WEIGHT", 0.8)
for _part, _weight in RATES_WEIGHTS.items():
    if not 0 <= _weight <= 1:  # (also NaN)
        _refuse(
            f"CIVICGRID_WEIGHT_{_part.upper()}", _weight, "a weight of the composite score must lie in [0, 1]"
        )
if abs(sum(RATES_WEIGHTS.values()) - 1) > 1e-6:
    _refuse(
        "CIVICGRID_WEIGHT_RESPONSE/_RESOLUTION/_SATISFACTION",
        f"{RATES_WEIGHTS['response']}/{RATES_WEIGHTS['resolution']}/{RATES_WEIGHTS['satisfaction']}",
        f"the three weights of the composite score must add up to 1 (they add up to "
        f"{sum(RATES_WEIGHTS.values()):g}; otherwise its full mark is not 100)",
    )
for _name, _weight in [
    ("CIVICGRID_PARTLY_SOLVED_WEIGHT", RATES_PARTLY_SOLVED_WEIGHT),
    ("CIVICGRID_BASIC_SATISFIED_WEIGHT", RATES_BASIC_SATISFIED_WEIGHT),
]:
    if not 0 <= _weight <= 1:  # (also NaN)
        _refuse(_name, _weight, "it must lie in [0, 1] (the share of a full answer such a rating counts)")
# Ranking classes (see docs/formulas.md).
RATES_MIN_RATINGS = envint("CIVICGRID_RATES_MIN_RATINGS", 5)
RATES_ADVANCED_SHARE = envfloat("CIVICGRID_RATES_ADVANCED_SHARE", 0.10)
RATES_BOTTOM_SHARE = envfloat("CIVICGRID_RATES_BOTTOM_SHARE", 0.10)
RATES_BUSY_SHARE = envfloat("CIVICGRID_RATES_BUSY_SHARE", 0.20)
RATES_IMPROVING_PLACES = envint("CIVICGRID_RATES_IMPROVING_PLACES", 3)
RATES_BOTTOM_LIST = envint("CIVICGRID_RATES_BOTTOM_LIST", 10)
# Red property: the red and black board of property companies by credit score (docs/formulas.md).
PROPERTY_RED_MIN = envint("CIVICGRID_PROPERTY_RED_MIN", 95)
PROPERTY_BLACK_BELOW = envint("CIVICGRID_PROPERTY_BLACK_BELOW", 80)

# Resident H5 and doorplates: per-IP limits, the public address, the alarm's category.
REQUESTS_H5_SUBMIT_LIMIT = envint("CIVICGRID_H5_SUBMIT_LIMIT", 10)
REQUESTS_H5_ALARM_LIMIT = envint("CIVICGRID_H5_ALARM_LIMIT", 30)
REQUESTS_H5_TRACK_LIMIT = envint("CIVICGRID_H5_TRACK_LIMIT", 20)
REQUESTS_H5_TRACK_IP_LIMIT = envint("CIVICGRID_H5_TRACK_IP_LIMIT", 200)
REQUESTS_H5_TRACK_NUMBER_LIMIT = envint("CIVICGRID_H5_TRACK_NUMBER_LIMIT", 100)
REQUESTS_H5_ALARM_REPEAT_SECONDS = envint("CIVICGRID_H5_ALARM_REPEAT_SECONDS", 600)
REQUESTS_H5_SIMILAR_LIMIT = envint("CIVICGRID_H5_SIMILAR_LIMIT", 300)
REQUESTS_H5_WINDOW_SECONDS = envint("CIVICGRID_H5_WINDOW_SECONDS", 3600)
# 督办 and 备注: the same person's identical one on the same request within this many seconds is
# a double click or a retry, refused (409) and not written again; 0 switches the check off.
REQUESTS_REPEAT_SECONDS = envint("CIVICGRID_REPEAT_SECONDS", 60)
# (PUBLIC_BASE_URL, the public address, is read above with CSRF_TRUSTED_ORIGINS.)
REQUESTS_ALARM_CATEGORY = envstr("CIVICGRID_ALARM_CATEGORY", "")
# Open311: whether callers without an API key may read requests (a public view of those about
# public places); off unless switched on.
OPEN311_PUBLIC_VIEW = envbool("CIVICGRID_OPEN311_PUBLIC", False)
# Open311: the ``jurisdiction_id`` values this server answers to (comma-separated, e.g.
# "320213" or "liangxi.example.cn"); empty: the codes of the active districts. Another one
# is refused (404 "jurisdiction_id not found", as GeoReport v2 says); none sent is fine.
OPEN311_JURISDICTION_IDS = envlist("CIVICGRID_OPEN311_JURISDICTION", [])
# Classifier: a suggested catalogue leaf at or above this confidence is dispatched without a
# human (above 1 turns automatic dispatch off); below it the request goes to triage.
CLASSIFIER_AUTO_DISPATCH_CONFIDENCE = envfloat("CIVICGRID_CLASSIFIER_AUTO_DISPATCH", 0.9)
# Possible duplicates: open requests within this distance (or in the same grid) received in
# the last days, with similar text.
REQUESTS_DUPLICATE_METRES = envfloat("CIVICGRID_DUPLICATE_METRES", 500.0)
REQUESTS_DUPLICATE_DAYS = envint("CIVICGRID_DUPLICATE_DAYS", 30)

# Lists: rows per page.
PAGE_SIZE = envint("CIVICGRID_PAGE_SIZE", 50)
