"""The outcome of one exact computation under a deadline (MIP solve or programme)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Outcome:
    status: str  # "optimal", "feasible" (time ran out with a solution), "infeasible", "timeout"
    value: float | None = None

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")
