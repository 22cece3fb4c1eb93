"""HiGHS (highspy >= 1.15.1) for the Pyomo models of model.py, under a deadline.

A model is translated into HiGHS once (every active constraint a row, through Pyomo's
own linear representation); then each solve only changes what changed: the objective,
the bounds of the rows whose limits are mutable parameters, and the rows added since
(cuts). This avoids the per-solve overhead of Pyomo's generic solver interface (output
capture and a configuration object per solve), which dominates on small models.

Each solve gets the time left as HiGHS's `time_limit`; a solve that stops on it reports
its incumbent as `feasible` (not proven), never as optimal or infeasible. Gaps are zero
in relative terms and below one in absolute terms: every objective here is
integer-valued, so "optimal" is a proof. Presolve is on: the brute-force comparisons
(tests/optimization) pass with it on both engines' models.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr import is_constant
from pyomo.repn import generate_standard_repn

from .deadline import Deadline
from .outcome import Outcome, Status

OPTIONS = {"presolve": "on", "output_flag": False, "threads": 1, "mip_rel_gap": 0.0,
           "mip_abs_gap": 0.5}
LEAST_USEFUL_SECONDS = 0.002
INF = highspy.kHighsInf


class NotLinear(ValueError):
    """A constraint or objective that is not linear (a modelling mistake)."""


class DeadlineSolver:
    """Minimises one expression or objective of a model at a time, loading the solution
    into the model's variables."""

    def __init__(self, model: pyo.ConcreteModel, deadline: Deadline):
        self.model = model
        self.deadline = deadline
        self.solves = 0
        self.seconds = 0.0
        self.highs = highspy.Highs()
        for key, value in OPTIONS.items():
            self.highs.setOptionValue(key, value)
        self.variables: list = []
        self.column: dict[int, int] = {}
        self.rows = 0
        self.mutable: list = []  # (constraint, row, constant) with parameter limits
        self._add_variables(model.component_data_objects(pyo.Var, descend_into=True))
        self.add(model.component_data_objects(pyo.Constraint, active=True, descend_into=True))

    def _add_variables(self, variables) -> None:
        lower, upper, kinds = [], [], []
        for var in variables:
            self.column[id(var)] = len(self.variables)
            self.variables.append(var)
            lower.append(-INF if var.lb is None else var.lb)
            upper.append(INF if var.ub is None else var.ub)
            kinds.append(highspy.HighsVarType.kInteger if var.is_integer()
                         else highspy.HighsVarType.kContinuous)
        if not lower:
            return
        first = len(self.variables) - len(lower)
        self.highs.addVars(len(lower), np.array(lower, dtype=np.double),
                           np.array(upper, dtype=np.double))
        self.highs.changeColsIntegrality(len(kinds), np.arange(first, len(self.variables)),
                                         np.array(kinds))

    def _linear(self, expr):
        repn = generate_standard_repn(expr, compute_values=True)
        if not repn.is_linear():
            raise NotLinear(str(expr)[:200])
        new = [v for v in repn.linear_vars if id(v) not in self.column]
        if new:
            self._add_variables(new)
        columns = np.array([self.column[id(v)] for v in repn.linear_vars], dtype=np.int32)
        return columns, np.array(repn.linear_coefs, dtype=np.double), pyo.value(repn.constant)

    def add(self, constraints) -> None:
        """Translate constraints (all of the model's at first; cuts added later)."""
        for number, constraint in enumerate(constraints):
            if number % 256 == 255:
                self.deadline.check()
            columns, coefficients, constant = self._linear(constraint.body)
            lower, upper = self._limits(constraint, constant)
            self.highs.addRow(lower, upper, len(columns), columns, coefficients)
            if not (is_constant(constraint.lower) and is_constant(constraint.upper)):
                self.mutable.append((constraint, self.rows, constant))
            self.rows += 1

    def fix(self, var, lower: float, upper: float) -> None:
        """Change a variable's bounds in HiGHS only (the model keeps its own)."""
        self.highs.changeColBounds(self.column[id(var)], lower, upper)

    @staticmethod
    def _limits(constraint, constant) -> tuple[float, float]:
        lower = -INF if constraint.lower is None else pyo.value(constraint.lower) - constant
        upper = INF if constraint.upper is None else pyo.value(constraint.upper) - constant
        return lower, upper

    def minimize(self, objective) -> Outcome:
        """Minimise a (minimising) Objective of the model: its expression, whether the
        component is active or not."""
        expr = objective.expr
        remaining = self.deadline.remaining()
        if remaining <= LEAST_USEFUL_SECONDS:
            return Outcome(Status.TIMEOUT)
        started = time.monotonic()
        for constraint, row, constant in self.mutable:
            self.highs.changeRowBounds(row, *self._limits(constraint, constant))
        columns, coefficients, constant = self._linear(expr)
        costs = np.zeros(len(self.variables))
        np.add.at(costs, columns, coefficients)
        self.highs.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
        self.highs.changeObjectiveOffset(constant)
        self.highs.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.highs.setOptionValue("time_limit", remaining)
        self.highs.run()
        self.solves += 1
        self.seconds += time.monotonic() - started
        return self._outcome()

    def _outcome(self) -> Outcome:
        status = self.highs.getModelStatus()
        info = self.highs.getInfo()
        if status in (highspy.HighsModelStatus.kInfeasible,
                      highspy.HighsModelStatus.kUnboundedOrInfeasible):  # all vars bounded
            return Outcome(Status.INFEASIBLE)
        if status == highspy.HighsModelStatus.kModelEmpty:
            return Outcome(Status.OPTIMAL, self.highs.getObjectiveOffset()[1])
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if not has_solution:
            return Outcome(Status.TIMEOUT)
        values = self.highs.getSolution().col_value
        for var, value in zip(self.variables, values):
            var.set_value(value, skip_validation=True)
        proven = status == highspy.HighsModelStatus.kOptimal
        return Outcome(Status.OPTIMAL if proven else Status.FEASIBLE,
                       info.objective_function_value)
