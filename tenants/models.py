"""The district's schools (tenants), their domains, and who may use each one."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.utils.crypto import salted_hmac
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from tenants.grades import grade_template_grades


class User(AbstractUser):
    """One login per person, kept in the public schema."""

    is_district_staff = models.BooleanField(
        "district staff",
        default=False,
        help_text="District staff manage every school and the district admin.",
    )
    session_epoch = models.PositiveIntegerField(
        default=0, editable=False,
        help_text="Raised at every logout: every session the person has, on any site, ends with it.",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = "person"
        verbose_name_plural = "people"

    def _get_session_auth_hash(self, secret=None):
        # Django keeps this hash in each session and drops the session when it changes: mixing
        # the epoch in ends all the person's sessions (district and schools) at once. Epoch 0
        # gives Django's own hash, so sessions opened before this existed stay valid.
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


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
        verbose_name = "web address"
        verbose_name_plural = "web addresses"


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
        verbose_name = "role at a school"
        verbose_name_plural = "roles at schools"
        ordering = ["school__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="one_membership_per_school"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} at {self.school}"


class DistrictSettings(models.Model):
    """The district's own choices, one row (public schema): its name, time zone, the class-size
    rule pack its schools follow, the default order of planning priorities, and the grades a
    new school starts with. Read with `tenants.selectors.district_settings()`, changed with
    `tenants.services.district_settings_update` (audited).
    """

    DEFAULT_RANKING = ["composites", "classes", "spread"]

    name = models.CharField(
        max_length=120, default="District office",
        help_text="The district's name, as it appears on pages, reports and mails.",
    )
    time_zone = models.CharField(
        max_length=64, default="UTC",
        help_text="Every date and time on pages, reports and mails is shown in this time zone.",
    )
    rule_pack = models.CharField(
        max_length=60, default="none",
        help_text="The class-size rules of the district's jurisdiction (a rule pack shipped with Classplan).",
    )
    ranking = models.JSONField(
        default=list, blank=True,
        help_text="The default order of planning priorities (each school year may choose its own).",
    )
    grade_template = models.CharField(
        max_length=200, default="K-6", blank=True,
        help_text="The grades a new school starts with.",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "district settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_district_settings_row")]

    def __str__(self):
        return "District settings"

    def clean(self):
        if self.grade_template:
            grade_template_grades(self.grade_template, field="grade_template")

    @property
    def ranking_or_default(self) -> list[str]:
        return list(self.ranking or self.DEFAULT_RANKING)


class Invitation(models.Model):
    """An invitation by email to join a school with a role, or the district office's staff.

    The link carries the row's id and an HMAC of its nonce (tenants.services.invitation_token):
    nothing in the database alone makes a working link. It works once (accepted), until it
    expires, and not after it is revoked or sent again (a new nonce).
    """

    class Role(models.TextChoices):
        STAFF = "staff", "School staff"
        PRINCIPAL = "principal", "Principal"
        DISTRICT = "district", "District staff"

    email = models.EmailField(help_text="Where the invitation is sent; it becomes the person's log-in.")
    first_name = models.CharField("first name", max_length=150, blank=True)
    last_name = models.CharField("last name", max_length=150, blank=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations",
        help_text="The school the person joins (none for district staff).",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    nonce = models.CharField(max_length=64, editable=False)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations",
        help_text="The account made when the invitation was accepted.",
    )
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField("last sent", null=True, blank=True)
    expires = models.DateTimeField()
    accepted = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="district", school__isnull=True)
                | (models.Q(role__in=["staff", "principal"]) & models.Q(school__isnull=False)),
                name="invitation_school_matches_role",
            ),
            # one open invitation per address (send the open one again instead)
            models.UniqueConstraint(
                Lower("email"), condition=models.Q(accepted__isnull=True, revoked__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.where})"

    @property
    def where(self) -> str:
        """'Principal at Hillview', 'District staff'."""
        if self.school_id is None:
            return self.get_role_display()
        return f"{self.get_role_display()} at {self.school.name}"

    def status_at(self, now) -> str:
        if self.accepted:
            return "accepted"
        if self.revoked:
            return "revoked"
        return "expired" if self.expires <= now else "pending"


class HandoffToken(models.Model):
    """A used school-switch token (its nonce): a link logs in once, whichever process serves it."""

    nonce = models.CharField(max_length=64, unique=True)
    used = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"hand-off {self.nonce[:8]}… used {self.used:%Y-%m-%d %H:%M}"


class WorkerBeat(models.Model):
    """A Celery worker's last sign of life (public schema), written by the worker itself every few
    seconds (tenants/jobs.py). `/healthz` is unhealthy when no worker was seen lately; a job held
    by a process that is no longer its host's worker has lost that worker."""

    hostname = models.CharField(max_length=200, unique=True)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=200, blank=True)
    started = models.DateTimeField()
    seen = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.hostname} (pid {self.pid}, seen {self.seen:%H:%M:%S})"


class AuditEvent(models.Model):
    """THE record of who changed what, when, district-wide (public schema).

    Every state change goes through a service that records exactly one event (see
    tenants/audit.py for the list of actions and how services record them).
    """

    class Action(models.TextChoices):
        SCHOOL_CREATE = "school_create", "School created"
        SCHOOL_CHANGE = "school_change", "School changed"
        SCHOOL_DELETE = "school_delete", "School deleted with its data"
        DOMAIN_CREATE = "domain_create", "Address added"
        DOMAIN_CHANGE = "domain_change", "Address changed"
        DOMAIN_DELETE = "domain_delete", "Address deleted"
        PERSON_CREATE = "person_create", "Person added"
        PERSON_CHANGE = "person_change", "Person changed"
        PERSON_LOGOUT = "person_logout", "Person logged out everywhere"
        MEMBERSHIP_SET = "membership_set", "Role at a school set"
        MEMBERSHIP_CREATE = "membership_create", "Role at a school given"
        MEMBERSHIP_CHANGE = "membership_change", "Role at a school changed"
        MEMBERSHIP_DELETE = "membership_delete", "Role at a school removed"
        GRADE_CREATE = "grade_create", "Grade added"
        GRADE_CHANGE = "grade_change", "Grade changed"
        GRADE_DELETE = "grade_delete", "Grade deleted"
        YEAR_CREATE = "year_create", "Year added"
        YEAR_CHANGE = "year_change", "Year changed"
        YEAR_DELETE = "year_delete", "Year deleted"
        YEAR_COPY_FORWARD = "year_copy_forward", "Year copied forward"
        ENROLMENT_CREATE = "enrolment_create", "Enrolment added"
        ENROLMENT_CHANGE = "enrolment_change", "Enrolment changed"
        ENROLMENT_DELETE = "enrolment_delete", "Enrolment deleted"
        ENROLMENT_IMPORT = "enrolment_import", "Enrolments imported"
        DISTRICT_ENROLMENT_IMPORT = "district_enrolment_import", "District enrolments imported"
        COMPOSITE_CREATE = "composite_create", "Composite class rule added"
        COMPOSITE_CHANGE = "composite_change", "Composite class rule changed"
        COMPOSITE_DELETE = "composite_delete", "Composite class rule deleted"
        LOCAL_RULE_CREATE = "local_rule_create", "Local class-size rule added"
        LOCAL_RULE_CHANGE = "local_rule_change", "Local class-size rule changed"
        LOCAL_RULE_DELETE = "local_rule_delete", "Local class-size rule deleted"
        PLAN_GENERATE = "plan_generate", "Plans asked for"
        PLAN_SWEEP_REQUEST = "plan_sweep_request", "What-if asked for"
        PLAN_ADOPT = "plan_adopt", "Plan adopted"
        PLAN_EDIT = "plan_edit", "Plan edited by hand"
        PLAN_EDIT_UNDO = "plan_edit_undo", "Hand edit undone"
        CLASS_LOCK = "class_lock", "Class locked for the next plans"
        CLASS_UNLOCK = "class_unlock", "Class lock removed"
        YEAR_PRIORITIES_SET = "year_priorities_set", "Planning priorities set"
        YEAR_RULE_PACK_SET = "year_rule_pack_set", "Rule pack chosen for a year"
        YEAR_FINALISE = "year_finalise", "Year marked final"
        YEAR_REOPEN = "year_reopen", "Final year reopened"
        YEAR_TEACHERS_SET = "year_teachers_set", "Teachers set from the what-if"
        DISTRICT_GENERATE_ALL = "district_generate_all", "Plans asked for every school"
        PLAN_REPORTS_QUEUE = "plan_reports_queue", "Plan PDF and CSV asked for"
        COMPARISON_REPORT_QUEUE = "comparison_report_queue", "Year comparison PDF asked for"
        REPORT_RETRY = "report_retry", "Report asked for again"
        DISTRICT_BUNDLE_QUEUE = "district_bundle_queue", "District ZIP asked for"
        DISTRICT_SETTINGS_CHANGE = "district_settings_change", "District settings changed"
        INVITATION_CREATE = "invitation_create", "Person invited"
        INVITATION_RESEND = "invitation_resend", "Invitation sent again"
        INVITATION_REVOKE = "invitation_revoke", "Invitation withdrawn"
        INVITATION_ACCEPT = "invitation_accept", "Invitation accepted"
        ACCESS_GRANT = "access_grant", "Access given to an existing account"
        PASSWORD_SET = "password_set", "Password set"

    # No `choices=` on the column: the list of actions grows with the code, never with a migration;
    # `audit_record` refuses an action that is not in `Action`.
    action = models.CharField(max_length=60)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.SET_NULL)
    school_code = models.CharField(max_length=30, blank=True)
    target_type = models.CharField(max_length=60, blank=True, help_text="The changed row's model, e.g. schools.enrolment.")
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    old = models.JSONField(null=True, blank=True, help_text="The changed fields' values before.")
    new = models.JSONField(null=True, blank=True, help_text="The changed fields' values after.")
    details = models.JSONField(default=dict, blank=True, help_text="Anything else the action records.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "change record"
        verbose_name_plural = "audit trail (who changed what)"
        ordering = ["-created"]
        indexes = [models.Index(fields=["school_code", "-created"], name="audit_school_created_idx")]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.action} {self.school_code}"

    @property
    def action_label(self) -> str:
        try:
            return self.Action(self.action).label
        except ValueError:
            return self.action
