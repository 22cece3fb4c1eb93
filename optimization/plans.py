"""Turning counts and placement into concrete classes: the constructive half of kinds.py.

The students a kind receives are split as evenly as possible over its classes; inside a
composite class every grade first gets its minimum, then the remaining seats go, one at
a time, to the grade with the most students still waiting (which keeps the mix of grades
even across classes). Fixed classes come as they were given, marked "fixed".
"""

from __future__ import annotations

from .problem import Problem


def even_sizes(total: int, classes: int) -> list[int]:
    """`classes` sizes adding up to `total`, differing by at most one, largest first."""
    base, extra = divmod(total, classes)
    return [base + 1] * extra + [base] * (classes - extra)


def split_evenly(grades: tuple[str, ...], min_per_grade: int, placed: dict[str, int],
                 classes: int) -> list[dict]:
    """The classes of one kind, given how many students of each grade it takes."""
    sizes = even_sizes(sum(placed.values()), classes)
    waiting = {g: placed[g] - min_per_grade * classes for g in grades}
    result = []
    for size in sizes:
        counts = {g: min_per_grade for g in grades}
        for _ in range(size - sum(counts.values())):
            g = max(grades, key=lambda code: waiting[code])
            counts[g] += 1
            waiting[g] -= 1
        result.append({"grades": {g: n for g, n in counts.items() if n > 0}})
    return result


def build_classes(problem: Problem, groups) -> list[dict]:
    """Every class of the plan, in grade order (straight classes before composites).

    groups: (grades, min_per_grade, classes, {grade: students}) per kind used."""
    classes = [{"grades": f.counts, "fixed": True} for f in problem.fixed]
    for grades, min_per_grade, count, placed in groups:
        if count:
            classes.extend(split_evenly(grades, min_per_grade, placed, count))
    order = problem.grade_order

    def position(cls):
        indices = sorted(order[g] for g in cls["grades"])
        return indices[0], len(indices), indices, -sum(cls["grades"].values())

    return sorted(classes, key=position)
