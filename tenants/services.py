"""State changes for schools, people and access. Each one is a single audited action (tenants/audit.py)."""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.audit import Action, audit_record, row_values, values_changed
from tenants.context import current_school
from tenants.models import DistrictSettings, Domain, HandoffToken, Membership, School, User
from tenants.schemas import schema_names_copy
from tenants.signals import school_deleted


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
    if settings.TENANT_BASE_SCHEMA:  # the clone's constraint and index names are the template's
        schema_names_copy(source=settings.TENANT_BASE_SCHEMA, target=school.schema_name)
    Domain.objects.create(domain=domain, tenant=school, is_primary=True)
    audit_record(action=Action.SCHOOL_CREATE, actor=actor, school=school, target=school,
                 new=row_values(school), domain=domain)
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
    audit_record(action=Action.SCHOOL_DELETE, actor=actor, school=school, target=school,
                 old=row_values(school), schema=schema)
    school.delete(force_drop=True)
    # Dropping the schema fires no row signals: listeners (the reports app) delete its files.
    school_deleted.send(sender=School, school=school, schema=schema)


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
    before = Membership.objects.filter(user=user, school=school).values_list("role", flat=True).first()
    membership, _ = Membership.objects.update_or_create(
        user=user, school=school, defaults={"role": Membership.Role(role)}
    )
    audit_record(action=Action.MEMBERSHIP_SET, actor=actor, school=school, target=membership,
                 old={"role": before} if before else None, new={"role": membership.role}, user=user.username)
    return membership


# --- any row edited in an admin ----------------------------------------------------------------

# model label -> entity name of its actions (`<entity>_create`, `_change`, `_delete`)
ROW_ENTITIES = {
    "tenants.school": "school", "tenants.domain": "domain", "tenants.user": "person",
    "tenants.membership": "membership", "schools.grade": "grade", "schools.schoolyear": "year",
    "schools.enrolment": "enrolment", "schools.compositerule": "composite",
}


def _row_action(obj, what: str) -> Action:
    return Action(f"{ROW_ENTITIES[obj._meta.label_lower]}_{what}")


def _row_school(obj) -> School | None:
    """The school a row belongs to: itself, its tenant or member school, or the current school."""
    if isinstance(obj, School):
        return obj
    for name in ("tenant", "school"):
        school = getattr(obj, name, None)
        if isinstance(school, School):
            return school
    return current_school()


DISTRICT_SETTINGS_FIELDS = ("name", "time_zone", "rule_pack", "ranking", "grade_template")


@transaction.atomic
def district_settings_update(*, actor: User | None, **changes) -> DistrictSettings:
    """Change the district's settings (any of DISTRICT_SETTINGS_FIELDS), with one audit event.

    Validation of values that depend on higher layers (a rule pack's id, a grade template)
    is the caller's form's job; the time zone is checked here.
    """
    unknown = set(changes) - set(DISTRICT_SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a district setting: {', '.join(sorted(unknown))}.")
    if "time_zone" in changes:
        try:
            zoneinfo.ZoneInfo(changes["time_zone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": f"{changes['time_zone']!r} is not a time zone (e.g. America/Toronto)."})
    with schema_context(get_public_schema_name()):
        row, _ = DistrictSettings.objects.select_for_update().get_or_create(pk=1)
        old = {f: getattr(row, f) for f in changes}
        for field, value in changes.items():
            setattr(row, field, value)
        row.full_clean()
        row.save()
        new = {f: getattr(row, f) for f in changes}
    changed = {f for f in changes if old[f] != new[f]}
    if changed:
        audit_record(action=Action.DISTRICT_SETTINGS_CHANGE, actor=actor, school=None, target=row,
                     old={f: old[f] for f in changed}, new={f: new[f] for f in changed})
    return row


@transaction.atomic
def row_save(*, obj, actor: User | None, save_m2m=None):
    """Save a row edited in an admin (add or change), with one event: its old and new values.

    `save_m2m`: the form's many-to-many save, run after the row is saved (its values counted).
    History (simple-history) records `actor` too.
    """
    created = obj.pk is None or obj._state.adding
    model = type(obj)
    before = None if created else model._default_manager.filter(pk=obj.pk).first()
    old = row_values(before) if before is not None else None
    if actor is not None and getattr(actor, "is_authenticated", False):
        obj._history_user = actor
    obj.save()
    if save_m2m is not None:
        save_m2m()
    old, new = values_changed(old, row_values(obj))
    audit_record(action=_row_action(obj, "create" if old is None else "change"), actor=actor,
                 school=_row_school(obj), target=obj, old=old, new=new)
    return obj


@transaction.atomic
def row_delete(*, obj, actor: User | None) -> None:
    """Delete a row from an admin, with one event holding its last values."""
    old, target_id, label = row_values(obj), obj.pk, str(obj)
    school = _row_school(obj)
    if actor is not None and getattr(actor, "is_authenticated", False):
        obj._history_user = actor
    action = _row_action(obj, "delete")
    obj.delete()
    obj.pk = target_id  # the event names the row that was deleted
    audit_record(action=action, actor=actor, school=school, target=obj, target_label=label, old=old)


# --- sessions and the hand-off between sites -------------------------------------------------

HANDOFF_TOKENS_KEPT = timedelta(days=1)  # far longer than a token lives (a minute)


@transaction.atomic
def handoff_token_use(*, nonce: str) -> bool:
    """Record a school-switch token as used; False when it was used before (by any process).

    The database's unique nonce makes this hold across web workers and servers.
    """
    HandoffToken.objects.filter(used__lt=timezone.now() - HANDOFF_TOKENS_KEPT).delete()
    try:
        with transaction.atomic():
            HandoffToken.objects.create(nonce=nonce)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def person_logout(*, user: User) -> None:
    """End every session the person has, on the district site and every school's site."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    audit_record(action=Action.PERSON_LOGOUT, actor=user, school=current_school(), target=user)
