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
