"""Settings shared by every environment, read from the environment (django-environ).

Which module runs (`DJANGO_SETTINGS_MODULE`): `config.settings.local` for `make run` and
`manage.py`, `config.settings.test` for `make test`, `config.settings.production` for the
WSGI server and the Celery worker (Elastic Beanstalk sets it too). Every variable is listed in
the README.

Importing a settings module has no side effects: it starts no database and creates no folder.
`make` (via `python -m config.dev prepare`) starts the embedded PostgreSQL and creates the
folders under var/ that development needs.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import embedded_postgres

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

# Development state: the embedded database, the development key, the file broker, local reports.
VAR_DIR = Path(env("CLASSPLAN_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = False

# --- security -------------------------------------------------------------------------
# SECRET_KEY: each environment's module sets it (local: a random key kept in var/; test: random
# per process; production: required from the environment).

# The domain schools hang under: the district site is BASE_DOMAIN, a school <code>.BASE_DOMAIN.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
DEV_ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}", "127.0.0.1"]
DEV_CSRF_TRUSTED_ORIGINS = [f"http://*.{BASE_DOMAIN}:8000", f"http://{BASE_DOMAIN}:8000"]
# A session cookie for the parent domain lets district staff move between schools
# without logging in again (e.g. ".classplan.example.org").
SESSION_COOKIE_DOMAIN = env("SESSION_COOKIE_DOMAIN", default=None) or None
CSRF_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). Scripts only from our own static files or inline blocks
# carrying the request's nonce (`<script nonce="{{ request.csp_nonce }}">`), plus the one inline
# handler django-import-export's export page has ("Select all", allowed by its hash); styles may
# be inline (style attributes, the <style> in matplotlib's SVG charts), never from another site.
CSP_IMPORT_EXPORT_SELECT_ALL = "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"  # onSelectToggleChange(event)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, "'unsafe-hashes'", CSP_IMPORT_EXPORT_SELECT_ALL],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        # forms post to this site, the district office or a school (the hand-off between them)
        "form-action": [SELF, BASE_DOMAIN + ":*", f"*.{BASE_DOMAIN}:*"],
    },
}

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
    "axes",  # failed log-ins, in the public schema: one count per person and address, every site
    "csp",
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
    "config.health.HealthCheckMiddleware",  # /healthz on any host, without a login (config/health.py)
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tenants.middleware.SchoolAccessMiddleware",
    "tenants.middleware.DistrictTimeZoneMiddleware",  # every date and time in the district's zone
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
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
                "tenants.context_processors.site",
            ],
        },
    },
]


# --- database --------------------------------------------------------------------------
def database(*, embedded: bool) -> dict:
    """DATABASE_URL, else Elastic Beanstalk's RDS_* variables, else (development and tests)
    the embedded server under var/pgdata, which `make` starts; importing this starts nothing."""
    if env("DATABASE_URL", default=""):
        settings = env.db("DATABASE_URL")
    elif env("RDS_HOSTNAME", default=""):  # set by Elastic Beanstalk when it manages the database
        settings = {
            "NAME": env("RDS_DB_NAME"),
            "USER": env("RDS_USERNAME"),
            "PASSWORD": env("RDS_PASSWORD"),
            "HOST": env("RDS_HOSTNAME"),
            "PORT": env("RDS_PORT", default="5432"),
        }
    elif embedded:
        settings = embedded_postgres.database_settings(VAR_DIR / "pgdata")
    else:
        raise ImproperlyConfigured("Set DATABASE_URL (or the RDS_* variables).")
    return {**settings, "ENGINE": "django_tenants.postgresql_backend"}


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
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out people before any password check
    "django.contrib.auth.backends.ModelBackend",
    "tenants.backends.EmailLoginBackend",  # an email address in place of the user name
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force lockout (django-axes) on every log-in form (the site's and the admin's, district
# and schools): after LOGIN_FAILURE_LIMIT wrong passwords for one user name, or from one
# address, that user name / address is refused for LOGIN_LOCKOUT_MINUTES. A successful log-in
# clears the count. District staff can clear a lockout at once: `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.login_lockout.lockout_response"  # registration/locked_out.html
AXES_CLIENT_IP_CALLABLE = "config.login_lockout.client_ip"
# How many proxies in front of the app append to X-Forwarded-For (Elastic Beanstalk's load
# balancer and nginx: 2). 0: the address is the connection's own (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_ENABLE_ADMIN = False  # the district admin does not use Django's default admin site

# --- i18n ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Our date and time formats (config/formats/en): every time shown names its zone.
FORMAT_MODULE_PATH = ["config.formats"]

# --- uploaded spreadsheets (enrolment imports) -------------------------------------------
# Checked before a file is read: its size, then rows and columns while reading it.
SPREADSHEET_MAX_BYTES = env.int("SPREADSHEET_MAX_BYTES", default=2_000_000)
SPREADSHEET_MAX_ROWS = env.int("SPREADSHEET_MAX_ROWS", default=5_000)
SPREADSHEET_MAX_COLUMNS = env.int("SPREADSHEET_MAX_COLUMNS", default=30)

# --- static files and report storage --------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None  # a local S3-API server
# Presigned links with Signature Version 4 (AWS refuses version 2 on buckets created since 2020);
# django-storages applies this to every S3 storage that does not set its own.
AWS_S3_SIGNATURE_VERSION = "s3v4"
REPORTS_URL_EXPIRY_S = env.int("REPORTS_URL_EXPIRY_S", default=300)
REPORTS_LOCAL_ROOT = Path(env("REPORTS_LOCAL_ROOT", default=str(VAR_DIR / "reports")))
if AWS_STORAGE_BUCKET_NAME:
    REPORTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": AWS_S3_REGION_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "signature_version": AWS_S3_SIGNATURE_VERSION,
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
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Celery (solver and report jobs) --------------------------------------------------
# With no broker configured, a filesystem transport under var/ lets `make run` start a real
# worker beside the web server with nothing else installed (config/celery.py creates its folders).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = Path(env("CELERY_BROKER_FILESYSTEM_DIR", default=str(VAR_DIR / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# Never eager (Celery's default): not set here, so a test can switch it on with app.conf (Celery
# 5.6 prefers a namespaced CELERY_ setting over a later app.conf change).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Each kind of work has its own queue, worker (Procfile) and time limits: a solve never waits
# behind report renders, and a render gets the time a 200-class PDF needs.
CELERY_TASK_ROUTES = {
    "reports.tasks.district_bundle_build_task": {"queue": "celery"},  # waits for renders; never renders
    "schools.plans.tasks.*": {"queue": "solver"},
    "reports.tasks.*": {"queue": "reports"},
}
SOLVER_TIME_LIMIT_S = env.int("SOLVER_TIME_LIMIT_S", default=20)
CELERY_TASK_TIME_LIMIT = SOLVER_TIME_LIMIT_S + 60  # hard limit above the solver's own
CELERY_TASK_SOFT_TIME_LIMIT = SOLVER_TIME_LIMIT_S + 30
REPORT_TIME_LIMIT_S = env.int("REPORT_TIME_LIMIT_S", default=240)  # one PDF (a 213-class plan: ~50 s)
BUNDLE_STALL_S = env.int("BUNDLE_STALL_S", default=REPORT_TIME_LIMIT_S + 120)  # no render finished: give up
BUNDLE_POLL_S = env.float("BUNDLE_POLL_S", default=2)  # how often the ZIP job looks at the renders it waits for
CELERY_TASK_ANNOTATIONS = {
    "reports.tasks.report_render_task": {"time_limit": REPORT_TIME_LIMIT_S,
                                         "soft_time_limit": REPORT_TIME_LIMIT_S - 30},
    "reports.tasks.district_bundle_build_task": {"time_limit": None, "soft_time_limit": None},
}
# Jobs (tenants/jobs.py): the row is the record; the dispatcher sends again what was never picked
# up and runs again (or fails) what lost its worker; workers write heartbeats. Seconds.
JOB_HEARTBEAT_S = env.float("JOB_HEARTBEAT_S", default=10)
JOB_DEAD_AFTER_S = env.float("JOB_DEAD_AFTER_S", default=40)  # silent this long: its worker is gone
JOB_REDISPATCH_AFTER_S = env.float("JOB_REDISPATCH_AFTER_S", default=60)  # sent, not picked up: send again
JOB_DISPATCH_INTERVAL_S = env.float("JOB_DISPATCH_INTERVAL_S", default=15)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=2)
# a finished job's result is saved again after a database error, after these pauses (~1 minute)
JOB_SAVE_RETRY_S = env.list("JOB_SAVE_RETRY_S", cast=float, default=[0.5, 1, 2, 4, 8, 15, 30])
CELERY_BEAT_SCHEDULE = {
    "jobs-dispatch": {
        "task": "tenants.tasks.jobs_dispatch_task",
        "schedule": JOB_DISPATCH_INTERVAL_S,
        "options": {"queue": "celery", "expires": JOB_DISPATCH_INTERVAL_S * 4},
    },
    # enrolment imports: previews never confirmed expire (their rows are dropped), jobs whose
    # worker is gone are failed with the reason, old jobs are deleted
    "enrolment-imports-clean": {
        "task": "schools.tasks.enrolment_imports_clean_task",
        "schedule": 3600.0,
        "options": {"queue": "celery"},
    },
    "district-imports-clean": {
        "task": "reports.district.tasks.district_imports_clean_task",
        "schedule": 3600.0,
        "options": {"queue": "celery"},
    },
}
if CELERY_BROKER_URL.startswith("redis"):
    # a message a dead worker held comes back after this long (the dispatcher is quicker)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": REPORT_TIME_LIMIT_S + 300}
# Beat keeps its schedule in memory: interval jobs only, nothing worth a file (and no shelve file
# to find corrupted on a first start).
CELERY_BEAT_SCHEDULER = "celery.beat:Scheduler"
# Who may queue how much work: requests per person per window (seconds).
CLASSPLAN_WORK_RATE = (10, 60)

# --- email (invitations, password resets) -----------------------------------------------
# Sent by Celery jobs after the transaction commits (tenants.tasks), never in a request.
# Production: Amazon SES (django-ses; region and credentials below, or boto3's usual chain).
# Development: printed by the worker (console backend). Tests: a real SMTP server on loopback.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Classplan <classplan@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env("EMAIL_HOST", default="localhost")  # the SMTP backend's server
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 30
AWS_SES_REGION_NAME = env("AWS_SES_REGION_NAME", default=AWS_S3_REGION_NAME)
AWS_SES_REGION_ENDPOINT = f"email.{AWS_SES_REGION_NAME}.amazonaws.com"
AWS_SES_CONFIGURATION_SET = env("AWS_SES_CONFIGURATION_SET", default="") or None
# How long an invitation link and a password-reset link work.
INVITATION_MAX_AGE = timedelta(days=env.int("INVITATION_DAYS", default=7))
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=24) * 3600

# --- logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}
