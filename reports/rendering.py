"""Report files: a plan's PDF and CSV, a school's year-comparison PDF. Called by jobs only."""

import csv
import io
import logging

from django.template.loader import render_to_string

from reports import selectors
from reports.models import Report
from schools.plans import selectors as plans_selectors
from schools.spreadsheets import cell_neutralise
from tenants.context import current_school

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per layout step


class _SvgStyleNoise(logging.Filter):
    """WeasyPrint's CSS parser warns about SVG presentation properties in matplotlib's style
    attributes ("Ignored `stroke: …`, unknown property") although its SVG renderer applies them."""

    def filter(self, record):
        return not (record.getMessage().startswith("Ignored `") and "unknown property" in record.getMessage())


logging.getLogger("weasyprint").addFilter(_SvgStyleNoise())

CSV_HEADER = ["class", "grade", "students", "class_size", "teacher"]


def plan_csv(report: Report) -> bytes:
    """One row per class and grade: class, grade, students, class_size, teacher."""
    table = selectors.plan_table(report.plan)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    codes = [g["code"] for g in table["grades"]]
    for row in table["rows"]:
        for code, n in zip(codes, row["counts"]):
            if n:
                cells = [row["name"], code, n, row["size"], row["teacher_name"]]
                writer.writerow([cell_neutralise(c) for c in cells])  # names never run as formulas
    return out.getvalue().encode("utf-8")


def _school_name() -> str:
    school = current_school()
    return school.name if school is not None else ""


class RenderIncomplete(Exception):
    """WeasyPrint carried on past a part it could not draw (it logs and continues): the file would
    be missing that part, so it is not a report."""


class _Failures(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Failed to") or record.levelno >= logging.ERROR:
            self.messages.append(message.splitlines()[0][:300])


def pdf_from_template(template: str, context: dict) -> bytes:
    """The PDF of a template, or RenderIncomplete when any part (an image, a chart) failed to draw,
    e.g. "Failed to render SVG image" when Celery's soft time limit interrupted the chart."""
    from weasyprint import HTML  # slow to import (fonts, cairo): only the report worker needs it

    html = render_to_string(template, context)
    failures = _Failures()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(failures)
    try:
        pdf = HTML(string=html).write_pdf()
    finally:
        logger.removeHandler(failures)
    if failures.messages:
        raise RenderIncomplete("; ".join(dict.fromkeys(failures.messages)))
    return pdf


def plan_pdf(report: Report) -> bytes:
    """The plan's PDF: its classes, its chart (the one stored with the plan), its compliance
    with each rule (label, source, figure, holds or not), its hand edits and locked classes."""
    plan = report.plan
    context = selectors.plan_report_context(plan, school_name=_school_name(), report=report)
    context["chart"] = plans_selectors.plan_chart_svg(plan, plans_selectors.plan_table(plan))
    context["compliance"] = plans_selectors.plan_compliance(plan)
    context["locked"] = [row for row in context["table"]["rows"] if row.get("locked")]
    ranking = plan.ranking or plans_selectors.plan_problem(plan).get("ranking") or []
    context["priorities"] = [p for p in plans_selectors.priorities_words(ranking) if p["counted"]] if ranking else []
    return pdf_from_template("reports/plan_pdf.html", context)


def comparison_pdf(report: Report) -> bytes:
    context = selectors.comparison_context(school_name=_school_name(), report=report)
    return pdf_from_template("reports/comparison_pdf.html", context)
