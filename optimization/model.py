"""The Pyomo models: how many classes of each kind (kinds.py), and how many students of
each grade each kind takes. They serve every problem; the chain programme (chain.py) is
a faster exact alternative where it applies.

By the facts in kinds.py a plan is decided by
  * its counts x[q] of classes of each kind q, and
  * its placement t[q, g] of grade-g students into kind-q classes (T[q] their sum),
under
  x[q] * min_size[q] <= T[q] <= x[q] * max_size[q]    (the kind's band)
  t[q, g] >= x[q] * min_per_grade[q]                    (composites)
and every kind split evenly. Fixed classes are constants: their students are not free,
they count as classes (and composites), and their sizes enter every figure and rule.

`build_count_model`: counts and placement only, for the fewest classes (min_teachers).
`build_plan_model`: the same with every count written as a choice among its possible
values (binaries count_is[q, n]); the products that the figures need (n * largest,
n * smallest[g]) are then linear by disaggregating each over that choice (a convex-hull
formulation, no big-M):
  largest  >= ceil(T[q] / x[q])               as  n * largest_if[q, n]  >= students_if[q, n]
  smallest[g] <= floor(T[q] / x[q]) <= ...      as  n * smallest_if[q, g, n] <= students_if[q, n]
where students_if[q, n] is T[q] when x[q] = n, else 0. The same binaries give linear
no-good cuts that exclude the structures already found.

Rules: a `share` rule counts the classes of the small bands; an `average` rule bounds
the concerned kinds' students by the average times their number. Both are written with
integer coefficients: a ratio of at most N classes satisfies "<= average" exactly when it
satisfies "<= the largest fraction with denominator <= N that is <= average" (so the
decimal 24.5 becomes 49/2, and 0.333333333 a fraction a solver can hold exactly).
"""

from __future__ import annotations

from fractions import Fraction

import pyomo.environ as pyo

from .deadline import Deadline
from .kinds import Kind, kinds_of
from .problem import Problem, RuleKind



def farey_neighbours(x: Fraction, most: int) -> tuple[Fraction, Fraction]:
    """The fractions with denominator <= most closest to x from below and from above
    (x itself, twice, when its denominator is small enough)."""
    if x.denominator <= most:
        return x, x
    p0, q0, p1, q1 = 0, 1, 1, 0
    n, d = x.numerator, x.denominator
    while True:
        a = n // d
        q2 = q0 + a * q1
        if q2 > most:
            break
        p0, q0, p1, q1 = p1, q1, p0 + a * p1, q2
        n, d = d, n - a * d
    k = (most - q0) // q1
    one, other = Fraction(p0 + k * p1, q0 + k * q1), Fraction(p1, q1)
    return min(one, other), max(one, other)


class Setting:
    """What both models read from the problem: kinds, free students, fixed figures; and
    the deadline, which the builders check as they go (a large model takes a while)."""

    def __init__(self, problem: Problem, teacher_limit: bool, deadline: Deadline | None = None):
        self.problem = problem
        self.deadline = deadline
        self.ticks = 0
        self.fixed = problem.fixed
        self.teacher_limit = teacher_limit
        free_classes = problem.teachers - len(self.fixed) if teacher_limit else None
        kinds = []
        for kind in kinds_of(problem):
            most = kind.most if free_classes is None else min(kind.most, free_classes)
            if most > 0:
                kinds.append(Kind(kind.type_index, kind.ctype, kind.min_size, kind.max_size,
                                  most))
        self.kinds: tuple[Kind, ...] = tuple(kinds)
        self.free = problem.free_students
        self.grades = [g.code for g in problem.grades
                       if self.free[g.code] > 0 or problem.fixed_sizes(g.code)]
        self.most_classes = len(self.fixed) + sum(q.most for q in self.kinds)

    def cells(self, one_hot: bool) -> int:
        """Roughly how many variables and rule coefficients a model would have."""
        rules = sum(r.kind != RuleKind.CAP for r in self.problem.rules) * len(self.kinds)
        if not one_hot:
            return rules + sum(2 + len(q.grades) for q in self.kinds)
        ranking = self.problem.ranking
        per_count = 2 + ("largest" in ranking) * 3 + ("spread" in ranking) * 8
        return rules + sum((q.most + 1) * per_count * len(q.grades) for q in self.kinds)

    def tick(self) -> None:
        """Called by the builders' rules: raises DeadlineReached once time is up."""
        self.ticks += 1
        if self.deadline is not None and self.ticks % 256 == 0:
            self.deadline.check()

    def concerned(self, rule) -> list[int]:
        return [i for i, q in enumerate(self.kinds) if rule.concerns(q.grades)]

    def fixed_concerned(self, rule) -> list[int]:
        return [f.size for f in self.fixed if rule.concerns(f.codes)]


def _base(setting: Setting, name: str) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name=name)
    m.setting = setting
    kinds = setting.kinds
    m.KINDS = pyo.Set(initialize=range(len(kinds)), ordered=True)
    m.GRADES = pyo.Set(initialize=[g for g in setting.grades if setting.free[g] > 0],
                       ordered=True)
    members = [(i, g) for i, q in enumerate(kinds) for g in q.grades]
    m.MEMBERS = pyo.Set(initialize=members, dimen=2, ordered=True)
    m.COMPOSITE_MEMBERS = pyo.Set(initialize=[(i, g) for i, g in members
                                              if kinds[i].is_composite], dimen=2)
    m.placed = pyo.Var(m.MEMBERS, domain=pyo.NonNegativeIntegers,
                       bounds=lambda m, i, g: (0, setting.free[g]))

    @m.Expression(m.KINDS)
    def students_in_kind(m, i):
        return sum(m.placed[i, g] for g in kinds[i].grades)

    @m.Constraint(m.GRADES)
    def every_free_student_placed(m, g):
        return sum(m.placed[i, h] for i, h in m.MEMBERS if h == g) == setting.free[g]

    return m


def _add_counts_figures_rules(m, setting: Setting) -> None:
    """Given m.classes_of_kind: the composite rule, the figures classes/composites, and
    the share and average rules."""
    kinds, fixed = setting.kinds, setting.fixed

    @m.Constraint(m.COMPOSITE_MEMBERS)
    def composite_min_per_grade(m, i, g):
        setting.tick()
        return m.placed[i, g] >= kinds[i].min_per_grade * m.classes_of_kind[i]

    m.classes = pyo.Expression(expr=len(fixed) + sum(m.classes_of_kind[i] for i in m.KINDS))
    m.composite_classes = pyo.Expression(
        expr=sum(f.is_composite for f in fixed)
        + sum(m.classes_of_kind[i] for i in m.KINDS if kinds[i].is_composite))

    problem = setting.problem
    shares = list(problem.rules_of(RuleKind.SHARE))
    averages = list(problem.rules_of(RuleKind.AVERAGE))
    m.SHARE_RULES = pyo.Set(initialize=range(len(shares)))
    m.AVERAGE_RULES = pyo.Set(initialize=range(len(averages)))
    most = max(1, setting.most_classes)

    @m.Constraint(m.SHARE_RULES)
    def share_rule_small_classes_enough(m, r):
        rule = shares[r]
        needed = farey_neighbours(rule.share, most)[1]
        concerned = setting.concerned(rule)
        sizes = setting.fixed_concerned(rule)
        small = (sum(s <= rule.size for s in sizes)
                 + sum(m.classes_of_kind[i] for i in concerned
                       if kinds[i].max_size <= rule.size))
        count = len(sizes) + sum(m.classes_of_kind[i] for i in concerned)
        return _linear_or_constant(m, needed.denominator * small >= needed.numerator * count)

    @m.Constraint(m.AVERAGE_RULES)
    def average_rule_mean_size_not_above(m, r):
        rule = averages[r]
        allowed = farey_neighbours(rule.average, most)[0]
        concerned = setting.concerned(rule)
        sizes = setting.fixed_concerned(rule)
        students = sum(sizes) + sum(m.students_in_kind[i] for i in concerned)
        count = len(sizes) + sum(m.classes_of_kind[i] for i in concerned)
        return _linear_or_constant(m, allowed.denominator * students
                                   <= allowed.numerator * count)


def _linear_or_constant(m, relation):
    """A rule over fixed classes only is a constant: true (skip) or false (infeasible,
    written with a variable so that every solver takes it)."""
    if relation is True:
        return pyo.Constraint.Skip
    if relation is False:
        if not hasattr(m, "impossible"):
            m.impossible = pyo.Var(bounds=(0, 0))
        return m.impossible >= 1
    return relation


def build_count_model(setting: Setting) -> pyo.ConcreteModel:
    """Counts and placement (teachers aside unless the setting has them): for the
    fewest classes of any plan, and a plan when the plan model would be too large."""
    problem = setting.problem
    kinds = setting.kinds
    m = _base(setting, "fewest classes")
    m.classes_of_kind = pyo.Var(m.KINDS, domain=pyo.NonNegativeIntegers,
                                bounds=lambda m, i: (0, kinds[i].most))

    @m.Constraint(m.KINDS)
    def class_sizes_not_below_band(m, i):
        return m.students_in_kind[i] >= kinds[i].min_size * m.classes_of_kind[i]

    @m.Constraint(m.KINDS)
    def class_sizes_not_above_band(m, i):
        return m.students_in_kind[i] <= kinds[i].max_size * m.classes_of_kind[i]

    _add_counts_figures_rules(m, setting)
    m.fewest_classes = pyo.Objective(expr=m.classes, sense=pyo.minimize)
    if setting.teacher_limit:
        m.teacher_limit = pyo.Constraint(expr=m.classes <= problem.teachers)
        m.fewest_composites_then_most_classes = pyo.Objective(
            expr=(problem.teachers + 1) * m.composite_classes - m.classes)
        m.fewest_composites_then_most_classes.deactivate()
    return m


def build_plan_model(setting: Setting, fewest: int | None = None) -> pyo.ConcreteModel:
    """Every plan within the teachers, with its figures as expressions m.figure[c] of
    known range m.figure_range[c]; m.bound_<c> (mutable) keep a figure at a value found,
    m.structures_found holds the no-good cuts (see `exclude_structure`). `fewest`: the
    fewest classes of any plan, when known."""
    problem = setting.problem
    kinds = setting.kinds
    m = _base(setting, problem.name or "plans")
    m.COUNT_CHOICES = pyo.Set(initialize=[(i, n) for i, q in enumerate(kinds)
                                          for n in range(q.most + 1)], dimen=2, ordered=True)
    m.USED_COUNTS = pyo.Set(initialize=[(i, n) for i, n in m.COUNT_CHOICES if n],
                            dimen=2, ordered=True)
    m.count_is = pyo.Var(m.COUNT_CHOICES, domain=pyo.Binary)

    @m.Constraint(m.KINDS)
    def one_count_per_kind(m, i):
        return sum(m.count_is[i, n] for n in range(kinds[i].most + 1)) == 1

    @m.Expression(m.KINDS)
    def classes_of_kind(m, i):
        return sum(n * m.count_is[i, n] for n in range(1, kinds[i].most + 1))

    # T[q] written per count: students_if[q, n] is T[q] when kind q has n classes, else 0
    m.students_if = pyo.Var(m.USED_COUNTS, domain=pyo.NonNegativeReals)

    @m.Constraint(m.KINDS)
    def kind_students_split_by_count(m, i):
        return m.students_in_kind[i] == sum(m.students_if[i, n]
                                            for n in range(1, kinds[i].most + 1))

    @m.Constraint(m.USED_COUNTS)
    def class_sizes_not_below_band(m, i, n):
        setting.tick()
        return m.students_if[i, n] >= n * kinds[i].min_size * m.count_is[i, n]

    @m.Constraint(m.USED_COUNTS)
    def class_sizes_not_above_band(m, i, n):
        return m.students_if[i, n] <= n * kinds[i].max_size * m.count_is[i, n]

    _add_counts_figures_rules(m, setting)
    m.teacher_limit = pyo.Constraint(expr=m.classes <= problem.teachers)
    _add_structure(m, setting)

    m.figure = {"composites": m.composite_classes, "classes": m.classes}
    m.figure_range = {
        "composites": (problem.fixed_composites, problem.fixed_composites
                       + min(problem.teachers,
                             sum(q.most for q in kinds if q.is_composite))),
        "classes": (max(len(setting.fixed), fewest or 0), problem.teachers)}
    if "largest" in problem.ranking:
        _add_largest(m, setting)
    if "spread" in problem.ranking:
        _add_spread(m, setting)

    # keeping each figure at a value found: "no worse than"
    m.bound = {}
    for criterion in m.figure:
        low, high = m.figure_range[criterion]
        param = pyo.Param(mutable=True, initialize=low if criterion == "classes" else high)
        m.add_component(f"bound_{criterion}", param)
        if criterion == "classes":
            keep = pyo.Constraint(expr=m.figure[criterion] >= param)
        else:
            keep = pyo.Constraint(expr=m.figure[criterion] <= param)
        m.add_component(f"{criterion}_no_worse_than_found", keep)
        m.bound[criterion] = param
    return m


def _add_structure(m, setting: Setting) -> None:
    """type_count_is[k, n]: type k (in all its bands) has n classes; m.structure_terms
    gives, per type, the binary that is 1 for a given count."""
    kinds = setting.kinds
    by_type: dict[int, list[int]] = {}
    for i, q in enumerate(kinds):
        by_type.setdefault(q.type_index, []).append(i)
    banded = {k: members for k, members in by_type.items() if len(members) > 1}
    most = {k: min(setting.problem.teachers, sum(kinds[i].most for i in members))
            for k, members in banded.items()}
    m.TYPE_COUNT_CHOICES = pyo.Set(initialize=[(k, n) for k in banded
                                               for n in range(most[k] + 1)], dimen=2)
    m.type_count_is = pyo.Var(m.TYPE_COUNT_CHOICES, domain=pyo.Binary)
    m.BANDED_TYPES = pyo.Set(initialize=sorted(banded))

    @m.Constraint(m.BANDED_TYPES)
    def one_count_per_banded_type(m, k):
        return sum(m.type_count_is[k, n] for n in range(most[k] + 1)) == 1

    @m.Constraint(m.BANDED_TYPES)
    def type_count_is_its_bands_counts(m, k):
        return (sum(n * m.type_count_is[k, n] for n in range(1, most[k] + 1))
                == sum(m.classes_of_kind[i] for i in banded[k]))

    def count_is(k: int, n: int):
        if k in banded:
            return m.type_count_is[k, n] if n <= most[k] else None
        i = by_type[k][0]
        return m.count_is[i, n] if n <= kinds[i].most else None

    m.type_indexes = sorted(by_type)
    m.type_count_binary = count_is
    m.structures_found = pyo.ConstraintList()


def _add_largest(m, setting: Setting) -> None:
    """largest >= every class size: the fixed ones, and ceil(T[q] / x[q]) of each kind."""
    kinds = setting.kinds
    sizes = [f.size for f in setting.fixed]
    low = max(sizes, default=0)
    high = max(sizes + [q.max_size for q in kinds], default=0)
    m.largest = pyo.Var(domain=pyo.Integers, bounds=(low, high))
    m.largest_if = pyo.Var(m.COUNT_CHOICES, domain=pyo.NonNegativeReals)

    @m.Constraint(m.KINDS)
    def largest_split_by_count(m, i):
        return m.largest == sum(m.largest_if[i, n] for n in range(kinds[i].most + 1))

    @m.Constraint(m.COUNT_CHOICES)
    def largest_if_not_below_range(m, i, n):
        setting.tick()
        return m.largest_if[i, n] >= low * m.count_is[i, n]

    @m.Constraint(m.COUNT_CHOICES)
    def largest_if_not_above_range(m, i, n):
        return m.largest_if[i, n] <= high * m.count_is[i, n]

    @m.Constraint(m.USED_COUNTS)
    def no_class_above_largest(m, i, n):
        return n * m.largest_if[i, n] >= m.students_if[i, n]

    m.figure["largest"] = m.largest
    m.figure_range["largest"] = (low, high)


def _add_spread(m, setting: Setting) -> None:
    """smallest[g] <= every class size holding g <= largest_of_grade[g], fixed classes
    included; spread = the sum of the differences."""
    kinds = setting.kinds
    window = {}
    for g in setting.grades:
        sizes = setting.problem.fixed_sizes(g) + [
            size for q in kinds if g in q.grades for size in (q.min_size, q.max_size)]
        window[g] = (min(sizes, default=0), max(sizes, default=0))
    m.SPREAD_GRADES = pyo.Set(initialize=setting.grades, ordered=True)

    def bounds_smallest(m, g):  # at most the smallest fixed class holding g
        return window[g][0], min(setting.problem.fixed_sizes(g) + [window[g][1]])

    def bounds_largest(m, g):   # at least the largest fixed class holding g
        return max(setting.problem.fixed_sizes(g) + [window[g][0]]), window[g][1]

    m.smallest = pyo.Var(m.SPREAD_GRADES, domain=pyo.Integers, bounds=bounds_smallest)
    m.largest_of_grade = pyo.Var(m.SPREAD_GRADES, domain=pyo.Integers, bounds=bounds_largest)
    m.spread = pyo.Expression(expr=sum(m.largest_of_grade[g] - m.smallest[g]
                                       for g in m.SPREAD_GRADES))
    m.SPLIT = pyo.Set(initialize=[(i, g, n) for i, g in m.MEMBERS
                                  for n in range(kinds[i].most + 1)], dimen=3, ordered=True)
    # smallest_if[q, g, n] is smallest[g] when kind q has n classes, else 0 (so largest_if)
    m.smallest_if = pyo.Var(m.SPLIT, domain=pyo.NonNegativeReals)
    m.largest_of_grade_if = pyo.Var(m.SPLIT, domain=pyo.NonNegativeReals)

    @m.Constraint(m.MEMBERS)
    def smallest_split_by_count(m, i, g):
        return m.smallest[g] == sum(m.smallest_if[i, g, n] for n in range(kinds[i].most + 1))

    @m.Constraint(m.MEMBERS)
    def largest_of_grade_split_by_count(m, i, g):
        return m.largest_of_grade[g] == sum(m.largest_of_grade_if[i, g, n]
                                            for n in range(kinds[i].most + 1))

    @m.Constraint(m.SPLIT)
    def smallest_if_not_below_window(m, i, g, n):
        setting.tick()
        return m.smallest_if[i, g, n] >= window[g][0] * m.count_is[i, n]

    @m.Constraint(m.SPLIT)
    def smallest_if_not_above_window(m, i, g, n):
        return m.smallest_if[i, g, n] <= window[g][1] * m.count_is[i, n]

    @m.Constraint(m.SPLIT)
    def largest_of_grade_if_not_below_window(m, i, g, n):
        return m.largest_of_grade_if[i, g, n] >= window[g][0] * m.count_is[i, n]

    @m.Constraint(m.SPLIT)
    def largest_of_grade_if_not_above_window(m, i, g, n):
        return m.largest_of_grade_if[i, g, n] <= window[g][1] * m.count_is[i, n]

    # n * smallest[g] <= T[q] <= n * largest_of_grade[g] when kind q has n classes: split
    # evenly, no class of kind q is outside the grade's window
    @m.Constraint(m.SPLIT)
    def kind_average_not_below_smallest(m, i, g, n):
        setting.tick()
        if n == 0:
            return pyo.Constraint.Skip
        return n * m.smallest_if[i, g, n] <= m.students_if[i, n]

    @m.Constraint(m.SPLIT)
    def kind_average_not_above_largest(m, i, g, n):
        if n == 0:
            return pyo.Constraint.Skip
        return n * m.largest_of_grade_if[i, g, n] >= m.students_if[i, n]

    @m.Constraint(m.SPREAD_GRADES)
    def grade_window_not_negative(m, g):
        return m.largest_of_grade[g] >= m.smallest[g]

    m.figure["spread"] = m.spread
    m.figure_range["spread"] = (0, sum(high - low for low, high in window.values()))


def exclude_structure(m, counts_by_type: dict[int, int]):
    """No-good cut: some type must have another number of classes. Returns the new
    constraint, or None when no structure can be cut off (no free class type)."""
    terms = [m.type_count_binary(k, counts_by_type.get(k, 0)) for k in m.type_indexes]
    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    return m.structures_found.add(sum(terms) <= len(terms) - 1)


def solution_of(m) -> tuple[dict[int, int], dict[tuple[int, str], int]]:
    """Counts per kind and placement per (kind, grade) of the loaded solution."""
    counts = {i: round(pyo.value(m.classes_of_kind[i])) for i in m.KINDS}
    placed = {(i, g): round(pyo.value(m.placed[i, g])) for i, g in m.MEMBERS}
    return counts, placed


def figure_values(m) -> dict[str, int]:
    return {c: round(pyo.value(e)) for c, e in m.figure.items()}
