"""Reading a problem from the contract's JSON: one sentence per mistake, naming the field.

`parse_problem` checks every field (types, ranges, the contract's limits, the version-2
fields) and raises ProblemError with all the sentences at once; values are never echoed
whole (a 5,000-digit number or a deep list is described, not printed).
"""

from __future__ import annotations

import math
from fractions import Fraction

from .problem import (CRITERIA, DEFAULT_RANKING, Composite, FixedClass, Grade, Problem,
                      ProblemError, Rule, RuleKind, class_faults, rule_text)

TOP_FIELDS = {"name", "teachers", "composite_min_per_grade", "grades", "composites",
              "alternatives", "time_limit_s", "ranking", "rules", "fixed"}
V2_FIELDS = {"ranking", "rules", "fixed"}
GRADE_FIELDS = {"code", "name", "students", "min_class_size", "max_class_size"}
COMPOSITE_FIELDS = {"grades", "min_class_size", "max_class_size", "min_per_grade"}
RULE_FIELDS = {"kind", "grades", "size", "share", "average", "label"}
RULE_NUMBERS = {RuleKind.CAP: ("size",), RuleKind.SHARE: ("size", "share"),
                RuleKind.AVERAGE: ("average",)}
FIXED_FIELDS = {"grades", "label"}


class Limits:
    """The contract's limits (README, "Limits")."""

    STUDENTS = 10_000      # per grade
    GRADES = 30
    COMPOSITES = 200
    TEACHERS = 5_000
    CLASS_SIZE = 1_000     # class sizes and min_per_grade
    ALTERNATIVES = 20
    TIME_LIMIT_S = 3_600
    RULES = 1_000
    FIXED = 1_000
    TEXT = 200             # characters of any text field


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and (isinstance(value, int) or math.isfinite(value)))


def exact(number) -> Fraction:
    """A problem's number as the exact fraction of the decimal written: 0.9 is 9/10."""
    return Fraction(number) if isinstance(number, int) else Fraction(repr(float(number)))


def describe(value) -> str:
    """A short, safe rendering of a bad value for an error sentence."""
    if is_int(value) and abs(value) >= 10 ** 18:
        return "a number too large to use"
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    return {"list": "a list", "dict": "an object"}.get(type(value).__name__, "a value")


class _Reader:
    """Reads fields while collecting one error sentence per bad value."""

    def __init__(self):
        self.errors: list[str] = []

    def error(self, sentence: str) -> None:
        self.errors.append(sentence)

    def integer(self, where, obj, key, minimum, maximum, default=None, required=True):
        if key not in obj:
            if required:
                self.error(f"{where}{key} is required.")
            return default
        value = obj[key]
        if not is_int(value):
            self.error(f"{where}{key} must be a whole number (got {describe(value)}).")
        elif value < minimum:
            self.error(f"{where}{key} must be at least {minimum} (got {describe(value)}).")
        elif value > maximum:
            self.error(f"{where}{key} must be at most {maximum:,} (got {describe(value)}); "
                       f"that is the contract's limit.")
        else:
            return value
        return default

    def text(self, where, obj, key, default=""):
        value = obj.get(key, default)
        if not isinstance(value, str):
            self.error(f"{where}{key} must be a string.")
            return None
        if len(value) > Limits.TEXT:
            self.error(f"{where}{key} is {len(value):,} characters long; the limit is "
                       f"{Limits.TEXT}.")
            return None
        return value

    def unknown_fields(self, where, obj, allowed):
        for key in sorted(set(obj) - allowed, key=str):
            shown = describe(key)
            self.error(f"{where}: unknown field {shown}." if where
                       else f"Unknown field {shown}.")

    def listing(self, data, key, limit, required=False):
        """The list under `key` ([] when absent or wrong), at most `limit` entries."""
        if key not in data:
            if required:
                self.error(f"{key} is required.")
            return []
        raw = data[key]
        if not isinstance(raw, list):
            self.error(f"{key} must be a list.")
            return []
        if len(raw) > limit:
            self.error(f"{key} has {len(raw):,} entries; the limit is {limit:,}.")
            return []
        return raw


def parse_problem(data) -> Problem:
    """Validate a problem (parsed JSON) and return it with every default filled in."""
    if isinstance(data, Problem):
        return data
    if not isinstance(data, dict):
        raise ProblemError(["The problem must be a JSON object."])
    read = _Reader()
    read.unknown_fields("", data, TOP_FIELDS)

    name = read.text("", data, "name")
    teachers = read.integer("", data, "teachers", 0, Limits.TEACHERS)
    min_per_grade = read.integer("", data, "composite_min_per_grade", 1, Limits.CLASS_SIZE,
                                 default=1, required=False)
    alternatives = read.integer("", data, "alternatives", 1, Limits.ALTERNATIVES,
                                default=3, required=False)
    time_limit = data.get("time_limit_s", 10)
    if not is_number(time_limit) or not 0 < time_limit <= Limits.TIME_LIMIT_S:
        read.error(f"time_limit_s must be a number of seconds above 0 and at most "
                   f"{Limits.TIME_LIMIT_S:,} (got {describe(time_limit)}).")
        time_limit = 10

    grades, all_codes = _grades(read, data)
    composites = _composites(read, data, grades, all_codes, min_per_grade or 1)
    ranking = _ranking(read, data)
    rules = _rules(read, data, grades, all_codes)
    fixed = _fixed(read, data, grades, composites, all_codes, teachers)
    if read.errors:
        raise ProblemError(read.errors)
    return Problem(name=name, teachers=teachers, grades=tuple(grades),
                   composites=tuple(composites), composite_min_per_grade=min_per_grade,
                   alternatives=alternatives, time_limit_s=float(time_limit),
                   ranking=ranking, rules=tuple(rules), fixed=tuple(fixed),
                   version=2 if any(key in data for key in V2_FIELDS) else 1)


def _grades(read: _Reader, data: dict) -> tuple[list[Grade], set[str]]:
    if "grades" not in data:
        read.error("grades is required.")
        return [], set()
    raw = data["grades"]
    if not isinstance(raw, list) or not raw:
        read.error("grades must be a non-empty list.")
        return [], set()
    if len(raw) > Limits.GRADES:
        read.error(f"grades has {len(raw):,} entries; the limit is {Limits.GRADES}.")
        return [], set()
    grades, codes = [], set()
    for i, g in enumerate(raw):
        where = f"grades[{i}]."
        if not isinstance(g, dict):
            read.error(f"grades[{i}] must be an object.")
            continue
        read.unknown_fields(f"grades[{i}]", g, GRADE_FIELDS)
        code = g.get("code")
        if not isinstance(code, str) or not code:
            read.error(f"{where}code must be a non-empty string.")
            code = None
        elif len(code) > Limits.TEXT:
            read.error(f"{where}code is {len(code):,} characters long; the limit is "
                       f"{Limits.TEXT}.")
            code = None
        elif code in codes:
            read.error(f"{where}code {describe(code)} is repeated: grade codes must be "
                       f"unique.")
            code = None
        else:
            codes.add(code)
        label = read.text(where, g, "name", default=code) if "name" in g else code
        students = read.integer(where, g, "students", 0, Limits.STUDENTS)
        low = read.integer(where, g, "min_class_size", 1, Limits.CLASS_SIZE)
        high = read.integer(where, g, "max_class_size", 1, Limits.CLASS_SIZE)
        if low is not None and high is not None and low > high:
            read.error(f"{where}min_class_size ({low}) is larger than max_class_size "
                       f"({high}).")
            continue
        if None not in (code, students, low, high, label):
            grades.append(Grade(code, label, students, low, high))
    return grades, codes


def _composites(read, data, grades, all_codes, default_min_per_grade):
    raw = read.listing(data, "composites", Limits.COMPOSITES)
    by_code = {g.code: g for g in grades}
    order = {g.code: i for i, g in enumerate(grades)}
    composites, seen = [], {}
    for i, c in enumerate(raw):
        where = f"composites[{i}]."
        if not isinstance(c, dict):
            read.error(f"composites[{i}] must be an object.")
            continue
        read.unknown_fields(f"composites[{i}]", c, COMPOSITE_FIELDS)
        codes = c.get("grades")
        if (not isinstance(codes, list) or not 2 <= len(codes) <= Limits.GRADES
                or not all(isinstance(x, str) for x in codes)):
            read.error(f"{where}grades must be a list of 2 or more grade codes.")
            continue
        if len(set(codes)) != len(codes):
            read.error(f"{where}grades names a grade more than once.")
            continue
        unknown = [x for x in codes if x not in all_codes]
        if unknown:
            read.error(f"{where}grades names unknown grade(s) "
                       f"{', '.join(describe(x) for x in unknown)}.")
            continue
        if any(x not in by_code for x in codes):
            continue  # one of its grades is itself invalid, and already reported
        codes = tuple(sorted(codes, key=order.get))
        if codes in seen:
            read.error(f"{where}grades repeats the set of composites[{seen[codes]}].")
            continue
        seen[codes] = i
        members = [by_code[x] for x in codes]
        low = read.integer(where, c, "min_class_size", 1, Limits.CLASS_SIZE, required=False,
                           default=max(g.min_class_size for g in members))
        high = read.integer(where, c, "max_class_size", 1, Limits.CLASS_SIZE, required=False,
                            default=min(g.max_class_size for g in members))
        min_per_grade = read.integer(where, c, "min_per_grade", 1, Limits.CLASS_SIZE,
                                     required=False, default=default_min_per_grade)
        if low is not None and high is not None and low > high:
            read.error(f"{where}min_class_size ({low}) is larger than max_class_size "
                       f"({high}); unless given, these are the strictest limits of its "
                       f"grades.")
            continue
        if None not in (low, high, min_per_grade):
            composites.append(Composite(codes, low, high, min_per_grade))
    return composites


def _ranking(read: _Reader, data: dict) -> tuple[str, ...]:
    if "ranking" not in data:
        return DEFAULT_RANKING
    raw = data["ranking"]
    if not isinstance(raw, list) or not raw:
        read.error(f"ranking must be a non-empty list of criteria ({', '.join(CRITERIA)}).")
        return DEFAULT_RANKING
    if len(raw) > len(CRITERIA) * 4:
        read.error(f"ranking has {len(raw):,} entries; it lists each of "
                   f"{', '.join(CRITERIA)} at most once.")
        return DEFAULT_RANKING
    ranking: list[str] = []
    for i, criterion in enumerate(raw):
        if not isinstance(criterion, str) or criterion not in CRITERIA:
            read.error(f"ranking[{i}] {describe(criterion)} is not a criterion "
                       f"({', '.join(CRITERIA)}).")
        elif criterion in ranking:
            read.error(f"ranking[{i}] repeats the criterion {criterion!r}.")
        else:
            ranking.append(criterion)
    return tuple(ranking)


def _rules(read: _Reader, data: dict, grades: list[Grade], all_codes: set[str]) -> list[Rule]:
    raw = read.listing(data, "rules", Limits.RULES)
    order = {g.code: i for i, g in enumerate(grades)}
    rules = []
    for i, r in enumerate(raw):
        where = f"rules[{i}]."
        if not isinstance(r, dict):
            read.error(f"rules[{i}] must be an object.")
            continue
        errors_before = len(read.errors)
        read.unknown_fields(f"rules[{i}]", r, RULE_FIELDS)
        if "kind" not in r:
            read.error(f"{where}kind is required.")
            continue
        if not isinstance(r["kind"], str) or r["kind"] not in {k.value for k in RuleKind}:
            read.error(f"{where}kind must be one of cap, share, average "
                       f"(got {describe(r['kind'])}).")
            continue
        kind = RuleKind(r["kind"])
        for key in ("size", "share", "average"):
            if key in r and key not in RULE_NUMBERS[kind]:
                read.error(f"{where}{key} does not apply to a {kind.value} rule.")
        codes = r.get("grades")
        if "grades" not in r:
            read.error(f"{where}grades is required.")
        elif (not isinstance(codes, list) or not codes or len(codes) > Limits.GRADES
                or not all(isinstance(x, str) for x in codes)):
            read.error(f"{where}grades must be a non-empty list of grade codes.")
        elif len(set(codes)) != len(codes):
            read.error(f"{where}grades names a grade more than once.")
        else:
            unknown = [x for x in codes if x not in all_codes]
            if unknown:
                read.error(f"{where}grades names unknown grade(s) "
                           f"{', '.join(describe(x) for x in unknown)}.")
        size = share = average = None
        if "size" in RULE_NUMBERS[kind]:
            if "size" not in r:
                read.error(f"{where}size is required for a {kind.value} rule.")
            else:
                size = read.integer(where, r, "size", 1, Limits.CLASS_SIZE)
        if kind == RuleKind.SHARE:
            value = r.get("share")
            if "share" not in r:
                read.error(f"{where}share is required for a share rule.")
            elif not is_number(value) or not 0 < value <= 1:
                read.error(f"{where}share must be a number with 0 < share <= 1 "
                           f"(got {describe(value)}).")
            else:
                share = exact(value)
        if kind == RuleKind.AVERAGE:
            value = r.get("average")
            if "average" not in r:
                read.error(f"{where}average is required for an average rule.")
            elif not is_number(value) or not 0 < value <= 10 ** 9:
                read.error(f"{where}average must be a number above 0 "
                           f"(got {describe(value)}).")
            else:
                average = exact(value)
        label = read.text(where, r, "label")
        if len(read.errors) > errors_before or any(x not in order for x in codes):
            continue  # reported above, or one of its grades is itself invalid
        codes = tuple(sorted(codes, key=order.get))
        rules.append(Rule(kind, codes, size, share, average,
                          label or rule_text(kind, codes, size, share, average)))
    return rules


def _fixed(read, data, grades, composites, all_codes, teachers) -> list[FixedClass]:
    raw = read.listing(data, "fixed", Limits.FIXED)
    by_code = {g.code: g for g in grades}
    order = {g.code: i for i, g in enumerate(grades)}
    fixed, held = [], {}
    for i, f in enumerate(raw):
        where = f"fixed[{i}]."
        if not isinstance(f, dict):
            read.error(f"fixed[{i}] must be an object.")
            continue
        errors_before = len(read.errors)
        read.unknown_fields(f"fixed[{i}]", f, FIXED_FIELDS)
        label = read.text(where, f, "label")
        counts = f.get("grades")
        if "grades" not in f:
            read.error(f"{where}grades is required.")
            continue
        if not isinstance(counts, dict) or not counts or len(counts) > Limits.GRADES:
            read.error(f"{where}grades must be a non-empty object of students per grade "
                       f"code.")
            continue
        unknown = [x for x in counts if x not in all_codes]
        if unknown:
            read.error(f"{where}grades names unknown grade(s) "
                       f"{', '.join(describe(x) for x in unknown)}.")
            continue
        if any(x not in by_code for x in counts):
            continue  # one of its grades is itself invalid, and already reported
        for code, n in counts.items():
            if not is_int(n) or n < 1:
                read.error(f"{where}grades[{code!r}] must be a whole number of at least 1 "
                           f"(got {describe(n)}); a class lists only the grades it holds.")
        if len(read.errors) > errors_before:
            continue
        ordered = tuple(sorted(counts.items(), key=lambda item: order[item[0]]))
        broken = class_faults(by_code, {tuple(sorted(c.grades)): c for c in composites},
                              dict(ordered))
        for fault in broken:
            read.error(f"{where}grades: the class {fault}.")
        if broken:
            continue
        for code, n in ordered:
            held[code] = held.get(code, 0) + n
        fixed.append(FixedClass(ordered, label))
    for code, n in held.items():
        if n > by_code[code].students:
            read.error(f"fixed classes hold {n} students of grade {code}, more than its "
                       f"{by_code[code].students} students.")
    if raw and is_int(teachers) and len(raw) > teachers:
        read.error(f"fixed has {len(raw)} classes, more than teachers ({teachers}).")
    return fixed
