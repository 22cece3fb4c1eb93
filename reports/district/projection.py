"""Next year's enrolment by the cohort-survival method district planners use.

Pure Python (no Django): history in, projection out.

A *survival ratio* for grade g (not the entry grade) is how many students grade g has in
year t+1 for each student grade g-1 had in year t. The projection of grade g for next year
is this year's grade g-1 times the mean of grade g's ratios over every pair of consecutive
years on record. The entry grade has no grade below it: it follows its own trend, the mean
of its year-over-year ratios (its students in t+1 for each one it had in t).

The range (low, high) applies the smallest and the largest ratio on record instead of the
mean: the spread of what actually happened, not a statistical interval.

With fewer than two consecutive years on record there is no ratio: the projection says so
and falls back to copying forward (every grade moves up one, the entry grade stays as it is).

The back-test projects each year on record from the years before it alone and compares it
with what was enrolled: the mean absolute percentage error (MAPE) over grades with students.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean

COHORT = "cohort survival"
COPY_FORWARD = "copy forward"


@dataclass(frozen=True)
class GradeProjection:
    code: str
    students: int  # the projection, rounded
    low: int
    high: int
    ratios: tuple[float, ...]  # the ratios on record it was made from (empty: copied)
    from_code: str | None  # the grade (this year) it is projected from; None: nothing


@dataclass(frozen=True)
class Projection:
    year: int  # the year projected
    base_year: int | None  # the latest year on record used
    method: str  # COHORT or COPY_FORWARD
    grades: tuple[GradeProjection, ...]
    note: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {g.code: g.students for g in self.grades}

    @property
    def total(self) -> int:
        return sum(g.students for g in self.grades)


@dataclass(frozen=True)
class BackTestRow:
    year: int
    code: str
    projected: int
    actual: int

    @property
    def error(self) -> float | None:
        """Absolute percentage error; None when the grade had no students."""
        return None if self.actual == 0 else abs(self.projected - self.actual) / self.actual


@dataclass(frozen=True)
class BackTest:
    rows: tuple[BackTestRow, ...] = field(default_factory=tuple)
    note: str = ""

    @property
    def mape(self) -> float | None:
        """Mean absolute percentage error (0.05 = 5 %) over the rows with students; None if none."""
        errors = [r.error for r in self.rows if r.error is not None]
        return mean(errors) if errors else None

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})


def _ratio_pairs(history: dict[int, dict[str, int]]) -> list[tuple[int, int]]:
    years = sorted(history)
    return [(a, b) for a, b in zip(years, years[1:]) if b == a + 1]


def survival_ratios(history: dict[int, dict[str, int]], codes: list[str]) -> dict[str, list[float]]:
    """Per grade code: its ratios over consecutive years on record (oldest first).

    Grade codes[i] (i > 0): students in codes[i] in t+1 / students in codes[i-1] in t.
    The entry grade codes[0]: students in t+1 / students in t. A pair is skipped where a
    grade is missing that year or the denominator is 0.
    """
    ratios: dict[str, list[float]] = {code: [] for code in codes}
    for before, after in _ratio_pairs(history):
        for i, code in enumerate(codes):
            source = codes[i - 1] if i else code
            denominator = history[before].get(source)
            numerator = history[after].get(code)
            if denominator and numerator is not None:
                ratios[code].append(numerator / denominator)
    return ratios


def project(history: dict[int, dict[str, int]], codes: list[str], *, year: int | None = None) -> Projection:
    """Project `year` (default: the year after the latest on record) for grades `codes` (in order).

    history: {year: {grade code: students}}; grades missing in a year are not on record.
    """
    if not history:
        target = year or 0
        return Projection(year=target, base_year=None, method=COPY_FORWARD, grades=(),
                          note="No year is on record: enter this year's enrolments first.")
    base_year = max(y for y in history if year is None or y < year)
    target = base_year + 1 if year is None else year
    base = history[base_year]
    ratios = survival_ratios({y: c for y, c in history.items() if y <= base_year}, codes)
    if not any(ratios.values()):
        grades = []
        for i, code in enumerate(codes):
            source = codes[i - 1] if i else code
            n = base.get(source, 0)
            grades.append(GradeProjection(code, n, n, n, (), source if source in base else None))
        return Projection(
            year=target, base_year=base_year, method=COPY_FORWARD, grades=tuple(grades),
            note=("Fewer than two consecutive years are on record, so there is no trend to follow: "
                  "every grade moves up one and the entry grade stays as it is (copy forward)."),
        )
    grades = []
    for i, code in enumerate(codes):
        source = codes[i - 1] if i else code
        n = base.get(source)
        own = ratios[code]
        if n is None:
            grades.append(GradeProjection(code, 0, 0, 0, tuple(own), None))
            continue
        if not own:  # this grade has no history of its own (e.g. newly taught): copy forward
            grades.append(GradeProjection(code, n, n, n, (), source))
            continue
        grades.append(GradeProjection(
            code=code,
            students=_round(n * mean(own)),
            low=_round(n * min(own)),
            high=_round(n * max(own)),
            ratios=tuple(own),
            from_code=source,
        ))
    years_used = len(_ratio_pairs({y: c for y, c in history.items() if y <= base_year})) + 1
    return Projection(
        year=target, base_year=base_year, method=COHORT, grades=tuple(grades),
        note=f"Cohort survival over {years_used} consecutive years on record.",
    )


def back_test(history: dict[int, dict[str, int]], codes: list[str]) -> BackTest:
    """Project each year on record that has at least two consecutive years before it, from
    those years alone, and compare with what was enrolled."""
    rows = []
    for target in sorted(history):
        earlier = {y: c for y, c in history.items() if y < target}
        if not _ratio_pairs(earlier) or target - 1 not in earlier:
            continue
        projection = project(earlier, codes, year=target)
        if projection.method != COHORT:
            continue
        actual = history[target]
        for grade in projection.grades:
            if grade.code in actual and grade.from_code is not None:
                rows.append(BackTestRow(target, grade.code, grade.students, actual[grade.code]))
    note = "" if rows else "Too few years on record to test the method: it needs three consecutive years."
    return BackTest(rows=tuple(rows), note=note)


def _round(value: float) -> int:
    """Half up, never negative (Python's round() rounds 0.5 to even)."""
    return max(0, int(value + 0.5))
