"""Enrolment spreadsheets: a school's own (admin preview, all or nothing) and the district's."""

import io

import openpyxl
import pytest
import tablib
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from reports.district import imports as district_import
from schools.models import Enrolment
from schools.resources import EnrolmentResource
from tests import factories

pytestmark = pytest.mark.django_db
IMPORT = "/admin/schools/enrolment/import/"


@pytest.fixture
def year_a(school_a):
    factories.grades_create(school_a)
    return factories.year_create(school_a, year=2027, students={"K": 30, "1": 25})


def rows(school, year=2027):
    with schema_context(school.schema_name):
        return {e.grade.code: (e.students, e.min_class_size, e.max_class_size)
                for e in Enrolment.objects.filter(year__year=year).select_related("grade")}


def upload(client, text, name="enrolments.csv", fmt=0):
    return client.post(IMPORT, {"format": fmt, "import_file": _file(text, name)})


def _file(content, name):
    f = io.BytesIO(content.encode() if isinstance(content, str) else content)
    f.name = name
    return f


@pytest.fixture
def staff(school_a, client_for):
    return client_for(school_a, factories.member_create(school_a, "staff"))


def test_school_import_previews_then_imports(school_a, year_a, staff):
    text = "year,grade,students,min,max\n2027,K,32,,\n2027,1,25,15,24\n2027,2,19,12,24\n"
    preview = upload(staff, text)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [r.import_type for r in result.rows] == ["update", "skip", "new"]
    assert rows(school_a) == {"K": (30, 15, 22), "1": (25, 15, 24)}  # a preview writes nothing
    confirm = preview.context["confirm_form"]
    done = staff.post("/admin/schools/enrolment/process_import/", confirm.initial)
    assert done.status_code == 302
    assert rows(school_a) == {"K": (32, 15, 22), "1": (25, 15, 24), "2": (19, 12, 24)}


def test_a_file_with_one_bad_row_imports_nothing_and_shows_the_row_errors(school_a, year_a, staff):
    text = "year,grade,students,min,max\n2027,K,31,,\n2027,1,-4,,\n2027,2,20,30,20\n2027,9,20,,\n2031,K,1,,\n"
    preview = upload(staff, text)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert "confirm_form" not in preview.context
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert invalid[2]["students"] == ["Students cannot be negative."]
    assert "larger than the largest" in invalid[3]["min_class_size"][0]
    assert invalid[4]["grade"] == ["This school has no grade with code '9'."]
    assert invalid[5]["year"] == ["There is no school year 2031 at this school: add it first."]
    assert "Students cannot be negative." in preview.text and "This school has no grade" in preview.text
    assert rows(school_a) == {"K": (30, 15, 22), "1": (25, 15, 24)}


def test_the_resource_rolls_back_every_row_when_one_is_invalid(school_a, year_a):
    data = tablib.Dataset(["2027", "K", "33", "", ""], ["2027", "1", "-1", "", ""],
                          headers=["year", "grade", "students", "min", "max"])
    with schema_context(school_a.schema_name):
        result = EnrolmentResource().import_data(data, dry_run=False)
    assert result.has_validation_errors()
    assert rows(school_a)["K"] == (30, 15, 22)


def test_export_csv_and_xlsx(school_a, year_a, staff):
    csv = staff.post("/admin/schools/enrolment/export/", {"format": 0, "export_items": [], **_all_fields()})
    assert csv.status_code == 200, csv.content[:500]
    lines = csv.content.decode().splitlines()
    assert lines[0] == "year,grade,students,min,max"
    assert "2027,K,30,15,22" in lines and "2027,1,25,15,24" in lines
    xlsx = staff.post("/admin/schools/enrolment/export/", {"format": 1, **_all_fields()})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == ["year", "grade", "students", "min", "max"]


def _all_fields():
    return {f"enrolmentresource_{name}": "on" for name in ("year", "grade", "students", "min_class_size", "max_class_size")}


# --- district-wide ------------------------------------------------------------------------

@pytest.fixture
def two_schools(school_a, school_b):
    for school in (school_a, school_b):
        factories.grades_create(school)
        factories.year_create(school, year=2027, students={"K": 10})
    return school_a, school_b


def dataset(*lines, headers=("school", "year", "grade", "students", "min", "max")):
    return tablib.Dataset(*[list(line) for line in lines], headers=list(headers))


def test_district_import_lands_in_each_schools_schema(two_schools):
    a, b = two_schools
    data = dataset(("alpha", 2027, "K", 21, "", ""), ("beta", 2027, "K", 12, 10, 20), ("beta", 2027, "1", 14, "", ""))
    actor = factories.user_create(district=True)
    preview = district_import.district_import(dataset=data, actor=actor)
    assert [r.status for r in preview.rows] == ["update", "update", "new"]
    assert rows(a) == {"K": (21, 15, 22)}
    assert rows(b) == {"K": (12, 10, 20), "1": (14, 15, 24)}


def test_district_file_with_any_error_imports_nothing(two_schools):
    a, b = two_schools
    data = dataset(("alpha", 2027, "K", 21, "", ""), ("beta", 2027, "K", -2, "", ""),
                   ("gamma", 2027, "K", 5, "", ""), ("alpha", 2027, "K", 22, "", ""), ("beta", 2031, "1", 3, "", ""))
    preview = district_import.district_import_preview(data)
    errors = {r.number: r.errors for r in preview.rows}
    assert errors[2] == []
    assert errors[3] == ["students: Students cannot be negative."]
    assert errors[4] == ["school: There is no school with code 'gamma'."]
    assert errors[5][0] == "This school, year and grade are already on line 2."
    assert errors[6] == ["year: There is no school year 2031 at this school: add it first."]
    with pytest.raises(ValidationError, match="Nothing was imported"):
        district_import.district_import(dataset=data)
    assert rows(a) == {"K": (10, 15, 22)} and rows(b) == {"K": (10, 15, 22)}


def test_district_admin_preview_confirm_and_export(two_schools, district_client):
    a, b = two_schools
    page = district_client.get("/admin/schools/districtenrolmentfile/")
    assert page.status_code == 200 and "Check the file" in page.text
    app_index = district_client.get("/admin/schools/")  # django-tenants' main index greys tenant apps out
    assert "District enrolments (import / export)" in app_index.text
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["School code", "Year", "Grade", "Students", "Min", "Max"])
    sheet.append(["alpha", 2027, "K", 19, None, None])
    sheet.append(["beta", 2027, "2", 17, None, None])
    content = io.BytesIO()
    workbook.save(content)
    preview = district_client.post("/admin/schools/districtenrolmentfile/", {
        "action": "preview", "import_file": _file(content.getvalue(), "district.xlsx")})
    assert preview.status_code == 200 and preview.context["preview"].ok
    assert rows(a)["K"] == (10, 15, 22)  # nothing written yet
    done = district_client.post("/admin/schools/districtenrolmentfile/",
                                {"action": "confirm", "payload": preview.context["payload"]})
    assert done.status_code == 302
    assert rows(a)["K"] == (19, 15, 22) and rows(b)["2"] == (17, 15, 24)
    tampered = district_client.post("/admin/schools/districtenrolmentfile/",
                                    {"action": "confirm", "payload": preview.context["payload"] + "x"}, follow=True)
    assert "expired or was altered" in tampered.text

    export = district_client.post("/admin/schools/districtenrolmentfile/",
                                  {"action": "export", "export-year": 2027, "export-file_format": "csv"})
    lines = export.content.decode().splitlines()
    assert lines[0] == "school,year,grade,students,min,max"
    assert "alpha,2027,K,19,15,22" in lines and "beta,2027,2,17,15,24" in lines


def test_district_admin_shows_row_errors_and_refuses_a_bad_file(two_schools, district_client):
    bad = district_client.post("/admin/schools/districtenrolmentfile/", {
        "action": "preview", "import_file": _file("school,year,grade,students\nalpha,2027,K,abc\n", "d.csv")})
    assert bad.status_code == 200 and not bad.context["preview"].ok
    assert "Confirm import" not in bad.text and "not a whole number" in bad.text
    wrong = district_client.post("/admin/schools/districtenrolmentfile/", {
        "action": "preview", "import_file": _file("a,b\n1,2\n", "d.txt")})
    assert "Upload a .csv or .xlsx file." in wrong.text
    missing = district_client.post("/admin/schools/districtenrolmentfile/", {
        "action": "preview", "import_file": _file("school,year\nalpha,2027\n", "d.csv")})
    assert "The file has no grade, students column." in missing.text


def test_only_district_staff_reach_the_district_file(school_a, client_for):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(factories.member_create(school_a, "staff"))
    response = client.get("/admin/schools/districtenrolmentfile/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
