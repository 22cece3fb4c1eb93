"""A district of many schools: school creation, migrate_schemas, and job throughput.

    [DATABASE_URL=postgres://...] .venv/bin/python benchmarks/scale.py [-n 200] [--jobs 20]

Builds the schools once in a benchmark database (`<name>_bench_scale`, kept for the next run:
`--fresh` rebuilds it) and prints: the creation time of the first and last 40 schools (median,
worst; target: under 1 s at 200 schools), `migrate_schemas` with nothing to apply, serial and
with django-tenants' parallel executor (target: under 30 s at 200 schools), and how many solve
jobs per second the claim / heartbeat / save path runs in one process (tenants/jobs.py).
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
    parser.add_argument("-n", type=int, default=200, help="schools in the district")
    parser.add_argument("--jobs", type=int, default=20, help="solve jobs for the throughput figure")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()  # app modules import models: only after setup (this is a plain script)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django_tenants.utils import schema_context

    from schools.plans import services as plan_services
    from tenants.models import School
    from tenants.services import district_office_ensure, school_create

    name = settings.DATABASES["default"]["NAME"] + "_bench_scale"
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and args.fresh:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.settings_dict["NAME"] = name
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    call_command("school_template", verbosity=0)
    district_office_ensure(domains=["bench.localhost"])

    have = School.objects.exclude(schema_name="public").count()
    times = []
    for i in range(have, args.n):
        started = time.perf_counter()
        school_create(name=f"Scale {i}", code=f"scale{i}")
        times.append(time.perf_counter() - started)
    if times:
        first, last = times[:40], times[-40:]
        print(f"School creation ({len(times)} new, {args.n} in all):")
        print(f"  first 40: median {statistics.median(first):.2f} s, worst {max(first):.2f} s")
        print(f"  last 40:  median {statistics.median(last):.2f} s, worst {max(last):.2f} s")
    else:
        print(f"School creation: the {args.n} schools exist already (--fresh to measure it)")

    for label, options in (("serial", {"TENANT_MIGRATION_EXECUTOR": "standard"}),
                           ("parallel", {"TENANT_MIGRATION_EXECUTOR": "multiprocessing",
                                         "TENANT_MULTIPROCESSING_MAX_PROCESSES": os.cpu_count() or 2})):
        with override_settings(**options):
            started = time.perf_counter()
            call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
            print(f"migrate_schemas, {args.n} schools, nothing to apply, {label}: "
                  f"{time.perf_counter() - started:.1f} s")

    from tests.factories import hillview_year  # a small real problem (the contract's hillview)

    school = School.objects.get(code="scale0")
    with schema_context(school.schema_name):
        from schools.models import SchoolYear

        SchoolYear.objects.filter(year__gte=2040).delete()
    years = [hillview_year(school, year=2040 + i) for i in range(args.jobs)]
    started = time.perf_counter()
    with schema_context(school.schema_name):
        for year in years:
            job = plan_services.plan_generate(year=year, actor=None)
            plan_services.plan_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    print(f"Job throughput (queue, claim, solve, save; one process): {args.jobs / seconds:.1f} jobs/s")
    connection.close()


if __name__ == "__main__":
    main()
