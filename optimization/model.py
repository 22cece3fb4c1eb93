"""The Pyomo model: how many classes of each type, and how many students of each grade
each type takes.

Why counts and not individual classes. Classes of one type (a straight grade, or one
composite set) are interchangeable, so a plan is decided by
  * the *structure*: the number x[k] of classes of each type k, and
  * the *placement*: the number t[k, g] of grade-g students in type-k classes.
A placement can be split into real classes exactly when, for every type,
  x[k] * min_size[k] <= T[k] <= x[k] * max_size[k]   (T[k] = sum over g of t[k, g])
  t[k, g] >= x[k] * min_per_grade[k]                 (composites)
(split T[k] as evenly as possible: every class gets its min_per_grade of each grade, and
the rest of the students fill the rest of the seats in any order). The first two ranking
criteria only depend on x; the spread is decided by how T[k] compares with the sizes
allowed for each grade:
  spread[g] = largest[g] - smallest[g], where every type k holding g has
  x[k] * smallest[g] <= T[k] <= x[k] * largest[g]
(an even split puts every class of type k at floor or ceil of T[k] / x[k], which no other
split beats). The products x[k] * smallest[g] are made linear exactly by writing x[k] as a
choice among its possible values (binaries `count_is[k, n]`) and disaggregating
smallest[g] over that choice (the convex-hull formulation; no big-M). The same binaries
give linear no-good cuts that exclude a structure already found.
"""

from __future__ import annotations

import pyomo.environ as pyo

from .problem import ClassType, Problem


def build_model(problem: Problem, types: tuple[ClassType, ...]) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name=problem.name or "allocation")
    grades = [g.code for g in problem.grades if g.students > 0]
    members = [(k, g) for k, t in enumerate(types) for g in t.grades]
    m.TYPES = pyo.Set(initialize=range(len(types)), ordered=True)
    m.GRADES = pyo.Set(initialize=grades, ordered=True)
    m.MEMBERS = pyo.Set(initialize=members, dimen=2, ordered=True)
    m.COMPOSITE_MEMBERS = pyo.Set(initialize=[(k, g) for k, g in members
                                              if types[k].is_composite], dimen=2)
    m.COUNT_CHOICES = pyo.Set(initialize=[(k, n) for k, t in enumerate(types)
                                          for n in range(t.max_count + 1)], dimen=2)

    _add_structure(m, problem, types)
    _add_placement(m, problem, types)
    _add_balance(m, problem, types)
    _add_objectives(m, problem)
    m.no_good_cuts = pyo.ConstraintList()
    return m


def _add_structure(m, problem, types):
    m.count_is = pyo.Var(m.COUNT_CHOICES, domain=pyo.Binary)

    @m.Constraint(m.TYPES)
    def one_count_per_type(m, k):
        return sum(m.count_is[k, n] for n in range(types[k].max_count + 1)) == 1

    @m.Expression(m.TYPES)
    def classes_of_type(m, k):
        return sum(n * m.count_is[k, n] for n in range(1, types[k].max_count + 1))

    m.classes = pyo.Expression(expr=sum(m.classes_of_type[k] for k in m.TYPES))
    m.composite_classes = pyo.Expression(
        expr=sum(m.classes_of_type[k] for k in m.TYPES if types[k].is_composite))
    m.teacher_limit = pyo.Constraint(expr=m.classes <= problem.teachers)


def _add_placement(m, problem, types):
    m.placed = pyo.Var(m.MEMBERS, domain=pyo.NonNegativeIntegers,
                       bounds=lambda m, k, g: (0, problem.students(g)))

    @m.Expression(m.TYPES)
    def students_in_type(m, k):
        return sum(m.placed[k, g] for g in types[k].grades)

    @m.Constraint(m.GRADES)
    def every_student_placed(m, g):
        return sum(m.placed[k, h] for k, h in m.MEMBERS if h == g) == problem.students(g)

    @m.Constraint(m.TYPES)
    def classes_not_below_min_size(m, k):
        return m.students_in_type[k] >= types[k].min_size * m.classes_of_type[k]

    @m.Constraint(m.TYPES)
    def classes_not_above_max_size(m, k):
        return m.students_in_type[k] <= types[k].max_size * m.classes_of_type[k]

    @m.Constraint(m.COMPOSITE_MEMBERS)
    def composite_min_per_grade(m, k, g):
        return m.placed[k, g] >= types[k].min_per_grade * m.classes_of_type[k]


def _size_range(types, g):
    holding = [t for t in types if g in t.grades]
    return min(t.min_size for t in holding), max(t.max_size for t in holding)


def _add_balance(m, problem, types):
    """smallest[g] <= every class size holding g <= largest[g], linear in the counts."""
    bounds = {g: _size_range(types, g) for g in m.GRADES}
    m.smallest = pyo.Var(m.GRADES, domain=pyo.Integers, bounds=lambda m, g: bounds[g])
    m.largest = pyo.Var(m.GRADES, domain=pyo.Integers, bounds=lambda m, g: bounds[g])
    m.spread = pyo.Expression(expr=sum(m.largest[g] - m.smallest[g] for g in m.GRADES))

    index = [(k, g, n) for k, g in m.MEMBERS for n in range(types[k].max_count + 1)]
    m.SPLIT = pyo.Set(initialize=index, dimen=3, ordered=True)
    # smallest_if[k, g, n] = smallest[g] when type k has n classes, else 0 (same for largest)
    m.smallest_if = pyo.Var(m.SPLIT, domain=pyo.NonNegativeReals)
    m.largest_if = pyo.Var(m.SPLIT, domain=pyo.NonNegativeReals)

    @m.Constraint(m.MEMBERS)
    def smallest_split_by_count(m, k, g):
        return m.smallest[g] == sum(m.smallest_if[k, g, n]
                                    for n in range(types[k].max_count + 1))

    @m.Constraint(m.MEMBERS)
    def largest_split_by_count(m, k, g):
        return m.largest[g] == sum(m.largest_if[k, g, n]
                                   for n in range(types[k].max_count + 1))

    # smallest_if[k, g, n] lies in smallest[g]'s range when type k has n classes, else is 0
    @m.Constraint(m.SPLIT)
    def smallest_if_not_below_range(m, k, g, n):
        return m.smallest_if[k, g, n] >= bounds[g][0] * m.count_is[k, n]

    @m.Constraint(m.SPLIT)
    def smallest_if_not_above_range(m, k, g, n):
        return m.smallest_if[k, g, n] <= bounds[g][1] * m.count_is[k, n]

    @m.Constraint(m.SPLIT)
    def largest_if_not_below_range(m, k, g, n):
        return m.largest_if[k, g, n] >= bounds[g][0] * m.count_is[k, n]

    @m.Constraint(m.SPLIT)
    def largest_if_not_above_range(m, k, g, n):
        return m.largest_if[k, g, n] <= bounds[g][1] * m.count_is[k, n]

    # x[k] * smallest[g] <= T[k] <= x[k] * largest[g]: no class of type k is outside
    # [smallest[g], largest[g]] once its students are split evenly
    @m.Constraint(m.MEMBERS)
    def type_average_not_below_smallest(m, k, g):
        return sum(n * m.smallest_if[k, g, n] for n in range(1, types[k].max_count + 1)) \
            <= m.students_in_type[k]

    @m.Constraint(m.MEMBERS)
    def type_average_not_above_largest(m, k, g):
        return sum(n * m.largest_if[k, g, n] for n in range(1, types[k].max_count + 1)) \
            >= m.students_in_type[k]


def _add_objectives(m, problem):
    # Lexicographic (fewest composites, then most classes) in one objective: the weight on
    # composites exceeds the whole range of the class count (0..teachers).
    m.best_structure = pyo.Objective(
        expr=(problem.teachers + 1) * m.composite_classes - m.classes, sense=pyo.minimize)
    m.smallest_spread = pyo.Objective(expr=m.spread, sense=pyo.minimize)
    m.fewest_classes = pyo.Objective(expr=m.classes, sense=pyo.minimize)
    for objective in (m.best_structure, m.smallest_spread, m.fewest_classes):
        objective.deactivate()
    m.composites_target = pyo.Param(mutable=True, initialize=0)
    m.classes_target = pyo.Param(mutable=True, initialize=0)
    m.composites_fixed = pyo.Constraint(expr=m.composite_classes == m.composites_target)
    m.classes_fixed = pyo.Constraint(expr=m.classes == m.classes_target)
    m.composites_fixed.deactivate()
    m.classes_fixed.deactivate()


def structure_of(m, types) -> dict[int, int]:
    """The chosen number of classes of each type (type index -> count)."""
    return {k: round(pyo.value(m.classes_of_type[k])) for k in m.TYPES}


def exclude_structure(m, types, counts: dict[int, int]) -> None:
    """No-good cut: at least one type must have a different number of classes."""
    m.no_good_cuts.add(sum(m.count_is[k, counts[k]] for k in m.TYPES) <= len(types) - 1)
