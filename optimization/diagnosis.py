"""Why no plan exists (or none was proven in time), in sentences a principal can act on.

Every question is answered by the same exact tool: the fewest classes of any plan,
teachers aside, for a variant of the problem (engines.fewest_classes): without one rule,
without one fixed class, with one grade's free students left out, with one more
composite allowed. A problem has a plan exactly when that number exists and is at most
the number of teachers. Each variant is solved under the same deadline; what the time
does not allow is left out, and the last sentence says so.
"""

from __future__ import annotations

from .deadline import Deadline
from .engines import fewest_classes, fixed_over_caps, stranded_grades
from .outcome import Status
from .problem import Composite, Grade, Problem


def _teachers(n: int) -> str:
    return f"{n} teacher" + ("" if n == 1 else "s")


def _fewest(problem: Problem, deadline: Deadline) -> int | None:
    """Fewest classes for the variant; None when impossible or when time ran out."""
    if deadline.passed():
        return None
    outcome = fewest_classes(problem, deadline)
    return outcome.value if outcome.status == Status.OPTIMAL else None


def _has_plan(problem: Problem, deadline: Deadline) -> tuple[bool, int | None]:
    fewest = _fewest(problem, deadline)
    return fewest is not None and fewest <= problem.teachers, fewest


def out_of_time(problem: Problem, stage: str, *, status: Status = Status.TIMEOUT,
                checks_failed: bool = False) -> list[str]:
    """The sentence for an answer cut short: stage "min_teachers" or "plans"."""
    limit = f"{problem.time_limit_s:g} s"
    if checks_failed:
        return ["An answer of the solver failed the independent check of its plans, so "
                "the plans shown (if any) obey every rule but are not proven best. Solve "
                "again; a longer time limit (time_limit_s) may help."]
    if stage == "min_teachers":
        return [f"The solver ran out of time (time limit {limit}) before it could prove how "
                f"many teachers the school needs, so no plan is given. Give it a longer time "
                f"limit (time_limit_s) for an answer."]
    if status == Status.FEASIBLE:
        return [f"The solver ran out of time (time limit {limit}): the plan shown obeys "
                f"every rule but is not proven best. Give it a longer time limit "
                f"(time_limit_s) for the best plan."]
    return [f"The solver ran out of time (time limit {limit}) before it found a plan, "
            f"although one exists. Give it a longer time limit (time_limit_s)."]


def diagnose(problem: Problem, min_teachers: int | None, deadline: Deadline) -> list[str]:
    """Sentences for an infeasible problem; min_teachers as proven (None: no number)."""
    sentences: list[str] = []
    if problem.teachers == 0:
        sentences.append("The school has no teachers, so no class can run.")
    over = fixed_over_caps(problem)
    for i, rule in over:
        fixed = problem.fixed[i]
        sentences.append(f"{_capital(fixed.name(i))} has {fixed.size} students, above the "
                         f"rule “{rule.label}” (at most {rule.size}), so no plan can contain "
                         f"it: make it smaller or unlock it.")
    if over:
        return sentences
    school = problem
    if problem.rules:
        said, rules_block = _rule_sentences(problem, min_teachers, deadline)
        sentences += said
        if not rules_block:
            if said:
                sentences.append("Even without its rules the school has no plan:")
            school = problem.with_changes(rules=())
            min_teachers = _fewest(school, deadline)
    if not problem.rules or school is not problem:
        sentences += _school_sentences(school, min_teachers, deadline)
    sentences += _fixed_sentences(problem, deadline)
    if deadline.passed():
        sentences.append(f"The solver ran out of time (time limit {problem.time_limit_s:g} s) "
                         f"before it could finish looking for what would help; a longer "
                         f"time limit (time_limit_s) gives a fuller explanation.")
    return sentences


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rule_sentences(problem: Problem, min_teachers: int | None,
                    deadline: Deadline) -> tuple[list[str], bool]:
    """Sentences naming the rules that block, and whether the rules are what blocks."""
    teachers = problem.teachers
    if min_teachers is None:
        needed = "With every rule, no number of teachers is enough."
    else:
        needed = (f"With every rule, the school needs at least {_teachers(min_teachers)}; "
                  f"it has {teachers}.")
    rules = problem.rules
    blocking = []
    for i, rule in enumerate(rules):
        feasible, fewest = _has_plan(problem.with_changes(rules=rules[:i] + rules[i + 1:]),
                                     deadline)
        if feasible:
            blocking.append((rule, fewest))
    if blocking:
        return [f"The rule “{rule.label}” blocks every plan: without it the school would "
                f"have a plan with its {_teachers(teachers)} (it would need at least "
                f"{fewest})." for rule, fewest in blocking] + [needed], True
    if len(rules) > 1 and _has_plan(problem.with_changes(rules=()), deadline)[0]:
        removed = list(range(len(rules)))  # shrink to a minimal set of rules to lift
        for i in list(removed):
            trial = [j for j in removed if j != i]
            kept = tuple(r for j, r in enumerate(rules) if j not in trial)
            if _has_plan(problem.with_changes(rules=kept), deadline)[0]:
                removed = trial
        names = " and ".join(f"“{rules[j].label}”" for j in removed)
        return [f"The rules {names} together block every plan: without them the school "
                f"would have a plan with its {_teachers(teachers)}, but not without only one "
                f"of them.", needed], True
    return ([needed] if min_teachers is not None or not deadline.passed() else []), False


def _fixed_sentences(problem: Problem, deadline: Deadline) -> list[str]:
    """Fixed classes whose unlocking alone would make a plan possible."""
    sentences = []
    for i, fixed in enumerate(problem.fixed[:20]):
        rest = problem.fixed[:i] + problem.fixed[i + 1:]
        if _has_plan(problem.with_changes(fixed=rest), deadline)[0]:
            sentences.append(f"Unlocking {fixed.name(i)} would make a plan possible with the "
                             f"{_teachers(problem.teachers)} the school has.")
    return sentences


def straight_classes_needed(problem: Problem, grade: Grade) -> int | None:
    """Fewest straight classes for a grade's free students alone; None when they cannot
    be split into classes of their own."""
    students = problem.free_students[grade.code]
    if students == 0:
        return 0
    straight = next((t for t in problem.class_types if t.grades == (grade.code,)), None)
    high = straight.max_size if straight else grade.max_class_size
    classes = -(-students // high)
    return classes if classes * grade.min_class_size <= students else None


def _why_grade_alone_fails(problem: Problem, grade: Grade) -> str:
    students = problem.free_students[grade.code]
    in_composite = any(grade.code in c.grades for c in problem.composites)
    if students < grade.min_class_size:
        reason = (f"Grade {grade.code} has {students} students, fewer than its "
                  f"minimum class size of {grade.min_class_size}")
    else:
        reason = (f"Grade {grade.code}'s {students} students cannot be split into "
                  f"classes of {grade.min_class_size} to {grade.max_class_size}")
    if in_composite:
        return reason + ", and no allowed composite class can take the rest of them."
    return reason + f", and no allowed composite class includes grade {grade.code}."


def _school_sentences(problem: Problem, min_teachers: int | None,
                      deadline: Deadline) -> list[str]:
    """Grades that cannot be placed, the teachers needed, composites that would help."""
    sentences: list[str] = []
    free = problem.free_students
    stranded = set(stranded_grades(problem))
    blocking = [g for g in problem.grades if g.code in stranded]
    if min_teachers is None and not blocking:
        for grade in problem.grades:
            if free[grade.code] == 0:
                continue
            fixed_students = grade.students - free[grade.code]
            without = problem.with_changes(grades=tuple(
                g if g is not grade else Grade(g.code, g.name, fixed_students,
                                               g.min_class_size, g.max_class_size)
                for g in problem.grades))
            if _fewest(without, deadline) is not None:
                blocking.append(grade)
    for grade in blocking:
        if straight_classes_needed(problem, grade) is None:
            sentences.append(_why_grade_alone_fails(problem, grade))
        else:
            sentences.append(f"Grade {grade.code}'s {free[grade.code]} students cannot be "
                             f"placed together with the other grades within the class "
                             f"size limits and allowed composites.")

    alone = [straight_classes_needed(problem, g) for g in problem.grades]
    without_composites = None if None in alone else sum(alone) + len(problem.fixed)
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


def _helpful_composites(problem: Problem, deadline: Deadline) -> list[str]:
    """Single extra composites of adjacent grades (default limits) that would fix it."""
    allowed = set(problem.composite_by_grades)
    helpful, with_more_teachers = [], []
    for first, second in zip(problem.grades, problem.grades[1:]):
        if tuple(sorted((first.code, second.code))) in allowed:
            continue
        if deadline.passed():
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
