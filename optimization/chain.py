"""Exact dynamic programme for schools whose composites are pairs along a chain of grades.

Where it applies (line.applies). Every usable composite holds two grades, no grade is
in more than two of them and there is no cycle: the grades can be laid out in a line
g1, g2, ..., gm so that every composite joins two neighbours (the *edge* e_i joins g_i
and g_(i+1)); the usual adjacent-grade composites. Why it stays exact with version 2:
  * a `cap` rule on a class type is exactly a lower maximum size of that type
    (problem.py folds it into the class types): a capped problem is a version-1 problem
    with other limits;
  * a fixed class is a constant: its students are not free, it adds one class (and
    one composite) to the level and its size to the window of each grade it holds;
    the free classes of a type stay interchangeable, so the facts of kinds.py still
    hold for them (the windows below start from the fixed sizes);
  * `largest` first among the size criteria: a cap L on every class is again a lower
    maximum size, so the programme under cap L gives, exactly, the best spread of every
    structure among its plans with no class above L; a structure's best plan by
    (largest, spread) is its best at the smallest L where it has a plan (ChainEngine);
  * share and average rules, or `largest` after `spread`, are not modelled: the
    programme then solves the *relaxation* without them, whose best plan of each
    structure is no worse than the problem's (it has more plans), and each structure
    it proposes is solved exactly, rules included, by the MIP with its counts fixed;
    the structures come in the relaxed order, so once the next relaxed key is no better
    than the k-th best exact key no structure left can do better (ChainEngine). A
    necessary condition on each rule's concerned classes (`rule_tally`) keeps
    structures that can never obey a rule out of the relaxation. Brute-force tests
    (tests/optimization/test_bruteforce.py) compare all of this with enumeration.
Rankings that list a structure criterion after a size criterion are served only
without share/average rules and without `largest` (groups of levels, ChainEngine).

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

import heapq
import time

import numpy as np

from .deadline import Deadline, DeadlineReached
from .line import STRUCTURE, Chain, chain_of, needs_checking, shaped
from .outcome import FoundPlan, Outcome, Search, Status
from .plans import build_classes
from .problem import ClassType, Problem, Rule, RuleKind

FAR = 10 ** 6          # "no completion" in the class-count bounds
SLICE = 4_000_000      # numbers in one temporary table
MAX_STATES = 400_000   # states of one half-step of the programme


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
        # F[b] = min over a of straight(S - b - a) + edge[a], over the a an edge can take
        usable = np.flatnonzero(edge < FAR)
        new = np.full(S + 1, FAR, dtype=np.int64)
        a = usable[None, :]
        for rows in _slices(S + 1, len(usable)) if len(usable) else ():
            deadline.check()
            b = np.arange(S + 1)[rows][:, None]
            z = S - b - a
            straight = np.where(z >= 0, n_low[np.clip(z, 0, S)], FAR)
            new[rows] = np.minimum(FAR, (straight + edge[usable][None, :]).min(axis=1))
        after = new
    return int(after[0]) if after[0] < FAR // 2 else None


class _Best:
    """The k cheapest entries (cost, structure, decisions) of distinct structure reaching
    one state, by structure; the dearest kept is remembered once the list is full."""

    __slots__ = ("entries", "worst")

    def __init__(self, entry):
        self.entries = {entry[1]: entry}
        self.worst = None

    def offer(self, entry, k: int) -> None:
        cost, structure = entry[0], entry[1]
        old = self.entries.get(structure)
        if old is not None:
            if cost < old[0]:
                self.entries[structure] = entry
                if self.worst is not None and self.worst[1] == structure:
                    self.worst = max(self.entries.values(), key=_cost)
            return
        if len(self.entries) < k:
            self.entries[structure] = entry
            if len(self.entries) == k:
                self.worst = max(self.entries.values(), key=_cost)
            return
        if self.worst is None:
            self.worst = max(self.entries.values(), key=_cost)
        if cost < self.worst[0]:
            del self.entries[self.worst[1]]
            self.entries[structure] = entry
            self.worst = max(self.entries.values(), key=_cost)


def _offer(lists: dict, key, entry, k: int) -> None:
    """Keep the k cheapest entries of distinct structure under `key`."""
    found = lists.get(key)
    if found is None:
        lists[key] = _Best(entry)
    else:
        found.offer(entry, k)


def _cost(entry):
    return entry[0]


class Tally:
    """Class counts a structure must have: for each share or average rule, the number of
    free classes it concerns, at least `least[r]` (a necessary condition, exact to use
    as a filter: see `rule_tally`). marks[type index] says which counts a class of that
    type adds to."""

    def __init__(self, marks: dict[int, tuple[int, ...]], least: tuple[int, ...]):
        self.marks = marks
        self.least = least

    def passes(self, tallies: tuple[int, ...]) -> bool:
        return all(t >= low for t, low in zip(tallies, self.least))


class _Counting:
    """A Tally inside the programme: counts kept no higher than their least (more is no
    better, so states that differ above it are one), transitions remembered, and which
    counts can still grow after each grade of the chain."""

    def __init__(self, tally: Tally, chain: Chain):
        self.tally = tally
        self.start = tuple(0 for _ in tally.least)
        self.cache: dict = {}
        rules = range(len(tally.least))
        self.growing = []  # growing[i]: the counts some type after grade i still adds to
        for i in range(len(chain.grades)):
            later = [k for k in chain.straight[i + 1:] + chain.edge[i + 1:] if k is not None]
            self.growing.append({r for r in rules for k in later if tally.marks[k][r]})

    def counts(self, k) -> bool:
        return k is not None and any(self.tally.marks[k])

    def add(self, tallies: tuple, k: int, n: int) -> tuple:
        key = (tallies, k, n)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = tuple(
                min(low, t + n * mark)
                for t, mark, low in zip(tallies, self.tally.marks[k], self.tally.least))
        return found

    def alive(self, tallies: tuple, i: int) -> bool:
        return all(t >= low or r in self.growing[i]
                   for r, (t, low) in enumerate(zip(tallies, self.tally.least)))


def rule_tally(problem: Problem, types) -> Tally | None:
    """The fewest free classes each share and average rule must concern, from its
    students alone. Every free student of a rule's grades sits in a free class the rule
    concerns. Share: with N such classes (and the fixed ones), at least
    ceil(share * all) - small fixed ones are small (at most `size`), the others at most
    the largest size those types allow, so the students fit only if N is large enough.
    Average: the students are at most average * (N + fixed concerned)."""
    rules = [r for r in problem.rules if r.kind != RuleKind.CAP]
    if not rules:
        return None
    marks = {k: tuple(int(r.concerns(t.grades)) for r in rules) for k, t in enumerate(types)}
    free = problem.free_students
    least = []
    for r in rules:
        students = sum(free[g] for g in r.grades)
        fixed = [f.size for f in problem.fixed if r.concerns(f.codes)]
        widest = max((t.max_size for t in types if r.concerns(t.grades)), default=0)
        low, high = 0, students + 1  # _could_hold is monotone in n: the least n, by halves
        while low < high:
            middle = (low + high) // 2
            if _could_hold(r, students, middle, fixed, widest):
                high = middle
            else:
                low = middle + 1
        least.append(low)
    return Tally(marks, tuple(least))


def _could_hold(rule, students: int, n: int, fixed: list[int], widest: int) -> bool:
    if rule.kind == RuleKind.AVERAGE:
        p, q = rule.average.numerator, rule.average.denominator
        return (students + sum(fixed)) * q <= p * (n + len(fixed))
    p, q = rule.share.numerator, rule.share.denominator
    small_fixed = sum(1 for size in fixed if size <= rule.size)
    small = max(0, -(-p * (n + len(fixed)) // q) - small_fixed)
    if small > n:
        return False
    return students <= min(rule.size, widest) * small + widest * (n - small)


def _check_size(states: dict) -> None:
    if len(states) > MAX_STATES:
        raise DeadlineReached  # too large to finish in time and memory


def best_structures(types, chain: Chain, bounds: ClassBounds, composites: int,
                    classes: int, k: int, deadline: Deadline,
                    tally: Tally | None = None) -> list[tuple]:
    """The k best structures of the level (smallest spread first), each as (its smallest
    spread, counts {type: classes}, placement {(type, grade): students}); [] when the
    level has no plan. Raises DeadlineReached. `bounds` must cover at least `composites`
    composites. `tally`: class counts to keep per structure and a test they must pass."""
    steps = 0  # the deadline is checked every 2048 steps
    m = len(chain.grades)
    counting = _Counting(tally, chain) if tally else None
    nothing = counting.start if counting else 0
    # state: (classes, composites, low size, high size on the edge, b, tallies) -> entries
    # entry: (spread so far, structure, decisions)
    states = {(0, 0, None, None, 0, nothing): _Best((0, (), ()))}
    for i in range(m):
        deadline.check()
        S = chain.students[i]
        t = types[chain.straight[i]] if chain.straight[i] is not None else None
        e = types[chain.edge[i]] if chain.edge[i] is not None else None
        most_right = 0
        if e is not None:
            most_right = min(S, min(e.max_count, composites) * (e.max_size - e.min_per_grade))
        fixed = chain.fixed[i] if chain.fixed else None
        # half-step 1: the straight classes of grade i; R students left for edge i
        middle: dict = {}
        counted = chain.straight[i] if counting and counting.counts(chain.straight[i]) else None
        for (n0, c0, el, eh, b, tallies), entries in states.items():
            left = S - b
            if left < 0:
                continue
            for zs in range(max(0, left - (most_right if c0 < composites else 0)), left + 1):
                steps += 1
                if not steps & 2047:
                    deadline.check()
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
                    if fixed is not None:  # the fixed classes holding grade i
                        low = fixed[0] if low is None else min(low, fixed[0])
                        high = fixed[1] if high is None else max(high, fixed[1])
                    key = (n0 + n, c0, low, high, left - zs,
                           counting.add(tallies, counted, n) if counted is not None and n
                           else tallies)
                    for cost, structure, path in entries.entries.values():
                        _offer(middle, key, (cost, (structure, n), (path, zs, n)), k)
            _check_size(middle)
        # half-step 2: the composite classes on edge i, taking the R students
        states = {}
        options_of: dict = {}
        counted = chain.edge[i] if counting and counting.counts(chain.edge[i]) else None
        for (n1, c0, low, high, rest, tallies), entries in middle.items():
            steps += 1
            if not steps & 2047:
                deadline.check()
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
                key = (n1 + c, c0 + c, el, eh, b,
                       counting.add(tallies, counted, c) if counted is not None and c
                       else tallies)
                for cost, structure, path in entries.entries.values():
                    _offer(states, key, (cost + spread, (structure, c), (path, c, z, rest)), k)
            _check_size(states)
        if counting:  # counts that can no longer reach their least: no plan ahead
            states = {key: entries for key, entries in states.items()
                      if counting.alive(key[5], i)}
    entries = []
    for (n, c, low, _, b, tallies), found in states.items():
        if (n, c, low, b) == (classes, composites, None, 0) and (
                tally is None or tally.passes(tallies)):
            entries += found.entries.values()
    entries = sorted(entries, key=_cost)[:k]
    return [(cost, *_decode(chain, path)) for cost, _, path in entries]


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

    A *level* is a (composites, classes) pair of the free classes (the fixed classes add
    their own). Two ways through the levels:

    * Rankings with their structure criteria first (line.shaped): levels in the order
      of those criteria, each level's structures enumerated in the order of the size
      criteria (`_enumerate`): by spread from the programme's k best with growing k; or,
      with `largest` first, cap by cap (a cap L on every class is a lower maximum size:
      the structures that first have a plan at L, by their spread at L). Without share
      or average rules this order is the ranking itself and the first structures are
      the answer. With them (or `largest` after `spread`) it is the order of a
      *relaxation*: the same problem without those rules (and `largest` counted as 0),
      whose best plan of each structure is no worse than the problem's. Each structure
      is then solved exactly, rules included, by the MIP engine with its counts fixed
      (mip.StructureSolver), and the enumeration stops once the next relaxed key is no
      better than the k-th best exact key found: no structure left can do better.
    * Other rankings (structure criteria after spread; no largest, no rule to check):
      levels in groups that tie on the criteria before spread, the k best structures of
      each level of a group merged by the whole ranking.

    Each plan is the best of its structure, and they come in rank order.
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
        self.fixed_classes = len(problem.fixed)
        self.fixed_composites = problem.fixed_composites
        line = set(self.chain.grades)
        self.fixed_spread = sum(max(sizes) - min(sizes) for sizes in
                                (problem.fixed_sizes(g.code) for g in problem.grades
                                 if g.code not in line) if sizes)
        self.variants: dict[int, ChainEngine] = {}  # the problem capped at each size
        self.tally = None  # set by _by_levels when it checks rules
        self.stats = {"build_s": 0.0, "solver_s": 0.0}

    def fewest_classes(self) -> Outcome:
        if any(r.kind != RuleKind.CAP for r in self.problem.rules):
            # the programme does not model share and average rules: the MIP's count model
            from .mip import MipEngine  # noqa: PLC0415  (deferred: Pyomo)

            mip = MipEngine(self.problem, self.deadline)
            outcome = mip.fewest_classes()
            self.stats.update(mip.stats)
            return outcome
        try:
            fewest = fewest_classes(self.chain, self.types, self.deadline)
        except DeadlineReached:
            return Outcome(Status.TIMEOUT)
        if fewest is None:
            return Outcome(Status.INFEASIBLE)
        return Outcome(Status.OPTIMAL, fewest + self.fixed_classes)

    def search(self, fewest: int | None = None) -> Search:
        found: list[FoundPlan] = []
        self.unproven: list[tuple[tuple, FoundPlan]] = []  # checked plans, order not final
        try:
            if shaped(self.problem.ranking):
                self._by_levels(found)
            else:
                self._by_groups(found)
        except DeadlineReached:
            if found:  # proven, in rank order; only later alternatives are missing
                return Search(Status.OPTIMAL, found, self.stats)
            if self.unproven:  # a plan obeying every rule, not proven best
                return Search(Status.FEASIBLE, [self.unproven[0][1]], self.stats)
            return Search(Status.TIMEOUT, [], self.stats)
        return Search(Status.OPTIMAL if found else Status.INFEASIBLE, found, self.stats)

    # --- figures ---------------------------------------------------------------------

    def _figures(self, composites: int, classes: int, spread: int, largest: int = 0) -> dict:
        return {"composites": composites + self.fixed_composites,
                "classes": classes + self.fixed_classes,
                "spread": spread + self.fixed_spread, "largest": largest}

    def _key(self, figures: dict) -> tuple:
        return _key(figures, self.problem.ranking)

    def _plan(self, figures: dict, counts: dict, placed: dict) -> FoundPlan:
        groups = [(t.grades, t.min_per_grade, counts.get(k, 0),
                   {g: placed.get((k, g), 0) for g in t.grades})
                  for k, t in enumerate(self.types)]
        claimed = {c: figures[c] for c in self.problem.ranking}
        return FoundPlan(build_classes(self.problem, groups), claimed)

    # --- levels ----------------------------------------------------------------------

    def _cover(self, composites: int) -> None:
        """Class-count tables covering at least `composites` composites."""
        if self.bounds is None or composites > self.bounds.composites:
            cover = min(self.most_composites, max(4, 2 * composites))
            started = time.monotonic()
            self.bounds = ClassBounds(self.chain, self.types, cover, self.deadline)
            self.stats["build_s"] += time.monotonic() - started

    def _levels_of(self, composites: int) -> list[tuple[int, int]]:
        """Every level with this many free composites, most classes first."""
        self._cover(composites)
        span = self.bounds.level_range(composites)
        if span is None:
            return []
        fewest, most = span
        free = self.problem.teachers - self.fixed_classes
        return [(composites, n) for n in range(min(most, free), fewest - 1, -1)]

    def _level_groups(self, prefix):
        """Groups of levels that tie on the criteria in `prefix`, in their order."""
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
        keyed = sorted((_key(self._figures(c, n, 0), prefix), (c, n)) for c, n in levels)
        group: list = []
        for index, (key, level) in enumerate(keyed):
            group.append(level)
            if index + 1 == len(keyed) or keyed[index + 1][0] != key:
                yield group
                group = []

    # --- structure criteria first -------------------------------------------------------

    def _by_levels(self, found: list[FoundPlan]) -> None:
        """Fills `found` (see the class's docstring). Without rules to check, each plan
        is final as it comes; with them, `self.unproven` holds the exactly solved
        structures until no structure left can beat the k-th."""
        ranking = self.problem.ranking
        prefix = tuple(c for c in ranking if c in STRUCTURE)
        want = self.problem.alternatives
        if not needs_checking(self.problem):
            for group in self._level_groups(prefix):
                streams = [self._enumerate(level, want - len(found)) for level in group]
                for _, figures, counts, placed in heapq.merge(*streams, key=_first):
                    found.append(self._plan(figures, counts, placed))
                    if len(found) >= want:
                        return
            return
        from .mip import StructureSolver  # noqa: PLC0415  (deferred: Pyomo)

        self.tally = rule_tally(self.problem, self.types)
        checker = StructureSolver(self.problem, self.deadline)
        best = self.unproven  # exact keys, best first
        for group in self._level_groups(prefix):
            streams = [self._enumerate(level, want - len(best)) for level in group]
            for relaxed, _, counts, _ in heapq.merge(*streams, key=_first):
                if len(best) >= want and relaxed >= best[want - 1][0]:
                    break  # no structure left in the group can do better
                exact = checker.best(self._structure(counts))
                self.stats["checked"] = self.stats.get("checked", 0) + 1
                if exact is not None:
                    best.append((self._key(exact[0]), exact[1]))
                    best.sort(key=_first)
                if len(best) >= want and relaxed >= best[want - 1][0]:
                    break  # the structures to come have relaxed keys no smaller
            if len(best) >= want:
                break  # later groups come later in the ranking
        found += [plan for _, plan in best[:want]]

    def _structure(self, counts: dict) -> dict[tuple[str, ...], int]:
        return {self.types[k].grades: n for k, n in counts.items() if n}

    def _enumerate(self, level, want: int):
        """(relaxed key, figures, counts, placed) of the level's structures, in the order
        of the relaxed key."""
        ranking = self.problem.ranking
        sizes = [c for c in ranking if c not in STRUCTURE]
        if sizes[:1] == ["largest"]:
            yield from self._by_largest(level, want)
            return
        composites, classes = level
        yielded = set()
        k = want
        while True:
            started = time.monotonic()
            found = best_structures(self.types, self.chain, self.bounds, composites, classes,
                                    k, self.deadline, self.tally)
            self.stats["solver_s"] += time.monotonic() - started
            for spread, counts, placed in found:
                structure = tuple(sorted(counts.items()))
                if structure in yielded:
                    continue
                yielded.add(structure)
                figures = self._figures(composites, classes, spread)
                yield self._key(figures), figures, counts, placed
            if len(found) < k:
                return
            k *= 2

    def _by_largest(self, level, want: int):
        """The level's structures by the smallest largest class they allow, then by
        their spread under that cap."""
        composites, classes = level
        seen: set = set()
        fixed = max((f.size for f in self.problem.fixed), default=1)
        top = max([t.max_size for t in self.types] + [fixed])
        for cap in range(self._least_largest(level, fixed, top), top + 1):
            variant = self._variant(cap)
            variant._cover(composites)
            k = len(seen) + want
            yielded_here = set()
            while True:
                started = time.monotonic()
                found = best_structures(variant.types, variant.chain, variant.bounds,
                                        composites, classes, k, self.deadline, variant.tally)
                self.stats["solver_s"] += time.monotonic() - started
                for spread, counts, placed in found:
                    structure = tuple(sorted((variant.types[k_].grades, n)
                                             for k_, n in counts.items() if n))
                    if structure in seen or structure in yielded_here:
                        continue
                    yielded_here.add(structure)
                    counts = self._reindex(variant, counts)
                    placed = {(self._index(variant, k_), g): z for (k_, g), z in placed.items()}
                    figures = self._figures(composites, classes, spread, cap)
                    yield self._key(figures), figures, counts, placed
                if len(found) < k:
                    break
                k *= 2
            seen |= yielded_here

    def _least_largest(self, level, low: int, high: int) -> int:
        """The smallest cap on every class (at least `low`, the largest fixed class)
        under which the level still has a plan."""
        composites, classes = level
        while low < high:
            middle = (low + high) // 2
            variant = self._variant(middle)
            fits = variant.chain is not None and variant.most_composites >= composites
            if fits:
                variant._cover(composites)
                fits = variant.bounds.allows(0, composites, 0, classes)
            low, high = (low, middle) if fits else (middle + 1, high)
        return low

    def _variant(self, cap: int):
        """The engine for the problem with no class above `cap` (a cap rule on every
        grade), made once per cap."""
        variant = self.variants.get(cap)
        if variant is None:
            rule = Rule(RuleKind.CAP, tuple(g.code for g in self.problem.grades), size=cap,
                        label="largest")
            problem = self.problem.with_changes(rules=self.problem.rules + (rule,))
            variant = ChainEngine.__new__(ChainEngine)
            variant.problem, variant.deadline = problem, self.deadline
            variant.types = problem.class_types
            variant.chain = chain_of(problem, variant.types)
            variant.bounds, variant.stats = None, self.stats
            variant.tally = rule_tally(problem, variant.types) if self.tally else None
            variant.most_composites = (
                sum(variant.types[k].max_count for k in variant.chain.edge if k is not None)
                if variant.chain is not None else 0)
            self.variants[cap] = variant
        return variant

    def _index(self, variant, k: int) -> int:
        grades = variant.types[k].grades
        return next(i for i, t in enumerate(self.types) if t.grades == grades)

    def _reindex(self, variant, counts: dict) -> dict:
        return {self._index(variant, k): n for k, n in counts.items()}

    # --- other rankings ----------------------------------------------------------------

    def _by_groups(self, found: list[FoundPlan]) -> list[FoundPlan]:
        problem = self.problem
        ranking = problem.ranking
        prefix = ranking[:ranking.index("spread")] if "spread" in ranking else ranking
        for group in self._level_groups(prefix):
            wanted = problem.alternatives - len(found)
            merged = []
            for composites, classes in group:
                started = time.monotonic()
                best = best_structures(self.types, self.chain, self.bounds, composites,
                                       classes, wanted, self.deadline)
                self.stats["solver_s"] += time.monotonic() - started
                merged += [(self._figures(composites, classes, spread), counts, placed)
                           for spread, counts, placed in best]
                if "spread" not in ranking and len(merged) >= wanted:
                    break  # the whole group ties
            merged.sort(key=lambda item: self._key(item[0]))
            for figures, counts, placed in merged[:wanted]:
                found.append(self._plan(figures, counts, placed))
            if len(found) >= problem.alternatives:
                break
        return found


def _first(item):
    return item[0]


def _key(figures: dict, criteria) -> tuple:
    return tuple(-figures[c] if c == "classes" else figures[c] for c in criteria)
