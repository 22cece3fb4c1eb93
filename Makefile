# Classplan: `make run` (the app with demo data) and `make test` (the whole test suite).
# With no DATABASE_URL, a private PostgreSQL (pgserver) runs under var/pgdata.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DEBUG ?= 1

.PHONY: install migrate run worker test browser check-contract stop-db clean

$(VENV)/.installed: requirements.txt tests/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r tests/requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate_schemas --noinput -v 0
	$(PY) manage.py school_template -v 0

# The web server on :8000 and a Celery worker beside it (Procfile.dev, run by honcho).
run: migrate
	$(PY) manage.py demo
	$(VENV)/bin/honcho -f config/Procfile.dev start

worker: install
	$(VENV)/bin/celery -A config worker -Q solver,reports,celery -l info

# Debian's chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils; }

test: install browser
	$(PY) -m pytest -c tests/pytest.ini --rootdir . $(PYTEST_ARGS)

check-contract: install
	$(PY) ../shared/contract/check.py --python $(PY)

stop-db:
	$(PY) -m config.embedded_postgres stop var/pgdata

clean: stop-db
	rm -rf var
