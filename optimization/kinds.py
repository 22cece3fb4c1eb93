"""Kinds of free classes: the unit both engines count.

A plan is its fixed classes plus free classes of the problem's class types (problem.py).
Classes of one type are interchangeable except for their sizes, and three facts decide
what a type's sizes must be:

1. Composition. A type's x classes can hold exactly t[g] students of each of its grades
   (T = the sum) in classes of sizes s_1..s_x exactly when sum s_i = T, every s_i is
   within the type's limits and t[g] >= x * min_per_grade: give each class its
   min_per_grade of every grade, then seat the others anywhere (the seats left and the
   students left are equally many). So only the type's count and total matter.
2. Even split. Given x and T, sizes differing by at most one (floor and ceil of T / x)
   are all within any size window [lo, hi] that any split of T into x sizes fits, so
   they are at once the smallest largest class and the narrowest window of every grade
   of the type: the even split is best for `largest` and `spread`.
3. Rules. A `cap` concerning the type is a lower maximum size (problem.py folds it in).
   An `average` rule reads only the type's count and total. A `share` rule reads how many
   of its classes are at most `size`: there the even split is *not* always best (some
   classes at 20 and one at 23 may beat 21, 21, 21). So a type concerned by share rules
   is cut into *bands* at their sizes ([min, s1], [s1 + 1, s2], ..., [s_last + 1, max]):
   within a band a class is small for every share rule or for none, and facts 1 and 2
   hold again band by band.

A *kind* is a type's band: the engines choose how many classes of each kind and how many
students of each grade they take, and split each kind evenly (plans.py). Without share
rules every type is one kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from .problem import ClassType, Problem, RuleKind


@dataclass(frozen=True)
class Kind:
    type_index: int        # into problem.class_types
    ctype: ClassType
    min_size: int          # the band
    max_size: int
    most: int              # the most classes of this kind the free students allow

    @property
    def grades(self) -> tuple[str, ...]:
        return self.ctype.grades

    @property
    def is_composite(self) -> bool:
        return self.ctype.is_composite

    @property
    def min_per_grade(self) -> int:
        return self.ctype.min_per_grade


def share_sizes(problem: Problem, ctype: ClassType) -> list[int]:
    """The share-rule sizes that cut a type's size range in two."""
    return sorted({r.size for r in problem.rules_of(RuleKind.SHARE)
                   if r.concerns(ctype.grades) and ctype.min_size <= r.size < ctype.max_size})


def kinds_of(problem: Problem) -> tuple[Kind, ...]:
    kinds = []
    free = problem.free_students
    for k, t in enumerate(problem.class_types):
        cuts = share_sizes(problem, t)
        lows = [t.min_size] + [s + 1 for s in cuts]
        highs = cuts + [t.max_size]
        pupils = sum(free[g] for g in t.grades)
        for low, high in zip(lows, highs):
            most = min(t.max_count, pupils // low)
            if most > 0:
                kinds.append(Kind(k, t, low, high, most))
    return tuple(kinds)
