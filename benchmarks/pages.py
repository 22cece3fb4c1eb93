"""Planning pages benchmark: server time and queries of every planning page for a K-6 school.

    .venv/bin/python benchmarks/pages.py [--runs 15] [--keep]

Creates a scratch database (classplan_bench_pages on the PostgreSQL of DATABASE_URL, default
127.0.0.1:5432 user postgres) with one K-6 school of about 650 students (adjacent composites
allowed, a local rule), solves its year in this process (three plans, their charts drawn once),
adopts plan 1, locks a class, runs the what-if, then asks each page `--runs` times through
Django's test client (the whole stack: middleware, tenancy, templates) as school staff and
prints the median and slowest server time and the number of queries of each. The target is
under 200 ms per page. The scratch database is dropped at the end unless --keep.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.district import admin_sql, server_url  # noqa: E402  (the scratch database's helpers)
BENCH_DB = "classplan_bench_pages"
YEAR = 2027
GRADES = [("K", "Kindergarten", 15, 22), ("1", "Grade 1", 15, 24), ("2", "Grade 2", 15, 24),
          ("3", "Grade 3", 15, 28), ("4", "Grade 4", 15, 30), ("5", "Grade 5", 15, 30), ("6", "Grade 6", 15, 30)]


def build() -> dict:
    """The school, its year solved, plan 1 adopted, a class locked, the what-if done."""
    import django

    django.setup()  # the app modules below import models: only after setup (this is a plain script)
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from schools.models import CompositeRule, Enrolment, Grade, LocalRule, SchoolYear
    from schools.plans import planning, services
    from schools.plans.models import AllocationPlan
    from tenants.services import district_office_ensure, membership_set, school_create
    from tenants.models import User

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("school_template", verbosity=0)
    district_office_ensure(domains=["localhost"])
    school = school_create(name="Bench Primary", code="benchpages")
    staff = User.objects.create_user(username="bench-staff", password=secrets.token_urlsafe(12))
    membership_set(user=staff, school=school, role="staff")
    rng = random.Random(13)
    with schema_context(school.schema_name):
        grades = [Grade.objects.create(code=c, name=n, order=k, min_class_size=lo, max_class_size=hi)
                  for k, (c, n, lo, hi) in enumerate(GRADES)]
        counts = [int(rng.gauss(93, 8)) for _ in grades]
        year = SchoolYear.objects.create(year=YEAR, teachers=sum(-(-c // 25) for c in counts),
                                         composite_min_per_grade=4)
        for grade, students in zip(grades, counts):
            Enrolment.objects.create(year=year, grade=grade, students=students,
                                     min_class_size=grade.min_class_size, max_class_size=grade.max_class_size)
        for younger, older in zip(grades, grades[1:]):
            CompositeRule.objects.create(year=year).grades.set([younger, older])

        rule = LocalRule.objects.create(kind="cap", size=29, label="Junior classes at most 29",
                                        source="Collective agreement, art. 12")
        rule.grades.set(grades[4:])
        started = time.monotonic()
        job = services.plan_job_run(job_id=services.plan_generate(year=year, actor=None).pk)
        solve_s = time.monotonic() - started
        plans = list(AllocationPlan.objects.filter(job=job).order_by("rank"))
        if not plans:
            raise SystemExit(f"the solve found no plan: {job.status} {job.error}")
        services.plan_adopt(plan=plans[0], actor=None)
        planning.class_lock(year=year, planned_class=plans[-1].planned_classes.first(), actor=None)
        started = time.monotonic()
        services.plan_sweep_run(job_id=job.pk)
        sweep_s = time.monotonic() - started
    teachers = year.teachers
    print(f"school: {sum(counts)} students in 7 grades, {teachers} teachers; {len(plans)} plans of "
          f"{plans[0].classes} classes; solve and save (charts drawn once) {solve_s:.1f} s; what-if {sweep_s:.1f} s")
    print(f"solver: {job.result['status']}, {len(job.result['plans'])} plans, {job.result['stats']}")

    return {"school": school, "staff": staff, "plan": plans[0], "second": plans[-1], "teachers": teachers}


def edit_data(school, plan) -> dict:
    """The hand edit's form as the page sends it, unchanged."""
    from django_tenants.utils import schema_context

    from schools.plans.forms import PlanEditForm
    from schools.plans.selectors import plan_table

    with schema_context(school.schema_name):
        form = PlanEditForm(table=plan_table(plan))
    return {name: ("" if f.initial is None else f.initial) for name, f in form.fields.items()}


def measure(client, url: str, runs: int, method: str = "get", data=None) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from urllib.parse import urlencode

    if data:  # as a browser (and htmx) sends a form: URL-encoded
        def call():
            return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
    else:
        def call():
            return getattr(client, method)(url)
    first = time.perf_counter()
    call()  # the first view after generating renders and caches each plan's card
    first = (time.perf_counter() - first) * 1000
    call()  # warm
    times = []
    status = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return times, len(queries.captured_queries), status, first


def profile(built) -> int:
    import cProfile
    import pstats

    from django.test import Client

    client = Client(HTTP_HOST=built["school"].domains.get().domain)
    client.force_login(built["staff"])
    for _ in range(2):
        client.get(f"/plans/{YEAR}/")
    url = os.environ.get("BENCH_PROFILE_URL", f"/plans/{YEAR}/").replace("PLAN", str(built["plan"].pk))
    data = edit_data(built["school"], built["plan"]) if url.endswith("check/") else None
    call = (lambda: client.post(url, data)) if data else (lambda: client.get(url))
    cProfile.runctx("for _ in range(5): call()", globals(), {"call": call}, "/tmp/pages.prof")
    pstats.Stats("/tmp/pages.prof").sort_stats("cumulative").print_stats(45)
    return 0


def print_queries(built) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=built["school"].domains.get().domain)
    client.force_login(built["staff"])
    client.get(f"/plans/{YEAR}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/plans/{YEAR}/")
    for query in queries.captured_queries:
        print(query["time"], query["sql"][:160])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--profile", action="store_true", help="profile the year page instead")
    parser.add_argument("--queries", action="store_true", help="print the year page's queries instead")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{server_url()}/{BENCH_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"  # DEBUG off, templates cached
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    admin_sql(f"CREATE DATABASE {BENCH_DB}")
    try:
        built = build()
        if args.profile:
            return profile(built)
        if args.queries:
            return print_queries(built)
        from django.test import Client

        client = Client(HTTP_HOST=built["school"].domains.get().domain)
        client.force_login(built["staff"])
        plan, second = built["plan"], built["second"]
        pages = [
            ("years", "/plans/"),
            ("the year (glance, rules, priorities, 3 plans side by side)", f"/plans/{YEAR}/"),
            ("job progress (htmx part)", f"/plans/{YEAR}/progress/"),
            ("one plan", f"/plans/{YEAR}/plan/{plan.pk}/"),
            ("another plan", f"/plans/{YEAR}/plan/{second.pk}/"),
            ("hand edit of the adopted plan", f"/plans/{YEAR}/plan/{plan.pk}/edit/"),
            ("what-if table and chart", f"/plans/{YEAR}/what-if/"),
            ("what-if: one row's plans", f"/plans/{YEAR}/what-if/{built['teachers']}/"),
        ]
        print(f"\n{'page':<60} {'first ms':>9} {'median ms':>10} {'max ms':>8} {'queries':>8}")
        worst = 0.0
        for label, url in pages:
            times, queries, status, first = measure(client, url, args.runs)
            assert status == 200, (url, status)
            median = statistics.median(times)
            worst = max(worst, median)
            print(f"{label:<60} {first:>9.1f} {median:>10.1f} {max(times):>8.1f} {queries:>8}")
        data = edit_data(built["school"], plan)
        times, queries, status, first = measure(client, f"/plans/{YEAR}/plan/{plan.pk}/edit/check/", args.runs,
                                                method="post", data=data)
        print(f"{'hand edit: live rule check (htmx POST, nothing saved)':<60} {first:>9.1f} "
              f"{statistics.median(times):>10.1f} {max(times):>8.1f} {queries:>8}")
        worst = max(worst, statistics.median(times))
        print(f"\nslowest median: {worst:.1f} ms (target: under 200 ms); queries counted with "
              "django-tenants' SET search_path; 'first' is the first view after the plans were made")
        started = time.perf_counter()
        client.get("/portal/")
        print(f"for scale on this machine now: the portal's home page takes {(time.perf_counter() - started) * 1000:.1f} ms")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
