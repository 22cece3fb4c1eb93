"""The district's schools (tenants), their domains, and who may use each one."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name


class User(AbstractUser):
    """One login per person, kept in the public schema."""

    is_district_staff = models.BooleanField(
        "district staff",
        default=False,
        help_text="District staff manage every school and the district admin.",
    )


def person_reference(**options) -> models.ForeignKey:
    """A school schema's reference to a person, who lives in the public schema.

    No cross-schema constraint, and deleting a person (which the district admin forbids
    anyway) never cascades into school schemas.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        **options,
    )


class School(TenantMixin):
    """A school, with its own PostgreSQL schema. The public schema's row is the district office."""

    name = models.CharField(max_length=120)
    code = models.CharField(
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9-]*$",
                "Use lowercase letters, digits and hyphens, starting with a letter.",
            )
        ],
        help_text="Short code used in the school's web address, e.g. 'hillview'.",
    )
    created = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False  # dropping a school's data is an explicit, confirmed action

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_district(self) -> bool:
        return self.schema_name == get_public_schema_name()


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]


class Membership(models.Model):
    """A person's role at one school. District staff need none: they reach every school."""

    class Role(models.TextChoices):
        STAFF = "staff", "School staff"
        PRINCIPAL = "principal", "Principal"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="one_membership_per_school"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} at {self.school}"


class AuditEvent(models.Model):
    """Who changed what, district-wide: every state-changing action records one."""

    action = models.CharField(max_length=60)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.SET_NULL)
    school_code = models.CharField(max_length=30, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.action} {self.school_code}"
