"""Grade templates: the grades a new school starts with, written as a district would say them.

    grade_template_grades("K-6")          [("K", "Kindergarten"), ("1", ""), … ("6", "")]
    grade_template_grades("JK, SK, 1-8")  [("JK", "JK"), ("SK", "SK"), ("1", ""), … ("8", "")]

A template is a comma-separated list of grades and ranges; a range runs between K (or a
number) and a number. A grade's name is left blank for numbers (pages say "Grade 3"). Pure
Python: the schools app makes the grades (with the district rule pack's class sizes).
"""

import re

from django.core.exceptions import ValidationError

# The templates offered when a school is created (the district's own is offered too).
GRADE_TEMPLATES = ["K-6", "K-8", "7-12", "K-12"]

_CODE = re.compile(r"^[A-Za-z0-9]{1,10}$")
_RANGE = re.compile(r"^\s*(K|\d{1,2})\s*[-–]\s*(\d{1,2})\s*$", re.IGNORECASE)


def _grade(code: str) -> tuple[str, str]:
    code = code.upper() if code.lower() == "k" else code
    return code, "Kindergarten" if code == "K" else ("" if code.isdigit() else code)


def grade_template_grades(text: str, *, field: str = "grade_template") -> list[tuple[str, str]]:
    """The grades (code, name) of a template, youngest first; ValidationError naming `field`."""
    grades: list[tuple[str, str]] = []
    for part in [p.strip() for p in (text or "").split(",")]:
        if not part:
            continue
        match = _RANGE.match(part)
        if match:
            first, last = match.group(1).upper(), int(match.group(2))
            start = 0 if first == "K" else int(first)
            if start > last or last > 13:
                raise ValidationError({field: f"'{part}' is not a range of grades: write e.g. K-6 or 7-12."})
            grades += [_grade("K" if n == 0 else str(n)) for n in range(start, last + 1)]
        elif _CODE.match(part):
            grades.append(_grade(part))
        else:
            raise ValidationError({field: f"'{part}' is not a grade: use short codes such as K, 1, JK, "
                                          "or ranges such as K-6, separated by commas."})
    codes = [code for code, _ in grades]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValidationError({field: f"Grade {', '.join(repeated)} appears twice in '{text}'."})
    if not grades:
        raise ValidationError({field: "Name at least one grade, e.g. K-6."})
    return grades
