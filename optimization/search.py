"""The search for the best plans, in rank order.

1. `fewest_classes`: the fewest classes that can hold everyone (min_teachers).
2. The best *level*: fewest composites, then most classes (one weighted objective whose
   weights provably keep the lexicographic order; see model.py).
3. At that level, the smallest spread over *every* structure of the level: the spread
   model ranges over all structures with those two figures, so ties on the first two
   criteria cannot hide a better spread.
4. A no-good cut excludes the structure found; the next alternative is the best remaining
   structure at the same level if any, else at the next level (step 2 again).
Each alternative is therefore the best plan of its structure, in rank order.
"""

from __future__ import annotations

import time

import pyomo.environ as pyo

from .checker import check_plan, plan_figures
from .highs import DeadlineSolver, Outcome
from .model import build_model, exclude_structure, structure_of
from .plans import build_classes
from .problem import Problem


class SolverFault(RuntimeError):
    """The solver returned something that fails the independent checks."""


def stranded_grades(problem: Problem) -> list[str]:
    """Grades with students that no formable class can take."""
    held = {g for t in problem.class_types for g in t.grades}
    return [g.code for g in problem.grades if g.students > 0 and g.code not in held]


def fewest_classes(problem: Problem, deadline: float) -> tuple[Outcome, DeadlineSolver | None]:
    """The fewest classes that hold every student, teachers aside."""
    if not any(g.students for g in problem.grades):
        return Outcome("optimal", 0), None
    if stranded_grades(problem):
        return Outcome("infeasible"), None
    model = build_model(problem, problem.class_types)
    solver = DeadlineSolver(model, deadline)
    model.teacher_limit.deactivate()
    outcome = solver.minimize(model.fewest_classes)
    model.teacher_limit.activate()
    if outcome.has_solution:
        outcome.value = round(outcome.value)
    return outcome, solver


def _read_plan(problem: Problem, model) -> dict:
    types = problem.class_types
    counts = structure_of(model, types)
    placed = {(k, g): round(pyo.value(model.placed[k, g])) for k, g in model.MEMBERS}
    return {"classes": build_classes(problem, types, counts, placed), "_counts": counts}


def best_plans(problem: Problem, solver: DeadlineSolver) -> tuple[list[dict], str]:
    """Up to `alternatives` plans, best first, and how the search ended: "optimal" (the
    first plan is proven best), "feasible" (time ran out) or "infeasible" (no plan)."""
    model, types = solver.model, problem.class_types
    plans: list[dict] = []
    ended = "optimal"
    level_fixed = False
    while len(plans) < problem.alternatives:
        just_leveled = False
        if not level_fixed:
            level = solver.minimize(model.best_structure)
            if level.status == "infeasible":
                ended = ended if plans else "infeasible"
                break
            if level.status != "optimal":
                ended = "feasible" if not plans else ended
                if level.has_solution:  # time ran out; the structure found is still valid
                    plans.append(_read_plan(problem, model))
                break
            model.composites_target.set_value(round(pyo.value(model.composite_classes)))
            model.classes_target.set_value(round(pyo.value(model.classes)))
            _fix_level(model, True)
            level_fixed = just_leveled = True
        balance = solver.minimize(model.smallest_spread)
        if balance.status == "infeasible":
            # every structure of this level is taken: move on to the next level
            _fix_level(model, False)
            level_fixed = False
            continue
        if not balance.has_solution:
            # time ran out: the level's solution, if it is what the model holds, is valid
            ended = "feasible" if not plans else ended
            if just_leveled:
                plans.append(_read_plan(problem, model))
            break
        if balance.status != "optimal":
            ended = "feasible" if not plans else ended
        plan = _read_plan(problem, model)
        plans.append(plan)
        if balance.status != "optimal":
            break
        plan["_spread"] = round(balance.value)  # proven: the plan's own spread must match
        exclude_structure(model, types, plan["_counts"])
    if ended == "feasible" and not plans:
        ended = "timeout"
    return plans, ended


def _fix_level(model, fixed: bool) -> None:
    for constraint in (model.composites_fixed, model.classes_fixed):
        constraint.activate() if fixed else constraint.deactivate()


def finished(problem: Problem, raw_plans: list[dict]) -> list[dict]:
    """The plans in the result's format, each checked independently of the model."""
    plans = []
    for rank, raw in enumerate(raw_plans, start=1):
        plan = {"classes": raw["classes"]}
        broken = check_plan(problem, plan)
        if broken:
            raise SolverFault("The solver's plan breaks the rules: " + " ".join(broken))
        figures = plan_figures(plan)
        if "_spread" in raw and figures["spread"] != raw["_spread"]:
            raise SolverFault(f"The solver's spread {raw['_spread']} differs from the "
                              f"plan's own spread {figures['spread']}.")
        plans.append({"rank": rank, "classes": plan["classes"],
                      "composites": figures["composites"], "spread": figures["spread"]})
    keys = [(p["composites"], -len(p["classes"]), p["spread"]) for p in plans]
    if keys != sorted(keys):
        raise SolverFault(f"The solver's plans are out of rank order: {keys}.")
    return plans


def solve_problem(problem: Problem, started: float | None = None) -> dict:
    """The contract's result for a valid problem."""
    from .diagnosis import diagnose

    started = time.monotonic() if started is None else started
    deadline = started + problem.time_limit_s
    result = {"name": problem.name, "status": "optimal", "plans": [], "diagnosis": [],
              "min_teachers": None}
    fewest, solver = fewest_classes(problem, deadline)
    stats = {"structures": len(problem.class_types)}
    if fewest.has_solution:
        result["min_teachers"] = fewest.value
        stats["min_teachers_proven"] = fewest.status == "optimal"

    if fewest.status == "timeout":
        result["status"] = "timeout"
    elif fewest.status == "infeasible" or fewest.value > problem.teachers:
        result["status"] = "infeasible"
    elif solver is None:  # no students at all: the empty plan is the only plan
        result["plans"] = finished(problem, [{"classes": []}])
    else:
        raw_plans, ended = best_plans(problem, solver)
        result["plans"] = finished(problem, raw_plans)
        result["status"] = ended
    if solver is not None:
        stats.update(solves=solver.solves, solver_s=round(solver.seconds, 4))
    if result["status"] == "infeasible":
        result["diagnosis"] = diagnose(problem, result["min_teachers"], deadline)
    stats["solve_s"] = round(time.monotonic() - started, 4)
    result["stats"] = stats
    return result
