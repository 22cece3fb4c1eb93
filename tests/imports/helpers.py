"""Helpers of the import tests: files, uploads, and running a job's body in its school."""

import io

import openpyxl
from django_tenants.utils import schema_context

from schools.models import Enrolment

SCHOOL_IMPORT = "/admin/schools/enrolment/import/"
DISTRICT_IMPORT = "/district/imports/"


def named_file(content, name: str):
    f = io.BytesIO(content.encode() if isinstance(content, str) else content)
    f.name = name
    return f


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows) -> str:
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"


def upload(client, url, content, name="enrolments.csv"):
    """POST the file; returns the response (a redirect to the job's page when the form accepted it)."""
    return client.post(url, {"import_file": named_file(content, name)})


def job_id_of(response) -> int:
    assert response.status_code == 302, getattr(response, "text", "")[:2000]
    return int(response["Location"].rstrip("/").rsplit("/", 1)[-1])


def enrolments(school, year=2027) -> dict:
    with schema_context(school.schema_name):
        return {e.grade.code: (e.students, e.min_class_size, e.max_class_size)
                for e in Enrolment.objects.filter(year__year=year).select_related("grade")}


def school_check(school, job_id):
    from schools.services import enrolment_import_check_run

    with schema_context(school.schema_name):
        return enrolment_import_check_run(job_id=job_id)


def school_write(school, job_id):
    from schools.services import enrolment_import_write_run

    with schema_context(school.schema_name):
        return enrolment_import_write_run(job_id=job_id)
