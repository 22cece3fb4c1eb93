"""Spreadsheets safely in and out (trust issue, items 9 and 10).

In: a 4.9 kB XLSX declaring `<dimension ref="A1:XFD1048576"/>` drove a web worker to 2.8 GB;
uploads are now limited by size before reading, and by rows and columns while reading (the
declared size is ignored), with a message that names the limit, in the school import and the
district import alike.

Out: names and codes that begin with = + - @, a tab or a carriage return went out as live
formulas; every CSV and XLSX export now writes them as plain text.
"""

import csv
import io
import re
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django_tenants.utils import schema_context

from schools.spreadsheets import SpreadsheetTooLarge, cell_neutralise, spreadsheet_read
from tests import factories

pytestmark = pytest.mark.django_db
IMPORT = "/admin/schools/enrolment/import/"
EXPORT = "/admin/schools/enrolment/export/"
DISTRICT = "/district/imports/"
XLSX_FORMAT = 1  # schools.resources.FORMATS = [CSV, XLSX]: the admin's export


def xlsx(rows, *, dimension=None, far_cell=None) -> bytes:
    """A workbook with these rows (and one more cell far away); `dimension` replaces the size
    the sheet declares."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    if far_cell:
        workbook.active[far_cell] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    if dimension is None:
        return buffer.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>'.encode(), data)
                assert replaced == 1
            target.writestr(info, data)
    return out.getvalue()


def upload(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


def bounded(call, *, max_mb=40, max_s=20):
    """Run call() and fail if it allocates more than max_mb or takes longer than max_s."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert peak < max_mb * 1_000_000, f"peak {peak / 1e6:.0f} MB"
    assert elapsed < max_s, f"{elapsed:.0f} s"
    return result


BOMB_ROWS = [["year", "grade", "students", "min", "max"], [2027, "K", 31, None, None]]


def bomb(rows=BOMB_ROWS) -> bytes:
    """The 4.9 kB file of the report: a sheet declaring A1:XFD1048576, one cell on its last row.
    Read the old way (every row padded to the declared 16,384 columns, every missing row made
    up), it needs gigabytes."""
    content = xlsx(rows, dimension="A1:XFD1048576", far_cell="A1048576")
    assert len(content) < 6000
    return content


def test_the_reader_ignores_a_declared_size_of_a_million_rows_by_16384_columns():
    content = xlsx(BOMB_ROWS, dimension="A1:XFD1048576")
    dataset = bounded(lambda: spreadsheet_read(content, extension="xlsx"))
    assert dataset.headers == BOMB_ROWS[0]
    assert [list(r) for r in dataset] == [[2027, "K", 31, None, None]]


def test_the_reader_stops_the_4_9_kb_bomb_at_the_row_limit_and_stays_small():
    with pytest.raises(SpreadsheetTooLarge, match="more than 5,000 rows"):
        bounded(lambda: spreadsheet_read(bomb(), extension="xlsx"))


def test_the_reader_stops_just_past_the_row_limit_and_names_it(settings):
    assert settings.SPREADSHEET_MAX_ROWS == 5000
    rows = [["year", "grade", "students"]] + [[2027, "K", i] for i in range(5001)]
    with pytest.raises(SpreadsheetTooLarge, match="more than 5,000 rows"):
        spreadsheet_read(xlsx(rows), extension="xlsx")
    text = "\n".join(",".join(map(str, r)) for r in rows)
    with pytest.raises(SpreadsheetTooLarge, match="more than 5,000 rows"):
        spreadsheet_read(text.encode(), extension="csv")
    ok = spreadsheet_read("\n".join(",".join(map(str, r)) for r in rows[:5001]).encode(), extension="csv")
    assert len(ok) == 5000


def test_the_reader_refuses_a_cell_far_to_the_right_and_a_sheet_of_empty_rows(settings):
    settings.SPREADSHEET_MAX_ROWS = 100
    workbook = openpyxl.Workbook()
    workbook.active.append(["year", "grade", "students"])
    workbook.active["XFD2"] = "far"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(SpreadsheetTooLarge, match="more than 30 columns"):
        bounded(lambda: spreadsheet_read(buffer.getvalue(), extension="xlsx"))
    workbook = openpyxl.Workbook()
    workbook.active.append(["year", "grade", "students"])
    workbook.active["A1000000"] = 1  # a million rows, all but two of them missing from the file
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(SpreadsheetTooLarge, match="more than 100 rows"):
        bounded(lambda: spreadsheet_read(buffer.getvalue(), extension="xlsx"))


def test_the_reader_refuses_a_file_over_the_size_limit_before_reading_it(settings):
    settings.SPREADSHEET_MAX_BYTES = 1000
    with pytest.raises(SpreadsheetTooLarge, match=r"The file is 5 kB: files of at most 1 kB can be imported"):
        spreadsheet_read(b"x" * 5000, extension="csv")


# --- the school's import (django-import-export in the school admin) ---------------------------

@pytest.fixture
def staff_client(school_a, client_for):
    return client_for(school_a, factories.member_create(school_a, "staff"))


@pytest.fixture
def staff(school_a, staff_client):
    factories.grades_create(school_a)
    factories.year_create(school_a, year=2027, students={"K": 30})
    return staff_client


def check_job(school, response, run):
    """The job the upload made, checked by `run` (the job's body) in the school's schema."""
    assert response.status_code == 302, response.text[:1000]
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    with schema_context(school.schema_name):
        return bounded(lambda: run(job_id=job_id))


def school_run(**kwargs):
    from schools.services import enrolment_import_check_run

    return enrolment_import_check_run(**kwargs)


def district_run(**kwargs):
    from reports.district.imports import district_import_check_run

    return district_import_check_run(**kwargs)


def test_school_import_of_the_4_9_kb_bomb_stays_small_and_names_the_row_limit(school_a, staff):
    job = check_job(school_a, staff.post(IMPORT, {"import_file": upload(bomb(), "e.xlsx")}), school_run)
    assert job.status == "refused"
    assert job.problems[0]["text"].startswith("The sheet has more than 5,000 rows")


def test_school_import_of_a_sheet_declaring_a_huge_size_previews_its_one_row(school_a, staff):
    content = xlsx(BOMB_ROWS, dimension="A1:XFD1048576")
    job = check_job(school_a, staff.post(IMPORT, {"import_file": upload(content, "e.xlsx")}), school_run)
    assert job.status == "checked" and job.counts["changed"] == 1
    assert [c["status"] for c in job.changes] == ["changed"]


def test_school_import_refuses_a_large_file_by_its_size_before_reading_it(staff, settings, monkeypatch):
    settings.SPREADSHEET_MAX_BYTES = 2_000_000
    from schools import imports

    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(imports, "spreadsheet_read", never)
    big = b"year,grade,students\n" + b"2027,K,1\n" * 300_000  # 2.7 MB
    response = staff.post(IMPORT, {"import_file": upload(big, "e.csv")})
    assert response.status_code == 200
    assert "The file is 2.7 MB: files of at most 2 MB can be imported." in response.text


# --- the district's import -----------------------------------------------------------------------

def test_district_import_of_the_4_9_kb_bomb_stays_small_and_names_the_row_limit(school_a, district_client):
    rows = [["school"] + BOMB_ROWS[0], ["alpha"] + BOMB_ROWS[1]]
    response = district_client.post(DISTRICT, {"import_file": upload(bomb(rows), "d.xlsx")})
    job = check_job(school_a, response, district_run)
    assert job.status == "refused" and job.problems[0]["text"].startswith("The sheet has more than 5,000 rows")


def test_district_import_of_a_sheet_declaring_a_huge_size_previews_its_one_row(school_a, district_client):
    factories.grades_create(school_a)
    factories.year_create(school_a, year=2027, students={"K": 30})
    rows = [["school"] + BOMB_ROWS[0], ["alpha"] + BOMB_ROWS[1]]
    content = xlsx(rows, dimension="A1:XFD1048576")
    job = check_job(school_a, district_client.post(DISTRICT, {"import_file": upload(content, "d.xlsx")}), district_run)
    assert job.status == "checked" and [c["status"] for c in job.changes] == ["changed"]


def test_district_import_names_the_size_limit(school_a, district_client, settings):
    settings.SPREADSHEET_MAX_BYTES = 100
    response = district_client.post(DISTRICT, {"import_file": upload(b"school," * 30, "d.csv")})
    assert "The file is 210 bytes: files of at most 100 bytes can be imported." in response.text


# --- exports: no cell a spreadsheet would run ------------------------------------------------------

FORMULAS = ["=2+5", "+SUM(1)", "-1+2", "@SUM(1)", "\tx", "\rx"]


def test_cell_neutralise():
    for value in FORMULAS:
        assert cell_neutralise(value) == "'" + value
    for value in ("K", "Grade 1", "2+5", "", None, 7, -3, 2.5):
        assert cell_neutralise(value) == value


def assert_inert(cells):
    texts = [c for c in cells if isinstance(c, str)]
    assert texts, "no text cells"
    assert not [c for c in texts if c.startswith(("=", "+", "-", "@", "\t", "\r"))], texts


def formula_grades(school):
    factories.grades_create(school, grades=[(code, "=HYPERLINK(\"http://x\")", 1, 30) for code in FORMULAS])
    factories.year_create(school, year=2027, students={code: 10 for code in FORMULAS})


def test_school_export_csv_and_xlsx_write_formulas_as_text(school_a, staff_client):
    staff = staff_client
    formula_grades(school_a)
    fields = {f"enrolmentresource_{n}": "on" for n in ("year", "grade", "students", "min_class_size", "max_class_size")}
    response = staff.post(EXPORT, {"format": 0, **fields})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    grades = [r[1] for r in rows[1:]]
    assert set(grades) >= {"'" + f for f in FORMULAS}
    assert_inert(c for r in rows for c in r)
    response = staff.post(EXPORT, {"format": XLSX_FORMAT, **fields})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert_inert(c.value for c in cells)
    assert {c.value for c in cells} >= {"'" + f for f in FORMULAS if f != "\rx"}  # XML reads \r back as \n


def test_district_export_csv_and_xlsx_write_formulas_as_text(school_a, district_client):
    formula_grades(school_a)
    response = district_client.get(DISTRICT + "export.csv?year=2027")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert {r[2] for r in rows[1:]} >= {"'" + f for f in FORMULAS}
    assert_inert(c for r in rows for c in r)
    response = district_client.get(DISTRICT + "export.xlsx?year=2027")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert_inert(c.value for c in cells)
