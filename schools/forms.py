"""Forms for a school year's page: enrolments and composite rules, with messages naming the field."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from schools.models import (
    MAX_CLASS_SIZE,
    MAX_STUDENTS,
    MAX_TEACHERS,
    CompositeRule,
    Enrolment,
    SchoolYear,
    size_range_error,
)

FORM_RANGE = "The min class size ({low}) is larger than the max class size ({high})."


class EnrolmentInlineForm(forms.ModelForm):
    """One grade's students and class-size limits; blank limits default from the grade."""

    class Meta:
        model = Enrolment
        fields = ["grade", "students", "min_class_size", "max_class_size"]
        error_messages = {
            "students": {
                "min_value": "Students cannot be negative.",
                "max_value": f"Students in one grade can be at most {MAX_STUDENTS:,}.",
                "required": "Enter the number of students (0 if none).",
                "invalid": "Students must be a whole number.",
            },
            "min_class_size": {"min_value": "The min class size must be at least 1.",
                               "max_value": f"The min class size can be at most {MAX_CLASS_SIZE:,}."},
            "max_class_size": {"min_value": "The max class size must be at least 1.",
                               "max_value": f"The max class size can be at most {MAX_CLASS_SIZE:,}."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("min_class_size", "max_class_size"):
            self.fields[name].required = False
        for name in ("students", "min_class_size", "max_class_size"):
            self.fields[name].widget.attrs.update({"min": 0 if name == "students" else 1, "style": "width:6em"})

    def clean(self):
        data = super().clean()
        grade = data.get("grade")
        if grade is not None:
            for name in ("min_class_size", "max_class_size"):
                if data.get(name) is None and name not in self.errors:
                    data[name] = getattr(grade, name)
        error = size_range_error(data.get("min_class_size"), data.get("max_class_size"), template=FORM_RANGE)
        if error:
            self.add_error("min_class_size", error)
        return data


class EnrolmentForm(EnrolmentInlineForm):
    """The same, on its own page (the year chosen too)."""

    class Meta(EnrolmentInlineForm.Meta):
        fields = ["year", "grade", "students", "min_class_size", "max_class_size"]


class CheckedCountsFormSet(BaseInlineFormSet):
    """A formset whose row counts (its management form) are checked: a page changed outside the
    browser (INITIAL_FORMS below 0 or above TOTAL_FORMS, more rows than exist) gets a message."""

    TAMPERED = "This page's rows were changed outside the page. Reload the page and enter your changes again."

    def initial_form_count(self):
        count = super().initial_form_count()
        if self.is_bound and not (0 <= count <= len(self.get_queryset())):
            return 0
        return count

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.management_form.is_valid():
            initial = self.management_form.cleaned_data.get("INITIAL_FORMS", 0)
            total = self.management_form.cleaned_data.get("TOTAL_FORMS", 0)
            if not (0 <= initial <= total) or initial > len(self.get_queryset()):
                self._non_form_errors.append(self.TAMPERED)


class EnrolmentInlineFormSet(CheckedCountsFormSet):
    def live_forms(self):
        """Forms that will be saved: filled in and not marked for deletion."""
        return [
            form for form in self.forms
            if hasattr(form, "cleaned_data") and form.cleaned_data and not self._should_delete_form(form)
        ]

    def clean(self):
        # before Django's generic "Please correct the duplicate data" check
        seen = {}
        for form in self.live_forms():
            grade = form.cleaned_data.get("grade")
            if grade is None:
                continue
            if grade.pk in seen:
                form.add_error("grade", f"{grade.label} has two rows: keep one row per grade.")
                raise ValidationError(f"{grade.label} is entered twice; keep one row per grade.")
            seen[grade.pk] = form
        super().clean()

    def taught(self) -> dict:
        """grade id -> (grade, min, max) for every grade with a row in this submission."""
        return {
            form.cleaned_data["grade"].pk: (
                form.cleaned_data["grade"],
                form.cleaned_data.get("min_class_size"),
                form.cleaned_data.get("max_class_size"),
            )
            for form in self.live_forms()
            if form.cleaned_data.get("grade") is not None
        }


class CompositeRuleInlineForm(forms.ModelForm):
    class Meta:
        model = CompositeRule
        fields = ["grades", "min_class_size", "max_class_size", "min_per_grade"]
        widgets = {"grades": forms.CheckboxSelectMultiple(attrs={"class": "grade-choices"})}
        labels = {"grades": "Grades in the class"}
        help_texts = {"grades": "Tick 2 or more grades that may share one class."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grades"].required = False  # checked below with a clearer message
        for name in ("min_class_size", "max_class_size", "min_per_grade"):
            self.fields[name].widget.attrs.update({"min": 1, "style": "width:5em"})

    def clean(self):
        data = super().clean()
        grades = data.get("grades")
        if grades is not None and len(grades) < 2:
            self.add_error("grades", "A composite class needs 2 or more grades: tick at least two.")
        error = size_range_error(data.get("min_class_size"), data.get("max_class_size"), template=FORM_RANGE)
        if error:
            self.add_error("min_class_size", error)
        return data


class CompositeRuleInlineFormSet(CheckedCountsFormSet):
    """Checked against the enrolment rows of the same submission (set by the admin)."""

    enrolment_formset: EnrolmentInlineFormSet | None = None

    def clean(self):
        super().clean()
        taught = None
        if self.enrolment_formset is not None:
            self.enrolment_formset.is_valid()
            taught = self.enrolment_formset.taught()
        elif self.instance.pk:
            taught = {
                e.grade_id: (e.grade, e.min_class_size, e.max_class_size)
                for e in self.instance.enrolments.select_related("grade")
            }
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or self._should_delete_form(form):
                continue
            grades = list(form.cleaned_data.get("grades") or [])
            if len(grades) < 2:
                continue
            codes = frozenset(g.pk for g in grades)
            names = "/".join(g.code for g in sorted(grades, key=lambda g: g.order))
            if codes in seen:
                form.add_error("grades", f"The composite {names} is listed twice.")
            seen.add(codes)
            if taught is None:
                continue
            missing = [g for g in grades if g.pk not in taught]
            if missing:
                form.add_error("grades", " ".join(
                    f"{g.label} is not taught this year (it has no enrolment row): "
                    f"add its enrolment first or untick it." for g in missing
                ))
                continue
            self._check_default_limits(form, grades, taught, names)

    @staticmethod
    def _check_default_limits(form, grades, taught, names):
        own_min = form.cleaned_data.get("min_class_size")
        own_max = form.cleaned_data.get("max_class_size")
        mins = [taught[g.pk][1] for g in grades if taught[g.pk][1] is not None]
        maxes = [taught[g.pk][2] for g in grades if taught[g.pk][2] is not None]
        low = own_min if own_min is not None else max(mins, default=None)
        high = own_max if own_max is not None else min(maxes, default=None)
        error = size_range_error(low, high, what=names, template=(
            "The {what} class would need at least {low} and at most {high} students: "
            "set its own min and max class size."))
        if error:
            form.add_error("min_class_size" if own_min is None else "max_class_size", error)


class SchoolYearForm(forms.ModelForm):
    """The year's page. `opened` carries the version and values the page was opened with: a save
    from a page opened before someone else's save is refused with what they changed (the service
    `year_version_check` locks the row, compares and raises the version)."""

    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SchoolYear
        fields = ["year", "teachers", "composite_min_per_grade", "status", "notes"]
        labels = {"composite_min_per_grade": "Default min per grade in a composite"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"teachers": {"max_value": f"Teachers can be at most {MAX_TEACHERS:,}."}}

    def __init__(self, *args, **kwargs):
        from schools.services import year_snapshot_sign

        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["opened"] = year_snapshot_sign(self.instance)

    def clean(self):
        from schools.services import year_version_check

        data = super().clean()
        if self.instance.pk:
            try:
                year_version_check(year=self.instance, opened=self.data.get(self.add_prefix("opened"), ""))
            except ValidationError as error:
                self.add_error(None, error)
        return data


class CopyForwardForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, label="New year",
                              help_text="The year to create. It must not exist yet.")
    roll_up = forms.BooleanField(
        required=False, initial=True, label="Move students up one grade",
        help_text="This year's K becomes next year's 1, and so on; the last grade's students leave.",
    )
    first_grade_students = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_STUDENTS, label="Students in the first grade",
        error_messages={"max_value": f"Students in one grade can be at most {MAX_STUDENTS:,}.",
                        "min_value": "Students cannot be negative."},
        help_text="New students expected in the first grade. Blank: the same as this year.",
    )
