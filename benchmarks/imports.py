"""Enrolment import benchmark (issue 10, item 11): a 200-school district's own export re-imported
(preview + confirm), rows per second, and the files that must be refused quickly.

    .venv/bin/python benchmarks/imports.py [--schools 200] [--rebuild]

Builds a district of N schools (K-6, a 2027 year each; benchmarks/district.py's builder) ONCE in
the database `classplan_imports_bench` on the PostgreSQL server of DATABASE_URL, and reuses it
on later runs (--rebuild starts again). The jobs' bodies run in this process, as a worker would
run them (no broker: messages go to Celery's in-memory transport and vanish). Prints:

- the district export of 2027 (one row per school and grade: 1,400 rows at 200 schools), its
  re-import's preview (check job) and confirm (write job) times, unchanged and with every row
  changed, in rows per second;
- a school's own 5,000-row file (the row limit), checked and written;
- the time to refuse a 10,000-row and a 100,000-row CSV, a 30 MB CSV and an XLSX of about half
  a megabyte whose sheet unpacks to about 139 MB, posted to the district's upload page.
"""

import argparse
import html
import io
import os
import re
import secrets
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.district import YEAR, admin_sql, build_district, server_url  # noqa: E402

BENCH_DB = "classplan_imports_bench"


def configure_env() -> None:
    os.environ["DEBUG"] = "0"  # no query log: timings as in production
    os.environ["DATABASE_URL"] = f"{server_url()}/{BENCH_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["CELERY_BROKER_URL"] = "memory://"  # the jobs run here; no worker of anyone else sees them


def schools_built() -> int:
    import psycopg

    try:
        with psycopg.connect(f"{server_url()}/{BENCH_DB}", autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM tenants_school WHERE schema_name <> 'public'").fetchone()[0]
    except psycopg.Error:
        return -1


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def district_round(content: bytes, name: str, actor) -> dict:
    """Upload, check (the preview), confirm, write: as the page and the worker do it."""
    from reports.district import imports

    job, request_s = timed(lambda: imports.district_import_request(file_name=name, content=content, actor=actor))
    job, check_s = timed(lambda: imports.district_import_check_run(job_id=job.pk))
    assert job.status == "checked", (job.status, job.problems[:3], job.error)
    _, confirm_s = timed(lambda: imports.district_import_confirm(job_id=job.pk, actor=actor))
    job, write_s = timed(lambda: imports.district_import_write_run(job_id=job.pk))
    assert job.status == "imported", (job.status, job.error)
    return {"rows": job.rows_total, "counts": job.counts, "preview_s": request_s + check_s,
            "confirm_s": confirm_s + write_s}


def csv_rows(rows) -> bytes:
    return ("\n".join(",".join(str(v) for v in row) for row in rows) + "\n").encode()


def xlsx_bomb(unpacked_mb: int = 139) -> bytes:
    """A workbook whose one sheet is `unpacked_mb` MB of identical enrolment rows (it packs small)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["school", "year", "grade", "students"])
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            row = (b'<row><c t="inlineStr"><is><t>bench001</t></is></c><c><v>2027</v></c>'
                   b'<c t="inlineStr"><is><t>K</t></is></c><c><v>30</v></c></row>')
            chunk = row * 10_000
            for _ in range(unpacked_mb * 1_000_000 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def refusals(actor) -> list[tuple]:
    """Each file posted to the district's upload page: (what, seconds until refused, message)."""
    from django.test import Client

    from reports.district import imports

    client = Client(HTTP_HOST="localhost")
    client.force_login(actor)
    header = ["school", "year", "grade", "students"]
    files = [
        ("10,000 rows (CSV)", csv_rows([header] + [["bench001", YEAR, "K", 30]] * 10_000), "rows.csv"),
        ("100,000 rows (CSV)", csv_rows([header] + [["bench001", YEAR, "K", 30]] * 100_000), "rows.csv"),
        ("30 MB (CSV)", csv_rows([header] + [["bench001", YEAR, "K", 30]] * 1_580_000), "big.csv"),
    ]
    bomb = xlsx_bomb()
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    files.append((f"{len(bomb) / 1000:.0f} kB XLSX unpacking to {unpacked / 1e6:.0f} MB", bomb, "bomb.xlsx"))
    out = []
    for what, content, name in files:
        started = time.perf_counter()
        response = client.post("/district/imports/", {"import_file": _named(content, name)})
        if response.status_code == 302:  # accepted for checking: the job refuses it
            job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
            job = imports.district_import_check_run(job_id=job_id)
            message = job.problems[0]["text"] if job.problems else job.error or job.status
            where = "check job"
        else:
            found = re.search(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', response.content.decode(), re.S)
            message = html.unescape(found.group(1)) if found else f"HTTP {response.status_code}"
            where = "upload form"
        out.append((f"{what}, {len(content) / 1e6:.1f} MB", time.perf_counter() - started, where, message))
    return out


def _named(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


def school_round(actor) -> dict:
    """One school's own file at the row limit (its 7 grades over and over, then changed)."""
    from django.conf import settings
    from django_tenants.utils import tenant_context

    from schools import services
    from schools.models import Enrolment
    from tenants.selectors import school_list

    school = school_list().first()
    with tenant_context(school):
        current = {e.grade.code: e.students for e in Enrolment.objects.filter(year__year=YEAR).select_related("grade")}
        rows = [["year", "grade", "students"]]
        codes = list(current)
        while len(rows) <= settings.SPREADSHEET_MAX_ROWS:
            code = codes[len(rows) % len(codes)]
            rows.append([YEAR, code, current[code] + 1])
        job, request_s = timed(lambda: services.enrolment_import_request(file_name="school.csv",
                                                                          content=csv_rows(rows), actor=actor))
        job, check_s = timed(lambda: services.enrolment_import_check_run(job_id=job.pk))
        assert job.status == "checked", (job.problems[:3], job.error)
        services.enrolment_import_confirm(job_id=job.pk, actor=actor)
        job, write_s = timed(lambda: services.enrolment_import_write_run(job_id=job.pk))
        assert job.status == "imported", job.error
    return {"rows": len(rows) - 1, "preview_s": request_s + check_s, "confirm_s": write_s, "counts": job.counts}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="build the district again")
    args = parser.parse_args()
    configure_env()
    built = schools_built()
    if args.rebuild or built < 0 or built > args.schools:
        admin_sql(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        admin_sql(f"CREATE DATABASE {BENCH_DB}")
        built = 0
    if built < args.schools:  # a first run, or one that was stopped half-way: build what is missing
        started = time.monotonic()
        build_district(args.schools, start=built)  # sets Django up
        print(f"Built {args.schools - built} schools in {BENCH_DB} in {time.monotonic() - started:.0f} s "
              "(kept for next time)")
    else:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate_schemas", interactive=False, verbosity=0)  # new migrations, if any
        print(f"Reusing the {args.schools} schools of {BENCH_DB}")

    from reports.district import imports
    from tenants.models import User

    actor, _ = User.objects.get_or_create(username="bench-district", defaults={"is_district_staff": True})
    export, export_s = timed(lambda: imports.district_export_file(
        dataset=imports.district_export(year=YEAR), extension="csv"))
    rows = export.count(b"\n") - 1
    print(f"\nDistrict export of {YEAR}: {rows:,} rows in {export_s:.2f} s")

    print(f"\n{'district file':<34} {'rows':>6} {'preview s':>10} {'confirm s':>10} {'rows/s (both)':>14}  counts")
    same = district_round(export, "export.csv", actor)
    text = export.decode("utf-8-sig").splitlines()
    changed = [text[0]] + [",".join(c if i != 3 else str(int(c) + 1) for i, c in enumerate(line.split(",")))
                           for line in text[1:]]
    moved = district_round(("\n".join(changed) + "\n").encode(), "changed.csv", actor)
    for label, r in (("the export, re-imported unchanged", same), ("every row changed (+1 student)", moved)):
        total = r["preview_s"] + r["confirm_s"]
        print(f"{label:<34} {r['rows']:>6,} {r['preview_s']:>10.2f} {r['confirm_s']:>10.2f} "
              f"{r['rows'] / total:>14,.0f}  {r['counts']}")
    if args.schools < 200:
        scale = 200 / args.schools  # the check and the write cost the same per school (a few statements each)
        print(f"at 200 schools ({rows * scale:,.0f} rows), linear in schools: about "
              f"{(same['preview_s'] + same['confirm_s']) * scale:.1f} s unchanged, "
              f"{(moved['preview_s'] + moved['confirm_s']) * scale:.1f} s with every row changed")
    target = "under" if same["preview_s"] + same["confirm_s"] < 30 and moved["preview_s"] + moved["confirm_s"] < 30 else "OVER"
    print(f"target: {rows:,} rows previewed and confirmed in under 30 s ({target}); before: preview 33.7 s, "
          "confirm HTTP 500 after 61 s")

    school = school_round(actor)
    print(f"\nOne school's file at the row limit: {school['rows']:,} rows, preview {school['preview_s']:.2f} s, "
          f"confirm {school['confirm_s']:.2f} s ({school['rows'] / (school['preview_s'] + school['confirm_s']):,.0f} "
          f"rows/s), counts {school['counts']}")

    print(f"\n{'file posted to /district/imports/':<50} {'refused in':>10}  by            message")
    for what, seconds, where, message in refusals(actor):
        print(f"{what:<50} {seconds:>9.2f}s  {where:<12}  {message[:90]}")

    from django.db import connections

    connections.close_all()


if __name__ == "__main__":
    main()
