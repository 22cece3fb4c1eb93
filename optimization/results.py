"""A solve's answer as dataclasses, and its JSON (the contract's result)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .outcome import Status


@dataclass
class PlanResult:
    """A checked plan: its classes, its figures (plan_figures) and its rule checks."""

    classes: list[dict]
    figures: dict
    checks: list[dict]

    def to_json(self, rank: int) -> dict:
        return {"rank": rank, "classes": self.classes,
                "composites": self.figures["composites"], "spread": self.figures["spread"],
                "largest": self.figures["largest"], "checks": self.checks}


@dataclass
class Result:
    name: str
    status: Status
    plans: list[PlanResult] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    min_teachers: int | None = None
    stats: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        if self.status == Status.INVALID:
            return {"name": self.name, "status": self.status.value, "errors": self.errors}
        return {"name": self.name, "status": self.status.value,
                "plans": [plan.to_json(rank) for rank, plan in enumerate(self.plans, 1)],
                "diagnosis": self.diagnosis, "min_teachers": self.min_teachers,
                "stats": self.stats}
