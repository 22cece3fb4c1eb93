"""Database constraints and model validation messages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, IntegrityError, transaction
from django_tenants.utils import schema_context

from schools.models import CompositeRule, Enrolment, Grade, SchoolYear
from tests import factories

pytestmark = pytest.mark.django_db


def test_one_year_per_school_is_a_database_constraint(school_a):
    with schema_context(school_a.schema_name):
        SchoolYear.objects.create(year=2027, teachers=5)
        with pytest.raises(IntegrityError), transaction.atomic():
            SchoolYear.objects.create(year=2027, teachers=6)
        with pytest.raises(ValidationError) as error:
            SchoolYear(year=2027, teachers=6).full_clean()
        assert error.value.message_dict["year"] == ["The year 2027 already exists at this school."]


def test_the_same_year_may_exist_at_another_school(school_a, school_b):
    factories.year_create(school_a, year=2027)
    factories.year_create(school_b, year=2027)
    for school in (school_a, school_b):
        with schema_context(school.schema_name):
            assert SchoolYear.objects.filter(year=2027).count() == 1


def test_one_enrolment_row_per_grade_per_year(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, students={"K": 20})
    with schema_context(school_a.schema_name):
        grade = Grade.objects.get(code="K")
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrolment.objects.create(year=year, grade=grade, students=3, min_class_size=1, max_class_size=20)
            with connection.cursor() as cursor:  # the constraint is checked at commit: check it now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert Enrolment.objects.get(year=year, grade=grade).students == 20


def test_min_above_max_is_refused_by_the_database_and_named_by_validation(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(school_a)
    with schema_context(school_a.schema_name):
        grade = Grade.objects.get(code="1")
        enrolment = Enrolment(year=year, grade=grade, students=10, min_class_size=30, max_class_size=20)
        with pytest.raises(ValidationError) as error:
            enrolment.full_clean()
        assert "min_class_size" in error.value.message_dict
        assert "(30) is larger than the largest (20)" in error.value.message_dict["min_class_size"][0]
        with pytest.raises(IntegrityError), transaction.atomic():
            enrolment.save()
        with pytest.raises(IntegrityError), transaction.atomic():
            CompositeRule.objects.create(year=year, min_class_size=25, max_class_size=20)


def test_negative_students_are_refused(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(school_a)
    with schema_context(school_a.schema_name):
        enrolment = Enrolment(year=year, grade=Grade.objects.get(code="K"), students=-1,
                              min_class_size=15, max_class_size=22)
        with pytest.raises(ValidationError) as error:
            enrolment.full_clean()
        assert "students" in error.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            enrolment.save()
