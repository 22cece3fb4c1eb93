"""A brute-force planner for tiny problems, sharing nothing with the optimizer.

It reads the problem's JSON itself and enumerates, for every structure (how many classes
of each grade set), every way to fill every class student by student: each class is a
concrete composition such as {"1": 7, "2": 12}. Nothing of the optimizer's arguments is
used (no even split, no bands, no aggregate model). Two exact shortcuts keep it fast:

* the outcomes of j classes of one grade set are kept as a set (the order of classes does
  not matter), and an outcome is dropped when another with the same students per grade
  is at least as good for every figure and rule: its smallest class no smaller, its
  largest no larger, as many small classes for each share rule;
* the same for the outcomes of several grade sets together (memoised on the students
  still to place).

`solve(data)` returns every structure that has a plan within the teachers, each with
the ranking key of its best plan, best first, and the fewest classes of any plan.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

DEFAULT_RANKING = ["composites", "classes", "spread"]


def exact(number) -> Fraction:
    return Fraction(number) if isinstance(number, int) else Fraction(repr(float(number)))


class TooLarge(Exception):
    """The problem needs more enumeration than the budget allows."""


class Brute:
    def __init__(self, data: dict, budget: int = 200_000):
        self.budget = budget  # joins of outcomes allowed, so that no test runs for long
        self.data = data
        grades = data["grades"]
        self.codes = [g["code"] for g in grades]
        index = {c: i for i, c in enumerate(self.codes)}
        self.index = index
        self.ranking = list(data.get("ranking", DEFAULT_RANKING))
        self.rules = []
        for rule in data.get("rules", []):
            self.rules.append({"kind": rule["kind"], "grades": set(rule["grades"]),
                               "size": rule.get("size"),
                               "share": exact(rule["share"]) if "share" in rule else None,
                               "average": exact(rule["average"]) if "average" in rule else None})
        self.fixed = [dict(f["grades"]) for f in data.get("fixed", [])]
        need = [g["students"] for g in grades]
        for f in self.fixed:
            for code, n in f.items():
                need[index[code]] -= n
        self.need = tuple(need)
        self.sets = self._sets()  # (grade codes, [count vectors of one class])
        # figures the ranking ignores are not tracked (fewer outcomes to keep)
        self.windows = "spread" in self.ranking
        self.largest = "largest" in self.ranking
        self.class_outcomes = [[self._class_outcome(codes, v) for v in options]
                               for codes, options in self.sets]
        self.empty = ((0,) * len(self.codes), (None,) * len(self.codes), 0,
                      (0,) * len(self._shares()), (0,) * len(self._averages()))
        self._set_memo: dict = {}
        self._combine_memo: dict = {}
        self._span_memo: dict = {}

    # --- one class --------------------------------------------------------------------

    def _concerns(self, rule, codes) -> bool:
        return any(c in rule["grades"] for c in codes)

    def _cap(self, codes):
        caps = [r["size"] for r in self.rules if r["kind"] == "cap" and self._concerns(r, codes)]
        return min(caps, default=None)

    def _sets(self):
        grades = {g["code"]: g for g in self.data["grades"]}
        sets = []
        for g in self.data["grades"]:
            sets.append(((g["code"],), g["min_class_size"], g["max_class_size"], 1))
        default = self.data.get("composite_min_per_grade", 1)
        for comp in self.data.get("composites", []):
            codes = tuple(sorted(comp["grades"], key=self.index.get))
            members = [grades[c] for c in codes]
            sets.append((codes,
                         comp.get("min_class_size", max(g["min_class_size"] for g in members)),
                         comp.get("max_class_size", min(g["max_class_size"] for g in members)),
                         comp.get("min_per_grade", default)))
        result = []
        for codes, low, high, each in sets:
            cap = self._cap(codes)
            if cap is not None:
                high = min(high, cap)
            ranges = [range(each, min(self.need[self.index[c]], high) + 1) for c in codes]
            options = []
            for counts in itertools.product(*ranges):
                if low <= sum(counts) <= high:
                    vector = [0] * len(self.codes)
                    for c, n in zip(codes, counts):
                        vector[self.index[c]] = n
                    options.append(tuple(vector))
            result.append((codes, options))
        # composites first: the straight classes' outcomes (the memoised suffix) are
        # then shared by every choice of composites
        return sorted(result, key=lambda item: -len(item[0]))

    # --- outcomes -----------------------------------------------------------------------
    # outcome of a group of classes: (students per grade, window per grade (lo, hi) or
    # None, largest, small classes per share rule, students per average rule)

    def _shares(self):
        return [r for r in self.rules if r["kind"] == "share"]

    def _averages(self):
        return [r for r in self.rules if r["kind"] == "average"]

    def _class_outcome(self, codes, vector):
        size = sum(vector)
        windows = tuple((size, size) if vector[i] and self.windows else None
                        for i in range(len(self.codes)))
        smalls = tuple(int(self._concerns(r, codes) and size <= r["size"])
                       for r in self._shares())
        students = tuple(size if self._concerns(r, codes) else 0 for r in self._averages())
        return (vector, windows, size if self.largest else 0, smalls, students)

    def _join(self, a, b):
        self.budget -= 1
        if self.budget < 0:
            raise TooLarge
        vector = tuple(x + y for x, y in zip(a[0], b[0]))
        windows = tuple(x if y is None else y if x is None else (min(x[0], y[0]), max(x[1], y[1]))
                        for x, y in zip(a[1], b[1]))
        return (vector, windows, max(a[2], b[2]), tuple(x + y for x, y in zip(a[3], b[3])),
                tuple(x + y for x, y in zip(a[4], b[4])))

    @staticmethod
    def _dominates(a, b) -> bool:
        """a at least as good as b for every figure and rule (same students)."""
        for x, y in zip(a[1], b[1]):
            if (x is None) != (y is None):
                return False
            if x is not None and (x[0] < y[0] or x[1] > y[1]):
                return False
        return (a[2] <= b[2] and all(x >= y for x, y in zip(a[3], b[3]))
                and all(x <= y for x, y in zip(a[4], b[4])))

    def _pareto(self, outcomes):
        by_vector: dict = {}
        for o in set(outcomes):
            by_vector.setdefault(o[0], []).append(o)
        kept = []
        for group in by_vector.values():
            group.sort(key=lambda o: (o[2], [-s for s in o[3]], o[4]))
            front = []
            for o in group:
                if not any(self._dominates(f, o) for f in front):
                    front = [f for f in front if not self._dominates(o, f)] + [o]
            kept += front
        return kept

    def _of_set(self, s: int, count: int) -> dict:
        """Outcomes of `count` classes of grade set s (Pareto-pruned), by students."""
        if count == 0:
            return {self.empty[0]: [self.empty]}
        memo = self._set_memo.get((s, count))
        if memo is not None:
            return memo
        found = []
        need = self.need
        for held, outcomes in self._of_set(s, count - 1).items():
            for one in self.class_outcomes[s]:
                if any(a + b > n for a, b, n in zip(held, one[0], need)):
                    continue
                found += [self._join(o, one) for o in outcomes]
        memo = self._set_memo[s, count] = _by_vector(self._pareto(found))
        return memo

    def _combine(self, structure: tuple, s: int, need: tuple) -> list:
        """Outcomes of sets s, s+1, ... (counts from `structure`) placing exactly `need`."""
        if s == len(structure):
            return [self.empty] if not any(need) else []
        key = (structure[s:], need)
        memo = self._combine_memo.get(key)
        if memo is not None:
            return memo
        found = []
        low, high = self._span(structure[s + 1:], s + 1)
        for vector, outcomes in self._of_set(s, structure[s]).items():
            rest = tuple(n - v for n, v in zip(need, vector))
            if not all(a <= r <= b for a, r, b in zip(low, rest, high)):
                continue
            tails = self._combine(structure, s + 1, rest)
            found += [self._join(o, tail) for o in outcomes for tail in tails]
        memo = self._combine_memo[key] = self._pareto(found)
        return memo

    def _span(self, suffix: tuple, s: int) -> tuple[tuple, tuple]:
        """The fewest and most students of each grade that sets s, s+1, ... (counts
        `suffix`) can place."""
        memo = self._span_memo.get(suffix)
        if memo is None:
            if not suffix:
                memo = (self.empty[0], self.empty[0])
            else:
                low, high = self._span(suffix[1:], s + 1)
                vectors = list(self._of_set(s, suffix[0])) or [None]
                if vectors == [None]:
                    memo = ((10 ** 9,) * len(low), (-1,) * len(low))
                else:
                    memo = (tuple(a + min(v[i] for v in vectors) for i, a in enumerate(low)),
                            tuple(b + max(v[i] for v in vectors) for i, b in enumerate(high)))
            self._span_memo[suffix] = memo
        return memo

    def _plausible(self, structure: tuple) -> bool:
        """Cheap necessary condition: each grade's students within what the classes of
        the structure can hold at least and at most."""
        for i, need in enumerate(self.need):
            low = high = 0
            for (codes, options), n in zip(self.sets, structure):
                if n and self.codes[i] in codes:
                    if not options:
                        return False
                    low += n * min(o[i] for o in options)
                    high += n * max(o[i] for o in options)
            if not low <= need <= high:
                return False
        return all(options or not n for (_, options), n in zip(self.sets, structure))

    # --- plans ----------------------------------------------------------------------------

    def _fixed_outcome(self):
        total = self.empty
        for counts in self.fixed:
            vector = tuple(counts.get(c, 0) for c in self.codes)
            total = self._join(total, self._class_outcome(tuple(counts), vector))
        return total

    def _fixed_concerned(self, rule) -> int:
        return sum(1 for f in self.fixed if self._concerns(rule, f))

    def best(self, structure: tuple):
        """Figures {composites, classes, largest, spread} of the structure's best plan by
        the ranking (None when it has no plan obeying every rule)."""
        classes = sum(structure) + len(self.fixed)
        composites = (sum(n for (codes, _), n in zip(self.sets, structure) if len(codes) > 1)
                      + sum(1 for f in self.fixed if len(f) > 1))
        if not self._plausible(structure):
            return None
        fixed = self._fixed_outcome()
        best_key, best_figures = None, None
        for o in self._combine(structure, 0, self.need):
            whole = self._join(fixed, o)
            figures = {"composites": composites, "classes": classes, "largest": whole[2],
                       "spread": sum(w[1] - w[0] for w in whole[1] if w is not None)}
            if not self._obeys(structure, whole):
                continue
            key = self.key(figures)
            if best_key is None or key < best_key:
                best_key, best_figures = key, figures
        return best_figures

    def _obeys(self, structure, whole) -> bool:
        if any(f_size > cap for f_size, cap in self._fixed_caps()):
            return False
        for r, small in zip(self._shares(), whole[3]):
            concerned = self._fixed_concerned(r) + sum(
                n for (codes, _), n in zip(self.sets, structure) if self._concerns(r, codes))
            if small < r["share"] * concerned:
                return False
        for r, students in zip(self._averages(), whole[4]):
            concerned = self._fixed_concerned(r) + sum(
                n for (codes, _), n in zip(self.sets, structure) if self._concerns(r, codes))
            if students > r["average"] * concerned:
                return False
        return True

    def _fixed_caps(self):
        for f in self.fixed:
            cap = self._cap(tuple(f))
            if cap is not None:
                yield sum(f.values()), cap

    def key(self, figures) -> tuple:
        return tuple(-figures[c] if c == "classes" else figures[c] for c in self.ranking)

    def structures(self, total: int):
        """Every structure of exactly `total` free classes."""
        yield from _counts_adding_to(total, len(self.sets))

    def structure_name(self, structure) -> tuple:
        """As the checker names a plan's structure (fixed classes included)."""
        counts: dict = {}
        for (codes, _), n in zip(self.sets, structure):
            if n:
                key = tuple(sorted(codes))
                counts[key] = counts.get(key, 0) + n
        for f in self.fixed:
            key = tuple(sorted(f))
            counts[key] = counts.get(key, 0) + 1
        return tuple(sorted(counts.items()))


def _by_vector(outcomes) -> dict:
    grouped: dict = {}
    for o in outcomes:
        grouped.setdefault(o[0], []).append(o)
    return grouped


def _counts_adding_to(total, kinds):
    if kinds == 0:
        if total == 0:
            yield ()
        return
    for first in range(total + 1):
        for rest in _counts_adding_to(total - first, kinds - 1):
            yield (first,) + rest


def solve(data: dict, cap: int, budget: int = 60_000) -> tuple[list, int | None]:
    """(ranked, fewest): every structure with a plan within the teachers as (key,
    structure name, figures), best first; and the fewest classes of any plan, teachers
    aside (None if none up to `cap` classes). Raises TooLarge past the budget."""
    brute = Brute(data, budget)
    ranked, fewest = [], None
    for total in range(max(cap, data["teachers"]) - len(brute.fixed) + 1):
        within = total + len(brute.fixed) <= data["teachers"]
        if not within and (fewest is not None or total + len(brute.fixed) > cap):
            break
        for structure in brute.structures(total):
            figures = brute.best(structure)
            if figures is None:
                continue
            if fewest is None:
                fewest = total + len(brute.fixed)
            if not within:
                break
            ranked.append((brute.key(figures), brute.structure_name(structure), figures))
    ranked.sort(key=lambda item: item[0])
    return ranked, fewest


def ranked_structures(data: dict, budget: int = 200_000) -> list:
    """Every structure with a plan within the teachers, best first (see `solve`)."""
    return solve(data, data["teachers"], budget)[0]
