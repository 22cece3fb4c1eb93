"""Development (`make run`, `manage.py`): DEBUG on, the embedded PostgreSQL when DATABASE_URL
is unset, and a random secret key that `make` generates once and keeps in var/secret-key."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import DEV_ALLOWED_HOSTS, DEV_CSRF_TRUSTED_ORIGINS, STORAGES, VAR_DIR, database, env

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY_FILE = VAR_DIR / "secret-key"


def _secret_key() -> str:
    key = env("SECRET_KEY", default="")
    if key:
        return key
    try:
        key = SECRET_KEY_FILE.read_text().strip()
    except FileNotFoundError:
        key = ""
    if len(key) < 50:
        raise ImproperlyConfigured(
            f"There is no development secret key in {SECRET_KEY_FILE}: `make run` (or "
            "`python -m config.dev prepare`) writes a random one there; or set SECRET_KEY."
        )
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=DEV_ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=DEV_CSRF_TRUSTED_ORIGINS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)

DATABASES = {"default": database(embedded=True)}

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
