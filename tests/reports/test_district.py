"""The district's report page and its "download all as ZIP" job."""

import io
import zipfile

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from pypdf import PdfReader

from reports.district.models import DistrictBundle
from reports.district.services import district_bundle_build
from reports.models import Report
from reports.services import plan_reports_queue, report_render
from schools.plans.models import AllocationPlan
from tenants.selectors import school_list
from tests import factories
from tests.factories import plan_create

pytestmark = pytest.mark.django_db


def test_the_district_page_lists_every_schools_adopted_plan_and_pdf(school_a, school_b, district_client, local_reports):
    plan_a = plan_create(school_a)
    with schema_context(school_a.schema_name):
        plan_reports_queue(plan=plan_a)
        pdf = report_render(report_id=Report.objects.get(plan=plan_a, kind="plan_pdf").pk)
    plan_create(school_b, adopted=False)
    page = district_client.get("/district/reports/?year=2027").content.decode()
    assert "School A" in page and "School B" in page
    assert f"/district/reports/alpha/{pdf.pk}/download/" in page
    assert "No plan adopted yet" in page  # B generated a plan but adopted none
    assert "1 of 2 schools has an adopted plan" in page.replace("\n", " ")
    download = district_client.get(f"/district/reports/alpha/{pdf.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # the same id looked up as school B's: B has no such ready report
    assert district_client.get(f"/district/reports/beta/{pdf.pk}/download/").status_code == 404
    assert district_client.get(f"/district/reports/nowhere/{pdf.pk}/download/").status_code == 404


def test_the_zip_holds_each_adopted_plans_pdf_and_is_built_in_a_job(
    school_a, school_b, district_client, local_reports, django_capture_on_commit_callbacks
):
    plan_create(school_a)  # adopted, no PDF yet: a render job makes it
    plan_create(school_b, year=2027, adopted=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = district_client.post("/district/reports/zip/", {"year": "2027"})
    assert len(callbacks) == 1
    bundle = DistrictBundle.objects.get()
    assert response["Location"] == f"/district/reports/zip/{bundle.pk}/?auto=1"
    assert bundle.status == "pending"
    assert "Preparing" in district_client.get(response["Location"]).content.decode()

    with schema_context(school_a.schema_name):  # what the reports worker does (the ZIP never renders)
        plan_reports_queue(plan=AllocationPlan.objects.get(adopted=True))
        report_render(report_id=Report.objects.get(kind="plan_pdf").pk)
    bundle = district_bundle_build(bundle_id=bundle.pk)  # what the worker does
    assert bundle.status == "ready", bundle.error
    assert bundle.file.name.startswith("public/district/2027/schools-2027-")
    assert bundle.schools_done == bundle.schools_total == school_list().count() >= 2
    page = district_client.get(response["Location"]).content.decode()
    assert f'url=/district/reports/zip/{bundle.pk}/download/' in page

    download = district_client.get(f"/district/reports/zip/{bundle.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="classplan-schools-2027.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert {"alpha-2027-classes.pdf", "index.csv"} <= set(archive.namelist())
    assert "beta-2027-classes.pdf" not in archive.namelist()
    text = PdfReader(io.BytesIO(archive.read("alpha-2027-classes.pdf"))).pages[0].extract_text()
    assert "School A" in text and "K-A" in text
    index = archive.read("index.csv").decode()
    assert "School B,beta,,no adopted plan" in index
    with schema_context(school_a.schema_name):  # the PDF the job made is kept as the school's report
        assert Report.objects.filter(kind="plan_pdf", status="ready").count() == 1


def test_only_district_staff_reach_the_district_pages(school_a, local_reports):
    bundle = DistrictBundle.objects.create(year=2027)
    for user in (factories.member_create(school_a, "principal"), factories.member_create(school_a, "staff")):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        assert client.get("/district/reports/").status_code == 403
        assert client.post("/district/reports/zip/", {"year": "2027"}).status_code == 403
        assert client.get(f"/district/reports/zip/{bundle.pk}/download/").status_code == 403
    assert Client(HTTP_HOST="localhost").get("/district/reports/").status_code == 302  # to log in
    assert DistrictBundle.objects.count() == 1


def test_a_pending_bundle_cannot_be_downloaded(district_client):
    bundle = DistrictBundle.objects.create(year=2027)
    assert district_client.get(f"/district/reports/zip/{bundle.pk}/download/").status_code == 404
