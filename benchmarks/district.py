"""District benchmark: "generate plans for all schools" with 1 and 2 solver worker processes.

    .venv/bin/python benchmarks/district.py [--schools 50] [--workers 1 2] [--keep]

Creates a scratch database (classplan_bench on the PostgreSQL of DATABASE_URL, default
127.0.0.1:5432 user postgres), N schools with realistic K-6 data, then for each worker count
starts `celery -A config worker -Q solver --concurrency W`, queues one job per school the way
the district admin's button does (services.district_generate_all), waits until every job is
done and prints the wall time, jobs per second and the median solve time. The broker is Redis
(database 12) when CELERY_BROKER_URL is a redis URL, else a fresh filesystem queue under var/.
The scratch database is dropped at the end unless --keep.
"""

import argparse
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "classplan_bench"
YEAR = 2027
GRADES = [("K", "Kindergarten", 15, 22), ("1", "Grade 1", 15, 24), ("2", "Grade 2", 15, 24),
          ("3", "Grade 3", 15, 28), ("4", "Grade 4", 15, 30), ("5", "Grade 5", 15, 30), ("6", "Grade 6", 15, 30)]


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return url.rsplit("/", 1)[0]


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url() + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def configure_env() -> dict:
    os.environ["DEBUG"] = "1"
    os.environ["DATABASE_URL"] = f"{server_url()}/{BENCH_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # one random key for every process it starts
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith("redis"):
        os.environ["CELERY_BROKER_URL"] = broker.rsplit("/", 1)[0] + "/12" if broker.count("/") > 2 else broker + "/12"
    else:
        folder = ROOT / "var" / "bench-broker"
        shutil.rmtree(folder, ignore_errors=True)
        os.environ["CELERY_BROKER_URL"] = "filesystem://"
        os.environ["CELERY_BROKER_FILESYSTEM_DIR"] = str(folder)
    return dict(os.environ)


def build_district(n: int, start: int = 0) -> None:
    """Schools bench001..bench<n> (from bench<start + 1> when the first `start` exist already)."""
    import django

    django.setup()  # the app modules below import models: only after setup (this is a plain script)
    from django.core.management import call_command
    from django.db import transaction
    from django_tenants.utils import schema_context

    from schools.models import CompositeRule, Enrolment, Grade, SchoolYear
    from tenants.services import district_office_ensure, school_create

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("school_template", verbosity=0)
    district_office_ensure(domains=["localhost"])
    rng = random.Random(2027 + start)
    for i in range(start, n):
        school = school_create(name=f"Bench School {i + 1:03d}", code=f"bench{i + 1:03d}")
        size = rng.choice([25, 35, 45, 60, 75, 95])
        with schema_context(school.schema_name), transaction.atomic():
            grades = [Grade.objects.create(code=c, name=nm, order=k, min_class_size=lo, max_class_size=hi)
                      for k, (c, nm, lo, hi) in enumerate(GRADES)]
            counts = [max(8, int(rng.gauss(size, size * 0.12))) for _ in grades]
            teachers = sum(-(-c // 24) for c in counts) + rng.choice([-1, 0, 0, 1])
            year = SchoolYear.objects.create(year=YEAR, teachers=teachers, composite_min_per_grade=4)
            for grade, students in zip(grades, counts):
                Enrolment.objects.create(year=year, grade=grade, students=students,
                                         min_class_size=grade.min_class_size, max_class_size=grade.max_class_size)
            for younger, older in zip(grades, grades[1:]):
                rule = CompositeRule.objects.create(year=year)
                rule.grades.set([younger, older])


def reset_jobs() -> None:
    # imported after build_district's django.setup() (this is a plain script)
    from django_tenants.utils import schema_context

    from schools.plans.models import AllocationPlan, PlanJob
    from tenants.selectors import school_list

    for school in school_list():
        with schema_context(school.schema_name):
            AllocationPlan.objects.all().delete()
            PlanJob.objects.all().delete()


def start_worker(workers: int, env: dict, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "-Q", "solver", "--concurrency", str(workers),
         "--pool", "prefork", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"the worker did not start; see {log}")
        time.sleep(0.2)
    return process


def run(workers: int, n: int, env: dict) -> dict:
    # imported after build_district's django.setup() (this is a plain script)
    from django_tenants.utils import schema_context

    from schools.plans import selectors, services
    from schools.plans.models import PlanJob
    from tenants.selectors import school_list

    reset_jobs()
    log = ROOT / "var" / f"bench-worker-{workers}.log"
    worker = start_worker(workers, env, log)
    try:
        started = time.monotonic()
        outcome = services.district_generate_all(year=YEAR, actor=None)
        assert outcome["queued"] == n, outcome
        while True:
            progress = selectors.district_job_progress(year=YEAR)
            if progress["done"] == n:
                break
            time.sleep(0.2)
        wall = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    solve_s, job_s, statuses = [], [], {}
    for school in school_list():
        with schema_context(school.schema_name):
            for job in PlanJob.objects.all():
                statuses[job.status] = statuses.get(job.status, 0) + 1
                job_s.append((job.finished - job.started).total_seconds())
                solve_s.append(((job.result or {}).get("stats") or {}).get("solve_s") or 0)
    return {"workers": workers, "wall_s": wall, "median_solve_s": statistics.median(solve_s),
            "median_job_s": statistics.median(job_s), "max_job_s": max(job_s), "statuses": statuses}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {BENCH_DB}")
    env = configure_env()
    try:
        t = time.monotonic()
        build_district(args.schools)
        print(f"Built {args.schools} schools in {time.monotonic() - t:.1f} s "
              f"(broker {os.environ['CELERY_BROKER_URL']}, solver time limit "
              f"{__import__('django.conf').conf.settings.SOLVER_TIME_LIMIT_S} s)")
        results = [run(w, args.schools, env) for w in args.workers]
        print(f"{'workers':>7} {'wall s':>8} {'jobs/s':>7} {'median solve s':>15} {'median job s':>13} "
              f"{'max job s':>10}  statuses")
        for r in results:
            print(f"{r['workers']:>7} {r['wall_s']:>8.1f} {args.schools / r['wall_s']:>7.2f} "
                  f"{r['median_solve_s']:>15.2f} {r['median_job_s']:>13.2f} {r['max_job_s']:>10.2f}  {r['statuses']}")
        if len(results) > 1:
            base = results[0]
            for r in results[1:]:
                speedup = base["wall_s"] / r["wall_s"]
                print(f"speed-up with {r['workers']} workers: {speedup:.2f}x "
                      f"(linear would be {r['workers'] / base['workers']:.1f}x)")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
