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
from .model import (build_balance_model, build_structure_model, counts_of,
                    exclude_structure, level_score, placement_of)
from .plans import build_classes
from .problem import Problem


class SolverFault(RuntimeError):
    """The solver returned something that fails the independent checks."""


def stranded_grades(problem: Problem) -> list[str]:
    """Grades with students that no formable class can take."""
    held = {g for t in problem.class_types for g in t.grades}
    return [g.code for g in problem.grades if g.students > 0 and g.code not in held]


def fewest_classes(problem: Problem, deadline: float) -> tuple[Outcome, DeadlineSolver | None]:
    """The fewest classes that hold every student, teachers aside; and the structure
    model's solver, ready for the search."""
    if not any(g.students for g in problem.grades):
        return Outcome("optimal", 0), None
    if stranded_grades(problem):
        return Outcome("infeasible"), None
    model = build_structure_model(problem, problem.class_types)
    solver = DeadlineSolver(model, deadline)
    model.teacher_limit.deactivate()
    outcome = solver.minimize(model.fewest_classes)
    model.teacher_limit.activate()
    if outcome.has_solution:
        outcome.value = round(outcome.value)
    return outcome, solver


def _plan_from(problem: Problem, model) -> dict:
    counts = counts_of(model)
    classes = build_classes(problem, problem.class_types, counts, placement_of(model))
    return {"classes": classes, "_counts": counts}


class _Search:
    """Plans in rank order, level by level; see the module's docstring."""

    def __init__(self, problem: Problem, structure: DeadlineSolver):
        self.problem = problem
        self.structure = structure
        self.plans: list[dict] = []
        self.first_proven = True
        self.balance_solves = 0
        self.balance_seconds = 0.0

    def run(self) -> str:
        """Fills self.plans; returns the status: optimal, feasible, timeout or infeasible."""
        problem, model = self.problem, self.structure.model
        while len(self.plans) < problem.alternatives:
            level = self.structure.minimize(model.best_level)
            if level.status == "infeasible":
                break  # no structure left
            if level.status != "optimal":
                self._time_ran_out(model if level.has_solution else None)
                break
            composites = round(pyo.value(model.composite_classes))
            classes = round(pyo.value(model.classes))
            if not self._level_plans(composites, classes):
                break
            model.score_floor.set_value(level_score(problem, composites, classes) + 1)
            model.worse_than_levels_done.activate()
        if not self.plans:
            return "infeasible" if self.first_proven else "timeout"
        return "optimal" if self.first_proven else "feasible"

    def _time_ran_out(self, model_with_solution) -> None:
        if not self.plans:
            self.first_proven = False
        if model_with_solution is not None:
            self.plans.append(_plan_from(self.problem, model_with_solution))

    def _level_plans(self, composites: int, classes: int) -> bool:
        """The best structures of one level, best first; False when time ran out."""
        problem = self.problem
        model = build_balance_model(problem, problem.class_types, composites, classes)
        solver = DeadlineSolver(model, self.structure.deadline)
        try:
            first = True
            while len(self.plans) < problem.alternatives:
                outcome = solver.minimize(model.smallest_spread)
                if outcome.status == "infeasible":
                    return True  # every structure of the level is taken
                if outcome.status != "optimal":
                    # the structure model still holds this level's first structure
                    fallback = model if outcome.has_solution else (
                        self.structure.model if first else None)
                    self._time_ran_out(fallback)
                    return False
                plan = _plan_from(problem, model)
                plan["_spread"] = round(outcome.value)  # proven: the plan must agree
                self.plans.append(plan)
                exclude_structure(model, plan["_counts"])
                first = False
            return True
        finally:
            self.balance_solves += solver.solves
            self.balance_seconds += solver.seconds


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
        search = _Search(problem, solver)
        result["status"] = search.run()
        result["plans"] = finished(problem, search.plans)
        stats.update(balance_solves=search.balance_solves,
                     balance_s=round(search.balance_seconds, 4))
    if solver is not None:
        stats.update(solves=solver.solves, solver_s=round(solver.seconds, 4))
    if result["status"] == "infeasible":
        result["diagnosis"] = diagnose(problem, result["min_teachers"], deadline)
    stats["solve_s"] = round(time.monotonic() - started, 4)
    result["stats"] = stats
    return result
