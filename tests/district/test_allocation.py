"""The district allocation is exact: the dynamic programme against brute force."""

import itertools
import random

import pytest

from reports.district.allocation import Figures, SchoolCurve, allocate, marginal


def brute_force(schools, pool, keep_current=True):
    """Every way to share at most `pool` teachers: the least (badness, teachers used)."""
    ranges = []
    for s in schools:
        top = max([s.current, *s.points])
        low = s.current if keep_current else 0
        ranges.append(range(low, top + 1))
    best = None
    for combo in itertools.product(*ranges):
        used = sum(x - s.current for x, s in zip(combo, schools)) if keep_current else sum(combo)
        if used > pool:
            continue
        total = Figures()
        for x, s in zip(combo, schools):
            total = total + s.at(x)
        key = (total.key, used)
        if best is None or key < best:
            best = key
    return best


def random_school(rng, i):
    current = rng.randint(2, 6)
    low = rng.randint(max(1, current - 2), current + 2)  # min_teachers, maybe above today's
    points = {}
    composites, largest = rng.randint(0, 3), rng.randint(22, 32)
    breaks = rng.randint(0, 2)
    for t in range(low - 1, current + 4):
        if t < low:
            points[t] = None
            continue
        points[t] = Figures(0, breaks, composites, largest)
        # more teachers usually help, not always
        if rng.random() < 0.7:
            breaks = max(0, breaks - rng.randint(0, 1))
            composites = max(0, composites - rng.randint(0, 1))
            largest = max(10, largest - rng.randint(0, 3))
        else:
            largest += rng.randint(0, 1)
    return SchoolCurve(key=str(i), name=f"School {i}", current=current, points=points)


@pytest.mark.parametrize("seed", range(60))
def test_matches_brute_force(seed):
    rng = random.Random(seed)
    schools = [random_school(rng, i) for i in range(rng.randint(1, 4))]
    pool = rng.randint(0, 6)
    keep = seed % 5 != 0
    if not keep:
        pool = sum(s.current for s in schools) + rng.randint(-2, 3)
        pool = max(0, pool)
    result = allocate(schools, pool, keep_current=keep)
    assert (result.total.key, result.used) == brute_force(schools, pool, keep)
    # the proposal is what it says
    assert sum(a.added if keep else a.proposed for a in result.schools) == result.used <= pool
    recomputed = Figures()
    for a, s in zip(result.schools, schools):
        assert a.after == s.at(a.proposed)
        recomputed = recomputed + a.after
    assert recomputed == result.total


def test_pool_goes_where_it_removes_most():
    # Riverside: one more teacher removes two composites; Oakwood: one more removes one.
    riverside = SchoolCurve("r", "Riverside", 5, {5: Figures(0, 0, 2, 26), 6: Figures(0, 0, 0, 25)})
    oakwood = SchoolCurve("o", "Oakwood", 4, {4: Figures(0, 0, 1, 24), 5: Figures(0, 0, 0, 23)})
    result = allocate([riverside, oakwood], 1)
    assert [a.proposed for a in result.schools] == [6, 4]
    result = allocate([riverside, oakwood], 2)
    assert [a.proposed for a in result.schools] == [6, 5] and result.total.composites == 0
    # a third teacher buys nothing either curve shows: it stays in the pool
    result = allocate([riverside, oakwood], 3)
    assert result.used == 2 and result.unused == 1
    assert marginal(riverside, 5)["more"] == Figures(0, 0, -2, -1)


def test_school_below_min_is_covered_first_or_named():
    short = SchoolCurve("s", "Short", 3, {3: None, 4: None, 5: Figures(0, 0, 0, 25)})
    other = SchoolCurve("o", "Other", 4, {4: Figures(0, 0, 3, 30), 5: Figures(0, 0, 0, 22)})
    result = allocate([short, other], 2)
    assert [a.proposed for a in result.schools] == [5, 4] and result.uncovered == []
    result = allocate([short, other], 1)
    assert result.uncovered == ["Short"] and [a.proposed for a in result.schools] == [3, 5]


def test_negative_pool_refused():
    with pytest.raises(ValueError):
        allocate([], -1)
