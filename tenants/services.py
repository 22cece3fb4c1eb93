"""State changes for schools, people and access. Each one is a single audited action (tenants/audit.py)."""

import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import get_public_schema_name, schema_context

from tenants import policy
from tenants.audit import Action, audit_record, row_values, values_changed
from tenants.context import current_school, enqueue_on_commit
from tenants.grades import grade_template_grades
from tenants.mail import mail_send
from tenants.models import DistrictSettings, Domain, HandoffToken, Invitation, Membership, School, User
from tenants.schemas import schema_names_copy
from tenants.signals import school_created, school_deleted
from tenants.tasks import access_mail_task, invitation_mail_task, password_reset_mail_task


def school_schema_name(code: str) -> str:
    return "school_" + code.replace("-", "_")


def school_domain(code: str) -> str:
    return f"{code}.{settings.BASE_DOMAIN}"


@transaction.atomic
def school_create(
    *, name: str, code: str, actor: User | None = None, domain: str = "", grade_template: str = ""
) -> School:
    """Create a school with its schema, primary domain and (from `grade_template`, e.g. "K-6")
    its grades, in one transaction. The schools app makes the grades (`school_created`), with
    class sizes from the district's rule pack."""
    school = School(name=name, code=code, schema_name=school_schema_name(code))
    school.full_clean()
    grades = grade_template_grades(grade_template) if grade_template.strip() else []
    domain = domain or school_domain(code)
    if Domain.objects.filter(domain=domain).exists():
        raise ValidationError({"code": f"The address {domain} is already taken."})
    _school_template_make_current()
    school.save(verbosity=0)  # creates the schema (cloned from the template when there is one)
    if settings.TENANT_BASE_SCHEMA:  # the clone's constraint and index names are the template's
        schema_names_copy(source=settings.TENANT_BASE_SCHEMA, target=school.schema_name)
    Domain.objects.create(domain=domain, tenant=school, is_primary=True)
    school_created.send(sender=School, school=school, grades=grades, actor=actor)
    connection.set_schema_to_public()
    audit_record(action=Action.SCHOOL_CREATE, actor=actor, school=school, target=school,
                 new=row_values(school), domain=domain, grades=[code for code, _ in grades])
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
    "schools.enrolment": "enrolment", "schools.compositerule": "composite", "schools.localrule": "local_rule",
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


# --- people: invitations, access to an existing account, passwords ----------------------------

INVITATION_SALT = "classplan.invitation"


def invitation_token(invitation: Invitation) -> str:
    """The secret part of an invitation's link: an HMAC (SECRET_KEY) of its id, nonce and address.

    A new nonce (sending it again) makes older links stop working.
    """
    return salted_hmac(
        INVITATION_SALT, f"{invitation.pk}:{invitation.nonce}:{invitation.email.lower()}", algorithm="sha256"
    ).hexdigest()


def invitation_path(invitation: Invitation) -> str:
    urlconf = "config.urls_public" if invitation.school_id is None else "config.urls"
    return reverse("invitation_accept", args=[invitation.pk, invitation_token(invitation)], urlconf=urlconf)


def _role_check(*, role: str, school: School | None) -> None:
    if role not in Invitation.Role.values:
        raise ValidationError({"role": "Choose a role: school staff, principal or district staff."})
    if role == Invitation.Role.DISTRICT and school is not None:
        raise ValidationError({"school": "District staff reach every school: leave the school empty."})
    if role != Invitation.Role.DISTRICT and (school is None or school.is_district):
        raise ValidationError({"school": "Choose the school the person joins."})


def _open_invitations():
    return Invitation.objects.filter(accepted__isnull=True, revoked__isnull=True)


@transaction.atomic
def invitation_create(
    *, email: str, role: str, school: School | None = None, first_name: str = "", last_name: str = "",
    actor: User | None, site_url: str,
) -> Invitation | User:
    """Invite a person by email to a school (staff or principal) or as district staff.

    An address that already has an account gets the access at once, and a mail saying so
    (returns the User); otherwise an Invitation is made and its link mailed (returns it).
    `site_url`: the site the link opens, e.g. https://hillview.classplan.example.org/.
    """
    policy.require_actor("manage_district", actor)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": f"'{email}' is not an email address."}) from None
    _role_check(role=role, school=school)
    existing = User.objects.filter(email__iexact=email).order_by("-is_active", "pk").first()
    if existing is not None:
        return _access_grant(user=existing, role=role, school=school, actor=actor, site_url=site_url)
    open_one = _open_invitations().filter(email__iexact=email).select_related("school").first()
    if open_one is not None:
        raise ValidationError({"email": f"{email} was already invited ({open_one.where}). Send that "
                                        "invitation again, or withdraw it first, from the invitations list."})
    invitation = Invitation.objects.create(
        email=email, role=role, school=school, first_name=first_name.strip(), last_name=last_name.strip(),
        nonce=secrets.token_urlsafe(32), invited_by=actor if actor is not None and actor.pk else None,
        expires=timezone.now() + settings.INVITATION_MAX_AGE,
    )
    audit_record(action=Action.INVITATION_CREATE, actor=actor, school=school, target=invitation,
                 new={"email": email, "role": role})
    enqueue_on_commit(invitation_mail_task, invitation.pk, site_url)
    return invitation


def _access_grant(*, user: User, role: str, school: School | None, actor, site_url: str) -> User:
    """The invited address has an account: give it the role now, and tell the person by mail."""
    if not user.is_active:
        raise ValidationError({"email": f"{user.email} belongs to a deactivated account ({user.username}). "
                                        "Reactivate it on the People page first."})
    if role == Invitation.Role.DISTRICT:
        if user.is_district_staff:
            raise ValidationError({"email": f"{user.email} is already district staff."})
        old, new = {"is_district_staff": False}, {"is_district_staff": True}
        User.objects.filter(pk=user.pk).update(is_district_staff=True)
        target, where = user, "District staff"
    else:
        before = Membership.objects.filter(user=user, school=school).values_list("role", flat=True).first()
        if before == role:
            raise ValidationError({"email": f"{user.email} is already {Membership.Role(role).label.lower()} "
                                            f"at {school.name}."})
        target, _ = Membership.objects.update_or_create(user=user, school=school, defaults={"role": role})
        old, new = ({"role": before} if before else None), {"role": role}
        where = f"{Membership.Role(role).label} at {school.name}"
    audit_record(action=Action.ACCESS_GRANT, actor=actor, school=school, target=target, old=old, new=new,
                 user=user.username)
    enqueue_on_commit(access_mail_task, user.pk, where, site_url)
    return user


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User | None, site_url: str) -> Invitation:
    """Send an open (or expired) invitation again with a new link; older links stop working."""
    policy.require_actor("manage_district", actor)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted or invitation.revoked:
        raise ValidationError(f"The invitation to {invitation.email} was "
                              f"{'accepted' if invitation.accepted else 'withdrawn'}: it cannot be sent again.")
    old_expires = invitation.expires
    invitation.nonce = secrets.token_urlsafe(32)
    invitation.expires = timezone.now() + settings.INVITATION_MAX_AGE
    invitation.save(update_fields=["nonce", "expires"])
    audit_record(action=Action.INVITATION_RESEND, actor=actor, school=invitation.school, target=invitation,
                 old={"expires": old_expires.isoformat()}, new={"expires": invitation.expires.isoformat()})
    enqueue_on_commit(invitation_mail_task, invitation.pk, site_url)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User | None) -> Invitation:
    """Withdraw an invitation: its link stops working."""
    policy.require_actor("manage_district", actor)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted:
        raise ValidationError(f"{invitation.email} already accepted: deactivate the person instead.")
    if invitation.revoked:
        return invitation
    invitation.revoked = timezone.now()
    invitation.save(update_fields=["revoked"])
    audit_record(action=Action.INVITATION_REVOKE, actor=actor, school=invitation.school, target=invitation,
                 old={"status": "pending"}, new={"status": "withdrawn"})
    return invitation


def invitation_problem(invitation: Invitation | None, token: str) -> str | None:
    """Why this link cannot be used (a sentence), or None when it can."""
    if invitation is None or not constant_time_compare(token or "", invitation_token(invitation)):
        return ("This invitation link is not valid: it may have been sent again since, which replaces "
                "older links. Use the newest mail, or ask the district office to send it again.")
    if invitation.accepted:
        return "This invitation was already used. Log in with your email address and the password you chose."
    if invitation.revoked:
        return "This invitation was withdrawn. Ask the district office if you still need access."
    if invitation.expires <= timezone.now():
        return "This invitation has expired. Ask the district office to send it again."
    return None


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, token: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Make the invited person's account with the password they chose; the link works once.

    ValidationError: `token` when the link is not usable (see `invitation_problem`),
    `password` with the validators' messages.
    """
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("school").get(pk=invitation.pk)
    problem = invitation_problem(invitation, token)
    if problem:
        raise ValidationError({"token": problem})
    if User.objects.filter(username__iexact=invitation.email).exists():
        raise ValidationError({"token": f"An account for {invitation.email} exists already: log in with it, "
                                        "or use 'Forgot your password?'."})
    user = User(username=invitation.email.lower(), email=invitation.email,
                first_name=(first_name or invitation.first_name).strip()[:150],
                last_name=(last_name or invitation.last_name).strip()[:150],
                is_district_staff=invitation.role == Invitation.Role.DISTRICT)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save()
    if invitation.school_id is not None:
        Membership.objects.create(user=user, school=invitation.school, role=invitation.role)
    invitation.accepted, invitation.user = timezone.now(), user
    invitation.save(update_fields=["accepted", "user"])
    audit_record(action=Action.INVITATION_ACCEPT, actor=user, school=invitation.school, target=invitation,
                 new={"user": user.username, "role": invitation.role})
    return user


@transaction.atomic
def person_password_set(*, user: User, password: str, actor: User | None) -> User:
    """Set a person's password (their own, from a reset link), checked by the validators."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(action=Action.PASSWORD_SET, actor=actor, school=current_school(), target=user)
    return user


def password_reset_queue(*, user: User, site_url: str) -> None:
    """Mail a password-reset link (after commit); nothing changes until the link is used."""
    enqueue_on_commit(password_reset_mail_task, user.pk, site_url)


# What the mail jobs run (tenants.tasks), in the schema they were queued from.

def _absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path


def invitation_mail_send(*, invitation_id: int, site_url: str) -> str:
    invitation = Invitation.objects.select_related("school", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted or invitation.revoked:
        return "not sent: no open invitation"
    mail_send(to=invitation.email, template="tenants/mail/invitation", context={
        "invitation": invitation, "school": invitation.school,
        "link": _absolute(site_url, invitation_path(invitation)),
        "invited_by": invitation.invited_by.get_full_name() or invitation.invited_by.username
        if invitation.invited_by else "",
    })
    Invitation.objects.filter(pk=invitation.pk).update(sent=timezone.now())
    return "sent"


def access_mail_send(*, user_id: int, where: str, site_url: str) -> str:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "not sent: no active person with an address"
    mail_send(to=user.email, template="tenants/mail/access_granted", context={
        "user": user, "where": where, "link": site_url, "username": user.username})
    return "sent"


def password_reset_mail_send(*, user_id: int, site_url: str) -> str:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return "not sent: no active person with a password"
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)  # made here: no secret travels through the broker
    path = reverse("password_reset_confirm", args=[uid, token],
                   urlconf="config.urls_public" if current_school() is None else "config.urls")
    mail_send(to=user.email, template="registration/password_reset", context={
        "user": user, "school": current_school(), "link": _absolute(site_url, path), "username": user.username,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    })
    return "sent"
