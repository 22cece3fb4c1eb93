"""An independent check of any plan against the problem, and its figures.

Pure Python, sharing nothing with the engines: every plan an engine returns passes
through `check_plan` before it reaches a caller, and so can a plan a person edited by
hand. A plan is {"classes": [{"grades": {code: students}, "fixed": bool?}, ...]}; the
checker names classes by position ("Class 1", "Class 2", ...) so that a caller can put
its own names in their place.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from .problem import CRITERIA, Problem, Rule, RuleKind, class_faults, percent
from .validation import describe, is_int, parse_problem


def class_codes(cls: dict) -> tuple[str, ...]:
    """The grades a class holds (codes with a positive count), sorted."""
    return tuple(sorted(code for code, n in cls["grades"].items() if is_int(n) and n > 0))


def class_size(cls: dict) -> int:
    return sum(n for n in cls["grades"].values() if is_int(n) and n > 0)


def plan_figures(plan: dict) -> dict:
    """The ranking figures of a plan: composite classes, classes, largest class, spread.

    The spread is the sum over grades of (largest - smallest size of the classes holding
    that grade), a class's size counting all its students; `largest` is 0 without classes.
    """
    sizes: dict[str, list[int]] = {}
    composites = largest = 0
    for cls in plan["classes"]:
        codes, size = class_codes(cls), class_size(cls)
        composites += len(codes) > 1
        largest = max(largest, size)
        for code in codes:
            sizes.setdefault(code, []).append(size)
    return {"composites": composites, "classes": len(plan["classes"]), "largest": largest,
            "spread": sum(max(s) - min(s) for s in sizes.values())}


def ranking_key(figures: dict, ranking) -> tuple[int, ...]:
    """Smaller is better: the ranking's figures in its order, `classes` negated."""
    return tuple(-figures[c] if c == "classes" else figures[c] for c in ranking)


def ranked_figures(plan: dict, ranking) -> dict:
    """Every figure of a plan, the ranking's criteria first, in its order."""
    figures = plan_figures(plan)
    return {c: figures[c] for c in list(ranking) + [c for c in CRITERIA if c not in ranking]}


def structure_of(plan: dict) -> tuple:
    """How many classes of each grade set: plans of equal structure differ only in sizes."""
    return tuple(sorted(Counter(class_codes(cls) for cls in plan["classes"]).items()))


def rule_check(rule: Rule, sizes: list[int]) -> tuple[bool, float]:
    """(holds, value) of a rule over the sizes of the classes it concerns: the largest
    (cap; 0 when none), the fraction that are small (share; 1 when none) or the mean
    (average; 0 when none). Compared exactly, as the decimals written."""
    if rule.kind == RuleKind.CAP:
        value = max(sizes, default=0)
        return value <= rule.size, value
    if rule.kind == RuleKind.SHARE:
        if not sizes:
            return True, 1
        small = sum(1 for s in sizes if s <= rule.size)
        return small >= rule.share * len(sizes), small / len(sizes)
    if not sizes:
        return True, 0
    return sum(sizes) <= rule.average * len(sizes), sum(sizes) / len(sizes)


def _concerned_sizes(rule: Rule, plan: dict) -> list[int]:
    return [class_size(cls) for cls in plan["classes"] if rule.concerns(class_codes(cls))]


def plan_checks(problem: dict | Problem, plan: dict) -> list[dict]:
    """The result's `checks` of any plan: {"holds", "value"} per rule, in order ([] for a
    problem without rules)."""
    problem = parse_problem(problem)
    checks = []
    for rule in problem.rules:
        holds, value = rule_check(rule, _concerned_sizes(rule, plan))
        checks.append({"holds": holds, "value": value})
    return checks


def missing_fixed(problem: Problem, plan: dict) -> list[int]:
    """Indexes of the fixed classes the plan does not contain (each needs its own class
    with exactly its counts)."""
    have = Counter(_counts_key(cls) for cls in plan["classes"])
    missing = []
    for i, fixed in enumerate(problem.fixed):
        key = tuple(sorted(fixed.grades))
        if have[key] > 0:
            have[key] -= 1
        else:
            missing.append(i)
    return missing


def _counts_key(cls: dict) -> tuple:
    return tuple(sorted((code, n) for code, n in cls["grades"].items()))


def check_plan(problem: dict | Problem, plan: dict) -> list[str]:
    """Every rule the plan breaks, as sentences naming the class and grade; [] when valid."""
    problem = parse_problem(problem)
    classes = plan.get("classes") if isinstance(plan, dict) else None
    if not isinstance(classes, list):
        return ["The plan has no list of classes."]
    problems: list[str] = []
    placed: Counter = Counter()
    well_formed = True
    for number, cls in enumerate(classes, start=1):
        counts = cls.get("grades") if isinstance(cls, dict) else None
        if not isinstance(counts, dict) or not counts:
            problems.append(f"Class {number} lists no grades.")
            well_formed = False
            continue
        if "fixed" in cls and not isinstance(cls["fixed"], bool):
            problems.append(f"Class {number} has a 'fixed' mark that is not true or false.")
        shape = _shape_problems(problem, number, counts)
        problems.extend(shape)
        if shape:
            well_formed = False
            continue
        for code, n in counts.items():
            placed[code] += n
        name = _class_name(problem, number, counts)
        problems.extend(f"{name} {fault}." for fault in
                        class_faults(problem.grade_by_code, problem.composite_by_grades,
                                     counts))
    for grade in problem.grades:
        if placed[grade.code] != grade.students:
            problems.append(f"Grade {grade.code} has {grade.students} students but "
                            f"{placed[grade.code]} are placed in classes.")
    if len(classes) > problem.teachers:
        problems.append(f"The plan has {len(classes)} classes but only "
                        f"{problem.teachers} teachers.")
    if well_formed:  # the version-2 checks read every class's counts
        problems += _check_rules(problem, plan) + _check_fixed(problem, plan)
    return problems


def _class_name(problem: Problem, number: int, codes) -> str:
    label = "/".join(sorted(codes, key=problem.grade_order.get))
    return f"Class {number} (grade{'s' * (len(codes) > 1)} {label})"


def _shape_problems(problem: Problem, number: int, counts: dict) -> list[str]:
    problems = []
    for code, n in counts.items():
        if code not in problem.grade_by_code:
            problems.append(f"Class {number} names grade {describe(code)}, which the "
                            f"school does not have.")
        elif not is_int(n) or n <= 0:
            problems.append(f"Class {number} lists {describe(n)} students of grade {code}; "
                            f"list only the grades it holds, with a positive whole number.")
        elif n > problem.grade_by_code[code].students:
            problems.append(f"Class {number} lists {describe(n)} students of grade {code}, "
                            f"more than the grade's {problem.grade_by_code[code].students}.")
    return problems


def _check_rules(problem: Problem, plan: dict) -> list[str]:
    problems = []
    for rule in problem.rules:
        sizes = _concerned_sizes(rule, plan)
        holds, value = rule_check(rule, sizes)
        if holds:
            continue
        if rule.kind == RuleKind.CAP:
            for number, cls in enumerate(plan["classes"], start=1):
                codes = class_codes(cls)
                if rule.concerns(codes) and class_size(cls) > rule.size:
                    problems.append(f"{_class_name(problem, number, codes)} has "
                                    f"{class_size(cls)} students; the rule “{rule.label}” "
                                    f"allows at most {rule.size}.")
        elif rule.kind == RuleKind.SHARE:
            small = sum(1 for s in sizes if s <= rule.size)
            problems.append(f"{small} of the {len(sizes)} classes the rule “{rule.label}” "
                            f"concerns have {rule.size} students or fewer; it needs at least "
                            f"{percent(rule.share)} of them.")
        else:
            problems.append(f"The {len(sizes)} classes the rule “{rule.label}” concerns "
                            f"average {value:.4g} students; it allows at most "
                            f"{float(Fraction(rule.average)):g}.")
    return problems


def _check_fixed(problem: Problem, plan: dict) -> list[str]:
    problems = []
    for i in missing_fixed(problem, plan):
        fixed = problem.fixed[i]
        counts = " and ".join(f"{n} of grade {code}" for code, n in fixed.grades)
        name = fixed.name(i)
        problems.append(f"The plan does not contain {name}: a class of {counts}.")
    allowed = Counter(tuple(sorted(f.grades)) for f in problem.fixed)
    for number, cls in enumerate(plan["classes"], start=1):
        if cls.get("fixed") is True:
            key = _counts_key(cls)
            if allowed[key] > 0:
                allowed[key] -= 1
            else:
                problems.append(f"Class {number} is marked fixed but is not one of the "
                                f"problem's fixed classes.")
    return problems
