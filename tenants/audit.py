"""Where every change is audited: `AuditEvent` (public schema) is THE record of who changed what, when.

Rules (Zulip's `do_*` actions with `RealmAuditLog` are the model):
- every state change goes through a service named `<entity>_<action>` (keyword-only
  arguments, `@transaction.atomic`) that records exactly ONE event with `audit_record`;
- an event has a typed action (`AuditEvent.Action`, the list of everything that can
  change), the actor (None: Classplan itself), the school, the target row (model, id and a
  readable label), and the changed fields' `old` and `new` values; `details` holds the rest;
- side effects (jobs, file deletions) run after commit (`transaction.on_commit`).

Where each change is recorded:
| change                                        | service                                              |
|-----------------------------------------------|------------------------------------------------------|
| any row edited in either admin (grades, years, enrolments, composites, schools, addresses, people, roles) | `tenants.services.row_save` / `row_delete` (called by `tenants.sites.PolicyAdminMixin`) |
| school created / deleted with its data        | `tenants.services.school_create` / `school_delete`   |
| role at a school (commands, tests)            | `tenants.services.membership_set`                    |
| logout (ends every session)                   | `tenants.services.person_logout`                     |
| invitation sent, sent again, withdrawn, accepted; access given to an existing account | `tenants.services.invitation_create` / `invitation_resend` / `invitation_revoke` / `invitation_accept` |
| password set from a reset link                | `tenants.services.person_password_set`               |
| year deleted with its plans (adopted reports kept or not) | `schools.services.year_delete`             |
| year copied forward                           | `schools.services.year_copy_forward`                 |
| a school's enrolment spreadsheet imported     | `schools.services.enrolments_import`                 |
| the district's enrolment spreadsheet imported | `reports.district.imports.district_import`           |
| solve, what-if, adopt, hand edit, all schools | `schools.plans.services.plan_*`, `district_generate_all` |
| report files asked for                        | `reports.services.*_queue`, `report_retry`, `reports.district.services.district_bundle_queue` |

django-simple-history keeps each school row's versions too (the year's History page reads
them), and Django's admin log its own list; neither is the record: this table is.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib

from django.db import models
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import AuditEvent, School, User

Action = AuditEvent.Action

# never copied into an event
SECRET_FIELDS = frozenset({"password"})
IGNORED_FIELDS = frozenset({"last_login", "created", "updated", "session_epoch"})


def audit_record(
    *, action: str, actor: User | None, school: School | None = None, target: models.Model | None = None,
    target_label: str = "", old: dict | None = None, new: dict | None = None, **details,
) -> AuditEvent:
    """Record one event (in the public schema, whatever schema is active)."""
    Action(action)  # a typed action: ValueError for one not in the list
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    # read everything about the target here, in its own schema, before switching to public
    fields = {
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None and target.pk is not None else "",
        "target_label": (target_label or (str(target) if target is not None else ""))[:200],
    }
    with schema_context(get_public_schema_name()):
        return AuditEvent.objects.create(
            action=action,
            actor_id=actor_id,
            school=school if school is not None and not school.is_district else None,
            school_code=school.code if school is not None else "",
            old=old,
            new=new,
            details=details,
            **fields,
        )


def _json(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _digest(value) -> str:
    return "secret:" + hashlib.sha256(str(value).encode()).hexdigest()[:8] if value else ""


def row_values(obj: models.Model) -> dict:
    """A row's audited values: concrete fields (foreign keys as ids) and many-to-many ids."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in IGNORED_FIELDS:
            continue
        value = getattr(obj, field.attname)
        # a secret's value never goes in: a digest of it tells that it changed, not what it is
        values[field.name] = _digest(value) if field.name in SECRET_FIELDS else _json(value)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def values_changed(old: dict | None, new: dict | None) -> tuple[dict | None, dict | None]:
    """Only the fields whose value differs (all of them for a created or deleted row)."""
    if old is None or new is None:
        return old, new
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}
