"""The time limit as an object: every engine asks it, never the clock directly.

A Deadline is a moment on a clock (time.monotonic by default). Tests inject their own
clock, so that a solve can be made to run out of time at an exact step, whatever the
machine's speed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class DeadlineReached(Exception):
    """The deadline passed before a computation finished."""


class Deadline:
    def __init__(self, at: float, clock: Callable[[], float] = time.monotonic):
        self.at = at
        self.clock = clock

    @classmethod
    def after(cls, seconds: float, *, started: float | None = None,
              clock: Callable[[], float] = time.monotonic) -> Deadline:
        """`seconds` after `started` (a reading of `clock`; default: now)."""
        return cls((clock() if started is None else started) + seconds, clock)

    @classmethod
    def expired(cls) -> Deadline:
        return cls(-math.inf)

    def remaining(self) -> float:
        """Seconds left (0 once passed)."""
        return max(0.0, self.at - self.clock())

    def passed(self) -> bool:
        return self.clock() >= self.at

    def check(self) -> None:
        if self.passed():
            raise DeadlineReached
