"""The test suite (`make test`, tests/pytest.ini): development hosts, a fast password hasher,
a random secret key per process, and the database from DATABASE_URL or the embedded server."""

import secrets

from .base import *  # noqa: F401,F403
from .base import DEV_ALLOWED_HOSTS, DEV_CSRF_TRUSTED_ORIGINS, STORAGES, database, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="") or secrets.token_urlsafe(50)
ALLOWED_HOSTS = DEV_ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = DEV_CSRF_TRUSTED_ORIGINS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False  # the browser tests speak plain HTTP

DATABASES = {"default": database(embedded=True)}

# Hashing a password the production way takes ~0.3 s: the suite creates hundreds of people.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Mail goes to a real SMTP server on loopback that the tests start (tests/conftest.py's `smtp`);
# tests without it get Django's in-memory outbox (pytest-django sets it).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
