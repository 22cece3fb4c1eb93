"""The search for the best plans, in rank order.

1. `fewest_classes`: the fewest classes that can hold everyone (min_teachers).
2. The best *level*: fewest composites, then most classes.
3. At that level, the smallest spread over *every* structure of the level, so ties on
   the first two criteria cannot hide a better spread.
4. The next alternative is the best remaining structure at the same level if any, else
   at the next level (step 2 again).
Each alternative is therefore the best plan of its structure, in rank order.

Two exact engines do steps 1-4. When the composites are pairs along a chain of grades
(the usual adjacent-grade composites), the dynamic programme of chain.py: it yields the
class-count range of every level (`ClassBounds`) and the k best structures of a level in
one pass. Otherwise the MIPs of model.py: a weighted objective whose weights provably
keep the lexicographic order for the level, a spread model over all structures of the
level, and no-good cuts between alternatives. Pyomo is only imported for the latter.
"""

from __future__ import annotations

import time

from .chain import (Chain, ClassBounds, DeadlineReached, best_structures, chain_of,
                    fewest_classes as chain_fewest_classes)
from .checker import check_plan, plan_figures
from .outcome import Outcome
from .plans import build_classes
from .problem import Problem


class SolverFault(RuntimeError):
    """The solver returned something that fails the independent checks."""


def stranded_grades(problem: Problem) -> list[str]:
    """Grades with students that no formable class can take."""
    held = {g for t in problem.class_types for g in t.grades}
    return [g.code for g in problem.grades if g.students > 0 and g.code not in held]


def fewest_classes(problem: Problem, deadline: float, engine: str | None = None):
    """The fewest classes that hold every student, teachers aside; and, for the MIP
    engine, the structure model's solver, ready for the search (else None).

    engine: "chain" or "mip"; by default the chain programme whenever it applies."""
    if not any(g.students for g in problem.grades):
        return Outcome("optimal", 0), None
    if stranded_grades(problem):
        return Outcome("infeasible"), None
    chain = chain_of(problem, problem.class_types) if engine != "mip" else None
    if chain is not None:
        fewest = chain_fewest_classes(chain, problem.class_types)
        return (Outcome("infeasible") if fewest is None else Outcome("optimal", fewest)), None
    from .highs import DeadlineSolver
    from .model import build_structure_model

    started = time.monotonic()
    model = build_structure_model(problem, problem.class_types)
    solver = DeadlineSolver(model, deadline)
    solver.build_seconds = time.monotonic() - started
    model.teacher_limit.deactivate()
    outcome = solver.minimize(model.fewest_classes)
    model.teacher_limit.activate()
    if outcome.has_solution:
        outcome.value = round(outcome.value)
    return outcome, solver


def _plan_from(problem: Problem, model) -> dict:
    from .model import counts_of, placement_of

    counts = counts_of(model)
    classes = build_classes(problem, problem.class_types, counts, placement_of(model))
    return {"classes": classes, "_counts": counts}


class _ChainSearch:
    """Plans in rank order by the dynamic programme of chain.py: levels in rank order
    (fewest composites, then most classes, at most `teachers`) from the exact class-count
    range of each composite count, and the k best structures of each level."""

    def __init__(self, problem: Problem, chain: Chain, deadline: float):
        self.problem = problem
        self.chain = chain
        self.deadline = deadline
        self.plans: list[dict] = []
        types = problem.class_types
        self.most_composites = sum(types[k].max_count for k in chain.edge if k is not None)
        self.bounds: ClassBounds | None = None
        self.build_seconds = 0.0   # the class-count tables
        self.search_seconds = 0.0  # the passes of the programme

    def run(self) -> str:
        problem, types = self.problem, self.problem.class_types
        try:
            for composites, classes in self._levels():
                started = time.monotonic()
                found = best_structures(types, self.chain, self.bounds, composites, classes,
                                        problem.alternatives - len(self.plans),
                                        self.deadline)
                self.search_seconds += time.monotonic() - started
                if found is None:
                    raise DeadlineReached
                for spread, counts, placed in found:
                    counts = {k: counts.get(k, 0) for k in range(len(types))}
                    self.plans.append({"classes": build_classes(problem, types, counts, placed),
                                       "_spread": spread})
                if len(self.plans) >= problem.alternatives:
                    break
        except DeadlineReached:
            # every plan found is proven (as the MIP engine: the first plan decides)
            return "optimal" if self.plans else "timeout"
        return "optimal" if self.plans else "infeasible"

    def _levels(self):
        """(composites, classes) of every level that may hold a plan, in rank order."""
        composites = 0
        while composites <= self.most_composites:
            if self.bounds is None or composites > self.bounds.composites:
                cover = min(self.most_composites, max(4, 2 * composites))
                started = time.monotonic()
                self.bounds = ClassBounds(self.chain, self.problem.class_types, cover,
                                          self.deadline)
                self.build_seconds += time.monotonic() - started
            span = self.bounds.level_range(composites)
            if span is not None:
                fewest, most = span
                yield from ((composites, n) for n in
                            range(min(most, self.problem.teachers), fewest - 1, -1))
            composites += 1


class _Search:
    """Plans in rank order, level by level by the MIPs; see the module's docstring."""

    def __init__(self, problem: Problem, structure):
        self.problem = problem
        self.structure = structure
        self.plans: list[dict] = []
        self.first_proven = True
        self.balance_solves = 0
        self.balance_seconds = 0.0
        self.build_seconds = 0.0

    def run(self) -> str:
        """Fills self.plans; returns the status: optimal, feasible, timeout or infeasible."""
        import pyomo.environ as pyo

        from .model import level_score

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
        from .highs import DeadlineSolver
        from .model import build_balance_model, exclude_structure

        problem = self.problem
        started = time.monotonic()
        model = build_balance_model(problem, problem.class_types, composites, classes)
        self.build_seconds += time.monotonic() - started
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


def solve_problem(problem: Problem, started: float | None = None,
                  engine: str | None = None) -> dict:
    """The contract's result for a valid problem (engine: see `fewest_classes`)."""
    from .diagnosis import diagnose

    started = time.monotonic() if started is None else started
    deadline = started + problem.time_limit_s
    result = {"name": problem.name, "status": "optimal", "plans": [], "diagnosis": [],
              "min_teachers": None}
    fewest, solver = fewest_classes(problem, deadline, engine)
    stats = {"structures": len(problem.class_types),
             "min_teachers_s": round(time.monotonic() - started, 4)}
    if fewest.has_solution:
        result["min_teachers"] = fewest.value
        stats["min_teachers_proven"] = fewest.status == "optimal"

    if fewest.status == "timeout":
        result["status"] = "timeout"
    elif fewest.status == "infeasible" or fewest.value > problem.teachers:
        result["status"] = "infeasible"
    elif not any(g.students for g in problem.grades):  # the empty plan is the only plan
        result["plans"] = finished(problem, [{"classes": []}])
    elif solver is None:
        search = _ChainSearch(problem, chain_of(problem, problem.class_types), deadline)
        result["status"] = search.run()
        result["plans"] = finished(problem, search.plans)
        stats.update(engine="chain", build_s=round(search.build_seconds, 4),
                     solver_s=round(search.search_seconds, 4))
    else:
        search = _Search(problem, solver)
        result["status"] = search.run()
        result["plans"] = finished(problem, search.plans)
        stats.update(engine="mip", balance_solves=search.balance_solves,
                     build_s=round(solver.build_seconds + search.build_seconds, 4),
                     solver_s=round(solver.seconds + search.balance_seconds, 4))
    if result["status"] == "infeasible":
        result["diagnosis"] = diagnose(problem, result["min_teachers"], deadline)
    stats["solve_s"] = round(time.monotonic() - started, 4)
    result["stats"] = stats
    return result
