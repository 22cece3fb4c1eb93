"""The Pyomo models: how many classes of each type, and how many students of each grade
each type takes. They serve every school; when the composites are pairs along a chain of
grades the faster dynamic programme of chain.py (which rests on the same facts) is used
instead, and the tests check the two against each other and against brute force.

Why counts and not individual classes. Classes of one type (a straight grade, or one
composite set) are interchangeable, so a plan is decided by
  * its *structure*: the number x[k] of classes of each type k, and
  * its *placement*: the number t[k, g] of grade-g students in type-k classes.
A placement can be split into real classes exactly when, for every type,
  x[k] * min_size[k] <= T[k] <= x[k] * max_size[k]      (T[k] = sum over g of t[k, g])
  t[k, g] >= x[k] * min_per_grade[k]                    (composites)
Necessary, as every class obeys its limits. Sufficient: split T[k] as evenly as possible
(every size then lies between min_size[k] and max_size[k], and min_size[k] counts
min_per_grade seats per grade); give every class its min_per_grade of each grade, and the
students left over fill the seats left over in any order, as both number
T[k] - x[k] * min_per_grade[k] * |grades of k|. (plans.py does exactly this.)

The first two ranking criteria depend on x only: `build_structure_model` finds the best
*level* (composites, classes). The spread then depends on how T[k] compares with the
sizes allowed for each grade:
  spread[g] = largest[g] - smallest[g], with, for every type k holding g,
  x[k] * smallest[g] <= T[k] <= x[k] * largest[g]
because an even split puts every class of type k at floor or ceil of T[k] / x[k], which
no other split of T[k] beats. `build_balance_model` minimises the spread over *all*
structures of one level. Its products x[k] * smallest[g] are made linear exactly by
writing x[k] as a choice among its possible values (binaries count_is[k, n]) and
disaggregating smallest[g] over that choice (a convex-hull formulation; no big-M). The
same binaries give linear no-good cuts that exclude the structures already found.
"""

from __future__ import annotations

import pyomo.environ as pyo

from .problem import ClassType, Problem


def _base(problem: Problem, types: tuple[ClassType, ...]) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name=problem.name or "allocation")
    members = [(k, g) for k, t in enumerate(types) for g in t.grades]
    m.TYPES = pyo.Set(initialize=range(len(types)), ordered=True)
    m.GRADES = pyo.Set(initialize=[g.code for g in problem.grades if g.students > 0],
                       ordered=True)
    m.MEMBERS = pyo.Set(initialize=members, dimen=2, ordered=True)
    m.COMPOSITE_MEMBERS = pyo.Set(initialize=[(k, g) for k, g in members
                                              if types[k].is_composite], dimen=2)
    return m


def _add_placement(m, problem: Problem, types) -> None:
    """Every student placed, in classes of the right sizes (given `m.classes_of_type`)."""
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

    m.classes = pyo.Expression(expr=sum(m.classes_of_type[k] for k in m.TYPES))
    m.composite_classes = pyo.Expression(
        expr=sum(m.classes_of_type[k] for k in m.TYPES if types[k].is_composite))


def build_structure_model(problem: Problem, types: tuple[ClassType, ...]):
    """Counts and placement only: for min_teachers and the best level."""
    m = _base(problem, types)
    m.classes_of_type = pyo.Var(m.TYPES, domain=pyo.NonNegativeIntegers,
                                bounds=lambda m, k: (0, types[k].max_count))
    _add_placement(m, problem, types)
    m.teacher_limit = pyo.Constraint(expr=m.classes <= problem.teachers)

    # Lexicographic (fewest composites, then most classes) as one integer score: the
    # weight on composites exceeds the whole range of the class count (0..teachers).
    m.level_score = pyo.Expression(
        expr=(problem.teachers + 1) * m.composite_classes - m.classes)
    m.best_level = pyo.Objective(expr=m.level_score, sense=pyo.minimize)
    m.fewest_classes = pyo.Objective(expr=m.classes, sense=pyo.minimize)
    m.fewest_classes.deactivate()
    # once a level's structures are used up, the next level is strictly worse
    m.score_floor = pyo.Param(mutable=True, initialize=0)
    m.worse_than_levels_done = pyo.Constraint(expr=m.level_score >= m.score_floor)
    m.worse_than_levels_done.deactivate()
    return m


def level_score(problem: Problem, composites: int, classes: int) -> int:
    return (problem.teachers + 1) * composites - classes


def count_ranges(problem: Problem, types, composites: int, classes: int) -> list[range]:
    """Possible numbers of classes of each type in a plan of this level."""
    fewest = []
    for t in types:
        if t.is_composite:
            fewest.append(0)
            continue
        g = t.grades[0]
        # the most students of grade g that `composites` composite classes could take
        seats = max((c.max_size - c.min_per_grade * (len(c.grades) - 1)
                     for c in types if c.is_composite and g in c.grades), default=0)
        rest = problem.students(g) - composites * seats
        fewest.append(max(0, -(-rest // t.max_size)))
    straight_floor = sum(fewest)
    ranges = []
    for t, low in zip(types, fewest):
        most = composites if t.is_composite else classes - composites - straight_floor + low
        ranges.append(range(low, min(t.max_count, most) + 1))
    return ranges


def build_balance_model(problem: Problem, types, composites: int, classes: int):
    """Smallest spread over every structure with this many composites and classes."""
    m = _base(problem, types)
    ranges = count_ranges(problem, types, composites, classes)
    m.COUNT_CHOICES = pyo.Set(initialize=[(k, n) for k in m.TYPES for n in ranges[k]],
                              dimen=2, ordered=True)
    m.count_is = pyo.Var(m.COUNT_CHOICES, domain=pyo.Binary)

    @m.Constraint(m.TYPES)
    def one_count_per_type(m, k):
        return sum(m.count_is[k, n] for n in ranges[k]) == 1

    @m.Expression(m.TYPES)
    def classes_of_type(m, k):
        return sum(n * m.count_is[k, n] for n in ranges[k] if n)

    _add_placement(m, problem, types)
    m.composites_as_level = pyo.Constraint(expr=m.composite_classes == composites)
    m.classes_as_level = pyo.Constraint(expr=m.classes == classes)
    _add_balance(m, types, ranges)
    m.smallest_spread = pyo.Objective(expr=m.spread, sense=pyo.minimize)
    m.structures_found = pyo.ConstraintList()
    m.ranges = ranges
    return m


def _size_range(types, g):
    holding = [t for t in types if g in t.grades]
    return min(t.min_size for t in holding), max(t.max_size for t in holding)


def _add_balance(m, types, ranges):
    """smallest[g] <= every class size holding g <= largest[g], linear in the counts."""
    bounds = {g: _size_range(types, g) for g in m.GRADES}
    m.smallest = pyo.Var(m.GRADES, domain=pyo.Integers, bounds=lambda m, g: bounds[g])
    m.largest = pyo.Var(m.GRADES, domain=pyo.Integers, bounds=lambda m, g: bounds[g])
    m.spread = pyo.Expression(expr=sum(m.largest[g] - m.smallest[g] for g in m.GRADES))

    m.SPLIT = pyo.Set(initialize=[(k, g, n) for k, g in m.MEMBERS for n in ranges[k]],
                      dimen=3, ordered=True)
    # smallest_if[k, g, n] is smallest[g] when type k has n classes, else 0 (so largest_if)
    m.smallest_if = pyo.Var(m.SPLIT, domain=pyo.NonNegativeReals)
    m.largest_if = pyo.Var(m.SPLIT, domain=pyo.NonNegativeReals)

    @m.Constraint(m.MEMBERS)
    def smallest_split_by_count(m, k, g):
        return m.smallest[g] == sum(m.smallest_if[k, g, n] for n in ranges[k])

    @m.Constraint(m.MEMBERS)
    def largest_split_by_count(m, k, g):
        return m.largest[g] == sum(m.largest_if[k, g, n] for n in ranges[k])

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

    # T[k] split the same way: students_if[k, n] is T[k] when type k has n classes, else 0
    m.COUNTS_USED = pyo.Set(initialize=[(k, n) for k in m.TYPES for n in ranges[k] if n],
                            dimen=2, ordered=True)
    m.students_if = pyo.Var(m.COUNTS_USED, domain=pyo.NonNegativeReals)

    @m.Constraint(m.TYPES)
    def students_split_by_count(m, k):
        return m.students_in_type[k] == sum(m.students_if[k, n] for n in ranges[k] if n)

    @m.Constraint(m.COUNTS_USED)
    def students_if_not_below_sizes(m, k, n):
        return m.students_if[k, n] >= n * types[k].min_size * m.count_is[k, n]

    @m.Constraint(m.COUNTS_USED)
    def students_if_not_above_sizes(m, k, n):
        return m.students_if[k, n] <= n * types[k].max_size * m.count_is[k, n]

    # n * smallest[g] <= T[k] <= n * largest[g] when type k has n classes: once its
    # students are split evenly, no class of type k is outside [smallest[g], largest[g]]
    @m.Constraint(m.SPLIT)
    def type_average_not_below_smallest(m, k, g, n):
        if n == 0:
            return pyo.Constraint.Skip
        return n * m.smallest_if[k, g, n] <= m.students_if[k, n]

    @m.Constraint(m.SPLIT)
    def type_average_not_above_largest(m, k, g, n):
        if n == 0:
            return pyo.Constraint.Skip
        return n * m.largest_if[k, g, n] >= m.students_if[k, n]

    @m.Constraint(m.GRADES)
    def largest_not_below_smallest(m, g):
        return m.largest[g] >= m.smallest[g]


def counts_of(m) -> dict[int, int]:
    """The chosen number of classes of each type (type index -> count)."""
    return {k: round(pyo.value(m.classes_of_type[k])) for k in m.TYPES}


def placement_of(m) -> dict[tuple[int, str], int]:
    return {(k, g): round(pyo.value(m.placed[k, g])) for k, g in m.MEMBERS}


def exclude_structure(m, counts: dict[int, int]) -> None:
    """No-good cut: at least one type must have a different number of classes."""
    m.structures_found.add(
        sum(m.count_is[k, counts[k]] for k in m.TYPES) <= len(m.TYPES) - 1)
