"""The allocation problem: dataclasses, parsing and validation.

A problem is parsed from the contract's JSON (a dict). Validation collects one sentence
per mistake, naming the field, and raises ProblemError with all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

TOP_FIELDS = {"name", "teachers", "composite_min_per_grade", "grades", "composites",
              "alternatives", "time_limit_s"}
GRADE_FIELDS = {"code", "name", "students", "min_class_size", "max_class_size"}
COMPOSITE_FIELDS = {"grades", "min_class_size", "max_class_size", "min_per_grade"}


class ProblemError(ValueError):
    """An invalid problem; `errors` holds one sentence per mistake."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


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
class ClassType:
    """A kind of class a plan may hold: one grade (straight) or one composite set.

    `min_size` is the smallest class that can really be formed: for a composite, at least
    `min_per_grade` of each of its grades. `max_count` bounds how many such classes the
    students allow, whatever the number of teachers.
    """

    grades: tuple[str, ...]
    min_size: int
    max_size: int
    min_per_grade: int
    max_count: int

    @property
    def is_composite(self) -> bool:
        return len(self.grades) > 1

    @property
    def label(self) -> str:
        return "/".join(self.grades)


@dataclass(frozen=True)
class Problem:
    name: str
    teachers: int
    grades: tuple[Grade, ...]
    composites: tuple[Composite, ...] = ()
    composite_min_per_grade: int = 1
    alternatives: int = 3
    time_limit_s: float = 10.0

    @cached_property
    def grade_by_code(self) -> dict[str, Grade]:
        return {g.code: g for g in self.grades}

    @cached_property
    def composite_by_grades(self) -> dict[tuple[str, ...], Composite]:
        return {tuple(sorted(c.grades)): c for c in self.composites}

    def students(self, code: str) -> int:
        return self.grade_by_code[code].students

    @cached_property
    def class_types(self) -> tuple[ClassType, ...]:
        """Every kind of class that can actually be formed from these students."""
        types = []
        for g in self.grades:
            most = g.students // g.min_class_size
            if most > 0:
                types.append(ClassType((g.code,), g.min_class_size, g.max_class_size, 0, most))
        for c in self.composites:
            smallest = max(c.min_class_size, c.min_per_grade * len(c.grades))
            pupils = [self.students(code) for code in c.grades]
            if smallest > c.max_class_size:
                continue  # can never be formed: allowed, but unusable
            most = min(min(n // c.min_per_grade for n in pupils), sum(pupils) // smallest)
            if most > 0:
                types.append(ClassType(c.grades, smallest, c.max_class_size,
                                       c.min_per_grade, most))
        return tuple(types)

    def with_changes(self, **changes) -> Problem:
        fields = {k: getattr(self, k) for k in ("name", "teachers", "grades", "composites",
                                                "composite_min_per_grade", "alternatives",
                                                "time_limit_s")}
        fields.update(changes)
        return Problem(**fields)

    def default_composite(self, codes) -> Composite:
        """A composite of these grades with the contract's default limits."""
        members = [self.grade_by_code[c] for c in codes]
        order = {g.code: i for i, g in enumerate(self.grades)}
        return Composite(tuple(sorted(codes, key=order.get)),
                         max(g.min_class_size for g in members),
                         min(g.max_class_size for g in members),
                         self.composite_min_per_grade)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Collector:
    """Reads fields while collecting one error sentence per bad value."""

    def __init__(self):
        self.errors: list[str] = []

    def integer(self, where, obj, key, minimum, default=None, required=True):
        if key not in obj:
            if required:
                self.errors.append(f"{where}{key} is required.")
            return default
        value = obj[key]
        if not _is_int(value):
            self.errors.append(f"{where}{key} must be a whole number (got {value!r}).")
            return default
        if value < minimum:
            self.errors.append(f"{where}{key} must be at least {minimum} (got {value!r}).")
            return default
        return value

    def unknown_fields(self, where, obj, allowed):
        for key in sorted(set(obj) - allowed):
            self.errors.append(f"{where}: unknown field {key!r}." if where
                               else f"Unknown field {key!r}.")


def parse_problem(data: dict) -> Problem:
    """Validate a problem (parsed JSON) and return it with every default filled in."""
    if isinstance(data, Problem):
        return data
    if not isinstance(data, dict):
        raise ProblemError(["The problem must be a JSON object."])
    read = _Collector()
    read.unknown_fields("", data, TOP_FIELDS)

    name = data.get("name", "")
    if not isinstance(name, str):
        read.errors.append("name must be a string.")
        name = ""
    teachers = read.integer("", data, "teachers", 0)
    min_per_grade = read.integer("", data, "composite_min_per_grade", 1, 1, required=False)
    alternatives = read.integer("", data, "alternatives", 1, 3, required=False)
    time_limit = data.get("time_limit_s", 10)
    if (not isinstance(time_limit, (int, float)) or isinstance(time_limit, bool)
            or not time_limit > 0):
        read.errors.append(f"time_limit_s must be a number of seconds above 0 "
                           f"(got {time_limit!r}).")
        time_limit = 10

    grades, all_codes = _parse_grades(read, data)
    composites = _parse_composites(read, data, grades, all_codes, min_per_grade)
    if read.errors:
        raise ProblemError(read.errors)
    return Problem(name=name, teachers=teachers, grades=tuple(grades),
                   composites=tuple(composites), composite_min_per_grade=min_per_grade,
                   alternatives=alternatives, time_limit_s=float(time_limit))


def _parse_grades(read: _Collector, data: dict) -> tuple[list[Grade], set[str]]:
    raw = data.get("grades")
    if raw is None:
        read.errors.append("grades is required.")
        return [], set()
    if not isinstance(raw, list) or not raw:
        read.errors.append("grades must be a non-empty list.")
        return [], set()
    grades, codes = [], set()
    for i, g in enumerate(raw):
        where = f"grades[{i}]."
        if not isinstance(g, dict):
            read.errors.append(f"grades[{i}] must be an object.")
            continue
        read.unknown_fields(f"grades[{i}]", g, GRADE_FIELDS)
        code = g.get("code")
        if not isinstance(code, str) or not code:
            read.errors.append(f"{where}code must be a non-empty string.")
            code = None
        elif code in codes:
            read.errors.append(f"{where}code {code!r} is repeated: grade codes must be unique.")
            code = None
        else:
            codes.add(code)
        label = g.get("name", code)
        if "name" in g and not isinstance(label, str):
            read.errors.append(f"{where}name must be a string.")
            label = code
        students = read.integer(where, g, "students", 0)
        low = read.integer(where, g, "min_class_size", 1)
        high = read.integer(where, g, "max_class_size", 1)
        if low is not None and high is not None and low > high:
            read.errors.append(f"{where}min_class_size ({low}) is larger than "
                               f"max_class_size ({high}).")
            continue
        if None not in (code, students, low, high):
            grades.append(Grade(code, label, students, low, high))
    return grades, codes


def _parse_composites(read, data, grades, all_codes, default_min_per_grade):
    raw = data.get("composites", [])
    if not isinstance(raw, list):
        read.errors.append("composites must be a list.")
        return []
    by_code = {g.code: g for g in grades}
    order = {g.code: i for i, g in enumerate(grades)}
    composites, seen = [], {}
    for i, c in enumerate(raw):
        where = f"composites[{i}]."
        if not isinstance(c, dict):
            read.errors.append(f"composites[{i}] must be an object.")
            continue
        read.unknown_fields(f"composites[{i}]", c, COMPOSITE_FIELDS)
        codes = c.get("grades")
        if (not isinstance(codes, list) or len(codes) < 2
                or not all(isinstance(x, str) for x in codes)):
            read.errors.append(f"{where}grades must be a list of 2 or more grade codes.")
            continue
        if len(set(codes)) != len(codes):
            read.errors.append(f"{where}grades names a grade more than once.")
            continue
        unknown = [x for x in codes if x not in all_codes]
        if unknown:
            read.errors.append(f"{where}grades names unknown grade(s) {', '.join(unknown)}.")
            continue
        if any(x not in by_code for x in codes):
            continue  # one of its grades is itself invalid, and already reported
        codes = tuple(sorted(codes, key=order.get))
        if codes in seen:
            read.errors.append(f"{where}grades repeats the set of composites[{seen[codes]}].")
            continue
        seen[codes] = i
        members = [by_code[x] for x in codes]
        low = read.integer(where, c, "min_class_size", 1, required=False,
                           default=max(g.min_class_size for g in members))
        high = read.integer(where, c, "max_class_size", 1, required=False,
                            default=min(g.max_class_size for g in members))
        min_per_grade = read.integer(where, c, "min_per_grade", 1, required=False,
                                     default=default_min_per_grade)
        if low is not None and high is not None and low > high:
            read.errors.append(f"{where}min_class_size ({low}) is larger than max_class_size "
                               f"({high}); unless given, these are the strictest limits of "
                               f"its grades.")
            continue
        if None not in (low, high, min_per_grade):
            composites.append(Composite(codes, low, high, min_per_grade))
    return composites
