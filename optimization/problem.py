"""The allocation problem as data: grades, composites, the school's ranking, its rules and
its locked (fixed) classes. `validation.parse_problem` builds a Problem from the
contract's JSON; everything else in the package reads only these dataclasses.

Derived facts every engine shares live here too:

* the *free* students of a grade: its students minus those in fixed classes;
* the *class types* a plan may hold besides the fixed classes: one per grade (a straight
  class) and one per allowed composite set, with the size limits left once every `cap`
  rule that concerns the type is applied (a cap on a class type is exactly a lower
  maximum size), and how many such classes the free students allow at most.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from functools import cached_property

CRITERIA = ("composites", "classes", "largest", "spread")
DEFAULT_RANKING = ("composites", "classes", "spread")


class ProblemError(ValueError):
    """An invalid problem; `errors` holds one sentence per mistake, naming the field."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


class RuleKind(str, Enum):
    CAP = "cap"          # every concerned class at most `size`
    SHARE = "share"      # at least `share` of the concerned classes at most `size`
    AVERAGE = "average"  # the concerned classes' mean size at most `average`


@dataclass(frozen=True)
class Grade:
    code: str
    name: str
    students: int
    min_class_size: int
    max_class_size: int


@dataclass(frozen=True)
class Composite:
    grades: tuple[str, ...]  # in the problem's grade order
    min_class_size: int
    max_class_size: int
    min_per_grade: int

    @property
    def label(self) -> str:
        return "/".join(self.grades)


@dataclass(frozen=True)
class Rule:
    """A rule over the classes holding any student of `grades` (its *concerned* classes).
    `share` and `average` are exact fractions of the decimals written (0.9 is 9/10)."""

    kind: RuleKind
    grades: tuple[str, ...]  # in the problem's grade order
    size: int | None = None
    share: Fraction | None = None
    average: Fraction | None = None
    label: str = ""          # given, or the rule written out (`rule_text`)

    @cached_property
    def grade_set(self) -> frozenset[str]:
        return frozenset(self.grades)

    def concerns(self, codes) -> bool:
        """Whether a class holding these grade codes is concerned by the rule."""
        return not self.grade_set.isdisjoint(codes)


@dataclass(frozen=True)
class FixedClass:
    """A class locked by the school: every plan contains one class with exactly these
    counts (positive, in grade order)."""

    grades: tuple[tuple[str, int], ...]
    label: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.grades)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.grades)

    @property
    def size(self) -> int:
        return sum(n for _, n in self.grades)

    @property
    def is_composite(self) -> bool:
        return len(self.grades) > 1

    def name(self, index: int) -> str:
        """How a sentence names it: its label, else its position."""
        return f"the fixed class “{self.label}”" if self.label else f"fixed class {index + 1}"


@dataclass(frozen=True)
class ClassType:
    """A kind of free class: one grade (straight) or one composite set.

    `min_size` is the smallest class that can really be formed (a composite holds at
    least `min_per_grade` of each grade); `max_size` the largest that the grade or
    composite limit and every cap rule concerning it allow. `max_count` bounds how many
    such classes the free students allow, whatever the number of teachers.
    """

    grades: tuple[str, ...]
    min_size: int
    max_size: int
    min_per_grade: int
    max_count: int

    @property
    def is_composite(self) -> bool:
        return len(self.grades) > 1


@dataclass(frozen=True)
class Problem:
    name: str
    teachers: int
    grades: tuple[Grade, ...]
    composites: tuple[Composite, ...] = ()
    composite_min_per_grade: int = 1
    alternatives: int = 3
    time_limit_s: float = 10.0
    ranking: tuple[str, ...] = DEFAULT_RANKING
    rules: tuple[Rule, ...] = ()
    fixed: tuple[FixedClass, ...] = ()
    version: int = 1

    def with_changes(self, **changes) -> Problem:
        return dataclasses.replace(self, **changes)

    @cached_property
    def grade_by_code(self) -> dict[str, Grade]:
        return {g.code: g for g in self.grades}

    @cached_property
    def grade_order(self) -> dict[str, int]:
        return {g.code: i for i, g in enumerate(self.grades)}

    @cached_property
    def composite_by_grades(self) -> dict[tuple[str, ...], Composite]:
        """Composites by their grade codes sorted as strings (as a plan's class lists them)."""
        return {tuple(sorted(c.grades)): c for c in self.composites}

    def students(self, code: str) -> int:
        return self.grade_by_code[code].students

    def default_composite(self, codes) -> Composite:
        """A composite of these grades with the contract's default limits."""
        members = [self.grade_by_code[c] for c in codes]
        return Composite(tuple(sorted(codes, key=self.grade_order.get)),
                         max(g.min_class_size for g in members),
                         min(g.max_class_size for g in members),
                         self.composite_min_per_grade)

    # --- fixed classes -----------------------------------------------------------------

    @cached_property
    def free_students(self) -> dict[str, int]:
        """Students of each grade not in a fixed class (validation keeps these >= 0)."""
        free = {g.code: g.students for g in self.grades}
        for f in self.fixed:
            for code, n in f.grades:
                free[code] -= n
        return free

    @property
    def fixed_composites(self) -> int:
        return sum(f.is_composite for f in self.fixed)

    def fixed_sizes(self, code: str) -> list[int]:
        """Sizes of the fixed classes holding this grade."""
        return [f.size for f in self.fixed if code in f.codes]

    # --- rules -------------------------------------------------------------------------

    def rules_of(self, kind: RuleKind) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    def cap_of(self, codes) -> int | None:
        """The strictest cap over a class holding these grades (None: no cap)."""
        caps = [r.size for r in self.rules_of(RuleKind.CAP) if r.concerns(codes)]
        return min(caps) if caps else None

    @cached_property
    def class_types(self) -> tuple[ClassType, ...]:
        """Every kind of free class that can actually be formed from the free students."""
        free = self.free_students
        types = []
        for g in self.grades:
            high = _capped(g.max_class_size, self.cap_of((g.code,)))
            most = free[g.code] // g.min_class_size
            if most > 0 and g.min_class_size <= high:
                types.append(ClassType((g.code,), g.min_class_size, high, 0, most))
        for c in self.composites:
            smallest = max(c.min_class_size, c.min_per_grade * len(c.grades))
            high = _capped(c.max_class_size, self.cap_of(c.grades))
            if smallest > high:
                continue  # can never be formed: allowed, but unusable
            pupils = [free[code] for code in c.grades]
            most = min(min(n // c.min_per_grade for n in pupils), sum(pupils) // smallest)
            if most > 0:
                types.append(ClassType(c.grades, smallest, high, c.min_per_grade, most))
        return tuple(types)


def class_faults(grade_by_code: dict[str, Grade],
                 composite_by_grades: dict[tuple[str, ...], Composite],
                 counts: dict[str, int]) -> list[str]:
    """Rule 2 for one class given as {code: students} (known codes, counts >= 1): what it
    breaks, as sentence ends ("has 27 students; the most allowed is 25")."""
    size = sum(counts.values())
    if len(counts) == 1:
        grade = grade_by_code[next(iter(counts))]
        low, high = grade.min_class_size, grade.max_class_size
        faults = []
    else:
        composite = composite_by_grades.get(tuple(sorted(counts)))
        if composite is None:
            order = {code: i for i, code in enumerate(grade_by_code)}
            label = "/".join(sorted(counts, key=order.get))
            return [f"mixes grades {label}, which is not an allowed composite"]
        low, high = composite.min_class_size, composite.max_class_size
        faults = [f"has {counts[code]} students of grade {code}; a composite needs at least "
                  f"{composite.min_per_grade}"
                  for code in composite.grades if counts[code] < composite.min_per_grade]
    if size > high:
        faults.append(f"has {size} students; the most allowed is {high}")
    if size < low:
        faults.append(f"has {size} students; the fewest allowed is {low}")
    return faults


def _capped(limit: int, cap: int | None) -> int:
    return limit if cap is None else min(limit, cap)


def code_list(codes) -> str:
    """'K', 'K or 1', 'K, 1, 2 or 3'."""
    codes = list(codes)
    return codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " or " + codes[-1]


def percent(fraction: Fraction) -> str:
    return f"{float(fraction * 100):g}%"


def rule_text(kind: RuleKind, grades, size=None, share=None, average=None) -> str:
    """A rule written out: the default label (the contract's wording)."""
    holding = f"grade{'s' * (len(grades) > 1)} {code_list(grades)}"
    if kind == RuleKind.CAP:
        return f"No class holding {holding} above {size} students"
    if kind == RuleKind.SHARE:
        return (f"At least {percent(Fraction(share))} of the classes holding {holding} at "
                f"{size} students or fewer")
    return f"Classes holding {holding} average at most {float(average):g} students"
