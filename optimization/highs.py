"""HiGHS through Pyomo's persistent `pyomo.contrib.solver` interface, under a deadline.

The legacy `appsi_highs` wrapper ignores time limits; this one passes `time_limit` to
HiGHS. Presolve is off: our models are small, and HiGHS 1.15 presolve has reported a
wrong optimum on one of them. These MIPs now only serve schools whose composites do not
form a chain (see chain.py), so presolve's possible speed is not worth that risk.
"""

from __future__ import annotations

import time

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from .outcome import Outcome

OPTIONS = {"presolve": "off", "output_flag": False, "threads": 1}


class DeadlineSolver:
    """Minimises one of a model's objectives at a time, loading the solution into it."""

    def __init__(self, model: pyo.ConcreteModel, deadline: float):
        self.model = model
        self.deadline = deadline
        self.solver = Highs()
        self.solves = 0
        self.seconds = 0.0

    def minimize(self, objective) -> Outcome:
        for other in self.model.component_data_objects(pyo.Objective):
            other.deactivate()
        objective.activate()
        remaining = self.deadline - time.monotonic()
        if remaining <= 0.001:
            return Outcome("timeout")
        started = time.monotonic()
        results = self.solver.solve(
            self.model, time_limit=remaining, load_solutions=False,
            raise_exception_on_nonoptimal_result=False, rel_gap=0.0, abs_gap=0.5,
            solver_options=OPTIONS)
        self.solves += 1
        self.seconds += time.monotonic() - started
        condition = results.termination_condition
        if condition in (TerminationCondition.provenInfeasible,
                         TerminationCondition.infeasibleOrUnbounded):
            return Outcome("infeasible")
        if results.solution_status not in (SolutionStatus.optimal, SolutionStatus.feasible):
            return Outcome("timeout")
        results.solution_loader.load_vars()
        proven = condition == TerminationCondition.convergenceCriteriaSatisfied
        return Outcome("optimal" if proven else "feasible", pyo.value(objective))
