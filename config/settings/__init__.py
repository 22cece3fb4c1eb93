"""Settings modules, one per environment (cookiecutter-django's layout).

- `base`: everything shared, read from the environment.
- `local`: `make run` and `manage.py` (DEBUG on, the embedded PostgreSQL when there is no
  DATABASE_URL, a random key kept in var/secret-key).
- `test`: `make test` (a fast password hasher, a random key per process).
- `production`: gunicorn (config.wsgi), the Celery worker (config.celery) and Elastic Beanstalk.
"""
