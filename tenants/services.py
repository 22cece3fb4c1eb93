"""State changes for schools and access. Each one is a single audited action."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import AuditEvent, Domain, Membership, School, User


def audit_record(*, action: str, actor: User | None, school: School | None = None, **details):
    """Record who did what (in the public schema, whatever schema is active)."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    with schema_context(get_public_schema_name()):
        return AuditEvent.objects.create(
            action=action,
            actor_id=actor_id,
            school=school if school is not None and not school.is_district else None,
            school_code=school.code if school is not None else "",
            details=details,
        )


def school_schema_name(code: str) -> str:
    return "school_" + code.replace("-", "_")


def school_domain(code: str) -> str:
    return f"{code}.{settings.BASE_DOMAIN}"


@transaction.atomic
def school_create(*, name: str, code: str, actor: User | None = None, domain: str = "") -> School:
    """Create a school with its schema and primary domain, in one transaction."""
    school = School(name=name, code=code, schema_name=school_schema_name(code))
    school.full_clean()
    domain = domain or school_domain(code)
    if Domain.objects.filter(domain=domain).exists():
        raise ValidationError({"code": f"The address {domain} is already taken."})
    _school_template_make_current()
    school.save(verbosity=0)  # creates the schema (cloned from the template when there is one)
    Domain.objects.create(domain=domain, tenant=school, is_primary=True)
    audit_record(action="school_create", actor=actor, school=school, domain=domain)
    return school


_template_current = False


def _school_template_make_current() -> None:
    """Clone only from a template with every migration applied, checked once per process.

    Cloning fakes the migrations in the new schema, so a template behind the code (a deploy
    that migrated the schools but not the template) would give a school missing tables.
    """
    global _template_current
    if _template_current or not settings.TENANT_BASE_SCHEMA:
        return
    from django.core.management import call_command

    call_command("school_template", verbosity=0)
    connection.set_schema_to_public()
    _template_current = True


@transaction.atomic
def school_delete(*, school: School, confirm_code: str, actor: User | None = None) -> None:
    """Delete a school AND its schema with all its data. Needs the school's code typed back."""
    if school.is_district:
        raise ValidationError("The district office cannot be deleted.")
    if confirm_code.strip() != school.code:
        raise ValidationError({"confirm_code": f"Type the school's code ({school.code}) to confirm."})
    connection.set_schema_to_public()
    schema = school.schema_name
    audit_record(action="school_delete", actor=actor, school=school, schema=schema)
    school.delete(force_drop=True)
    transaction.on_commit(lambda: _school_files_delete(schema))


def _school_files_delete(schema: str) -> None:
    # Dropping the schema fires no delete signals: the school's stored reports go here.
    from reports.storage import delete_prefix

    delete_prefix(f"{schema}/")


@transaction.atomic
def district_office_ensure(*, name: str = "District office", domains=()) -> School:
    """The public tenant (the district office's site) and its domains; idempotent."""
    public, _ = School.objects.get_or_create(
        schema_name=get_public_schema_name(), defaults={"name": name, "code": "district"}
    )
    for i, domain in enumerate(domains or [settings.BASE_DOMAIN]):
        Domain.objects.get_or_create(domain=domain, defaults={"tenant": public, "is_primary": i == 0})
    return public


@transaction.atomic
def membership_set(*, user: User, school: School, role: str, actor: User | None = None) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, school=school, defaults={"role": role}
    )
    audit_record(action="membership_set", actor=actor, school=school, user=user.username, role=role)
    return membership
