"""The line layout of the grades, when the composites are pairs along a chain (see
chain.py), and whether the chain programme applies to a problem. Kept apart from the
programme so that choosing an engine does not import numpy."""

from __future__ import annotations

from dataclasses import dataclass

from .problem import ClassType, Problem, RuleKind


STRUCTURE = ("composites", "classes")


def shaped(ranking) -> bool:
    """Whether the ranking lists its structure criteria (composites, classes) before its
    size criteria (largest, spread)."""
    sizes = [c in STRUCTURE for c in ranking]
    return sizes == sorted(sizes, reverse=True)


def needs_checking(problem: Problem) -> bool:
    """Whether the programme's plans must be checked against rules it does not model:
    share and average rules, or `largest` ranked after `spread`."""
    ranking = problem.ranking
    late_largest = ("largest" in ranking and "spread" in ranking
                    and ranking.index("spread") < ranking.index("largest"))
    return late_largest or any(r.kind != RuleKind.CAP for r in problem.rules)


def applies(problem: Problem) -> bool:
    """Whether the chain programme solves this problem exactly (chain.py's docstring):
    chain composites; and, with rules other than caps or with `largest` ranked, a
    ranking with its structure criteria first."""
    if chain_of(problem, problem.class_types) is None:
        return False
    return shaped(problem.ranking) or not (needs_checking(problem)
                                           or "largest" in problem.ranking)


@dataclass(frozen=True)
class Chain:
    """Grades in line order; edge[i] is the composite type joining grade i and i + 1."""

    grades: tuple[str, ...]
    students: tuple[int, ...]
    straight: tuple[int | None, ...]  # type index of each grade's straight classes
    edge: tuple[int | None, ...]      # type index of the composite after each grade
    fixed: tuple[tuple[int, int] | None, ...] = ()  # sizes of the fixed classes, per grade


def chain_of(problem: Problem, types: tuple[ClassType, ...]) -> Chain | None:
    """The line layout of the grades, or None when the composites do not form one."""
    free = problem.free_students
    codes = [g.code for g in problem.grades if free[g.code] > 0]
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
    windows = []
    for g in line:
        sizes = problem.fixed_sizes(g)
        windows.append((min(sizes), max(sizes)) if sizes else None)
    return Chain(tuple(line), tuple(free[g] for g in line),
                 tuple(straight.get(g) for g in line), tuple(edges), tuple(windows))


