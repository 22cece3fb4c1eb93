"""Where the next teachers do the most good: a district pool shared out over the schools.

Pure Python (no Django). Each school brings its *curve*: for each number of teachers it
might get, the figures of its best plan at that number (solved by the optimizer under the
school's own rules and priorities). The allocation chooses one number per school.

Badness of a school at x teachers, compared lexicographically:

1. `uncovered`: 1 when x is below the fewest teachers that give the school a plan at all
   (its `min_teachers`), else 0;
2. `breaks`: rules its best plan breaks (0 when a plan obeys every rule);
3. `composites`: composite classes;
4. `largest`: its largest class.

The district's badness is the sum over schools, still compared lexicographically, and then
the fewest teachers used (a teacher not needed stays in the pool). Because lexicographic
order on tuples is compatible with adding tuples, the best choice is a multiple-choice
knapsack solved exactly by dynamic programming over the schools: best[i][t] is the least
badness of the first i schools using t teachers from the pool. O(schools x pool x choices).

By default every school keeps at least what it has today (`keep_current`) and the pool is
what is added; a school below its `min_teachers` today competes for the pool like any other
gain, and one the pool cannot cover is named in the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Fields of Figures, in the order they count.
CRITERIA = ("uncovered", "breaks", "composites", "largest")


@dataclass(frozen=True, order=True)
class Figures:
    """A school's best plan at a number of teachers, as the allocation ranks it."""

    uncovered: int = 0
    breaks: int = 0
    composites: int = 0
    largest: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*(a + b for a, b in zip(self.key, other.key)))

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.uncovered, self.breaks, self.composites, self.largest)


NO_PLAN = Figures(uncovered=1)
ZERO = Figures()


@dataclass(frozen=True)
class SchoolCurve:
    """key: the school's id; current: its teachers today; points: teachers -> Figures of its
    best plan (None: no plan at that number). Counts above the highest point are treated as
    that point (more teachers than the curve covers buy nothing it can show)."""

    key: str
    name: str
    current: int
    points: dict[int, Figures | None]

    def at(self, teachers: int) -> Figures:
        if not self.points:
            return NO_PLAN
        top = max(self.points)
        figures = self.points.get(min(teachers, top))
        return NO_PLAN if figures is None else figures

    @property
    def min_teachers(self) -> int | None:
        feasible = [t for t, f in self.points.items() if f is not None]
        return min(feasible) if feasible else None


@dataclass(frozen=True)
class SchoolAllocation:
    key: str
    name: str
    current: int
    proposed: int
    before: Figures
    after: Figures

    @property
    def added(self) -> int:
        return self.proposed - self.current


@dataclass
class Allocation:
    pool: int
    schools: list[SchoolAllocation]
    total: Figures
    used: int
    uncovered: list[str] = field(default_factory=list)  # names of schools left without a plan

    @property
    def unused(self) -> int:
        return self.pool - self.used


def _choices(school: SchoolCurve, pool: int, keep_current: bool) -> list[tuple[int, Figures]]:
    """(teachers taken from the pool, figures) for each useful number of teachers."""
    low = school.current if keep_current else 0
    top = max([school.current, *school.points]) if school.points else school.current
    choices, best = [], None
    for teachers in range(low, max(low, top) + 1):
        taken = teachers - school.current if keep_current else teachers
        if taken > pool:
            break
        figures = school.at(teachers)
        if best is None or figures < best:  # only strictly better plans are worth a teacher
            choices.append((taken, figures))
            best = figures
    return choices


def allocate(schools: list[SchoolCurve], pool: int, *, keep_current: bool = True) -> Allocation:
    """Share `pool` teachers over `schools` for the best district result (see the module).

    keep_current: the pool is added to today's teachers, no school gives any up. Without it,
    `pool` is every teacher of the district, shared from nothing.
    """
    if pool < 0:
        raise ValueError("The pool cannot be negative.")
    # best[t]: the least badness (a plain tuple, for speed) of the schools so far using
    # exactly t teachers of the pool; back[i][t]: what school i took on that best path.
    best: list[tuple | None] = [ZERO.key] + [None] * pool
    back: list[list[int]] = []
    for school in schools:
        options = [(taken, figures.key) for taken, figures in _choices(school, pool, keep_current)]
        nxt: list[tuple | None] = [None] * (pool + 1)
        took = [0] * (pool + 1)
        for used, badness in enumerate(best):
            if badness is None:
                continue
            for taken, key in options:
                total = used + taken
                if total > pool:
                    break
                candidate = (badness[0] + key[0], badness[1] + key[1], badness[2] + key[2],
                             badness[3] + key[3])
                if nxt[total] is None or candidate < nxt[total]:
                    nxt[total], took[total] = candidate, taken
        best = nxt
        back.append(took)
    # the least badness, then the fewest teachers used
    used = min((t for t, b in enumerate(best) if b is not None), key=lambda t: (best[t], t))
    total = Figures(*best[used])
    picks, t = [], used
    for took in reversed(back):
        picks.append(took[t])
        t -= took[t]
    picks.reverse()
    rows, uncovered = [], []
    for school, taken in zip(schools, picks):
        proposed = school.current + taken if keep_current else taken
        after = school.at(proposed)
        rows.append(SchoolAllocation(school.key, school.name, school.current, proposed,
                                     school.at(school.current), after))
        if after.uncovered:
            uncovered.append(school.name)
    return Allocation(pool=pool, schools=rows, total=total, used=used, uncovered=uncovered)


def marginal(school: SchoolCurve, teachers: int) -> dict[str, Figures | None]:
    """What one teacher more or one fewer would change at the school: {"more", "fewer"}
    as the difference of figures (after - now); None where the curve does not reach."""
    now = school.at(teachers)
    more = school.at(teachers + 1) if school.points and teachers + 1 <= max(school.points) else None
    fewer = school.at(teachers - 1) if teachers > 0 and school.points and teachers - 1 >= min(school.points) else None
    return {
        "more": None if more is None else _difference(more, now),
        "fewer": None if fewer is None else _difference(fewer, now),
    }


def _difference(a: Figures, b: Figures) -> Figures:
    return Figures(*(x - y for x, y in zip(a.key, b.key)))
