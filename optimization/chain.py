"""Exact dynamic programme for schools whose composites are pairs along a chain of grades.

Where it applies (`applies`). Every usable composite holds two grades, no grade is in
more than two of them and there is no cycle: the grades can be laid out in a line
g1, g2, ..., gm so that every composite joins two neighbours (the *edge* e_i joins g_i
and g_(i+1)); the usual adjacent-grade composites. Besides:
  * rules are `cap` rules only: a cap on a class type is exactly a lower maximum size of
    that type (problem.py folds it into the class types), so a capped problem is a
    version-1 problem with other limits;
  * no fixed class, and `largest` is not ranked (the MIP engine serves those);
  * the ranking is any order of composites, classes and spread (see ChainEngine).
Then the facts of kinds.py hold with one kind per type, and the programme below is exact.

A plan is decided, grade by grade, by
  * n_i   straight classes of g_i, holding Zs_i students (sizes: Zs_i split evenly),
  * c_i   composite classes on e_i, holding Ze_i students, of which a_i come from g_i and
          b_i = Ze_i - a_i from g_(i+1) (each >= c_i * min_per_grade),
with Zs_i = students(g_i) - b_(i-1) - a_i. These are the counts and placement of
kinds.py, and splitting each type's students evenly is optimal, so the spread of g_i is
a function of (n_i, Zs_i) and of the (c, Ze) of the edges on both sides. The programme
walks the grades once; after grade i its *state* is
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

Size. Every table is computed in slices of at most SLICE numbers (about 32 MB each), the
deadline is checked between slices and every few thousand steps of the programme, and the
programme gives up (as if out of time) past MAX_STATES states: within the contract's
limits it answers in time and memory, if not always with a plan.
"""

from __future__ import annotations

import time

import numpy as np

from .deadline import Deadline, DeadlineReached
from .line import Chain, chain_of
from .outcome import FoundPlan, Outcome, Search, Status
from .plans import build_classes
from .problem import ClassType, Problem

FAR = 10 ** 6          # "no completion" in the class-count bounds
SLICE = 4_000_000      # numbers in one temporary table
MAX_STATES = 400_000   # states of one half-step of the programme
STRUCTURE_CRITERIA = ("composites", "classes")


def _class_counts(t: ClassType | None, students: int) -> range:
    """How many straight classes can hold exactly `students` of a grade."""
    if students == 0:
        return range(0, 1)
    if t is None:
        return range(0)
    return range(-(-students // t.max_size), students // t.min_size + 1)


def _slices(n: int, per_item: int):
    """Consecutive slices of range(n), each with at most SLICE // per_item items."""
    step = max(1, SLICE // max(1, per_item))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


class ClassBounds:
    """before[i][y][b] = (fewest, most) classes that grades i, i+1, ... can take, with
    exactly y composites among them, when b students of grade i are already in the
    classes of edge i - 1 (FAR / -FAR: impossible). Computed backwards, exactly: every
    split of every grade is tried; only the spread is ignored. Entry 0 with b = 0 gives
    each level's whole range of class counts."""

    def __init__(self, chain: Chain, types, composites: int, deadline: Deadline):
        m = len(chain.grades)
        self.composites = composites
        self.deadline = deadline
        y_range = composites + 1
        end_low = np.full((y_range, 1), FAR)
        end_high = np.full((y_range, 1), -FAR)
        end_low[0, 0] = end_high[0, 0] = 0
        self.fewest: list = [None] * m + [end_low]
        self.most: list = [None] * m + [end_high]
        for i in range(m - 1, -1, -1):  # grade i, with b from edge i - 1
            deadline.check()
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
        b_all = np.arange(S + 1)
        for c in range(1, min(t.max_count, composites) + 1):
            a_all = np.arange(c * p, min(S, c * t.max_size - c * p) + 1)
            if len(a_all) == 0:
                break
            rows = y_range - c  # y' = y - c composites after edge i
            for part in _slices(len(a_all), rows * (after + 1)):
                self.deadline.check()
                a = a_all[part]
                # window[a, b']: a + b' students of grades i, i+1 fill c classes
                total = a[:, None] + b_next[None, :]
                window = ((b_next[None, :] >= c * p) & (total >= c * t.min_size)
                          & (total <= c * t.max_size))
                rest_low = np.where(window[None], after_low[:rows, None, :], FAR).min(axis=2) + c
                rest_high = np.where(window[None], after_high[:rows, None, :],
                                     -FAR).max(axis=2) + c
                for rows_b in _slices(S + 1, rows * len(a)):
                    # straight students z = S - b - a for every b, a
                    z = S - b_all[rows_b][:, None] - a[None, :]
                    ok = z >= 0
                    straight_low = np.where(ok, n_low[np.clip(z, 0, S)], FAR)
                    straight_high = np.where(ok, n_high[np.clip(z, 0, S)], -FAR)
                    low[c:, rows_b] = np.minimum(
                        low[c:, rows_b], (straight_low[None] + rest_low[:, None, :]).min(axis=2))
                    high[c:, rows_b] = np.maximum(
                        high[c:, rows_b],
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


def fewest_classes(chain: Chain, types, deadline: Deadline) -> int | None:
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
            b = np.arange(len(after))[None, :]
            for rows in _slices(S + 1, len(after)):
                deadline.check()
                a = np.arange(S + 1)[rows][:, None]
                c = np.maximum(1, -(-(a + b) // t.max_size))
                fits = ((c * t.min_per_grade <= np.minimum(a, b)) & (c * t.min_size <= a + b)
                        & (c <= t.max_count))
                edge[rows] = np.minimum(FAR, np.where(fits, c + after[None, :], FAR).min(axis=1))
            edge[0] = after[0]
        # F[b] = min over a of straight(S - b - a) + edge[a]
        new = np.full(S + 1, FAR, dtype=np.int64)
        a = np.arange(S + 1)[None, :]
        for rows in _slices(S + 1, S + 1):
            deadline.check()
            b = np.arange(S + 1)[rows][:, None]
            z = S - b - a
            straight = np.where(z >= 0, n_low[np.clip(z, 0, S)], FAR)
            new[rows] = np.minimum(FAR, (straight + edge[None, :]).min(axis=1))
        after = new
    return int(after[0]) if after[0] < FAR // 2 else None


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


class _Ticker:
    """Checks the deadline every `every` steps, and the size of the programme."""

    def __init__(self, deadline: Deadline, every: int = 2048):
        self.deadline, self.every, self.steps = deadline, every, 0

    def step(self) -> None:
        self.steps += 1
        if self.steps % self.every == 0:
            self.deadline.check()

    @staticmethod
    def size(states: dict) -> None:
        if len(states) > MAX_STATES:
            raise DeadlineReached  # too large to finish in time and memory


def best_structures(types, chain: Chain, bounds: ClassBounds, composites: int,
                    classes: int, k: int, deadline: Deadline) -> list[tuple]:
    """The k best structures of the level (smallest spread first), each as (its smallest
    spread, counts {type: classes}, placement {(type, grade): students}); [] when the
    level has no plan. Raises DeadlineReached. `bounds` must cover at least `composites`
    composites."""
    ticker = _Ticker(deadline)
    m = len(chain.grades)
    # state: (classes, composites, low size, high size on the edge, b) -> entries
    # entry: (spread so far, structure, decisions)
    states = {(0, 0, None, None, 0): [(0, (), ())]}
    for i in range(m):
        deadline.check()
        S = chain.students[i]
        t = types[chain.straight[i]] if chain.straight[i] is not None else None
        e = types[chain.edge[i]] if chain.edge[i] is not None else None
        most_right = 0
        if e is not None:
            most_right = min(S, min(e.max_count, composites) * (e.max_size - e.min_per_grade))
        # half-step 1: the straight classes of grade i; R students left for edge i
        middle: dict = {}
        for (n0, c0, el, eh, b), entries in states.items():
            left = S - b
            if left < 0:
                continue
            for zs in range(max(0, left - (most_right if c0 < composites else 0)), left + 1):
                ticker.step()
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
            ticker.size(middle)
        # half-step 2: the composite classes on edge i, taking the R students
        states = {}
        options_of: dict = {}
        for (n1, c0, low, high, rest), entries in middle.items():
            ticker.step()
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
            ticker.size(states)
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


class ChainEngine:
    """Plans in rank order by the programme.

    A *level* is a (composites, classes) pair. The ranking orders structures by
    composites, classes and spread in some order; the criteria before `spread` (all of
    them when spread is not ranked) depend on the level only, so levels are taken in the
    order of those, in *groups* of levels that tie on them. Within a group the k best
    structures of each level (best_structures) are merged by the whole ranking: the k
    best of the group are among them. Groups are taken until `alternatives` plans are
    found; each plan is the best of its structure and they come in rank order.
    """

    name = "chain"

    def __init__(self, problem: Problem, deadline: Deadline):
        self.problem = problem
        self.deadline = deadline
        self.types = problem.class_types
        self.chain = chain_of(problem, self.types)
        self.most_composites = sum(self.types[k].max_count for k in self.chain.edge
                                   if k is not None)
        self.bounds: ClassBounds | None = None
        self.stats = {"build_s": 0.0, "solver_s": 0.0}

    def fewest_classes(self) -> Outcome:
        try:
            fewest = fewest_classes(self.chain, self.types, self.deadline)
        except DeadlineReached:
            return Outcome(Status.TIMEOUT)
        return Outcome(Status.INFEASIBLE) if fewest is None else Outcome(Status.OPTIMAL, fewest)

    def search(self, fewest: int | None = None) -> Search:
        problem = self.problem
        ranking = problem.ranking
        found: list[FoundPlan] = []
        try:
            for group in self._groups():
                wanted = problem.alternatives - len(found)
                merged = []
                for composites, classes in group:
                    started = time.monotonic()
                    best = best_structures(self.types, self.chain, self.bounds, composites,
                                           classes, wanted, self.deadline)
                    self.stats["solver_s"] += time.monotonic() - started
                    merged += [({"composites": composites, "classes": classes,
                                 "spread": spread}, counts, placed)
                               for spread, counts, placed in best]
                    if "spread" not in ranking and len(merged) >= wanted:
                        break  # the whole group ties
                merged.sort(key=lambda item: _key(item[0], ranking))
                for figures, counts, placed in merged[:wanted]:
                    found.append(self._plan(figures, counts, placed))
                if len(found) >= problem.alternatives:
                    break
        except DeadlineReached:
            # every plan found is proven; only later alternatives are missing
            return Search(Status.OPTIMAL if found else Status.TIMEOUT, found, self.stats)
        return Search(Status.OPTIMAL if found else Status.INFEASIBLE, found, self.stats)

    def _plan(self, figures: dict, counts: dict, placed: dict) -> FoundPlan:
        groups = [(t.grades, t.min_per_grade, counts.get(k, 0),
                   {g: placed.get((k, g), 0) for g in t.grades})
                  for k, t in enumerate(self.types)]
        claimed = {c: figures[c] for c in self.problem.ranking}
        return FoundPlan(build_classes(self.problem, groups), claimed)

    def _cover(self, composites: int) -> None:
        """Class-count tables covering at least `composites` composites."""
        if self.bounds is None or composites > self.bounds.composites:
            cover = min(self.most_composites, max(4, 2 * composites))
            started = time.monotonic()
            self.bounds = ClassBounds(self.chain, self.types, cover, self.deadline)
            self.stats["build_s"] += time.monotonic() - started

    def _levels_of(self, composites: int) -> list[tuple[int, int]]:
        """Every level with this many composites, most classes first."""
        self._cover(composites)
        span = self.bounds.level_range(composites)
        if span is None:
            return []
        fewest, most = span
        return [(composites, n) for n in range(min(most, self.problem.teachers), fewest - 1, -1)]

    def _groups(self):
        """Groups of levels, in rank order (see the class's docstring)."""
        ranking = self.problem.ranking
        prefix = ranking[:ranking.index("spread")] if "spread" in ranking else ranking
        if prefix[:1] == ("composites",):  # composites first: tables grow as needed
            for composites in range(self.most_composites + 1):
                levels = self._levels_of(composites)
                if "classes" in prefix:
                    yield from ([level] for level in levels)
                elif levels:
                    yield levels
            return
        levels = [level for composites in range(self.most_composites + 1)
                  for level in self._levels_of(composites)]
        levels.sort(key=lambda level: _key(dict(zip(STRUCTURE_CRITERIA, level)), prefix))
        group: list = []
        for level in levels:
            if group and (_key(dict(zip(STRUCTURE_CRITERIA, level)), prefix)
                          != _key(dict(zip(STRUCTURE_CRITERIA, group[0])), prefix)):
                yield group
                group = []
            group.append(level)
        if group:
            yield group


def _key(figures: dict, criteria) -> tuple:
    return tuple(-figures[c] if c == "classes" else figures[c] for c in criteria)
