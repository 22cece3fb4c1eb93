"""Build the demo district (idempotent): 3 schools, 3 years of K-6 data, one login per role."""

import os
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from schools.models import CompositeRule, Enrolment, Grade, SchoolYear
from tenants.models import Membership, School, User
from tenants.services import district_office_ensure, membership_set, school_create

DEMO_PASSWORD = "classplan-demo"
SCHOOLS = [
    # code, name, students per grade around, seed
    ("hillview", "Hillview Primary", 40, 1),
    ("riverside", "Riverside Elementary", 60, 2),
    ("oakwood", "Oakwood Primary", 95, 3),
]
GRADES = [  # code, name, min, max
    ("K", "Kindergarten", 15, 22),
    ("1", "Grade 1", 15, 24),
    ("2", "Grade 2", 15, 24),
    ("3", "Grade 3", 15, 28),
    ("4", "Grade 4", 15, 30),
    ("5", "Grade 5", 15, 30),
    ("6", "Grade 6", 15, 30),
]
YEARS = [2025, 2026, 2027]


class Command(BaseCommand):
    help = "Create (or refresh) the demo district: schools, years of K-6 data and logins."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo district has logins with a published password, so it is built only with "
                "DEBUG on (`make run` uses config.settings.local). Nothing was created."
            )
        district_office_ensure(domains=[settings.BASE_DOMAIN, "127.0.0.1"])
        district = self._user("district", "Dana", "District", district_staff=True)
        logins = [("district staff", "district", "every school")]
        for code, name, size, seed in SCHOOLS:
            school = School.objects.filter(code=code).first() or school_create(
                name=name, code=code, actor=district
            )
            for role, label in ((Membership.Role.STAFF, "Sam"), (Membership.Role.PRINCIPAL, "Pat")):
                username = f"{code}-{role}"
                user = self._user(username, label, name.split()[0])
                if not Membership.objects.filter(user=user, school=school, role=role).exists():
                    membership_set(user=user, school=school, role=role, actor=district)
                logins.append((role.label.lower(), username, name))
            with schema_context(school.schema_name):
                self._school_data(size, seed)

        port = f":{os.environ.get('RUN_PORT', '8000')}"  # make run's port
        self.stdout.write(self.style.SUCCESS("Demo district ready."))
        self.stdout.write(f"  District office: http://{settings.BASE_DOMAIN}{port}/ (admin at /admin/)")
        for code, name, _, _ in SCHOOLS:
            self.stdout.write(f"  {name}: http://{code}.{settings.BASE_DOMAIN}{port}/")
        self.stdout.write(f"  Logins (password for all: {DEMO_PASSWORD}):")
        for role, username, where in logins:
            self.stdout.write(f"    {username:<22} {role:<15} {where}")

    def _user(self, username, first, last, district_staff=False):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_district_staff": district_staff},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    @transaction.atomic
    def _school_data(self, size, seed):
        """Grades and three years of enrolments with adjacent composites, if the school has none."""
        if SchoolYear.objects.exists():
            return
        rng = random.Random(seed)
        grades = [
            Grade.objects.create(code=code, name=name, order=i, min_class_size=lo, max_class_size=hi)
            for i, (code, name, lo, hi) in enumerate(GRADES)
        ]
        for year in YEARS:
            counts = [max(8, int(rng.gauss(size, size * 0.12))) for _ in grades]
            teachers = sum(-(-n // 24) for n in counts) + rng.choice([-1, 0, 0, 1])
            school_year = SchoolYear.objects.create(
                year=year, teachers=teachers, composite_min_per_grade=4,
                status=SchoolYear.Status.FINAL if year < YEARS[-1] else SchoolYear.Status.DRAFT,
            )
            for grade, students in zip(grades, counts):
                Enrolment.objects.create(
                    year=school_year, grade=grade, students=students,
                    min_class_size=grade.min_class_size, max_class_size=grade.max_class_size,
                )
            for younger, older in zip(grades, grades[1:]):
                rule = CompositeRule.objects.create(year=school_year)
                rule.grades.set([younger, older])
