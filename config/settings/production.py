"""Production (gunicorn via config.wsgi, the Celery worker, Elastic Beanstalk).

Refuses to start without SECRET_KEY, ALLOWED_HOSTS and a database. HTTPS throughout by default:
SSL redirect, HSTS (with subdomains: every school is one) and secure cookies; behind a proxy
that terminates TLS and redirects on its own, SECURE_SSL_REDIRECT=0 (the proxy must still send
X-Forwarded-Proto). `manage.py check --deploy` is clean with these defaults.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import database, env

DEBUG = False

SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS, e.g. '.classplan.example.org' (the district and its schools).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": database(embedded=False)}

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django_ses.SESBackend")  # Amazon SES
