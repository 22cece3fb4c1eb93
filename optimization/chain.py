"""Exact dynamic programme for schools whose composites are pairs along a chain of grades.

When every usable composite holds two grades and no grade is in more than two of them
(with no cycle), the grades can be laid out in a line g1, g2, ..., gm so that every
composite joins two neighbours: the *edge* e_i joins g_i and g_(i+1). This is the common
case (adjacent-grade composites); anything else is left to the MIP (model.py).

A plan is then decided, grade by grade, by
  * n_i   straight classes of g_i, holding Zs_i students (sizes: Zs_i split evenly),
  * c_i   composite classes on e_i, holding Ze_i students, of which a_i come from g_i and
          b_i = Ze_i - a_i from g_(i+1) (each >= c_i * min_per_grade),
with Zs_i = students(g_i) - b_(i-1) - a_i. These are exactly the structure and placement
of model.py, and, by the argument there, splitting each type's students evenly is optimal,
so the spread of g_i is a function of (n_i, Zs_i) and of the (c, Ze) of the edges on both
sides. The programme walks the grades once; after grade i its *state* is
    (classes so far, composites so far, sizes of the classes on e_i, b_i)
which is everything the rest of the plan depends on (each grade in two half-steps: its
straight classes, then edge i, the intermediate state keeping the window of g_i so far).

The value of a state is a list of at most k partial plans reaching it, one per partial
structure (its cheapest), the k cheapest. This keeps the k best structures: take one
among the k best overall and its cheapest plan; at each state on that plan's way its
partial structure is in the list, or else k other partial structures reach the state no
dearer, and completing each like the plan gives k other structures no dearer than it.
So the final list holds k best structures, each with its true smallest spread (ties
in any order, as the contract allows). Nothing is approximated: every
(n, Zs, c, Ze, a) is enumerated.

Pruning is exact too. `ClassBounds` computes, backwards, the fewest and most classes
the remaining grades can take given b_i and the composites left; a state that cannot
reach the level's class count is dropped. The same tables give each level's range of
class counts, and `fewest_classes` the fewest classes of any plan (min_teachers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .problem import ClassType, Problem

FAR = 10 ** 6  # "no completion" in the class-count bounds


class DeadlineReached(Exception):
    """The deadline passed before the programme finished."""


@dataclass(frozen=True)
class Chain:
    """Grades in line order; edge[i] is the composite type joining grade i and i + 1."""

    grades: tuple[str, ...]
    students: tuple[int, ...]
    straight: tuple[int | None, ...]  # type index of each grade's straight classes
    edge: tuple[int | None, ...]      # type index of the composite after each grade


def chain_of(problem: Problem, types: tuple[ClassType, ...]) -> Chain | None:
    """The line layout of the grades, or None when the composites do not form one."""
    codes = [g.code for g in problem.grades if g.students > 0]
    neighbours: dict[str, dict[str, int]] = {g: {} for g in codes}
    for k, t in enumerate(types):
        if not t.is_composite:
            continue
        if len(t.grades) != 2:
            return None
        a, b = t.grades
        neighbours[a][b] = k
        neighbours[b][a] = k
    if any(len(n) > 2 for n in neighbours.values()):
        return None
    line: list[str] = []
    seen: set[str] = set()
    for start in codes:  # walk each path from an end, in the problem's grade order
        if start in seen or len(neighbours[start]) > 1:
            continue
        here, previous = start, None
        while here is not None:
            line.append(here)
            seen.add(here)
            ahead = [g for g in neighbours[here] if g != previous]
            previous, here = here, (ahead[0] if ahead else None)
    if len(line) != len(codes):
        return None  # a cycle
    straight = {t.grades[0]: k for k, t in enumerate(types) if not t.is_composite}
    edges = []
    for here, after in zip(line, line[1:] + [None]):
        edges.append(neighbours[here].get(after) if after else None)
    return Chain(tuple(line), tuple(problem.students(g) for g in line),
                 tuple(straight.get(g) for g in line), tuple(edges))


def _class_counts(t: ClassType | None, students: int) -> range:
    """How many straight classes can hold exactly `students` of a grade."""
    if students == 0:
        return range(0, 1)
    if t is None:
        return range(0)
    return range(-(-students // t.max_size), students // t.min_size + 1)


class ClassBounds:
    """before[i][y][b] = (fewest, most) classes that grades i, i+1, ... can take, with
    exactly y composites among them, when b students of grade i are already in the
    classes of edge i - 1 (FAR / -FAR: impossible). Computed backwards, exactly: every
    split of every grade is tried; only the spread is ignored. Entry 0 with b = 0 gives
    each level's whole range of class counts."""

    def __init__(self, chain: Chain, types, composites: int, deadline: float):
        m = len(chain.grades)
        self.composites = composites
        y_range = composites + 1
        end_low = np.full((y_range, 1), FAR)
        end_high = np.full((y_range, 1), -FAR)
        end_low[0, 0] = end_high[0, 0] = 0
        self.fewest: list = [None] * m + [end_low]
        self.most: list = [None] * m + [end_high]
        for i in range(m - 1, -1, -1):  # grade i, with b from edge i - 1
            if time.monotonic() > deadline:
                raise DeadlineReached
            self.fewest[i], self.most[i] = self._grade(chain, types, i, composites)

    def _grade(self, chain: Chain, types, i: int, composites: int):
        """The tables before grade i from those before grade i + 1, vectorised over y, a,
        b and b' for each composite count c on edge i (a + b' students in c classes)."""
        S = chain.students[i]
        n_low, n_high = _straight_counts(chain, types, i)
        after_low, after_high = self.fewest[i + 1], self.most[i + 1]
        y_range = composites + 1
        # c = 0: nothing on edge i, so b' = 0 and grade i's other S - b students are straight
        low = np.full((y_range, S + 1), FAR)
        high = np.full((y_range, S + 1), -FAR)
        low[:, :] = n_low[::-1][None, :] + after_low[:, :1]
        high[:, :] = n_high[::-1][None, :] + after_high[:, :1]
        k = chain.edge[i]
        if k is None:
            return np.minimum(low, FAR), np.maximum(high, -FAR)
        t = types[k]
        after = chain.students[i + 1]
        p = t.min_per_grade
        b_next = np.arange(after + 1)
        for c in range(1, min(t.max_count, composites) + 1):
            a = np.arange(c * p, min(S, c * t.max_size - c * p) + 1)
            if len(a) == 0:
                break
            # window[a, b']: a + b' students of grades i, i+1 fill c classes
            total = a[:, None] + b_next[None, :]
            window = ((b_next[None, :] >= c * p) & (total >= c * t.min_size)
                      & (total <= c * t.max_size))
            rows = y_range - c  # y' = y - c composites after edge i
            rest_low = np.where(window[None], after_low[:rows, None, :], FAR).min(axis=2) + c
            rest_high = np.where(window[None], after_high[:rows, None, :], -FAR).max(axis=2) + c
            # straight students z = S - b - a for every b, a
            z = S - np.arange(S + 1)[:, None] - a[None, :]
            ok = z >= 0
            straight_low = np.where(ok, n_low[np.clip(z, 0, S)], FAR)
            straight_high = np.where(ok, n_high[np.clip(z, 0, S)], -FAR)
            low[c:] = np.minimum(low[c:], (straight_low[None] + rest_low[:, None, :]).min(axis=2))
            high[c:] = np.maximum(high[c:],
                                  (straight_high[None] + rest_high[:, None, :]).max(axis=2))
        return np.minimum(low, FAR), np.maximum(high, -FAR)

    def allows(self, i: int, y: int, b: int, classes_left: int) -> bool:
        """Can grades i, i+1, ... take exactly `classes_left` classes, y composites?"""
        low = self.fewest[i]
        if y < 0 or y >= low.shape[0] or b >= low.shape[1]:
            return False
        return low[y, b] <= classes_left <= self.most[i][y, b]

    def level_range(self, composites: int) -> tuple[int, int] | None:
        """(fewest, most) classes of a plan with this many composites; None: no plan."""
        low, high = int(self.fewest[0][composites, 0]), int(self.most[0][composites, 0])
        return None if low >= FAR // 2 else (low, high)


def _straight_counts(chain: Chain, types, i: int):
    """Fewest and most straight classes of grade i holding z students, for every z."""
    S = chain.students[i]
    t = types[chain.straight[i]] if chain.straight[i] is not None else None
    n_low, n_high = np.full(S + 1, FAR), np.full(S + 1, -FAR)
    for z in range(S + 1):
        counts = _class_counts(t, z)
        if len(counts):
            n_low[z], n_high[z] = counts[0], counts[-1]
    return n_low, n_high


def fewest_classes(chain: Chain, types) -> int | None:
    """The fewest classes of any plan (any number of composites); None: no plan.

    Backwards over the grades with F[b] = fewest classes for grades i, i+1, ... when b
    students of grade i are in edge i - 1. On an edge, a students of grade i and b' of
    grade i + 1 fit in c composite classes iff c*min_per_grade <= min(a, b') and
    c*min_size <= a + b' <= c*max_size; the fewest such c is ceil((a + b')/max_size)
    when it fits at all (a larger c only tightens the lower limits).
    """
    after = np.zeros(1, dtype=np.int64)  # past the last grade: nothing left
    for i in range(len(chain.grades) - 1, -1, -1):
        S = chain.students[i]
        n_low, _ = _straight_counts(chain, types, i)
        # edge[a] = fewest (edge classes + classes after) when a of grade i go to edge i
        edge = np.full(S + 1, FAR, dtype=np.int64)
        edge[0] = after[0]
        k = chain.edge[i]
        if k is not None:
            t = types[k]
            a = np.arange(S + 1)[:, None]
            b = np.arange(len(after))[None, :]
            c = np.maximum(1, -(-(a + b) // t.max_size))
            fits = ((c * t.min_per_grade <= np.minimum(a, b)) & (c * t.min_size <= a + b)
                    & (c <= t.max_count))
            total = np.where(fits, c + after[None, :], FAR).min(axis=1)
            edge[1:] = np.minimum(FAR, total[1:])
        # F[b] = min over a of straight(S - b - a) + edge[a]
        b = np.arange(S + 1)[:, None]
        a = np.arange(S + 1)[None, :]
        z = S - b - a
        straight = np.where(z >= 0, n_low[np.clip(z, 0, S)], FAR)
        after = np.minimum(FAR, (straight + edge[None, :]).min(axis=1))
    return int(after[0]) if after[0] < FAR // 2 else None


def _edge_splits(chain: Chain, types, i: int, composites: int):
    """(c, a, b_from, b_to): c classes on edge i taking a students of grade i can take
    b_from..b_to of grade i + 1 (c = 0: nothing)."""
    yield 0, 0, 0, 0
    k = chain.edge[i]
    if k is None:
        return
    t = types[k]
    here, after = chain.students[i], chain.students[i + 1]
    p = t.min_per_grade
    for c in range(1, min(t.max_count, composites) + 1):
        for a in range(c * p, min(here, c * t.max_size - c * p) + 1):
            b_from, b_to = max(c * p, c * t.min_size - a), min(c * t.max_size - a, after)
            if b_from <= b_to:
                yield c, a, b_from, b_to


def _offer(lists: dict, key, entry, k: int) -> None:
    """Keep the k cheapest entries of distinct structure under `key`."""
    found = lists.get(key)
    if found is None:
        lists[key] = [entry]
        return
    cost, structure = entry[0], entry[1]
    for i, old in enumerate(found):
        if old[1] == structure:
            if cost < old[0]:
                found[i] = entry
                found.sort(key=_cost)
            return
    if len(found) < k:
        found.append(entry)
        found.sort(key=_cost)
    elif cost < found[-1][0]:
        found[-1] = entry
        found.sort(key=_cost)


def _cost(entry):
    return entry[0]


def best_structures(types, chain: Chain, bounds: ClassBounds, composites: int,
                    classes: int, k: int, deadline: float) -> list[tuple] | None:
    """The k best structures of the level (smallest spread first), each as (its smallest
    spread, counts {type: classes}, placement {(type, grade): students}); [] when the
    level has no plan, None when the deadline passed first. `bounds` must cover at least
    `composites` composites."""
    m = len(chain.grades)
    # state: (classes, composites, low size, high size on the edge, b) -> entries
    # entry: (spread so far, structure, decisions)
    states = {(0, 0, None, None, 0): [(0, (), ())]}
    for i in range(m):
        if time.monotonic() > deadline:
            return None
        S = chain.students[i]
        t = types[chain.straight[i]] if chain.straight[i] is not None else None
        e = types[chain.edge[i]] if chain.edge[i] is not None else None
        most_right = 0
        if e is not None:
            most_right = min(S, min(e.max_count, composites) * (e.max_size - e.min_per_grade))
        # half-step 1: the straight classes of grade i; R students left for edge i
        middle: dict = {}
        for number, ((n0, c0, el, eh, b), entries) in enumerate(states.items()):
            if number % 256 == 0 and time.monotonic() > deadline:
                return None
            left = S - b
            if left < 0:
                continue
            for zs in range(max(0, left - (most_right if c0 < composites else 0)), left + 1):
                for n in _class_counts(t, zs):
                    if n0 + n > classes:
                        break
                    if n:
                        low, high = zs // n, -(-zs // n)
                        if el is not None:
                            low, high = min(low, el), max(high, eh)
                    elif el is not None:
                        low, high = el, eh
                    else:
                        low = high = None
                    key = (n0 + n, c0, low, high, left - zs)
                    for cost, structure, path in entries:
                        _offer(middle, key, (cost, (structure, n), (path, zs, n)), k)
        # half-step 2: the composite classes on edge i, taking the R students
        states = {}
        options_of: dict = {}
        for number, ((n1, c0, low, high, rest), entries) in enumerate(middle.items()):
            if number % 512 == 0 and time.monotonic() > deadline:
                return None
            options = options_of.get((n1, c0, rest))
            if options is None:
                options = options_of[n1, c0, rest] = _edge_options(
                    chain, types, bounds, i, composites - c0, classes - n1, rest)
            for c, z, el, eh, b in options:
                if c:
                    lo = el if low is None else min(low, el)
                    hi = eh if high is None else max(high, eh)
                else:
                    lo, hi = low, high
                spread = hi - lo if lo is not None else 0
                key = (n1 + c, c0 + c, el, eh, b)
                for cost, structure, path in entries:
                    _offer(states, key, (cost + spread, (structure, c), (path, c, z, rest)), k)
    found = states.get((classes, composites, None, None, 0), [])
    return [(cost, *_decode(chain, path)) for cost, _, path in found]


def _edge_options(chain: Chain, types, bounds: ClassBounds, i: int, composites_left: int,
                  classes_left: int, rest: int) -> list[tuple]:
    """(c, Ze, low size, high size, b) for edge i taking `rest` students of grade i, such
    that the grades after i can still complete the level."""
    if rest == 0:
        return ([(0, 0, None, None, 0)]
                if bounds.allows(i + 1, composites_left, 0, classes_left) else [])
    if chain.edge[i] is None:
        return []
    e = types[chain.edge[i]]
    after = chain.students[i + 1]
    p = e.min_per_grade
    options = []
    for c in range(1, min(e.max_count, composites_left) + 1):
        if rest < c * p:
            break
        first, last = max(c * e.min_size, rest + c * p), min(c * e.max_size, rest + after)
        if first > last:
            continue
        y, left = composites_left - c, classes_left - c
        b = np.arange(first - rest, last - rest + 1)
        fewest, most = bounds.fewest[i + 1][y, b], bounds.most[i + 1][y, b]
        for z in (b[(fewest <= left) & (left <= most)] + rest).tolist():
            options.append((c, z, z // c, -(-z // c), z - rest))
    return options


def _decode(chain: Chain, path) -> tuple[dict, dict]:
    """Counts and placement from the decisions (nested tuples, last grade outermost)."""
    steps = []
    while path:
        path, c, z, a = path
        path, zs, n = path
        steps.append((n, zs, c, z, a))
    steps.reverse()
    counts: dict[int, int] = {}
    placed: dict[tuple[int, str], int] = {}
    for i, (n, zs, c, z, a) in enumerate(steps):
        g = chain.grades[i]
        if chain.straight[i] is not None:
            counts[chain.straight[i]] = n
            placed[chain.straight[i], g] = zs
        k = chain.edge[i]
        if k is not None:
            counts[k] = c
            placed[k, g] = a
            placed[k, chain.grades[i + 1]] = z - a
    return counts, placed
