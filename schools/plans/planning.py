"""State changes of the school's planning pages, beside the solve/adopt/edit services:
the year's priorities and rule pack, locked classes, the final-year lock, and the teachers
chosen from the what-if.

HackSoft style, as in services.py: keyword-only, `@transaction.atomic`, the policy asked
first, exactly one audit event per change; every message names the field in plain words.
A final year refuses every change but reopening (`schools.models.final_year_refuse`).
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction

from schools import rulepacks
from schools.models import Enrolment, LockedClass, SchoolYear, final_year_refuse
from schools.plans.models import PlannedClass
from schools.selectors import PRIORITIES
from tenants import policy
from tenants.audit import Action, audit_record
from tenants.context import current_school


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _year_for_change(year: SchoolYear, actor) -> SchoolYear:
    """The year's row, locked for this transaction, after the policy and the final-year check."""
    policy.require_actor("edit_school", _actor(actor), current_school())
    year = SchoolYear.objects.select_for_update().get(pk=year.pk)
    final_year_refuse(year.pk)
    return year


def _save(year: SchoolYear, actor, fields: list[str]) -> None:
    if _actor(actor) is not None:
        year._history_user = actor
    year.save(update_fields=[*fields, "updated"])


def _field_set(year: SchoolYear, field: str, value, action: str, actor) -> SchoolYear:
    """Set one field of the (locked) year and record one event with its old and new value."""
    old = getattr(year, field)
    setattr(year, field, value)
    _save(year, actor, [field])
    audit_record(action=action, actor=_actor(actor), school=current_school(), target=year,
                 old={field: old}, new={field: value})
    return year


@transaction.atomic
def year_priorities_set(*, year: SchoolYear, ranking: list[str] | None, actor=None) -> SchoolYear:
    """The year's priorities, most important first (the problem's `ranking`); an empty list or
    None goes back to the district's order."""
    year = _year_for_change(year, actor)
    ranking = list(ranking or [])
    unknown = [c for c in ranking if c not in PRIORITIES]
    if unknown or len(set(ranking)) != len(ranking):
        raise ValidationError({"ranking": "Choose each priority at most once, from the list shown."})
    return _field_set(year, "ranking", ranking, Action.YEAR_PRIORITIES_SET, actor)


@transaction.atomic
def year_rule_pack_set(*, year: SchoolYear, pack_id: str, actor=None) -> SchoolYear:
    """The rule pack for this year; "" goes back to the district's pack."""
    year = _year_for_change(year, actor)
    if pack_id:
        try:
            rulepacks.pack_get(pack_id)
        except rulepacks.UnknownPack:
            raise ValidationError({"rule_pack": "Choose a rule pack from the list shown."}) from None
    return _field_set(year, "rule_pack", pack_id, Action.YEAR_RULE_PACK_SET, actor)


@transaction.atomic
def class_lock(*, year: SchoolYear, planned_class: PlannedClass, actor=None) -> LockedClass:
    """Lock a class of one of the year's plans: every plan generated next contains it exactly."""
    year = _year_for_change(year, actor)
    if planned_class.plan.year_id != year.pk:
        raise ValidationError("That class belongs to another year's plan.")
    locks = list(LockedClass.objects.filter(year=year))
    if len(locks) + 1 > year.teachers:
        raise ValidationError(f"{year.year} has {year.teachers} teachers: no more classes can be locked.")
    enrolled = dict(Enrolment.objects.filter(year=year).values_list("grade__code", "students"))
    held = Counter()
    for counts in [lock.counts for lock in locks] + [planned_class.counts]:
        held.update(counts)
    for code, n in held.items():
        if n > enrolled.get(code, 0):
            raise ValidationError(
                f"Locking {planned_class.name} would put {n} grade {code} students in locked classes, "
                f"but {year.year} has {enrolled.get(code, 0)}. Remove a lock or check the enrolments.")
    lock = LockedClass.objects.create(year=year, counts=dict(planned_class.counts), label=planned_class.name)
    audit_record(action=Action.CLASS_LOCK, actor=_actor(actor), school=current_school(), target=lock,
                 new={"counts": lock.counts, "label": lock.label}, year=year.year)
    return lock


@transaction.atomic
def class_unlock(*, lock: LockedClass, actor=None) -> None:
    year = _year_for_change(lock.year, actor)
    lock_id = lock.pk
    audit_record(action=Action.CLASS_UNLOCK, actor=_actor(actor), school=current_school(), target=lock,
                 old={"counts": lock.counts, "label": lock.label}, year=year.year)
    LockedClass.objects.filter(pk=lock_id).delete()


@transaction.atomic
def year_finalise(*, year: SchoolYear, actor=None) -> SchoolYear:
    """Mark the year final: its data and plans are locked until someone reopens it."""
    year = _year_for_change(year, actor)
    return _field_set(year, "status", SchoolYear.Status.FINAL, Action.YEAR_FINALISE, actor)


@transaction.atomic
def year_reopen(*, year: SchoolYear, actor=None) -> SchoolYear:
    """Reopen a final year (school staff and district staff): its data and plans may change again."""
    policy.require_actor("edit_school", _actor(actor), current_school())
    year = SchoolYear.objects.select_for_update().get(pk=year.pk)
    if not year.is_final:
        return year
    return _field_set(year, "status", SchoolYear.Status.DRAFT, Action.YEAR_REOPEN, actor)


@transaction.atomic
def year_teachers_set(*, year: SchoolYear, teachers: int, actor=None) -> SchoolYear:
    """The year's teachers, set from a row of the what-if."""
    year = _year_for_change(year, actor)
    if not isinstance(teachers, int) or not 1 <= teachers <= 5000:
        raise ValidationError({"teachers": "Teachers must be a whole number from 1 to 5,000."})
    return _field_set(year, "teachers", teachers, Action.YEAR_TEACHERS_SET, actor)
