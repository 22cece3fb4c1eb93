"""How long creating a school (schema + tables + domain) takes, with and without the template.

    DEBUG=1 [DATABASE_URL=postgres://...] .venv/bin/python benchmarks/school_creation.py [-n 10]

Runs in a scratch database (`<name>_bench_schools`, dropped afterwards) and prints the median
and worst creation time of N schools cloned from the template schema, and of N schools
created by running every migration.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="schools per method")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()  # the app modules below import models: only after setup (this is a plain script)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from tenants.services import district_office_ensure, school_create

    scratch = settings.DATABASES["default"]["NAME"] + "_bench_schools"
    _recreate(connection, scratch)
    connection.close()
    connection.settings_dict["NAME"] = scratch
    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        call_command("school_template", verbosity=0)
        district_office_ensure(domains=["bench.localhost"])
        results = {}
        for label, template in (("cloned from template", settings.TENANT_BASE_SCHEMA or "school_template"),
                                ("migrations run", "")):
            with override_settings(TENANT_BASE_SCHEMA=template,
                                   TENANT_CREATION_FAKES_MIGRATIONS=bool(template)):
                times = []
                for i in range(args.n):
                    code = f"{'t' if template else 'm'}bench{i}"
                    started = time.perf_counter()
                    school_create(name=f"Bench {code}", code=code)
                    times.append(time.perf_counter() - started)
                results[label] = times
        print(f"School creation, {args.n} schools per method (schema, tables, domain):")
        for label, times in results.items():
            print(f"  {label:<22} median {statistics.median(times):.3f} s   "
                  f"worst {max(times):.3f} s   all: {' '.join(f'{t:.2f}' for t in times)}")
    finally:
        connection.close()
        _drop(connection, scratch)


def _recreate(connection, name):
    _drop(connection, name)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop(connection, name):
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
