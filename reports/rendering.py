"""Report files: plan PDF and CSV, year-comparison PDF (filled in below)."""
import csv
import io


def plan_csv(plan) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["class", "grade", "students", "class_size", "teacher"])
    for c in plan.planned_classes.order_by("position"):
        for grade, n in c.counts.items():
            writer.writerow([c.name, grade, n, c.size, c.teacher_name])
    return out.getvalue().encode()


def plan_pdf(plan) -> bytes:
    raise NotImplementedError


def comparison_pdf() -> bytes:
    raise NotImplementedError
