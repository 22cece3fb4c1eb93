"""Turning a structure and placement (counts per type) into concrete classes.

This is the constructive half of the argument in model.py: the students a type receives
are split as evenly as possible over its classes; inside a composite class every grade
first gets its minimum, then the remaining seats go, one at a time, to the grade with
the most students still waiting (which keeps the mix of grades even across classes).
"""

from __future__ import annotations

from .problem import ClassType, Problem


def even_sizes(total: int, classes: int) -> list[int]:
    """`classes` sizes adding up to `total`, differing by at most one, largest first."""
    base, extra = divmod(total, classes)
    return [base + 1] * extra + [base] * (classes - extra)


def split_type(ctype: ClassType, placed: dict[str, int], classes: int) -> list[dict]:
    """The classes of one type, given how many students of each grade it takes."""
    sizes = even_sizes(sum(placed.values()), classes)
    waiting = {g: placed[g] - ctype.min_per_grade * classes for g in ctype.grades}
    result = []
    for size in sizes:
        counts = {g: ctype.min_per_grade for g in ctype.grades}
        for _ in range(size - sum(counts.values())):
            g = max(ctype.grades, key=lambda code: waiting[code])
            counts[g] += 1
            waiting[g] -= 1
        result.append({"grades": {g: n for g, n in counts.items() if n > 0}})
    return result


def build_classes(problem: Problem, types: tuple[ClassType, ...], counts: dict[int, int],
                  placed: dict[tuple[int, str], int]) -> list[dict]:
    """Every class of the plan, in grade order (straight classes before composites)."""
    order = {g.code: i for i, g in enumerate(problem.grades)}
    classes = []
    for k, ctype in enumerate(types):
        if counts[k]:
            students = {g: placed[k, g] for g in ctype.grades}
            classes.extend(split_type(ctype, students, counts[k]))

    def position(cls):
        indices = sorted(order[g] for g in cls["grades"])
        return indices[0], len(indices), indices, -sum(cls["grades"].values())

    return sorted(classes, key=position)
