"""Trust issue: log-in lockout (6), numeric passwords (8), the demo only in development (16),
production settings that `check --deploy` finds clean, and the Content-Security-Policy (18)."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from config.login_lockout import client_ip
from tenants.models import User
from tests import factories
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SITES = {"district": "localhost", "school": "alpha.localhost"}
LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


def person(site, school):
    return factories.user_create(district=True) if site == "district" else factories.member_create(school, "staff")


def log_in(host, address, username, password):
    client = Client(HTTP_HOST=host, REMOTE_ADDR=address)
    return client, client.post(LOGIN_PAGES[0], {"username": username, "password": password})


# --- 6: brute-force lockout ---------------------------------------------------------------

@pytest.mark.django_db
def test_40_wrong_passwords_then_the_right_one_is_refused_with_a_clear_message(school_a):
    """The reproduction: 40 wrong passwords, then the right one logged in. Now the user name is
    locked after AXES_FAILURE_LIMIT failures, whatever address the guesses come from."""
    user = factories.member_create(school_a, "staff")
    for i in range(40):
        guesser = Client(HTTP_HOST=SITES["school"], REMOTE_ADDR=f"127.0.1.{i + 1}")
        response = guesser.post("/accounts/login/", {"username": user.username, "password": f"guess-{i}"})
        # the failure that reaches the limit is answered with the lockout page already
        assert response.status_code == (200 if i < settings.AXES_FAILURE_LIMIT - 1 else 429), i
    client = Client(HTTP_HOST=SITES["school"], REMOTE_ADDR="127.0.2.1")
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    text = re.sub(r"\s+", " ", response.text)
    assert "Too many wrong passwords: logging in as" in text and user.username in text
    assert "is paused for 15 minutes" in text and "ask the district office to unlock your account" in text


@pytest.mark.django_db
@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_every_log_in_form_of_both_sites_locks_out(school_a, site, path, settings):
    settings.AXES_FAILURE_LIMIT = 3  # the same mechanism with fewer requests
    user = person(site, school_a)
    for i in range(3):
        Client(HTTP_HOST=SITES[site], REMOTE_ADDR=f"127.0.7.{i + 1}").post(
            path, {"username": user.username, "password": "guess"})
    client = Client(HTTP_HOST=SITES[site], REMOTE_ADDR="127.0.7.100")
    response = client.post(path, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert "Too many wrong passwords" in response.text


@pytest.mark.django_db
def test_failures_from_one_address_lock_that_address_out_for_every_user_name(school_a):
    for i in range(settings.AXES_FAILURE_LIMIT):
        log_in(SITES["school"], "127.0.3.1", f"nobody-{i}", "guess")
    staff = factories.member_create(school_a, "staff")
    client, response = log_in(SITES["school"], "127.0.3.1", staff.username, PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    client, response = log_in(SITES["school"], "127.0.3.2", staff.username, PASSWORD)  # elsewhere: fine
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.django_db
def test_a_lockout_holds_on_every_site_and_ends_after_the_cool_off(school_a):
    staff = factories.member_create(school_a, "staff")
    for i in range(settings.AXES_FAILURE_LIMIT):
        log_in(SITES["district"], f"127.0.4.{i + 1}", staff.username, "guess")
    _, response = log_in(SITES["school"], "127.0.4.200", staff.username, PASSWORD)
    assert response.status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    client, response = log_in(SITES["school"], "127.0.4.200", staff.username, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.django_db
def test_a_success_below_the_limit_clears_the_count(school_a):
    staff = factories.member_create(school_a, "staff")
    for _ in range(2):
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            log_in(SITES["school"], "127.0.5.1", staff.username, "guess")
        _, response = log_in(SITES["school"], "127.0.5.1", staff.username, PASSWORD)
        assert response.status_code == 302


def test_behind_trusted_proxies_the_address_is_the_one_they_saw(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1",
                                   HTTP_X_FORWARDED_FOR="127.9.9.9, 127.0.6.1, 127.0.6.254")
    assert client_ip(request) == "127.0.0.1"  # no trusted proxy: the connection's own address
    settings.TRUSTED_PROXY_COUNT = 2  # load balancer + nginx: the client cannot pick its address
    assert client_ip(request) == "127.0.6.1"


# --- 8: numeric passwords -------------------------------------------------------------------

def test_a_password_of_digits_only_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_password("73910264815")
    assert "password_entirely_numeric" in [e.code for e in error.value.error_list]


@pytest.mark.django_db
def test_the_set_password_form_says_why_a_numeric_password_is_refused():
    user = factories.user_create()
    form = SetPasswordForm(user, {"new_password1": "73910264815", "new_password2": "73910264815"})
    assert not form.is_valid()
    assert "This password is entirely numeric." in form.errors["new_password2"]


# --- 16: the demo district only in development ------------------------------------------------

@pytest.mark.django_db
def test_the_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("demo")
    assert not User.objects.filter(username="district").exists()


# --- 18: production settings ------------------------------------------------------------------

def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SECURE_", "SECRET_KEY", "DEBUG", "AWS_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY=secrets.token_urlsafe(50),
               ALLOWED_HOSTS=".classplan.example.org", DATABASE_URL="postgres://x@127.0.0.1:1/x", **extra)
    return env


def production_values(*names, switched=None) -> tuple[list[str], list[str]]:
    """The production module's values, with its defaults and again with `switched` variables."""
    code = ("import importlib, os, sys; import config.settings.production as p\n"
            f"names = {list(names)!r}\n"
            "print([repr(getattr(p, n)) for n in names])\n"
            f"os.environ.update({switched or {}!r}); importlib.reload(p)\n"
            "print([repr(getattr(p, n)) for n in names])\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=production_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    import ast

    defaults, changed = result.stdout.strip().split("\n")[-2:]
    return ast.literal_eval(defaults), ast.literal_eval(changed)


def test_check_deploy_is_clean_in_production():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_to_https_everywhere_and_a_tls_proxy_can_switch_the_redirect_off():
    names = ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
             "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    defaults, switched = production_values(*names, switched={"SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"})
    assert defaults == ["False", "True", "31536000", "True", "True", "True"]
    assert switched == ["False", "False", "0", "True", "True", "True"]


def test_production_refuses_to_start_without_allowed_hosts():
    env = production_env()
    env.pop("ALLOWED_HOSTS")
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "Set ALLOWED_HOSTS" in result.stderr


@pytest.mark.django_db
def test_every_page_and_the_admin_carry_a_content_security_policy_with_the_inline_scripts_nonce(school_a, client_for):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, year=2027, students={"K": 30})
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    for client, path in [(Client(HTTP_HOST="localhost"), "/accounts/login/"), (staff, "/admin/"),
                         (staff, "/admin/schools/enrolment/")]:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert re.search(r"script-src 'self'( |;|$)", policy) and "unsafe-inline" not in policy.split("style-src")[0]
    page = staff.get(f"/admin/schools/schoolyear/{year.pk}/change/")
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.text)
    inline = [attrs for attrs in scripts if "application/json" not in attrs]
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
