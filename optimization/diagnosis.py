"""Why no plan exists, in sentences a principal can act on.

Every question is answered by the same exact tool: the fewest classes that can hold
everyone (teachers aside) for a variant of the problem, e.g. with one grade left out or
one extra composite allowed. A problem has a plan exactly when that number exists and is
at most the number of teachers.
"""

from __future__ import annotations

import time

from .problem import Composite, Grade, Problem


def _fewest(problem: Problem, deadline: float) -> int | None:
    """Fewest classes for the variant; None when impossible or when time ran out."""
    from .search import fewest_classes

    outcome, _ = fewest_classes(problem, deadline)
    return outcome.value if outcome.status == "optimal" else None


def straight_classes_needed(grade: Grade) -> int | None:
    """Fewest straight classes for a grade alone; None when its students cannot be split."""
    if grade.students == 0:
        return 0
    classes = -(-grade.students // grade.max_class_size)
    return classes if classes * grade.min_class_size <= grade.students else None


def _teachers(n: int) -> str:
    return f"{n} teacher" + ("" if n == 1 else "s")


def _why_grade_alone_fails(problem: Problem, grade: Grade) -> str:
    in_composite = any(grade.code in c.grades for c in problem.composites)
    if grade.students < grade.min_class_size:
        reason = (f"Grade {grade.code} has {grade.students} students, fewer than its "
                  f"minimum class size of {grade.min_class_size}")
    else:
        reason = (f"Grade {grade.code}'s {grade.students} students cannot be split into "
                  f"classes of {grade.min_class_size} to {grade.max_class_size}")
    if in_composite:
        return reason + ", and no allowed composite class can take the rest of them."
    return reason + f", and no allowed composite class includes grade {grade.code}."


def diagnose(problem: Problem, min_teachers: int | None, deadline: float) -> list[str]:
    sentences: list[str] = []
    if problem.teachers == 0:
        sentences.append("The school has no teachers, so no class can run.")

    # grades that cannot be placed at all
    held = {g for t in problem.class_types for g in t.grades}
    blocking = [g for g in problem.grades if g.students and g.code not in held]
    if min_teachers is None and not blocking:
        for grade in problem.grades:
            if grade.students and time.monotonic() < deadline:
                without = problem.with_changes(grades=tuple(
                    g if g is not grade else Grade(g.code, g.name, 0, g.min_class_size,
                                                   g.max_class_size)
                    for g in problem.grades))
                if _fewest(without, deadline) is not None:
                    blocking.append(grade)
    for grade in blocking:
        if straight_classes_needed(grade) is None:
            sentences.append(_why_grade_alone_fails(problem, grade))
        else:
            sentences.append(f"Grade {grade.code}'s {grade.students} students cannot be "
                             f"placed together with the other grades within the class "
                             f"size limits and allowed composites.")

    # how many teachers would do
    alone = [straight_classes_needed(g) for g in problem.grades]
    without_composites = None if None in alone else sum(alone)
    if min_teachers is None:
        sentences.append("No number of teachers is enough with the composites allowed now.")
    else:
        sentences.append(f"Placing every student needs at least {_teachers(min_teachers)} "
                         f"(one per class) with the composites allowed now; the school has "
                         f"{problem.teachers}.")
    if problem.composites or min_teachers is None:
        if without_composites is not None:
            sentences.append(f"Without composite classes it would need "
                             f"{_teachers(without_composites)}.")
        else:
            names = ", ".join(g.code for g, n in zip(problem.grades, alone) if n is None)
            sentences.append(f"Without composite classes no number of teachers would do: "
                             f"grade(s) {names} cannot form classes of their own.")

    sentences.extend(_helpful_composites(problem, deadline))
    return sentences


def _helpful_composites(problem: Problem, deadline: float) -> list[str]:
    """Single extra composites of adjacent grades (default limits) that would fix it."""
    allowed = set(problem.composite_by_grades)
    helpful, with_more_teachers = [], []
    for first, second in zip(problem.grades, problem.grades[1:]):
        if tuple(sorted((first.code, second.code))) in allowed:
            continue
        if time.monotonic() >= deadline:
            break
        extra: Composite = problem.default_composite((first.code, second.code))
        fewest = _fewest(problem.with_changes(composites=problem.composites + (extra,)),
                         deadline)
        if fewest is None:
            continue
        if fewest <= problem.teachers:
            helpful.append(f"Allowing a {extra.label} composite class would make a plan "
                           f"possible with the {_teachers(problem.teachers)} the school has.")
        else:
            with_more_teachers.append(f"Allowing a {extra.label} composite class would make "
                                      f"a plan possible with {_teachers(fewest)}.")
    return helpful or with_more_teachers[:3]
