"""A school's enrolment import (issue 14 "Import", issue 10 items 8 and 11): a template with the
school's grades, grades by code or name, problems in a plain table, a job with progress, a
preview confirmed once, uploads kept in the database and cleaned, all or nothing."""

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.models import EnrolmentImport
from tenants.models import AuditEvent
from tests import factories
from tests.imports.helpers import (
    SCHOOL_IMPORT,
    csv_text,
    enrolments,
    job_id_of,
    school_check,
    school_write,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
HEADER = ["year", "grade", "students", "min", "max"]


@pytest.fixture
def year_a(school_a):
    factories.grades_create(school_a)
    return factories.year_create(school_a, year=2027, students={"K": 30, "1": 25})


@pytest.fixture
def staff(school_a, client_for):
    return client_for(school_a, factories.member_create(school_a, "staff"))


def job_page(client, job_id):
    return client.get(f"{SCHOOL_IMPORT}{job_id}/")


def test_import_by_grade_name_with_progress_preview_and_a_single_use_confirm(school_a, year_a, staff):
    text = csv_text([HEADER, [2027, "Kindergarten", 32, None, None], [2027, "Grade 1", 25, 15, 24],
                     [2027, "grade 2", 19, 12, 24]])
    job_id = job_id_of(upload(staff, SCHOOL_IMPORT, text))
    with schema_context(school_a.schema_name):
        assert bytes(EnrolmentImport.objects.get(pk=job_id).upload) == text.encode()  # kept in the database

    waiting = job_page(staff, job_id)  # queued: the page polls its progress fragment
    assert waiting.status_code == 200
    assert f'hx-get="{SCHOOL_IMPORT}{job_id}/progress/"' in waiting.text and "htmx.min.js" in waiting.text
    fragment = staff.get(f"{SCHOOL_IMPORT}{job_id}/progress/")
    assert "Checking the file" in fragment.text and "HX-Refresh" not in fragment

    job = school_check(school_a, job_id)
    assert job.status == "checked" and job.upload is None
    assert staff.get(f"{SCHOOL_IMPORT}{job_id}/progress/")["HX-Refresh"] == "true"
    preview = job_page(staff, job_id)
    assert job.counts == {"new": 1, "changed": 1, "unchanged": 1, "refused": 0}
    assert "Preview: nothing is saved until you confirm" in preview.text
    assert "Import 2 new and changed rows" in preview.text
    assert enrolments(school_a) == {"K": (30, 15, 22), "1": (25, 15, 24)}  # nothing written yet

    confirm = f"{SCHOOL_IMPORT}{job_id}/confirm/"
    assert staff.get(confirm).status_code == 405  # a GET never confirms
    first = staff.post(confirm, follow=True)
    assert first.status_code == 200 and "Confirmed: the rows are being written" in first.text
    again = staff.post(confirm, follow=True)  # a double click
    assert again.status_code == 200 and "was already confirmed" in again.text

    done = school_write(school_a, job_id)
    assert done.status == "imported" and done.data is None
    assert enrolments(school_a) == {"K": (32, 15, 22), "1": (25, 15, 24), "2": (19, 12, 24)}
    result = job_page(staff, job_id)
    assert "What was written" in result.text and "1 new" in result.text
    events = AuditEvent.objects.filter(action="enrolment_import", school_code=school_a.code)
    assert events.count() == 1
    assert events.get().details["counts"] == {"new": 1, "changed": 1, "unchanged": 1, "refused": 0}

    replay = staff.post(confirm, follow=True)  # the same confirm, replayed later
    assert replay.status_code == 200 and "was already imported" in replay.text
    assert school_write(school_a, job_id).status == "imported"  # a redelivered write does nothing
    assert events.count() == 1


def test_problems_are_listed_in_a_plain_table_and_nothing_is_written(school_a, year_a, staff):
    rows = [HEADER,
            [2027, "K", 31, None, None],       # row 2: fine
            [2027, "1", 40.5, None, None],     # row 3: a decimal
            [2027, "Grade 8", 20, None, None],  # row 4: the example
            [2027, "2", 20, None, None],       # row 5
            [2027, "Grade 2", 21, None, None],  # row 6: grade 2 again, other numbers
            [2027, "3", 12000, None, None],    # row 7: beyond the contract's limit
            [2027, "4", 20, 30, 20],           # row 8: min above max
            [2027, "5", 20, 1500, None],       # row 9: class size beyond the limit
            [2031, "6", 20, None, None],       # row 10: no such year
            [2027, "", 20, None, None]]        # row 11: no grade
    job_id = job_id_of(upload(staff, SCHOOL_IMPORT, xlsx_bytes(rows), "enrolments.xlsx"))
    job = school_check(school_a, job_id)
    assert job.status == "refused" and job.data is None
    page = job_page(staff, job_id)
    assert 'id="import-problems"' in page.text
    expected = [
        "Row 3: The number of students, 40.5, is not a whole number: write it without decimals.",
        "Row 4: &#x27;Grade 8&#x27; is not a grade of School A; its grades are K, 1-6.",
        "Row 6: Grade 2 of 2027 is also on row 5 with different numbers: keep only one of the two rows.",
        "Row 7: The number of students, 12,000, is more than 10,000, the most Classplan accepts.",
        "Row 8: The smallest class size (30) is larger than the largest (20).",
        "Row 9: The smallest class size (min), 1,500, is more than 1,000, the most Classplan accepts.",
        "Row 10: School A has no school year 2031: add the year (School years) first, then import again.",
        "Row 11: The grade is empty: write a grade&#x27;s code or name (K, 1-6).",
    ]
    for sentence in expected:
        assert sentence in page.text
    assert "Nothing was imported: correct the file" in page.text and "/confirm/" not in page.text
    for jargon in ("cannot be null", "badge", "MIN_CLASS_SIZE", "Traceback", "IntegrityError"):
        assert jargon not in page.text
    assert job.counts["refused"] == 8
    assert enrolments(school_a) == {"K": (30, 15, 22), "1": (25, 15, 24)}
    confirm = staff.post(f"{SCHOOL_IMPORT}{job_id}/confirm/", follow=True)
    assert "has rows to correct" in confirm.text


def test_the_page_lists_the_grades_and_the_template_holds_them(school_a, year_a, staff):
    page = staff.get(SCHOOL_IMPORT)
    assert page.status_code == 200
    assert "This school's grades: K, 1-6" in page.text and "Kindergarten" in page.text
    csv = staff.get(f"{SCHOOL_IMPORT}template.csv?year=2027")
    assert csv["Content-Disposition"] == 'attachment; filename="enrolments-alpha-2027.csv"'
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[:3] == ["year,grade,grade name,students,min,max", "2027,K,Kindergarten,30,15,22",
                         "2027,1,Grade 1,25,15,24"]
    assert lines[3] == "2027,2,Grade 2,,15,24"  # a grade not entered yet: students left blank
    xlsx = staff.get(f"{SCHOOL_IMPORT}template.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    # the template, filled in and uploaded as it is, imports
    job_id = job_id_of(upload(staff, SCHOOL_IMPORT, csv.content.decode("utf-8-sig").replace(",,15", ",20,15"),
                              "template.csv"))
    job = school_check(school_a, job_id)
    assert job.status == "checked" and job.counts == {"new": 5, "changed": 0, "unchanged": 2, "refused": 0}


def test_files_beyond_the_limits_or_unreadable_are_refused_with_a_message(school_a, year_a, staff, settings,
                                                                             tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    wrong = upload(staff, SCHOOL_IMPORT, "a,b\n", "notes.txt")
    assert wrong.status_code == 200 and "Upload a .xlsx or .csv file" in wrong.text
    big = upload(staff, SCHOOL_IMPORT, b"year,grade,students\n" + b"2027,K,1\n" * 330_000, "big.csv")  # 3 MB
    assert big.status_code == 200 and "The file is 3 MB: files of at most 2 MB can be imported." in big.text
    assert list(tmp_path.iterdir()) == []  # the upload Django spooled to disk is gone
    many = job_id_of(upload(staff, SCHOOL_IMPORT, csv_text([HEADER] + [[2027, "K", 1, None, None]] * 10_000)))
    job = school_check(school_a, many)
    assert job.status == "refused"
    assert job.problems == [{"row": None, "text": "The sheet has more than 5,000 rows: import at most 5,000 rows "
                                                  "at a time (split the file)."}]
    broken = job_id_of(upload(staff, SCHOOL_IMPORT, b"PK\x03\x04 not really", "e.xlsx"))
    assert "This is not a readable .xlsx file" in school_check(school_a, broken).problems[0]["text"]
    district_file = job_id_of(upload(staff, SCHOOL_IMPORT, "school,year,grade,students\nalpha,2027,K,3\nbeta,2027,K,4\n"))
    assert [(p["row"], p["text"]) for p in school_check(school_a, district_file).problems] == [
        (3, "This row is for the school 'beta', not School A: import it at that school, or every school's rows "
            "in the district's import.")]
    columns = job_id_of(upload(staff, SCHOOL_IMPORT, "year,students\n2027,3\n"))
    assert "The file has no 'grade' column." in school_check(school_a, columns).problems[0]["text"]
    page = staff.get(f"{SCHOOL_IMPORT}{columns}/")
    assert "Download the template" in page.text and "Traceback" not in page.text


def test_abandoned_previews_expire_and_old_jobs_are_deleted(school_a, year_a, staff):
    from schools.imports import PREVIEW_MAX_AGE, STALE_AFTER
    from schools.services import enrolment_import_jobs

    checked = job_id_of(upload(staff, SCHOOL_IMPORT, csv_text([HEADER, [2027, "K", 33, None, None]])))
    school_check(school_a, checked)
    stuck = job_id_of(upload(staff, SCHOOL_IMPORT, csv_text([HEADER, [2027, "K", 34, None, None]])))
    with schema_context(school_a.schema_name):
        later = timezone.now() + PREVIEW_MAX_AGE + datetime.timedelta(minutes=1)
        assert later - STALE_AFTER > timezone.now()
        assert enrolment_import_jobs.clean(now=later) == 2
        expired, failed = EnrolmentImport.objects.get(pk=checked), EnrolmentImport.objects.get(pk=stuck)
        assert (expired.status, expired.data, expired.upload) == ("expired", None, None)
        assert (failed.status, failed.upload) == ("failed", None) and "No worker finished" in failed.error
    late = staff.post(f"{SCHOOL_IMPORT}{checked}/confirm/", follow=True)
    assert "expired" in late.text and late.status_code == 200
    assert enrolments(school_a)["K"] == (30, 15, 22)
    with schema_context(school_a.schema_name):
        assert enrolment_import_jobs.clean(now=timezone.now() + datetime.timedelta(days=91)) == 2
        assert not EnrolmentImport.objects.filter(pk__in=[checked, stuck]).exists()


def test_only_editors_import_and_a_school_never_touches_another(school_a, school_b, year_a, staff, client_for):
    factories.grades_create(school_b)
    factories.year_create(school_b, year=2027, students={"K": 10})
    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    assert principal.get(SCHOOL_IMPORT).status_code == 403
    job_id = job_id_of(upload(staff, SCHOOL_IMPORT, csv_text([HEADER, [2027, "K", 35, None, None]])))
    school_check(school_a, job_id)
    assert principal.post(f"{SCHOOL_IMPORT}{job_id}/confirm/").status_code == 403
    other = client_for(school_b, factories.member_create(school_b, "staff"))
    assert other.get(f"{SCHOOL_IMPORT}{job_id}/").status_code == 404  # school B has no such import
    assert other.post(f"{SCHOOL_IMPORT}{job_id}/confirm/", follow=True).status_code == 404
    assert staff.post(f"{SCHOOL_IMPORT}{job_id}/confirm/").status_code == 302
    school_write(school_a, job_id)
    assert enrolments(school_a)["K"] == (35, 15, 22)
    assert enrolments(school_b) == {"K": (10, 15, 22)}


def test_export_csv_and_xlsx_reimport_unchanged(school_a, year_a, staff):
    fields = {f"enrolmentresource_{n}": "on" for n in ("year", "grade", "students", "min_class_size", "max_class_size")}
    csv = staff.post("/admin/schools/enrolment/export/", {"format": 0, **fields})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "year,grade,students,min,max" and "2027,K,30,15,22" in lines
    xlsx = staff.post("/admin/schools/enrolment/export/", {"format": 1, **fields})
    job_id = job_id_of(upload(staff, SCHOOL_IMPORT, xlsx.content, "export.xlsx"))
    assert school_check(school_a, job_id).counts == {"new": 0, "changed": 0, "unchanged": 2, "refused": 0}
    changelist = staff.get("/admin/schools/enrolment/")
    assert f'href="{SCHOOL_IMPORT}"' in changelist.text
