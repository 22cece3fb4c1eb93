"""Enrolments as spreadsheets (django-import-export): columns year, grade, students, min, max.

A row is identified by (year, grade code). Blank min/max keep the row's current limits, or for
a new row take the grade's defaults. A file with any bad row imports nothing.
"""

from import_export import fields, resources, widgets

from schools.models import Enrolment, Grade, SchoolYear
from schools.spreadsheets import SafeCSV, SafeXLSX

FORMATS = [SafeCSV, SafeXLSX]  # size, row and column limits on reading; formulas neutralised on writing
COLUMNS = ["year", "grade", "students", "min", "max"]


class _LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key by a readable value, with a message that says what is missing."""

    def __init__(self, model, field, missing):
        super().__init__(model, field)
        self.missing = missing

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            raise ValueError("This column is empty.")
        value = str(value).strip()
        if value.endswith(".0") and value[:-2].isdigit():  # spreadsheets store 2027 as 2027.0
            value = value[:-2]
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(self.missing.format(value=value)) from None


class _CountWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            number = super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError):
            raise ValueError(f"{value!r} is not a whole number.") from None
        if number is not None and number != int(number):
            raise ValueError(f"{value!r} is not a whole number.")
        return number


class EnrolmentResource(resources.ModelResource):
    year = fields.Field(
        attribute="year", column_name="year",
        widget=_LookupWidget(SchoolYear, "year", "There is no school year {value} at this school: add it first."),
    )
    grade = fields.Field(
        attribute="grade", column_name="grade",
        widget=_LookupWidget(Grade, "code", "This school has no grade with code {value!r}."),
    )
    students = fields.Field(attribute="students", column_name="students", widget=_CountWidget())
    min_class_size = fields.Field(attribute="min_class_size", column_name="min", widget=_CountWidget())
    max_class_size = fields.Field(attribute="max_class_size", column_name="max", widget=_CountWidget())

    class Meta:
        model = Enrolment
        fields = ["year", "grade", "students", "min_class_size", "max_class_size"]
        export_order = ["year", "grade", "students", "min_class_size", "max_class_size"]
        import_id_fields = ["year", "grade"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_export_queryset(self, request=None):
        return Enrolment.objects.select_related("year", "grade").order_by("-year__year", "grade__order")

    def get_instance(self, instance_loader, row):
        # An unknown year or grade is reported on its own column (by import_instance), not as
        # a crash of the whole row, so the preview lists every problem of the file at once.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_data(self, dataset, *args, **kwargs):
        # All or nothing: a row with a validation error rolls every row back, not only failures.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        missing = [c for c in ("year", "grade", "students") if c not in (dataset.headers or [])]
        if missing:
            raise ValueError(
                f"The file has no {', '.join(missing)} column. Expected columns: {', '.join(COLUMNS)}."
            )

    def import_instance(self, instance, row, **kwargs):
        current = {"min_class_size": instance.min_class_size, "max_class_size": instance.max_class_size}
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            grade = instance.grade if instance.grade_id else None
            for name, value in current.items():
                if getattr(instance, name) is None:
                    setattr(instance, name, value if value is not None else getattr(grade, name, None))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.students is not None and instance.students < 0:
            errors.setdefault("students", []).append("Students cannot be negative.")
        super().validate_instance(instance, errors, validate_unique)
