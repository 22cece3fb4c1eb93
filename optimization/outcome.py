"""Statuses, and the outcome of one exact computation under a deadline."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Status(str, Enum):
    """A result's status (str-valued: it is written to JSON as is)."""

    OPTIMAL = "optimal"        # proven best (for a computation: proven optimum)
    FEASIBLE = "feasible"      # a valid answer, not proven best: the time ran out
    TIMEOUT = "timeout"        # no answer and nothing proven: the time ran out
    INFEASIBLE = "infeasible"  # proven: nothing obeys the rules
    INVALID = "invalid"        # the problem itself is malformed

    def __str__(self) -> str:
        return self.value


@dataclass
class Outcome:
    """One optimisation: its status and, when it found one, its objective value."""

    status: Status
    value: float | None = None

    @property
    def has_solution(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    @property
    def proven(self) -> bool:
        """Optimal or infeasible: a fact, not a guess."""
        return self.status in (Status.OPTIMAL, Status.INFEASIBLE)


@dataclass
class FoundPlan:
    """A plan as an engine found it: its classes and the figures the engine claims for
    them (the ranked ones), to be checked independently before anyone sees it."""

    classes: list[dict]
    claimed: dict[str, int]


@dataclass
class Search:
    """An engine's plans, best first, and what is proven about the first one:
    OPTIMAL (proven best), FEASIBLE (found, not proven), TIMEOUT (none found, nothing
    proven) or INFEASIBLE (proven: no plan)."""

    status: Status
    plans: list[FoundPlan] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
