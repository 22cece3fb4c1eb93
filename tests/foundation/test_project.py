"""Project-level promises: migrations, settings from the environment, deployment files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_no_migrations_are_pending():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def run_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; django.setup(); print('started')"],
        cwd=ROOT, env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        capture_output=True, text=True,
    )


def test_with_debug_off_the_app_refuses_to_start_without_a_secret_key():
    result = run_settings(DEBUG="0", DATABASE_URL="postgres://x@127.0.0.1:1/x", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_with_debug_off_and_a_real_secret_key_it_starts():
    result = run_settings(
        DEBUG="0", SECRET_KEY="x" * 50, DATABASE_URL="postgres://x@127.0.0.1:1/x", ALLOWED_HOSTS="example.org"
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_elastic_beanstalk_variables_configure_the_database():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; d = settings.DATABASES['default'];"
         "print(d['HOST'], d['NAME'], d['USER'], d['PORT'], d['ENGINE'])"],
        cwd=ROOT, capture_output=True, text=True,
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
             "DJANGO_SETTINGS_MODULE": "config.settings.production", "DEBUG": "0", "SECRET_KEY": "y" * 50,
             "RDS_HOSTNAME": "db.example.org", "RDS_DB_NAME": "ebdb", "RDS_USERNAME": "eb",
             "RDS_PASSWORD": "pw", "RDS_PORT": "5432", "ALLOWED_HOSTS": "example.org"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["db.example.org", "ebdb", "eb", "5432", "django_tenants.postgresql_backend"]


def test_ebextensions_are_valid_yaml_pointing_at_real_modules():
    import importlib

    configs = sorted((ROOT / ".ebextensions").glob("*.config"))
    assert configs, "no .ebextensions/*.config"
    text = ""
    for path in configs:
        yaml.safe_load(path.read_text())  # raises on invalid YAML
        text += path.read_text()
    options = {}
    for path in configs:
        data = yaml.safe_load(path.read_text()) or {}
        for namespace, values in (data.get("option_settings") or {}).items():
            options[namespace] = values
    wsgi = options["aws:elasticbeanstalk:container:python"]["WSGIPath"]
    module, _, attr = wsgi.partition(":")
    assert hasattr(importlib.import_module(module), attr or "application")
    settings_module = options["aws:elasticbeanstalk:application:environment"]["DJANGO_SETTINGS_MODULE"]
    assert importlib.util.find_spec(settings_module) is not None
    assert "migrate_schemas --shared" in text and "leader_only" in text and "collectstatic" in text
    procfile = (ROOT / "Procfile").read_text()
    assert "gunicorn config.wsgi" in procfile and "celery -A config worker" in procfile
