"""The plan CSV writes class and teacher names that a spreadsheet would run as formulas as plain
text (trust issue, item 10): `=cmd|' /C calc'!A0`, `+SUM(...)`, `@SUM`, `=HYPERLINK(...)`."""

import csv
import io

import pytest
from django_tenants.utils import schema_context

from reports.models import Report
from reports.services import plan_reports_queue, report_render
from tests.factories import plan_create

pytestmark = pytest.mark.django_db

CLASSES = [
    ("=cmd|' /C calc'!A0", "+SUM(1,2)", {"K": 21}),
    ("@SUM(1)", '=HYPERLINK("http://x","y")', {"K": 20}),
    ("-2+3", "\tTab", {"1": 24}),
    ("\rCR", "Ms Plain", {"1": 24}),
    ("1/2", "", {"1": 9, "2": 15}),
    ("2-A", "-", {"2": 24}),
]


def test_the_plan_csv_writes_formula_names_as_text(school_a, local_reports):
    plan = plan_create(school_a, classes=CLASSES)
    with schema_context(school_a.schema_name):
        plan_reports_queue(plan=plan)
        report = report_render(report_id=Report.objects.get(plan=plan, kind="plan_csv").pk)
        assert report.status == "ready", report.error
        with report.file.open("rb") as fh:
            rows = list(csv.reader(io.StringIO(fh.read().decode("utf-8"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], cells
    names = {row[0] for row in rows[1:]}
    teachers = {row[4] for row in rows[1:]}
    assert {"'=cmd|' /C calc'!A0", "'@SUM(1)", "'-2+3", "'\rCR", "1/2", "2-A"} <= names
    assert {"'+SUM(1,2)", "'=HYPERLINK(\"http://x\",\"y\")", "'\tTab", "Ms Plain", "'-"} <= teachers
    assert [r[2] for r in rows[1:3]] == ["21", "20"]  # numbers stay numbers
