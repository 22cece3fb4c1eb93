"""Classplan settings, read from the environment (django-environ).

Every variable is listed in the README. Development defaults apply only when DEBUG is on;
with DEBUG off the app refuses to start without a real SECRET_KEY, ALLOWED_HOSTS and a
database.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# --- security -------------------------------------------------------------------------
DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off."
    )

# The domain schools hang under: the district site is BASE_DOMAIN, a school <code>.BASE_DOMAIN.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=[BASE_DOMAIN, f".{BASE_DOMAIN}", "127.0.0.1"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"http://*.{BASE_DOMAIN}:8000", f"http://{BASE_DOMAIN}:8000"] if DEBUG else [],
)
# A session cookie for the parent domain lets district staff move between schools
# without logging in again (e.g. ".classplan.example.org").
SESSION_COOKIE_DOMAIN = env("SESSION_COOKIE_DOMAIN", default=None) or None
CSRF_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# --- applications ----------------------------------------------------------------------
SHARED_APPS = [
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    # after the admin, so its admin index (which greys out school apps on the district site,
    # where our district pages for them do work) does not replace Django's
    "django_tenants",
    "django.contrib.staticfiles",
    "import_export",
    "simple_history",
    "reports.district",  # district-wide report bundles (public schema)
]
TENANT_APPS = [
    # each school's own schema; the admin log lives per school so no school sees another's
    "django.contrib.admin",
    "schools",
    "schools.plans",
    "reports",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.School"
TENANT_DOMAIN_MODEL = "tenants.Domain"
AUTH_USER_MODEL = "tenants.User"
# New schools are cloned from a migrated template schema (see `manage.py school_template`);
# when the template is missing, django-tenants falls back to running the migrations.
TENANT_BASE_SCHEMA = env("TENANT_BASE_SCHEMA", default="school_template")
TENANT_CREATION_FAKES_MIGRATIONS = bool(TENANT_BASE_SCHEMA)

MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tenants.middleware.SchoolAccessMiddleware",
]

ROOT_URLCONF = "config.urls"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
WSGI_APPLICATION = "config.wsgi.application"

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
                "tenants.context_processors.school",
            ],
        },
    },
]

# --- database --------------------------------------------------------------------------
def _database() -> dict:
    if env("DATABASE_URL", default=""):
        return env.db("DATABASE_URL")
    if env("RDS_HOSTNAME", default=""):  # set by Elastic Beanstalk when it manages the database
        return {
            "NAME": env("RDS_DB_NAME"),
            "USER": env("RDS_USERNAME"),
            "PASSWORD": env("RDS_PASSWORD"),
            "HOST": env("RDS_HOSTNAME"),
            "PORT": env("RDS_PORT", default="5432"),
        }
    if DEBUG:
        from config.embedded_postgres import embedded_database

        return embedded_database(VAR_DIR / "pgdata")
    raise ImproperlyConfigured("Set DATABASE_URL (or the RDS_* variables) when DEBUG is off.")


DATABASES = {"default": {**_database(), "ENGINE": "django_tenants.postgresql_backend"}}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (tenant-prefixed keys) ------------------------------------------------------
CACHES = {
    "default": {
        **(
            env.cache("CACHE_URL")
            if env("CACHE_URL", default="")
            else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        ),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- auth ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- i18n ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- static files and report storage --------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None  # a local S3-API server
REPORTS_URL_EXPIRY_S = env.int("REPORTS_URL_EXPIRY_S", default=300)
REPORTS_LOCAL_ROOT = Path(env("REPORTS_LOCAL_ROOT", default=str(VAR_DIR / "reports")))
if AWS_STORAGE_BUCKET_NAME:
    REPORTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": AWS_S3_REGION_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": REPORTS_URL_EXPIRY_S,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
else:
    # private: under var/, never under a static or media URL
    REPORTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": REPORTS_LOCAL_ROOT, "base_url": None},
    }
STORAGES = {
    "default": REPORTS_STORAGE,
    "reports": REPORTS_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Celery (solver and report jobs) --------------------------------------------------
# With no broker configured, a filesystem transport under var/ lets `make run` start a real
# worker beside the web server with nothing else installed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = Path(env("CELERY_BROKER_FILESYSTEM_DIR", default=str(VAR_DIR / "broker")))
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ROUTES = {
    "schools.plans.tasks.*": {"queue": "solver"},
    "reports.tasks.*": {"queue": "reports"},
}
SOLVER_TIME_LIMIT_S = env.int("SOLVER_TIME_LIMIT_S", default=20)
CELERY_TASK_TIME_LIMIT = SOLVER_TIME_LIMIT_S + 60  # hard limit above the solver's own
CELERY_TASK_SOFT_TIME_LIMIT = SOLVER_TIME_LIMIT_S + 30

# --- logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}
