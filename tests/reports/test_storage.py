"""Report files on S3 (a local moto server over HTTP, real boto3) and in the private local folder."""

import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django_tenants.utils import schema_context

from reports.models import Report
from reports.services import plan_reports_queue, report_render
from reports.storage import is_s3
from reports.tasks import report_render_task
from tests import factories
from tests.factories import S3_BUCKET, plan_create

pytestmark = pytest.mark.django_db


def rendered(school, plan, kind="plan_pdf"):
    with schema_context(school.schema_name):
        plan_reports_queue(plan=plan)
        report = Report.objects.filter(plan=plan, kind=kind).latest("id")
        report = report_render(report_id=report.pk)
        assert report.status == "ready", report.error
        return report


def test_s3_keys_start_with_the_schema_and_objects_are_private_and_encrypted(school_a, s3_reports, moto_endpoint):
    assert is_s3()
    plan = plan_create(school_a)
    report = rendered(school_a, plan)
    key = report.file.name
    assert key.startswith("school_alpha/reports/2027/plan_pdf-")
    assert key.endswith(f"-{report.sha256[:8]}.pdf")
    head = s3_reports.head_object(Bucket=S3_BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == report.size
    assert head["ContentType"] == "application/pdf"
    acl = s3_reports.get_object_acl(Bucket=S3_BUCKET, Key=key)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    assert all("URI" not in g["Grantee"] for g in acl["Grants"])  # no AllUsers / AuthenticatedUsers
    with pytest.raises(urllib.error.HTTPError) as unsigned:  # the bare object URL is refused
        urllib.request.urlopen(f"{moto_endpoint}/{S3_BUCKET}/{key}")
    assert unsigned.value.code == 403


def test_the_download_view_redirects_to_a_presigned_url_expiring_within_5_minutes(
    school_a, s3_reports, client_for
):
    plan = plan_create(school_a)
    report = rendered(school_a, plan)
    principal = factories.member_create(school_a, "principal")
    response = client_for(school_a, principal).get(f"/portal/reports/{report.pk}/download/")
    assert response.status_code == 302
    url = response["Location"]
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == f"/{S3_BUCKET}/{report.file.name}"
    if "X-Amz-Expires" in query:  # SigV4
        assert 0 < int(query["X-Amz-Expires"][0]) <= 300
    else:  # SigV2 carries an absolute expiry time
        assert 0 < int(query["Expires"][0]) - time.time() <= 300
    assert "attachment" in query["response-content-disposition"][0]
    with urllib.request.urlopen(url) as fetched:  # over HTTP, like the browser
        body = fetched.read()
        assert fetched.headers["Content-Disposition"].startswith("attachment")
    assert body.startswith(b"%PDF-") and len(body) == report.size


def test_identical_files_never_overwrite_each_other(school_a, s3_reports):
    plan = plan_create(school_a)
    first = rendered(school_a, plan, kind="plan_csv")
    second = rendered(school_a, plan, kind="plan_csv")
    assert first.sha256 == second.sha256  # the CSV is deterministic: same content, same base key
    assert first.file.name != second.file.name
    keys = [o["Key"] for o in s3_reports.list_objects_v2(Bucket=S3_BUCKET, Prefix="school_alpha/")["Contents"]]
    assert {first.file.name, second.file.name} <= set(keys)


def test_cross_school_downloads_by_id_and_by_key_are_404_on_s3(school_a, school_b, s3_reports, client_for):
    report_b = rendered(school_b, plan_create(school_b))
    user_a = factories.member_create(school_a, "principal")
    client = client_for(school_a, user_a)
    with schema_context(school_a.schema_name):
        assert not Report.objects.filter(pk=report_b.pk).exists()
    assert client.get(f"/portal/reports/{report_b.pk}/download/").status_code == 404
    assert client.get(f"/portal/files/{report_b.file.name}").status_code == 404
    # even a key dressed up with school A's prefix cannot climb into school B's folder
    sneaky = f"school_alpha/reports/../../{report_b.file.name}"
    assert client.get(f"/portal/files/{sneaky}").status_code == 404
    # school B's own people get it, by id and by key
    user_b = factories.member_create(school_b, "staff")
    client_b = client_for(school_b, user_b)
    assert client_b.get(f"/portal/reports/{report_b.pk}/download/").status_code == 302
    assert client_b.get(f"/portal/files/{report_b.file.name}").status_code == 302


def test_filesystem_fallback_without_s3_settings_streams_the_file(school_a, local_reports, client_for):
    assert not is_s3()
    plan = plan_create(school_a)
    report = rendered(school_a, plan, kind="plan_csv")
    path = local_reports / report.file.name
    assert path.is_file() and report.file.name.startswith("school_alpha/reports/2027/plan_csv-")
    principal = factories.member_create(school_a, "principal")
    response = client_for(school_a, principal).get(f"/portal/reports/{report.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="alpha-2027-classes.csv"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == path.read_bytes()


def test_without_s3_settings_reports_go_to_a_private_folder_under_var(tmp_path):
    """Settings read from a clean environment: no bucket means a local folder with no URL."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "REPORTS_"))}
    code = ("from django.conf import settings as s; r = s.STORAGES['reports']; "
            "print(r['BACKEND']); print(r['OPTIONS']['location']); print(r['OPTIONS']['base_url'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                         env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "1",
                              "SECRET_KEY": "k" * 50}, check=True)
    backend, location, base_url = out.stdout.split()
    assert backend == "django.core.files.storage.FileSystemStorage"
    assert location == str(settings.VAR_DIR / "reports")
    assert base_url == "None"  # never served under a static or media URL
    assert not location.startswith(str(settings.STATIC_ROOT))


def test_deleting_a_plan_deletes_its_stored_files_after_commit(school_a, local_reports, django_capture_on_commit_callbacks):
    plan = plan_create(school_a)
    report = rendered(school_a, plan, kind="plan_csv")
    path = local_reports / report.file.name
    assert path.is_file()
    with schema_context(school_a.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            plan.delete()
        assert not Report.objects.filter(pk=report.pk).exists()
    assert not path.exists()


def test_a_job_for_a_deleted_report_does_nothing(school_a):
    with schema_context(school_a.schema_name):
        assert report_render_task.apply(args=[987654]).get() == "gone"


def test_deleting_a_school_removes_only_its_files_from_s3(s3_reports, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from reports.storage import reports_backend
    from tenants.services import school_create, school_delete

    school = school_create(name="Doomed Primary", code="doomed")
    backend = reports_backend()
    kept = backend.save("school_alpha/reports/2027/keep.csv", ContentFile(b"alpha"))
    for name in ("reports/2027/a.pdf", "reports/2027/a.csv", "reports/all-years/c.pdf"):
        backend.save(f"school_doomed/{name}", ContentFile(b"x"))
    with django_capture_on_commit_callbacks(execute=True):
        school_delete(school=school, confirm_code="doomed")
    left = s3_reports.list_objects_v2(Bucket=S3_BUCKET, Prefix="school_doomed/").get("KeyCount")
    assert left == 0
    assert backend.exists(kept)
    backend.delete(kept)
