"""Fixtures for report tests: a school year with an adopted plan, and report storages."""

import pytest
from django_tenants.utils import schema_context

from tests import factories

STUDENTS = {"K": 41, "1": 57, "2": 39}
CLASSES = [  # (name, teacher, counts)
    ("K-A", "Ms Avery", {"K": 21}),
    ("K-B", "Mr Brook", {"K": 20}),
    ("1-A", "Ms Chen", {"1": 24}),
    ("1-B", "Mr Diaz", {"1": 24}),
    ("1/2", "Ms Evans", {"1": 9, "2": 15}),
    ("2-A", "", {"2": 24}),
]


def plan_create(school, *, year=2027, classes=CLASSES, adopted=True, students=STUDENTS, composites=(("1", "2"),)):
    """A saved plan (as the optimizer would store it) for the school's year, created in its schema."""
    from schools.models import SchoolYear
    from schools.plans.models import AllocationPlan, PlannedClass

    factories.grades_create(school)
    with schema_context(school.schema_name):
        sy = SchoolYear.objects.filter(year=year).first()
    if sy is None:
        sy = factories.year_create(
            school, year=year, teachers=len(classes), students=students, composites=composites, min_per_grade=4
        )
    with schema_context(school.schema_name):
        plan = AllocationPlan.objects.create(
            year=sy, rank=1, classes=len(classes),
            composites=sum(1 for _, _, c in classes if len(c) > 1), spread=2, adopted=adopted,
        )
        for i, (name, teacher, counts) in enumerate(classes):
            PlannedClass.objects.create(
                plan=plan, position=i, name=name, teacher_name=teacher, counts=counts, size=sum(counts.values())
            )
        return plan


@pytest.fixture
def local_reports(tmp_path, settings):
    """Report files in a private temporary folder (no S3 settings)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "reports", "base_url": None},
        },
    }
    return tmp_path / "reports"


@pytest.fixture(scope="session")
def moto_endpoint():
    """A local S3-API server (moto) on a free port, spoken to over HTTP by the real boto3 client."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


S3_BUCKET = "classplan-test-reports"
S3_KEYS = {"access_key": "testing", "secret_key": "testing"}


def s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )


@pytest.fixture
def s3_reports(moto_endpoint, settings):
    """STORAGES["reports"] as in production (private S3, SSE, no overwrite), pointed at moto."""
    client = s3_client(moto_endpoint)
    if S3_BUCKET not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
        client.create_bucket(Bucket=S3_BUCKET)
    settings.AWS_STORAGE_BUCKET_NAME = S3_BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "region_name": "us-east-1",
                "endpoint_url": moto_endpoint,
                **S3_KEYS,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": settings.REPORTS_URL_EXPIRY_S,
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
    }
    return client


# --- a real Celery worker (for the adoption -> render test) -----------------------------------
# The broker set-up is the plans tests' (same test broker, never the app's queues); tests using
# the worker are transactional and flush the public tables, so they run after the plain ones.
from tests.plans.conftest import celery_broker, fresh_school, thread_worker  # noqa: E402,F401


@pytest.fixture
def reports_worker(transactional_db, celery_broker):
    with thread_worker("reports") as worker:
        yield worker

