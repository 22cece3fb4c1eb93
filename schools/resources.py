"""Enrolment spreadsheets out: the admin's export (django-import-export), the import template, and
the file bytes of any sheet (formulas neutralised). Files in: schools/imports.py.

Columns: year, grade, students, min, max (a template adds the grade's name after its code, for
reading; the import ignores it when the code is there).
"""

import tablib
from import_export import fields, resources, widgets

from schools.imports import COLUMNS
from schools.models import Enrolment, Grade, SchoolYear
from schools.spreadsheets import SafeCSV, SafeXLSX

FORMATS = [SafeCSV, SafeXLSX]  # size, row and column limits on reading; formulas neutralised on writing
FILE_FORMATS = {"csv": SafeCSV, "xlsx": SafeXLSX}
TEMPLATE_COLUMNS = ["year", "grade", "grade name", "students", "min", "max"]


class EnrolmentResource(resources.ModelResource):
    """The admin's export: one row per enrolment, newest year first."""

    year = fields.Field(attribute="year", column_name="year", widget=widgets.ForeignKeyWidget(SchoolYear, "year"))
    grade = fields.Field(attribute="grade", column_name="grade", widget=widgets.ForeignKeyWidget(Grade, "code"))
    students = fields.Field(attribute="students", column_name="students", widget=widgets.IntegerWidget())
    min_class_size = fields.Field(attribute="min_class_size", column_name="min", widget=widgets.IntegerWidget())
    max_class_size = fields.Field(attribute="max_class_size", column_name="max", widget=widgets.IntegerWidget())

    class Meta:
        model = Enrolment
        fields = ["year", "grade", "students", "min_class_size", "max_class_size"]
        export_order = ["year", "grade", "students", "min_class_size", "max_class_size"]

    def get_export_queryset(self, request=None):
        return Enrolment.objects.select_related("year", "grade").order_by("-year__year", "grade__order")


def school_template_rows(*, year: int | None) -> list[list]:
    """One row per grade of the current school for `year`: code and name filled, with the year's
    numbers where they are entered (students blank where not), limits from the year or the grade."""
    enrolments = {}
    if year is not None:
        enrolments = {e.grade_id: e for e in Enrolment.objects.filter(year__year=year)}
    rows = []
    for grade in Grade.objects.order_by("order"):
        entered = enrolments.get(grade.pk)
        limits = entered or grade
        rows.append([year, grade.code, grade.label, entered.students if entered else None,
                     limits.min_class_size, limits.max_class_size])
    return rows


def school_template(*, year: int | None) -> tablib.Dataset:
    return tablib.Dataset(*school_template_rows(year=year), headers=TEMPLATE_COLUMNS, title="Enrolments")


def dataset_file(dataset: tablib.Dataset, *, extension: str) -> bytes:
    """The sheet as .csv or .xlsx bytes, every cell a spreadsheet would run written as text."""
    content = FILE_FORMATS[extension]().export_data(dataset)
    return content.encode("utf-8") if isinstance(content, str) else content


__all__ = ["COLUMNS", "FORMATS", "FILE_FORMATS", "TEMPLATE_COLUMNS", "EnrolmentResource", "dataset_file",
           "school_template", "school_template_rows"]
