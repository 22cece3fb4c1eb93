"""A brute-force planner for tiny problems, sharing nothing with the optimizer's model.

It enumerates structures (how many classes of each grade set) and, for each, every way to
fill the classes student by student (each class a concrete composition such as
{"1": 7, "2": 12}), keeping the smallest spread. It knows nothing of the aggregate
argument the model relies on, so agreement is real evidence.
"""

from __future__ import annotations

import itertools
from functools import lru_cache


def _compositions(codes, low, high, min_each, limits):
    """Every class holding exactly these grades: counts >= min_each, total in low..high."""
    ranges = [range(min_each, min(limits[c], high) + 1) for c in codes]
    return [dict(zip(codes, counts)) for counts in itertools.product(*ranges)
            if low <= sum(counts) <= high]


def class_kinds(data: dict) -> list[tuple[tuple[str, ...], list[dict]]]:
    """(grade set, every possible class of it) for straight grades and allowed composites."""
    grades = {g["code"]: g for g in data["grades"]}
    students = {c: g["students"] for c, g in grades.items()}
    kinds = []
    for code, g in grades.items():
        options = _compositions((code,), g["min_class_size"], g["max_class_size"], 1,
                                students)
        if options:
            kinds.append(((code,), options))
    default_mpg = data.get("composite_min_per_grade", 1)
    for comp in data.get("composites", []):
        codes = tuple(comp["grades"])
        members = [grades[c] for c in codes]
        low = comp.get("min_class_size", max(g["min_class_size"] for g in members))
        high = comp.get("max_class_size", min(g["max_class_size"] for g in members))
        options = _compositions(codes, low, high, comp.get("min_per_grade", default_mpg),
                                students)
        if options:
            kinds.append((codes, options))
    return kinds


def _best_spread(data, kinds, counts):
    """Smallest spread of a plan with counts[i] classes of kinds[i]; None if impossible."""
    codes = [g["code"] for g in data["grades"]]
    need = tuple(g["students"] for g in data["grades"])
    slots = [i for i, n in enumerate(counts) for _ in range(n)]
    vectors = [[tuple(opt.get(c, 0) for c in codes) for opt in kinds[i][1]] for i in
               range(len(kinds))]
    best = [None]

    @lru_cache(maxsize=None)
    def completable(slot, remaining, start):
        if slot == len(slots):
            return not any(remaining)
        options = vectors[slots[slot]]
        same = slot > 0 and slots[slot - 1] == slots[slot]
        for j in range(start if same else 0, len(options)):
            v = options[j]
            if all(a <= r for a, r in zip(v, remaining)):
                rest = tuple(r - a for r, a in zip(remaining, v))
                if completable(slot + 1, rest, j):
                    return True
        return False

    def spread(bands):
        return sum(hi - lo for lo, hi in bands.values())

    def search(slot, remaining, start, bands):
        if best[0] is not None and spread(bands) >= best[0]:
            return
        if slot == len(slots):
            if not any(remaining):
                best[0] = spread(bands)
            return
        options = vectors[slots[slot]]
        same = slot > 0 and slots[slot - 1] == slots[slot]
        for j in range(start if same else 0, len(options)):
            v = options[j]
            if not all(a <= r for a, r in zip(v, remaining)):
                continue
            rest = tuple(r - a for r, a in zip(remaining, v))
            if not completable(slot + 1, rest, j):
                continue
            size = sum(v)
            new = dict(bands)
            for c, a in zip(codes, v):
                if a:
                    lo, hi = new.get(c, (size, size))
                    new[c] = (min(lo, size), max(hi, size))
            search(slot + 1, rest, j, new)

    if completable(0, need, 0):
        search(0, need, 0, {})
    return best[0]


def _plausible(data, kinds, counts):
    """Cheap necessary condition: each grade's students fit the classes' extremes."""
    for g in data["grades"]:
        code = g["code"]
        low = sum(n * min(o[code] for o in opts) for (codes, opts), n in zip(kinds, counts)
                  if code in codes)
        high = sum(n * max(o[code] for o in opts) for (codes, opts), n in zip(kinds, counts)
                   if code in codes)
        if not low <= g["students"] <= high:
            return False
    return True


def _feasible_counts(data, kinds, total):
    for counts in _counts_adding_to(total, len(kinds)):
        if _plausible(data, kinds, counts):
            spread = _best_spread(data, kinds, counts)
            if spread is not None:
                yield counts, spread


def ranked_structures(data: dict):
    """Every feasible structure with its best spread, best first:
    [((composites, -classes, spread), structure), ...]; a structure maps grade sets
    to numbers of classes."""
    kinds = class_kinds(data)
    found = []
    for total in range(data["teachers"] + 1):
        for counts, spread in _feasible_counts(data, kinds, total):
            composites = sum(n for (codes, _), n in zip(kinds, counts) if len(codes) > 1)
            structure = {tuple(sorted(kinds[i][0])): n for i, n in enumerate(counts) if n}
            found.append(((composites, -total, spread), structure))
    found.sort(key=lambda item: item[0])
    return found


def fewest_classes(data: dict, cap: int) -> int | None:
    """The fewest classes of any plan, teachers aside (None if none up to `cap`)."""
    kinds = class_kinds(data)
    for total in range(cap + 1):
        if next(_feasible_counts(data, kinds, total), None) is not None:
            return total
    return None


def _counts_adding_to(total, kinds):
    if kinds == 0:
        if total == 0:
            yield ()
        return
    for first in range(total + 1):
        for rest in _counts_adding_to(total - first, kinds - 1):
            yield (first,) + rest
