"""Test data builders: people, schools and a school's planning data."""

import itertools

from django_tenants.utils import schema_context

from tenants.models import School, User
from tenants.services import membership_set, school_create

PASSWORD = "test-pass-123"
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
    from schools.models import Grade

    with schema_context(school.schema_name):
        return [
            Grade.objects.get_or_create(
                code=code, defaults={"name": name, "order": i, "min_class_size": lo, "max_class_size": hi}
            )[0]
            for i, (code, name, lo, hi) in enumerate(grades)
        ]


def year_create(school: School, year=2027, teachers=6, students=None, composites=(), min_per_grade=1):
    """A school year with enrolments (students: {code: n}) and composites (tuples of codes)."""
    from schools.models import CompositeRule, Enrolment, Grade, SchoolYear

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
