"""Test data builders: people, schools and a school's planning data."""

import itertools
import uuid

from django_tenants.utils import schema_context

from optimization import plan_figures
from schools.models import CompositeRule, Enrolment, Grade, SchoolYear
from schools.plans.models import AllocationPlan, PlannedClass
from tenants.models import School, User
from tenants.services import district_office_ensure, membership_set, school_create

PASSWORD = "test-pass-123"
S3_BUCKET = "classplan-test-reports"  # the test S3 server's bucket (tests/conftest.py's s3_reports)
_seq = itertools.count(1)


def user_create(username=None, *, district=False, **fields) -> User:
    user = User.objects.create_user(
        username=username or f"user{next(_seq)}", password=PASSWORD, is_district_staff=district, **fields
    )
    return user


def member_create(school: School, role: str, username=None) -> User:
    user = user_create(username or f"{school.code}-{role}-{next(_seq)}")
    membership_set(user=user, school=school, role=role)
    return user


def school_get_or_create(code: str, name: str | None = None) -> School:
    return School.objects.filter(code=code).first() or school_create(
        name=name or f"School {code.title()}", code=code
    )


K6 = [("K", "Kindergarten", 15, 22), ("1", "", 15, 24), ("2", "", 15, 24), ("3", "", 15, 28),
      ("4", "", 15, 30), ("5", "", 15, 30), ("6", "", 15, 30)]


def grades_create(school: School, grades=K6):
    """The school's grades (K-6 by default), in its schema."""
    with schema_context(school.schema_name):
        return [
            Grade.objects.get_or_create(
                code=code, defaults={"name": name, "order": i, "min_class_size": lo, "max_class_size": hi}
            )[0]
            for i, (code, name, lo, hi) in enumerate(grades)
        ]


def year_create(school: School, year=2027, teachers=6, students=None, composites=(), min_per_grade=1):
    """A school year with enrolments (students: {code: n}) and composites (tuples of codes)."""
    with schema_context(school.schema_name):
        sy = SchoolYear.objects.create(year=year, teachers=teachers, composite_min_per_grade=min_per_grade)
        grades = {g.code: g for g in Grade.objects.all()}
        for code, n in (students or {}).items():
            g = grades[code]
            Enrolment.objects.create(
                year=sy, grade=g, students=n, min_class_size=g.min_class_size, max_class_size=g.max_class_size
            )
        for codes in composites:
            rule = CompositeRule.objects.create(year=sy)
            rule.grades.set([grades[c] for c in codes])
        return sy


# --- schools of their own (transactional tests) and plans --------------------------------------

_codes = itertools.count(1)


def unique_code(prefix="p") -> str:
    return f"{prefix}{next(_codes)}-{uuid.uuid4().hex[:6]}"


def fresh_school(prefix="p", name=None):
    """A school of its own for transactional tests (the public rows are flushed after each)."""
    district_office_ensure(domains=["localhost", "testserver"])
    code = unique_code(prefix)
    return school_get_or_create(code, name or f"School {code}")


HILLVIEW = {"K": 41, "1": 57, "2": 40}
HILLVIEW_GRADES = [("K", "Kindergarten", 15, 22), ("1", "", 15, 25), ("2", "", 15, 25)]


def hillview_year(school, *, year=2027, teachers=6, students=HILLVIEW, composites=(("K", "1"), ("1", "2")),
                  min_per_grade=5):
    """The contract's hillview example (best plan: 6 classes, 1 composite, spread 2)."""
    grades_create(school, grades=HILLVIEW_GRADES)
    return year_create(school, year=year, teachers=teachers, students=students,
                       composites=composites, min_per_grade=min_per_grade)


def saved_plan(school, year, classes, *, rank=1, adopted=False, job=None):
    """A plan stored by hand: classes are (name, {grade: n}) pairs."""
    with schema_context(school.schema_name):
        figures = plan_figures({"classes": [{"grades": counts} for _, counts in classes]})
        stored = {f.name for f in AllocationPlan._meta.get_fields()}
        plan = AllocationPlan.objects.create(year=year, job=job, rank=rank, adopted=adopted,
                                             **{k: v for k, v in figures.items() if k in stored})
        for i, (name, counts) in enumerate(classes):
            PlannedClass.objects.create(plan=plan, position=i, name=name, counts=counts,
                                        size=sum(counts.values()))
        return plan


# --- a saved plan, as the optimizer would store it (report tests) ------------------------------

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
    grades_create(school)
    with schema_context(school.schema_name):
        sy = SchoolYear.objects.filter(year=year).first()
    if sy is None:
        sy = year_create(
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
