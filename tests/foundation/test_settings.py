"""Settings split by environment and free of side effects (issue 11, Settings), and the
development server's defaults (trust issue, item 15)."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["config.settings.local", "config.settings.test", "config.settings.production"]


def clean_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_URL", "SECRET_KEY", "DEBUG", "CLASSPLAN_"))}
    return {**env, "CLASSPLAN_VAR_DIR": str(tmp_path / "var"), **extra}


def python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_loading_the_settings_starts_no_database_and_creates_no_file(tmp_path):
    env = clean_env(tmp_path, SECRET_KEY="s" * 60, ALLOWED_HOSTS="example.org")
    code = (
        "import importlib, os, sys\n"
        "for module in sys.argv[1:]:\n"
        "    if module.endswith('production'): os.environ['DATABASE_URL'] = 'postgres://x@127.0.0.1:1/x'\n"
        "    print(module, importlib.import_module(module).DATABASES['default']['HOST'])\n"
        "print('pgserver' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, *MODULES], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    *hosts, pgserver_loaded = result.stdout.split("\n")[: len(MODULES) + 1]
    assert pgserver_loaded == "False"
    assert not (tmp_path / "var").exists()  # nothing was created: no folders, no database
    embedded = str(tmp_path / "var" / "pgdata")
    assert hosts == [f"config.settings.local {embedded}", f"config.settings.test {embedded}",
                     "config.settings.production 127.0.0.1"]  # named, not started: `make` starts it


def test_each_entry_point_names_its_settings_module():
    def default(path):
        return re.search(r'setdefault\("DJANGO_SETTINGS_MODULE", "([^"]+)"\)', (ROOT / path).read_text()).group(1)

    assert default("manage.py") == "config.settings.local"
    assert default("config/wsgi.py") == "config.settings.production"
    assert default("config/celery.py") == "config.settings.production"
    assert "DJANGO_SETTINGS_MODULE = config.settings.test" in (ROOT / "tests/pytest.ini").read_text()
    assert "DJANGO_SETTINGS_MODULE: config.settings.production" in (ROOT / ".ebextensions/01_django.config").read_text()
    assert "DJANGO_SETTINGS_MODULE=config.settings.local" in (ROOT / "Makefile").read_text()
    assert not (ROOT / "config/settings.py").exists()


def test_the_test_settings_hash_passwords_fast():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.MD5PasswordHasher"
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings.test"


# --- 15: the development server ------------------------------------------------------------

def test_the_development_key_is_random_made_once_kept_private_and_read_by_local_settings(tmp_path):
    from config.dev import secret_key_ensure

    env = clean_env(tmp_path, DATABASE_URL="postgres://x@127.0.0.1:1/x")  # prepare without a database
    first = subprocess.run([sys.executable, "-m", "config.dev", "prepare"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret-key"
    key = key_file.read_text().strip()
    assert len(key) >= 50 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not secret_key_ensure(key_file) and key_file.read_text().strip() == key  # kept, not regenerated
    assert secret_key_ensure(tmp_path / "other" / "secret-key")
    assert (tmp_path / "other" / "secret-key").read_text().strip() != key  # random per install
    local = python("import django; from django.conf import settings; django.setup(); print(settings.SECRET_KEY)",
                   {**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"})
    assert local.returncode == 0, local.stderr
    assert local.stdout.split()[-1] == key


def test_local_settings_without_a_key_say_how_to_get_one(tmp_path):
    result = python("import django; django.setup()",
                    clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.local"))
    assert result.returncode != 0
    assert "There is no development secret key" in result.stderr and "make run" in result.stderr


def test_no_secret_key_is_a_constant_in_the_code():
    for path in (ROOT / "config").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"SECRET_KEY\s*=\s*['\"]", text), path
        assert "insecure-key" not in text, path


def test_make_run_serves_on_127_0_0_1_by_default():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^export RUN_HOST \?= 127\.0\.0\.1$", makefile, re.M)
    web = next(line for line in (ROOT / "config/Procfile.dev").read_text().splitlines() if line.startswith("web:"))
    assert "0.0.0.0" not in web
    env = {k: v for k, v in os.environ.items() if k not in ("RUN_HOST", "RUN_PORT")}
    command = subprocess.run(["bash", "-c", f"echo {web.split(':', 1)[1]}"], env=env, capture_output=True,
                             text=True, check=True).stdout
    assert "runserver 127.0.0.1:8000" in command
