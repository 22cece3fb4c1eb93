"""Presigned report links use Signature Version 4 (trust issue, item 18): AWS refuses version 2
on buckets created since 2020. The storage is the one the settings configure, on a local moto
server spoken to over HTTP by the real boto3 client."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from reports.models import Report
from reports.services import plan_reports_queue, report_render
from reports.storage import download_url
from tests.factories import plan_create

pytestmark = pytest.mark.django_db


def test_the_settings_ask_for_signature_version_4():
    assert settings.AWS_S3_SIGNATURE_VERSION == "s3v4"


def test_a_presigned_download_link_is_signed_with_version_4_and_works(school_a, s3_reports):
    plan = plan_create(school_a)
    with schema_context(school_a.schema_name):
        plan_reports_queue(plan=plan)
        report = report_render(report_id=Report.objects.get(plan=plan, kind="plan_csv").pk)
        url = download_url(report.file.name, filename="plan.csv")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query and "Signature" not in query and "AWSAccessKeyId" not in query
    assert 0 < int(query["X-Amz-Expires"][0]) <= 300
    with urllib.request.urlopen(url) as fetched:
        assert fetched.read().startswith(b"class,grade,students")
