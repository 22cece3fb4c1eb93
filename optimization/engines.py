"""The two exact engines and which one serves a problem.

* "chain": the dynamic programme of chain.py, for composites that are pairs along a
  line of grades (line.applies): version 1, caps, fixed classes and `largest` exactly;
  share and average rules through a relaxation whose structures the MIP solves one by
  one. It needs numpy (and Pyomo for those rules).
* "mip": the models of model.py with HiGHS, for every problem. It needs Pyomo.

Each engine offers `fewest_classes() -> Outcome` and `search(fewest) -> Search`. Both
modules are imported only when a problem needs them: numpy and Pyomo are slow to
import, and an invalid or trivial problem needs neither.
"""

from __future__ import annotations

from .checker import rule_check
from .deadline import Deadline
from .line import applies as chain_applies
from .outcome import Outcome, Status
from .problem import Problem, RuleKind

ENGINES = ("chain", "mip")


def make_engine(problem: Problem, deadline: Deadline, name: str | None = None):
    """The engine `name`, or by default the chain programme wherever it applies."""
    if name is None:
        name = "chain" if chain_applies(problem) else "mip"
    if name == "chain":
        from .chain import ChainEngine  # noqa: PLC0415  (deferred: numpy)

        if not chain_applies(problem):
            raise ValueError("the chain programme does not apply to this problem")
        return ChainEngine(problem, deadline)
    if name == "mip":
        from .mip import MipEngine  # noqa: PLC0415  (deferred: Pyomo)

        return MipEngine(problem, deadline)
    raise ValueError(f"unknown engine {name!r} (one of {', '.join(ENGINES)})")


def stranded_grades(problem: Problem) -> list[str]:
    """Grades with free students that no class can take."""
    held = {g for t in problem.class_types for g in t.grades}
    free = problem.free_students
    return [g.code for g in problem.grades if free[g.code] > 0 and g.code not in held]


def fixed_over_caps(problem: Problem) -> list[tuple[int, object]]:
    """(fixed class index, cap rule) for every fixed class above a cap concerning it."""
    return [(i, rule) for i, fixed in enumerate(problem.fixed)
            for rule in problem.rules_of(RuleKind.CAP)
            if rule.concerns(fixed.codes) and fixed.size > rule.size]


def fixed_classes_obey_rules(problem: Problem) -> bool:
    """Whether the fixed classes alone obey every rule (a plan of only them)."""
    return all(rule_check(rule, [f.size for f in problem.fixed if rule.concerns(f.codes)])[0]
               for rule in problem.rules)


def settled(problem: Problem) -> Outcome | None:
    """The fewest classes when no engine is needed: a grade no class can take or a fixed
    class above a cap (no plan at all), or no free student (the fixed classes alone)."""
    if stranded_grades(problem) or fixed_over_caps(problem):
        return Outcome(Status.INFEASIBLE)
    if not any(problem.free_students.values()):
        if fixed_classes_obey_rules(problem):
            return Outcome(Status.OPTIMAL, len(problem.fixed))
        return Outcome(Status.INFEASIBLE)
    return None


def fewest_classes(problem: Problem, deadline: Deadline, engine: str | None = None) -> Outcome:
    """The fewest classes of any plan, teachers aside (min_teachers), as an Outcome:
    OPTIMAL with the number, INFEASIBLE (no number of classes will do) or TIMEOUT."""
    return settled(problem) or make_engine(problem, deadline, engine).fewest_classes()
