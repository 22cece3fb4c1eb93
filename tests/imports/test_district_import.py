"""The district's enrolment import: a plain district page (no proxy model), every school's template,
the export re-imported unchanged, rows written in each school's schema, district staff only."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from reports.district import imports as district
from reports.district.models import DistrictImport
from tenants.models import AuditEvent
from tests import factories
from tests.imports.helpers import DISTRICT_IMPORT, csv_text, enrolments, job_id_of, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
HEADER = ["school", "year", "grade", "students", "min", "max"]


@pytest.fixture
def two_schools(school_a, school_b):
    for school in (school_a, school_b):
        factories.grades_create(school)
        factories.year_create(school, year=2027, students={"K": 10, "1": 12})
    return school_a, school_b


def test_the_district_export_reimports_unchanged_through_preview_and_confirm(two_schools, district_client):
    a, b = two_schools
    page = district_client.get(DISTRICT_IMPORT)
    assert page.status_code == 200 and "Enrolments of every school" in page.text
    assert "K, 1-6" in page.text  # each school's grades are listed
    export = district_client.get(f"{DISTRICT_IMPORT}export.csv?year=2027")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "school,year,grade,students,min,max" and "alpha,2027,K,10,15,22" in lines
    job_id = job_id_of(upload(district_client, DISTRICT_IMPORT, export.content, "export.csv"))
    job = district.district_import_check_run(job_id=job_id)
    assert job.status == "checked"
    assert job.counts == {"new": 0, "changed": 0, "unchanged": 4, "refused": 0}
    assert job.rows_done == job.rows_total == 4
    assert district_client.post(f"{DISTRICT_IMPORT}{job_id}/confirm/").status_code == 302
    assert district_client.post(f"{DISTRICT_IMPORT}{job_id}/confirm/", follow=True).status_code == 200
    done = district.district_import_write_run(job_id=job_id)
    assert done.status == "imported" and done.counts["unchanged"] == 4
    assert enrolments(a) == enrolments(b) == {"K": (10, 15, 22), "1": (12, 15, 24)}
    event = AuditEvent.objects.get(action="district_enrolment_import")
    assert event.details["schools"] == {"alpha": {"new": 0, "changed": 0, "unchanged": 2},
                                        "beta": {"new": 0, "changed": 0, "unchanged": 2}}
    result = district_client.get(f"{DISTRICT_IMPORT}{job_id}/")
    assert "Imported" in result.text and "4 rows already had these numbers" in result.text


def test_the_district_template_and_an_import_by_names_land_in_each_school(two_schools, district_client):
    a, b = two_schools
    template = district_client.get(f"{DISTRICT_IMPORT}template.csv?year=2027")
    rows = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert rows[0] == ["school", "school name", "year", "grade", "grade name", "students", "min", "max"]
    assert ["alpha", "School A", "2027", "K", "Kindergarten", "10", "15", "22"] in rows
    assert ["beta", "School B", "2027", "6", "Grade 6", "", "15", "30"] in rows
    content = xlsx_bytes([["School code", "Year", "Grade", "Students", "Min class size", "Max"],
                          ["School A", 2027, "Kindergarten", 21, None, None],
                          ["beta", 2027.0, "Grade 2", 17, 12, 24],
                          ["beta", 2027, "1", 14, None, None]])
    job_id = job_id_of(upload(district_client, DISTRICT_IMPORT, content, "district.xlsx"))
    job = district.district_import_check_run(job_id=job_id)
    assert job.counts == {"new": 1, "changed": 2, "unchanged": 0, "refused": 0}
    preview = district_client.get(f"{DISTRICT_IMPORT}{job_id}/")
    assert "Preview: nothing is saved until you confirm" in preview.text and "<td>beta</td>" in preview.text
    district_client.post(f"{DISTRICT_IMPORT}{job_id}/confirm/")
    district.district_import_write_run(job_id=job_id)
    assert enrolments(a) == {"K": (21, 15, 22), "1": (12, 15, 24)}
    assert enrolments(b) == {"K": (10, 15, 22), "1": (14, 15, 24), "2": (17, 12, 24)}


def test_a_district_file_with_any_problem_imports_nothing(two_schools, district_client):
    a, b = two_schools
    text = csv_text([HEADER, ["alpha", 2027, "K", 21, None, None], ["beta", 2027, "K", 40.5, None, None],
                     ["gamma", 2027, "K", 5, None, None], ["alpha", 2027, "K", 22, None, None],
                     ["beta", 2027, "Grade 8", 3, None, None], ["", 2027, "K", 3, None, None]])
    job = district.district_import_check_run(job_id=job_id_of(upload(district_client, DISTRICT_IMPORT, text)))
    assert job.status == "refused"
    assert [f"Row {p['row']}: {p['text']}" for p in job.problems] == [
        "Row 3: The number of students, 40.5, is not a whole number: write it without decimals.",
        "Row 4: 'gamma' is not a school of the district; its schools are alpha, beta.",
        "Row 5: Kindergarten of 2027 is also on row 2 with different numbers: keep only one of the two rows.",
        "Row 6: 'Grade 8' is not a grade of School B; its grades are K, 1-6.",
        "Row 7: The school is empty: write the school's code (alpha, beta).",
    ]
    page = district_client.get(f"{DISTRICT_IMPORT}{job.pk}/")
    assert "Row 6: &#x27;Grade 8&#x27; is not a grade of School B; its grades are K, 1-6." in page.text
    assert enrolments(a)["K"] == (10, 15, 22) and enrolments(b)["K"] == (10, 15, 22)
    data = {"headers": HEADER, "rows": [["alpha", 2027, "K", 21, None, None], ["beta", 2027, "K", -1, None, None]]}
    with pytest.raises(Exception, match="Nothing was imported"):
        district.district_import(data=data)
    assert enrolments(a)["K"] == (10, 15, 22)


def test_only_district_staff_reach_the_district_import(two_schools, client_for):
    a, _ = two_schools
    staff = factories.member_create(a, "staff")
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    for url in (DISTRICT_IMPORT, f"{DISTRICT_IMPORT}template.csv?year=2027", f"{DISTRICT_IMPORT}export.csv"):
        assert client.get(url).status_code == 403
    assert upload(client, DISTRICT_IMPORT, csv_text([HEADER])).status_code == 403
    with pytest.raises(PermissionDenied):
        district.district_import_request(file_name="d.csv", content=b"x", actor=staff)
    assert not DistrictImport.objects.exists()
    school_site = client_for(a, staff)  # the district page does not exist on a school's site
    assert school_site.get(DISTRICT_IMPORT).status_code == 404
    assert Client(HTTP_HOST="localhost").get(DISTRICT_IMPORT).status_code == 302  # to the log-in page


def test_the_district_admin_links_to_the_page_and_the_proxy_is_gone(district_client):
    index = district_client.get("/admin/")
    assert f'href="{DISTRICT_IMPORT}"' in index.text
    assert district_client.get("/admin/schools/districtenrolmentfile/").status_code == 404
    home = district_client.get("/")
    assert f'href="{DISTRICT_IMPORT}"' in home.text
