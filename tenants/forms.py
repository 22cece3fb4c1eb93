"""Forms of the people pages: invite a person, accept an invitation, reset a password.

Each form checks what a person typed; the services (tenants.services) validate again, decide
and record the change.
"""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

from tenants import policy
from tenants.grades import GRADE_TEMPLATES, grade_template_grades
from tenants.models import Invitation, School
from tenants.selectors import district_settings, school_list
from tenants.services import password_reset_queue, person_password_set


def site_root(request) -> str:
    """This site's address as the person's browser reached it, e.g. http://alpha.localhost:8000/."""
    return f"{request.scheme}://{request.get_host()}/"


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", help_text="The invitation goes here; it becomes their log-in.")
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    role = forms.ChoiceField(label="Role", choices=Invitation.Role.choices, initial=Invitation.Role.STAFF,
                             help_text="School staff enter data and make plans; principals read plans and "
                                       "download reports; district staff manage every school.")
    school = forms.ModelChoiceField(label="School", queryset=School.objects.none(), required=False,
                                    help_text="Leave empty for district staff.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = school_list()

    def clean(self):
        data = super().clean()
        role, school = data.get("role"), data.get("school")
        if role and role != Invitation.Role.DISTRICT and school is None:
            self.add_error("school", "Choose the school the person joins.")
        if role == Invitation.Role.DISTRICT and school is not None:
            self.add_error("school", "District staff reach every school: leave the school empty.")
        return data


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password1 = forms.CharField(label="Choose a password", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label="Type it again", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ: type the same password twice.")
        return data


class MailedPasswordResetForm(PasswordResetForm):
    """Django's form, but the mail is sent by a job after commit, and only to people of this site."""

    def save(self, request=None, **kwargs):
        school = None if request.tenant.is_district else request.tenant
        for user in self.get_users(self.cleaned_data["email"]):
            if school is None or policy.can_read_school(user, school):
                password_reset_queue(user=user, site_url=site_root(request))


class AuditedSetPasswordForm(SetPasswordForm):
    """Django's form; the password is set by the audited service."""

    def save(self, commit=True):
        return person_password_set(user=self.user, password=self.cleaned_data["new_password1"], actor=self.user)


def grade_template_choices() -> list[tuple[str, str]]:
    """The templates a new school may start from: the district's own first, then the usual ones."""
    own = district_settings().grade_template.strip()
    choices = []
    if own:
        choices.append((own, f"The district's grades ({own})"))
    choices += [(t, t) for t in GRADE_TEMPLATES if t != own]
    return choices + [("", "No grades yet (add them by hand)")]


class SchoolCreateForm(forms.ModelForm):
    grade_template = forms.ChoiceField(
        label="Grades", required=False,
        help_text="The grades the school starts with, with class sizes from the district's rules; "
                  "they can be changed afterwards.",
    )

    class Meta:
        model = School
        fields = ["name", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade_template"].choices = grade_template_choices()
        self.fields["grade_template"].initial = self.fields["grade_template"].choices[0][0]

    def clean_grade_template(self):
        value = self.cleaned_data.get("grade_template", "")
        if value:
            try:
                grade_template_grades(value)
            except forms.ValidationError as error:
                raise forms.ValidationError(error.message_dict["grade_template"]) from None
        return value
