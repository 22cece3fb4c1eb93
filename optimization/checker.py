"""An independent check of plans against the rules, and their ranking figures.

Pure Python, sharing nothing with the optimisation model: every plan the solver returns
passes through `check_plan` first, and so can a plan edited by hand.

A plan is {"classes": [{"grades": {code: students}}, ...]}.
"""

from __future__ import annotations

from collections import Counter

from .problem import Problem, parse_problem


def _class_grades(cls) -> tuple[str, ...]:
    return tuple(sorted(code for code, n in cls["grades"].items() if n > 0))


def _class_size(cls) -> int:
    return sum(cls["grades"].values())


def plan_figures(plan: dict) -> dict:
    """The ranking figures of a plan: composite classes, classes, spread.

    The spread is the sum over grades of (largest - smallest size of the classes holding
    that grade), a class's size counting all its students.
    """
    sizes: dict[str, list[int]] = {}
    composites = 0
    for cls in plan["classes"]:
        codes = _class_grades(cls)
        composites += len(codes) > 1
        for code in codes:
            sizes.setdefault(code, []).append(_class_size(cls))
    return {"composites": composites, "classes": len(plan["classes"]),
            "spread": sum(max(s) - min(s) for s in sizes.values())}


def rank_key(plan: dict) -> tuple[int, int, int]:
    """Smaller is better: fewest composites, then most classes, then smallest spread."""
    figures = plan_figures(plan)
    return figures["composites"], -figures["classes"], figures["spread"]


def structure_of(plan: dict) -> tuple:
    """How many classes of each grade set: plans with equal structure differ only in sizes."""
    return tuple(sorted(Counter(_class_grades(cls) for cls in plan["classes"]).items()))


def check_plan(problem: dict | Problem, plan: dict) -> list[str]:
    """Every rule the plan breaks, as sentences naming the class and grade; [] when valid."""
    problem = parse_problem(problem)
    classes = plan.get("classes") if isinstance(plan, dict) else None
    if not isinstance(classes, list):
        return ["The plan has no list of classes."]
    problems: list[str] = []
    placed = Counter()
    for number, cls in enumerate(classes, start=1):
        counts = cls.get("grades") if isinstance(cls, dict) else None
        if not isinstance(counts, dict) or not counts:
            problems.append(f"Class {number} lists no grades.")
            continue
        problems.extend(_check_class(problem, number, counts, placed))
    for grade in problem.grades:
        if placed[grade.code] != grade.students:
            problems.append(f"Grade {grade.code} has {grade.students} students but "
                            f"{placed[grade.code]} are placed in classes.")
    if len(classes) > problem.teachers:
        problems.append(f"The plan has {len(classes)} classes but only "
                        f"{problem.teachers} teachers.")
    return problems


def _check_class(problem: Problem, number: int, counts: dict, placed: Counter) -> list[str]:
    problems = []
    for code, n in counts.items():
        if code not in problem.grade_by_code:
            problems.append(f"Class {number} names grade {code!r}, which the school "
                            f"does not have.")
        elif not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            problems.append(f"Class {number} lists {n!r} students of grade {code}; "
                            f"list only the grades it holds, with a positive whole number.")
    if problems:
        return problems
    for code, n in counts.items():
        placed[code] += n
    codes = tuple(sorted(counts))
    size = sum(counts.values())
    order = {g.code: i for i, g in enumerate(problem.grades)}
    label = "/".join(sorted(codes, key=order.get))
    if len(codes) == 1:
        grade = problem.grade_by_code[codes[0]]
        name = f"Class {number} (grade {label})"
        low, high = grade.min_class_size, grade.max_class_size
    else:
        composite = problem.composite_by_grades.get(codes)
        name = f"Class {number} (grades {label})"
        if composite is None:
            return [f"{name} mixes grades {label}, which is not an allowed composite."]
        low, high = composite.min_class_size, composite.max_class_size
        for code in composite.grades:
            if counts[code] < composite.min_per_grade:
                problems.append(f"{name} has {counts[code]} students of grade {code}; "
                                f"a composite needs at least {composite.min_per_grade}.")
    if size > high:
        problems.append(f"{name} has {size} students; the most allowed is {high}.")
    if size < low:
        problems.append(f"{name} has {size} students; the fewest allowed is {low}.")
    return problems
