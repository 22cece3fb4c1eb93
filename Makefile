# Classplan: `make run` (the app with demo data) and `make test` (the whole test suite).
# With no DATABASE_URL, a private PostgreSQL (pgserver) runs under var/pgdata; `make` starts
# it (python -m config.dev prepare), never the settings.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Development state (embedded database, development key, file broker, local reports).
export CLASSPLAN_VAR_DIR ?= $(CURDIR)/var
# The development server listens on this machine only unless told otherwise.
export RUN_HOST ?= 127.0.0.1
export RUN_PORT ?= 8000
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local

.PHONY: install prepare migrate run worker test browser check-contract stop-db clean

$(VENV)/.installed: requirements.txt tests/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r tests/requirements.txt
	touch $@

install: $(VENV)/.installed

# var/ folders, a random development key (first run only), the embedded PostgreSQL.
prepare: install
	@$(PY) -m config.dev prepare

migrate: prepare
	$(LOCAL) $(PY) manage.py migrate_schemas --noinput -v 0
	$(LOCAL) $(PY) manage.py school_template -v 0

# The web server on 127.0.0.1:8000 and a Celery worker beside it (Procfile.dev, run by honcho).
# Ctrl-C stops both; the database keeps running (`make stop-db`).
run: migrate
	$(LOCAL) $(PY) manage.py demo
	@$(LOCAL) $(VENV)/bin/honcho -f config/Procfile.dev start || test $$? -ge 128

# The workers alone (solves with the dispatcher, and reports), as `make run` starts them.
worker: prepare
	@$(LOCAL) $(VENV)/bin/honcho -f config/Procfile.dev start worker reports || test $$? -ge 128

# Debian's chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils; }

# The Django suite and the optimizer's own suite (no Django) in parallel, the import-linter
# contracts when .importlinter exists; prints each part's time and one closing count.
# PYTEST_ARGS go to the Django suite, OPT_PYTEST_ARGS to the optimizer's.
test: install browser prepare
	@$(PY) tests/run.py --django-args="$(PYTEST_ARGS)" --optimizer-args="$(OPT_PYTEST_ARGS)"

check-contract: install
	$(PY) ../shared/contract/check.py --python $(PY)

stop-db:
	@if test -x $(PY); then $(PY) -m config.dev stop-db; fi

clean: stop-db
	rm -rf "$(CLASSPLAN_VAR_DIR)"
