"""The district admin: schools, their addresses, people, invitations and roles, and the audit trail."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django_tenants.utils import get_public_schema_name

from tenants import services
from tenants.forms import InvitationForm, SchoolCreateForm
from tenants.models import AuditEvent, Domain, Invitation, Membership, School, User
from tenants.selectors import school_url
from tenants.sites import PolicyAdminMixin, district_admin_site
from tenants.views import switch_url


def invitation_site_url(request, school: School | None) -> str:
    """Where the invited person's link opens: their school's site, or the district office's."""
    if school is None:
        return request.district_url
    return school_url(school=school, request=request) or request.district_url


class MembershipInline(PolicyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school"]
    fk_name = "user"
    fields = ["school", "role"]
    verbose_name = "role at a school"
    verbose_name_plural = "Schools and roles"


@admin.register(User, site=district_admin_site)
class PersonAdmin(PolicyAdminMixin, UserAdmin):
    """People as the district office sees them; superusers also see the technical fields."""

    list_filter = ["is_district_staff", "is_active", "memberships__school"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [MembershipInline]
    change_list_template = "admin/tenants/user/change_list.html"
    PERSON_FIELDSETS = (
        (None, {"fields": ["first_name", "last_name", "email", "username"]}),
        ("Access", {"fields": ["is_active", "is_district_staff"],
                    "description": "A person who leaves is deactivated: their changes stay attributed to them."}),
        ("Activity", {"fields": ["last_login", "date_joined", "invitation"]}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__school", "invitations")

    def get_list_display(self, request):
        return ["display_name", "email", "schools", "last_login", "is_active", "invitation"]

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.PERSON_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["invitation"]
        return ["username", "last_login", "date_joined", "invitation"]

    @admin.display(description="Name", ordering="last_name")
    def display_name(self, user):
        return user.get_full_name() or user.username

    @admin.display(description="Schools and roles")
    def schools(self, user):
        roles = [f"{m.get_role_display()} at {m.school.name}" for m in user.memberships.all()]
        if user.is_district_staff:
            roles.insert(0, "District staff")
        return "; ".join(roles) or "No school yet"

    @admin.display(description="Invitation")
    def invitation(self, user):
        accepted = [i for i in user.invitations.all() if i.accepted]
        if accepted:
            return f"Accepted {timezone.localtime(accepted[0].accepted):%d %b %Y}"
        return "Not invited by email"

    def has_add_permission(self, request, *args):
        # people join through an invitation and choose their own password
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: their history stays attributable

    def user_change_password(self, request, id, form_url=""):
        # nobody chooses a password for someone else: people reset their own ("Forgot your password?")
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "invite_url": reverse("district_admin:tenants_invitation_add"),
                         "title": "People"}
        return super().changelist_view(request, extra_context)


@admin.register(Invitation, site=district_admin_site)
class InvitationAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Invite a person by email; send an invitation again or withdraw it."""

    list_display = ["email", "name", "where", "status", "sent", "expires", "invited_by"]
    list_filter = ["role", "school"]
    search_fields = ["email", "first_name", "last_name"]
    actions = ["resend", "revoke"]
    fields = ["email", "name", "where", "status", "invited_by", "created", "sent", "expires", "accepted", "revoked"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "invited_by", "user")

    @admin.display(description="Name")
    def name(self, invitation):
        return f"{invitation.first_name} {invitation.last_name}".strip() or "–"

    @admin.display(description="Role")
    def where(self, invitation):
        return invitation.where

    @admin.display(description="Status")
    def status(self, invitation):
        return {"pending": "Waiting for them", "expired": "Expired: send it again", "accepted": "Accepted",
                "revoked": "Withdrawn"}[invitation.status_at(timezone.now())]

    def has_change_permission(self, request, obj=None):
        return False  # an invitation is sent again or withdrawn (the actions), never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _each(self, request, queryset, change, done: str):
        count = 0
        for invitation in queryset:
            try:
                change(invitation)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done.format(count=count), messages.SUCCESS)

    @admin.action(description="Send the selected invitations again (with a new link)", permissions=["add"])
    def resend(self, request, queryset):
        self._each(request, queryset, lambda i: services.invitation_resend(
            invitation=i, actor=request.user, site_url=invitation_site_url(request, i.school)),
            "{count} invitation(s) sent again; older links no longer work.")

    @admin.action(description="Withdraw the selected invitations", permissions=["add"])
    def revoke(self, request, queryset):
        self._each(request, queryset, lambda i: services.invitation_revoke(invitation=i, actor=request.user),
                   "{count} invitation(s) withdrawn: their links no longer work.")

    def add_view(self, request, form_url="", extra_context=None):
        """The invite page (the only way to add a person without choosing their password)."""
        if not self.has_add_permission(request):
            return redirect("district_admin:index")
        initial = {"school": request.GET.get("school")} if str(request.GET.get("school", "")).isdigit() else {}
        if initial:
            initial["role"] = Invitation.Role.PRINCIPAL if request.GET.get("role") == "principal" else Invitation.Role.STAFF
        form = InvitationForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = services.invitation_create(
                    email=data["email"], role=data["role"], school=data["school"], first_name=data["first_name"],
                    last_name=data["last_name"], actor=request.user,
                    site_url=invitation_site_url(request, data["school"]),
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if isinstance(result, User):
                    self.message_user(request, f"{data['email']} already has an account: it now has this role, "
                                               "and a mail tells them.", messages.SUCCESS)
                else:
                    self.message_user(request, f"Invitation sent to {data['email']}. The link works until "
                                               f"{timezone.localtime(result.expires):%d %b %Y, %H:%M %Z}.",
                                      messages.SUCCESS)
                if "_addanother" in request.POST:
                    return redirect(request.get_full_path())
                return redirect("district_admin:tenants_invitation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Invite a person",
            "opts": self.opts,
            "form": form,
            "invitation_days": settings.INVITATION_MAX_AGE.days,
        }
        return TemplateResponse(request, "admin/tenants/invitation/invite.html", context)


class DomainInline(PolicyAdminMixin, admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]


@admin.register(School, site=district_admin_site)
class SchoolAdmin(PolicyAdminMixin, admin.ModelAdmin):
    search_fields = ["name", "code"]
    inlines = [DomainInline]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(schema_name=get_public_schema_name())

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SchoolCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "code", "grade_template"]
        return ["name", "code", "created"] + (["schema_name"] if request.user.is_superuser else [])

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["code", "schema_name", "created"]

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def get_list_display(self, request):
        @admin.display(description="Site")
        def site_link(school):
            """Through the hand-off (no second login), showing the address with this site's port."""
            url = school_url(school=school, request=request)
            return format_html('<a href="{}">{}</a>', switch_url(school), url) if url else "–"

        @admin.display(description="People")
        def people(school):
            return format_html('<a href="{}?memberships__school__id__exact={}">People</a> · '
                               '<a href="{}?school={}">Invite</a>',
                               reverse("district_admin:tenants_user_changelist"), school.pk,
                               reverse("district_admin:tenants_invitation_add"), school.pk)

        return ["name", "code", site_link, people, "created"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        school = services.school_create(name=obj.name, code=obj.code, actor=request.user,
                                        grade_template=form.cleaned_data.get("grade_template", ""))
        obj.pk, obj.schema_name = school.pk, school.schema_name
        obj.grade_template = form.cleaned_data.get("grade_template", "")

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        """Next step of a new school: invite its principal and staff."""
        grades = getattr(obj, "grade_template", "")
        self.message_user(request, f"{obj.name} was created"
                          + (f" with grades {grades}" if grades else " (no grades yet: add them on its site)")
                          + ". Next: invite its principal and staff.", messages.SUCCESS)
        return redirect(reverse("district_admin:tenants_invitation_add") + f"?school={obj.pk}&role=principal")

    # Deleting a school drops its schema and every record in it: a separate, confirmed page.
    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/delete-with-data/",
                self.admin_site.admin_view(self.delete_with_data_view),
                name="tenants_school_delete_with_data",
            )
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "delete_with_data_url": reverse(
                "district_admin:tenants_school_delete_with_data", args=[object_id]
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_with_data_view(self, request, pk):
        school = get_object_or_404(self.get_queryset(request), pk=pk)
        error = None
        if request.method == "POST":
            try:
                services.school_delete(
                    school=school, confirm_code=request.POST.get("confirm_code", ""), actor=request.user
                )
            except ValidationError as e:
                error = " ".join(e.messages)
            else:
                self.message_user(request, f"{school.name} and all its data were deleted.", messages.SUCCESS)
                return redirect("district_admin:tenants_school_changelist")
        context = {
            **self.admin_site.each_context(request),
            "school": school,
            "error": error,
            "opts": self.opts,
            "title": f"Delete {school.name} and all its data",
        }
        return TemplateResponse(request, "admin/tenants/school/delete_with_data.html", context)


@admin.register(Domain, site=district_admin_site)
class DomainAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]

    def has_module_permission(self, request):
        return request.user.is_superuser  # addresses are set with each school (its page)


@admin.register(Membership, site=district_admin_site)
class MembershipAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "school", "role", "created"]
    list_filter = ["role", "school"]
    search_fields = ["user__username", "user__email", "school__name"]
    autocomplete_fields = ["user", "school"]


def _value(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _field(name: str) -> str:
    return name.replace("_", " ")


@admin.register(AuditEvent, site=district_admin_site)
class AuditEventAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["created", "what", "who", "school_code", "target_label", "changes"]
    list_filter = ["action", "school_code"]
    search_fields = ["target_label", "actor__username", "actor__email"]
    date_hierarchy = "created"
    fields = ["created", "what", "who", "school_code", "target_label", "changes", "more"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="What", ordering="action")
    def what(self, event):
        return event.action_label

    @admin.display(description="Who", ordering="actor")
    def who(self, event):
        return (event.actor.get_full_name() or event.actor.username) if event.actor else "Classplan (automatic)"

    @admin.display(description="Changes")
    def changes(self, event):
        old, new = event.old or {}, event.new or {}
        keys = list(dict.fromkeys([*new, *old]))
        if not keys:
            return "–"
        return format_html_join(
            "", "<div>{}: {}</div>",
            ((_field(k), f"{_value(old[k])} → {_value(new.get(k))}" if k in old and k in new
              else _value(new[k]) if k in new else f"{_value(old[k])} (removed)") for k in keys),
        )

    @admin.display(description="Details")
    def more(self, event):
        details = event.details or {}
        if not details:
            return "–"
        return format_html_join("", "<div>{}: {}</div>", ((_field(k), _value(v)) for k, v in details.items()))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
