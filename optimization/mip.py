"""The MIP engine: the models of model.py solved by HiGHS, for every problem.

Fewest classes: one solve of the count model.

Plans, in rank order. The ranking is lexicographic; its criteria are taken in *stages*:
groups of consecutive criteria whose figures, weighted so that each outweighs the whole
range of those after it, stay small integers (below WEIGHT_LIMIT, so a solver's
tolerances cannot trade one unit of an earlier criterion for later ones). The ranking's
leading structure criteria (composites, classes: a plan's *level*) form their own
stages. Each stage is one solve; its figures are then kept at the values found
(m.bound_<criterion>) for the next stage. After the last stage the plan is the best of
all plans; a no-good cut then excludes its structure, and the next plan is the best
plan of any other structure, so each plan is the best of its structure, in rank order:

* first among the other structures of the same level (the later stages again, the level
  kept); each stage's value can only stay or grow (a floor under it);
* when the level has none left (proven infeasible), from the first stage again, with
  a floor above the used-up level.
"""

from __future__ import annotations

import time

import pyomo.environ as pyo

from .deadline import Deadline, DeadlineReached
from .highs import DeadlineSolver
from .model import (Setting, build_count_model, build_plan_model, exclude_structure,
                    figure_values, solution_of)
from .outcome import FoundPlan, Outcome, Search, Status
from .plans import build_classes
from .problem import Problem

WEIGHT_LIMIT = 20_000
MAX_CELLS = 150_000  # a larger model would not be built in time and memory


class SolverDisagreement(Exception):
    """A solve contradicted the one before it (a later stage infeasible although the
    earlier one found a plan)."""


class MipEngine:
    name = "mip"

    def __init__(self, problem: Problem, deadline: Deadline):
        self.problem = problem
        self.deadline = deadline
        self.stats = {"build_s": 0.0, "solver_s": 0.0, "solves": 0}

    def fewest_classes(self) -> Outcome:
        setting = Setting(self.problem, teacher_limit=False, deadline=self.deadline)
        if setting.cells(one_hot=False) > MAX_CELLS:
            self.stats["too_large"] = True
            return Outcome(Status.TIMEOUT)
        try:
            model, solver = self._build(build_count_model, setting)
            outcome = solver.minimize(model.fewest_classes)
        except DeadlineReached:
            return Outcome(Status.TIMEOUT)
        self._count(solver)
        if outcome.status != Status.OPTIMAL:
            return Outcome(outcome.status if outcome.status == Status.INFEASIBLE
                           else Status.TIMEOUT)
        return Outcome(Status.OPTIMAL, round(outcome.value))

    def _build(self, builder, setting, *args):
        started = time.monotonic()
        model = builder(setting, *args)
        solver = DeadlineSolver(model, self.deadline)
        self.stats["build_s"] += time.monotonic() - started
        return model, solver

    def search(self, fewest: int | None = None) -> Search:
        """Plans in rank order; `fewest` (min_teachers, when known) narrows the model."""
        setting = Setting(self.problem, teacher_limit=True, deadline=self.deadline)
        try:
            if setting.cells(one_hot=True) > MAX_CELLS:
                self.stats["too_large"] = True
                return self._any_plan(setting)
            return self._search(setting, fewest)
        except DeadlineReached:  # while building a model
            return Search(Status.TIMEOUT, [], self.stats)

    def _any_plan(self, setting) -> Search:
        """A problem too large for the plan model: a plan of the count model (fewest
        composites, then most classes), not proven best by the whole ranking."""
        if setting.cells(one_hot=False) > MAX_CELLS:
            return Search(Status.TIMEOUT, [], self.stats)
        model, solver = self._build(build_count_model, setting)
        outcome = solver.minimize(model.fewest_composites_then_most_classes)
        self._count(solver)
        if not outcome.has_solution:
            return Search(Status.TIMEOUT, [], self.stats)
        return Search(Status.FEASIBLE, [self._plan(model, claimed=False)], self.stats)

    def _search(self, setting, fewest) -> Search:
        problem = self.problem
        model, solver = self._build(build_plan_model, setting, fewest)
        prefix, rest = _split(problem.ranking)
        groups = _groups(prefix, model.figure_range) + _groups(rest, model.figure_range)
        by_level = len(_groups(prefix, model.figure_range)) == 1
        stages = [_Stage(model, i, group) for i, group in enumerate(groups)]
        found: list[FoundPlan] = []
        status = Status.TIMEOUT  # what is known of the first plan
        same_level = False       # whether the last plan's level may hold more structures
        try:
            while len(found) < problem.alternatives:
                outcome, plan = Status.INFEASIBLE, None
                if same_level:  # the best remaining structure of the last plan's level
                    outcome, plan = self._solve(model, solver, stages[1:] or stages[:1],
                                                keep=stages[0].group)
                    if outcome == Status.INFEASIBLE:  # the level is used up
                        stages[0].floor.set_value(stages[0].value + 1)
                        for stage in stages[1:]:
                            stage.floor.set_value(stage.low)
                if outcome == Status.INFEASIBLE:
                    outcome, plan = self._solve(model, solver, stages)
                if not found:
                    status = outcome
                if plan is not None and (outcome == Status.OPTIMAL or not found):
                    found.append(plan)
                if outcome != Status.OPTIMAL:
                    break  # the time ran out, or no structure is left
                cut = exclude_structure(model, self._structure(model))
                if cut is None:
                    break  # a plan of fixed classes only: the one structure there is
                solver.add([cut])
                # the next plan ranks no better than this one: neither does its first
                # stage, nor, within the same level, its later stages
                same_level = by_level
                for stage in stages if same_level else stages[:1]:
                    stage.floor.set_value(stage.value)
        except SolverDisagreement:
            self.stats["disagreement"] = True
        finally:
            self._count(solver)
        return Search(status, found, self.stats)

    def _solve(self, model, solver, stages, keep=()):
        """(status, plan) of the best plan among the structures not excluded yet, the
        figures in `keep` kept where they are: the stages solved in turn, each stage's
        figures kept at their optimum for the next."""
        for criterion, param in model.bound.items():
            if criterion not in keep:
                low, high = model.figure_range[criterion]
                param.set_value(low if criterion == "classes" else high)
        for i, stage in enumerate(stages):
            outcome = solver.minimize(stage.objective)
            if outcome.status == Status.INFEASIBLE:
                if i:
                    raise SolverDisagreement
                return Status.INFEASIBLE, None
            if outcome.status == Status.TIMEOUT:
                return Status.TIMEOUT, None
            if outcome.status == Status.FEASIBLE:
                return Status.FEASIBLE, self._plan(model)
            stage.value = round(outcome.value)
            values = figure_values(model)
            for criterion in stage.group:
                model.bound[criterion].set_value(values[criterion])
        return Status.OPTIMAL, self._plan(model)

    def _plan(self, model, claimed: bool = True) -> FoundPlan:
        counts, placed = solution_of(model)
        kinds = model.setting.kinds
        groups = [(q.grades, q.min_per_grade, counts[i], {g: placed[i, g] for g in q.grades})
                  for i, q in enumerate(kinds)]
        values = figure_values(model) if claimed else {}
        return FoundPlan(build_classes(self.problem, groups),
                         {c: values[c] for c in self.problem.ranking if c in values})

    @staticmethod
    def _structure(model) -> dict[int, int]:
        counts, _ = solution_of(model)
        by_type: dict[int, int] = {}
        for i, q in enumerate(model.setting.kinds):
            by_type[q.type_index] = by_type.get(q.type_index, 0) + counts[i]
        return by_type

    def _count(self, solver: DeadlineSolver) -> None:
        self.stats["solver_s"] += solver.seconds
        self.stats["solves"] += solver.solves


class StructureSolver:
    """The best plan of one given structure by the whole ranking, every rule included:
    the plan model with the structure's class counts fixed. The chain programme uses it
    to solve exactly the structures its relaxation proposes (chain.py)."""

    def __init__(self, problem: Problem, deadline: Deadline):
        self.engine = MipEngine(problem, deadline)
        setting = Setting(problem, teacher_limit=True, deadline=deadline)
        self.model, self.solver = self.engine._build(build_plan_model, setting)
        _, sizes = _split(problem.ranking)
        groups = _groups(sizes, self.model.figure_range) or [["classes"]]
        self.stages = [_Stage(self.model, i, group) for i, group in enumerate(groups)]
        self.type_of = {problem.class_types[k].grades: k for k in self.model.type_indexes}

    def best(self, structure: dict[tuple[str, ...], int]):
        """(figures, plan) of the structure's best plan; None when it has none. Raises
        DeadlineReached when the time runs out before that is proven."""
        if any(n and grades not in self.type_of for grades, n in structure.items()):
            return None  # a type the teachers or the students leave no room for
        chosen = [self.model.type_count_binary(k, structure.get(grades, 0))
                  for grades, k in self.type_of.items()]
        if None in chosen:
            return None
        for binary in chosen:
            self.solver.fix(binary, 1, 1)
        try:
            outcome, plan = self.engine._solve(self.model, self.solver, self.stages)
        except SolverDisagreement:
            raise DeadlineReached from None  # not proven: as if out of time
        finally:
            for binary in chosen:
                self.solver.fix(binary, 0, 1)
        if outcome == Status.INFEASIBLE:
            return None
        if outcome != Status.OPTIMAL:
            raise DeadlineReached
        return figure_values(self.model), plan


def _split(ranking) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ranking's leading structure criteria (a plan's *level*) and the rest."""
    count = 0
    while count < len(ranking) and ranking[count] in ("composites", "classes"):
        count += 1
    return tuple(ranking[:count]), tuple(ranking[count:])


def _groups(ranking, ranges) -> list[list[str]]:
    """Consecutive criteria whose weighted combination stays below WEIGHT_LIMIT."""
    groups, current, span = [], [], 1
    for criterion in ranking:
        low, high = ranges[criterion]
        width = high - low + 1
        if current and span * width > WEIGHT_LIMIT:
            groups.append(current)
            current, span = [], 1
        current.append(criterion)
        span *= width
    if current:
        groups.append(current)
    return groups


class _Stage:
    """One solve of the lexicographic sequence: a group of consecutive criteria
    minimised as one weighted sum (each outweighing the whole range of those after it;
    `classes` counts negatively, more being better), with a floor under that sum."""

    def __init__(self, model, index: int, group: list[str]):
        self.group = group
        expr, weight, low = 0, 1, 0
        for criterion in reversed(group):
            least, most = model.figure_range[criterion]
            sign = -1 if criterion == "classes" else 1
            expr = expr + weight * sign * model.figure[criterion]
            low += weight * (-most if criterion == "classes" else least)
            weight *= most - least + 1
        self.low = self.value = low
        self.objective = pyo.Objective(expr=expr, sense=pyo.minimize)
        self.objective.deactivate()
        model.add_component(f"rank_stage_{index}", self.objective)
        self.floor = pyo.Param(mutable=True, initialize=low)
        model.add_component(f"rank_stage_{index}_floor", self.floor)
        model.add_component(f"rank_stage_{index}_no_better_than_found",
                            pyo.Constraint(expr=expr >= self.floor))
