"""Who may do what: Classplan's ONE access policy (django-rules predicates).

Roles are per school, not per object: a person is district staff (every school and the
district office), or holds a `Membership.Role` at a school (staff edit, principals read).
Every admin site, ModelAdmin and inline (`tenants.sites.PolicyAdminMixin`), every view,
download and every service that starts work asks one of the predicates below, by name
through `allows` / `require`, or by calling the predicate.

| rule (predicate)                          | who                                                   |
|-------------------------------------------|-------------------------------------------------------|
| read_school (`can_read_school`)           | district staff, the school's staff and principals      |
| edit_school (`can_edit_school`)           | district staff and the school's staff                  |
| start_work (`can_start_work`)             | district staff and the school's staff (solves, sweeps) |
| manage_district (`can_manage_district`)   | district staff                                         |
| queue_report (`can_queue_report`)         | editors for any plan; principals for the adopted plan  |
| download_report (`can_download_report`)   | anyone who may read the report's school                |
| view_history (`can_view_history`)         | anyone who may read the school                         |
| revert_history (`can_revert_history`)     | nobody: history is for reading; corrections go through the audited forms |
"""

from __future__ import annotations

import time

import rules
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.context import current_school
from tenants.models import Membership, School


class SchoolRole(models.TextChoices):
    """A person's standing at one school: a membership role, or district staff (everywhere)."""

    DISTRICT = "district", "District staff"
    STAFF = Membership.Role.STAFF.value, Membership.Role.STAFF.label
    PRINCIPAL = Membership.Role.PRINCIPAL.value, Membership.Role.PRINCIPAL.label


EDITORS = frozenset({SchoolRole.DISTRICT, SchoolRole.STAFF})


def is_district_staff(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active
        and (user.is_superuser or user.is_district_staff)
    )


def school_role(user, school: School | None) -> SchoolRole | None:
    """The person's role at the school, or None (no access). Cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active or school is None:
        return None
    if is_district_staff(user):
        return SchoolRole.DISTRICT
    if school.schema_name == get_public_schema_name():
        return None
    cache = user.__dict__.setdefault("_school_roles", {})
    if school.pk not in cache:
        role = Membership.objects.filter(user=user, school=school).values_list("role", flat=True).first()
        cache[school.pk] = SchoolRole(role) if role else None
    return cache[school.pk]


def _school_of(obj) -> School | None:
    """A School as given, or the current school for a row of the current schema."""
    return obj if isinstance(obj, School) else current_school()


@rules.predicate
def can_read_school(user, school) -> bool:
    return school_role(user, _school_of(school)) is not None


@rules.predicate
def can_edit_school(user, school) -> bool:
    return school_role(user, _school_of(school)) in EDITORS


@rules.predicate
def can_start_work(user, school) -> bool:
    """Solver jobs and what-if sweeps: staff and district staff only."""
    return school_role(user, _school_of(school)) in EDITORS


@rules.predicate
def can_manage_district(user) -> bool:
    return is_district_staff(user)


@rules.predicate
def can_queue_report(user, plan) -> bool:
    """Editors render any plan's reports; principals only the adopted plan's."""
    role = school_role(user, current_school())
    return role in EDITORS or (role == SchoolRole.PRINCIPAL and plan is not None and plan.adopted)


@rules.predicate
def can_queue_school_report(user, school) -> bool:
    """A report of the whole school (the year comparison): anyone who may read it."""
    return school_role(user, _school_of(school)) is not None


@rules.predicate
def can_download_report(user, report) -> bool:
    return school_role(user, current_school()) is not None


@rules.predicate
def can_view_history(user, school) -> bool:
    return school_role(user, _school_of(school)) is not None


@rules.predicate
def can_revert_history(user, school) -> bool:
    """Nobody: history is for reading; corrections go through the audited forms."""
    return False


access = rules.RuleSet()
for _name, _predicate in {
    "read_school": can_read_school,
    "edit_school": can_edit_school,
    "start_work": can_start_work,
    "manage_district": can_manage_district,
    "queue_report": can_queue_report,
    "queue_school_report": can_queue_school_report,
    "download_report": can_download_report,
    "view_history": can_view_history,
    "revert_history": can_revert_history,
}.items():
    access.add_rule(_name, _predicate)


def allows(rule: str, user, obj=None) -> bool:
    return access.test_rule(rule, user, obj)


def require(rule: str, user, obj=None) -> None:
    """PermissionDenied unless the policy allows it (services that start work call this)."""
    if not allows(rule, user, obj):
        raise PermissionDenied(f"Not allowed: {rule.replace('_', ' ')}.")


def require_actor(rule: str, actor, obj=None) -> None:
    """`require` for services: `actor=None` is Classplan itself (a job, a command), always allowed."""
    if actor is not None:
        require(rule, actor, obj)


# --- how often one person may ask for work ---------------------------------------------------

WORK_RATE = (10, 60)  # at most 10 requests for solver or report work per person per minute


class TooManyRequests(PermissionDenied):
    """The person asked for work too often; views answer 429 with this message."""


def work_rate_check(actor) -> None:
    """Count one request for work by this person; TooManyRequests past the limit.

    The count lives in the cache (Redis in production, shared by every process), under a
    district-wide key so a person's requests at every school count together.
    """
    if actor is None or not actor.is_authenticated:
        return
    limit, window = getattr(settings, "CLASSPLAN_WORK_RATE", WORK_RATE)
    key = f"work-rate:{actor.pk}:{int(time.time() // window)}"
    with schema_context(get_public_schema_name()):  # cache keys are prefixed by schema
        cache.add(key, 0, window * 2)
        count = cache.incr(key)
    if count > limit:
        raise TooManyRequests(
            f"You asked for {limit} jobs in the last minute, the most allowed. "
            "Wait a minute and try again: the jobs already asked for are still running."
        )


def require_work(rule: str, actor, obj=None) -> None:
    """A service about to start work: the policy allows it and the person is under the rate limit."""
    require_actor(rule, actor, obj)
    work_rate_check(actor)
