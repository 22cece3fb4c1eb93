"""Why plan 1 is first: what each plan trades against it, in one plain sentence.

Pure Python (no database): plans in, sentences out, so the words are tested on their own.
A plan here is {"rank": n, "classes": [{"grades": {code: students}}, ...]}, as saved or as
in a result. Figures come from the optimizer's own `plan_figures`.

    tradeoff(plan, best, teachers=16, ranking=[...], grade_names={...}) -> str
    "Plan 2 uses every teacher and keeps every class at 24 or fewer, but needs one 5/6
     composite; plan 1 avoids composites but leaves 2 teachers without a class and puts
     grade 6 in one class of 29."

Ties are said as ties. The spread (how far class sizes of one grade differ) is named only
when it decides the order or is the only difference: it is the hardest figure to picture.
"""

from __future__ import annotations

from collections import Counter

from optimization import CRITERIA, plan_figures

NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def _number(n: int) -> str:
    return NUMBERS.get(n, str(n))


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


class _Plan:
    """The figures a sentence needs about one plan."""

    def __init__(self, plan: dict, teachers: int, order: dict[str, int], names: dict[str, str]):
        self.rank = plan["rank"]
        self.classes = [{c: n for c, n in cls["grades"].items() if n} for cls in plan["classes"]]
        self.figures = plan_figures({"classes": [{"grades": c} for c in self.classes]})
        self.teachers = teachers
        self.order, self.names = order, names

    def codes(self, counts) -> list[str]:
        return sorted(counts, key=lambda c: self.order.get(c, 99))

    def label(self, counts) -> str:
        return "/".join(self.codes(counts))

    def order_of(self, label: str) -> list[int]:
        return [self.order.get(c, 99) for c in label.split("/")]

    @property
    def composite_sets(self) -> list[str]:
        return [self.label(c) for c in self.classes if len(c) > 1]

    def grade(self, code: str) -> str:
        name = self.names.get(code) or ""
        return name if name and name.lower() != f"grade {code}".lower() else f"grade {code}"

    # phrases: what the plan does well, and what it costs, on one criterion
    def good(self, criterion: str) -> str:
        f = self.figures
        if criterion == "composites":
            return "avoids composites" if f["composites"] == 0 else \
                f"needs only {_number(f['composites'])} composite{'s' if f['composites'] > 1 else ''}"
        if criterion == "classes":
            idle = self.teachers - f["classes"]
            return "uses every teacher" if idle <= 0 else f"uses {f['classes']} of the {self.teachers} teachers"
        if criterion == "largest":
            return f"keeps every class at {f['largest']} or fewer"
        return f"keeps class sizes within each grade more even (spread {f['spread']} against {self.other_spread})"

    def bad(self, criterion: str) -> str:
        f = self.figures
        if criterion == "composites":
            groups = Counter(self.composite_sets)
            return "needs " + _join([f"{_number(n)} {label} composite{'s' if n > 1 else ''}"
                                     for label, n in sorted(groups.items(), key=lambda g: self.order_of(g[0]))])
        if criterion == "classes":
            idle = self.teachers - f["classes"]
            return f"leaves {idle} teacher{'s' if idle != 1 else ''} without a class"
        if criterion == "largest":
            return self.largest_phrase()
        return f"has less even class sizes within a grade (spread {f['spread']} against {self.other_spread})"

    def largest_phrase(self) -> str:
        size = self.figures["largest"]
        biggest = next(c for c in self.classes if sum(c.values()) == size)
        if len(biggest) > 1:
            return f"has a {self.label(biggest)} class of {size}"
        (code,) = biggest
        holding = sum(1 for c in self.classes if code in c)
        if holding == 1:
            return f"puts {self.grade(code)} in one class of {size}"
        return f"has a {self.grade(code)} class of {size}"


def _better(a: _Plan, b: _Plan, criterion: str) -> bool:
    x, y = a.figures[criterion], b.figures[criterion]
    return x > y if criterion == "classes" else x < y


def _join(parts: list[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def tradeoff(plan: dict, best: dict, *, teachers: int, ranking, grade_names: dict[str, str] | None = None,
             grade_order: list[str] | None = None) -> str:
    """One sentence: what `plan` gains and gives up against `best` (plan 1), or that they tie."""
    names = grade_names or {}
    order = {code: i for i, code in enumerate(grade_order or [])}
    this, first = _Plan(plan, teachers, order, names), _Plan(best, teachers, order, names)
    this.other_spread, first.other_spread = first.figures["spread"], this.figures["spread"]
    ranking = [c for c in ranking if c in CRITERIA]
    criteria = ranking + [c for c in CRITERIA if c not in ranking]
    differ = [c for c in criteria if this.figures[c] != first.figures[c]]
    if not [c for c in differ if c in ranking]:
        return _tie(this, first, differ, ranking)
    decisive = next(c for c in ranking if c in differ)
    shown = [c for c in differ if c != "spread" or c == decisive or differ == ["spread"]]
    gains = [c for c in shown if _better(this, first, c)]
    costs = [c for c in shown if not _better(this, first, c)]
    if not gains:
        same = [WORDS[c] for c in ("classes", "composites", "largest") if c not in differ]
        lead = f"Plan {this.rank} has the same {_join(same)} as plan 1, but " if same else f"Plan {this.rank} "
        return lead + _join([this.bad(c) for c in costs]) + "."
    left = f"Plan {this.rank} {_join([this.good(c) for c in gains])}"
    if costs:
        left += f", but {_join([this.bad(c) for c in costs])}"
    right = f"plan 1 {_join([first.good(c) for c in costs])}" if costs else "plan 1"
    right += f" but {_join([first.bad(c) for c in gains])}" if costs else f" {_join([first.bad(c) for c in gains])}"
    return f"{left}; {right}."


WORDS = {"classes": "number of classes", "composites": "composites", "largest": "largest class"}


def _tie(this: _Plan, first: _Plan, differ: list[str], ranking: list[str]) -> str:
    """Plans equal on every priority: a tie, and what still tells them apart."""
    on = "every priority" if differ else "every figure"
    sentence = f"Plan {this.rank} ties with plan 1 on {on}"
    mine, theirs = set(this.composite_sets), set(first.composite_sets)
    if mine != theirs and mine and theirs:
        sentence += (f": it has {_a(sorted(mine - theirs))} where plan 1 has {_a(sorted(theirs - mine))}")
    elif differ:
        sentence += f"; it {_join([(this.good if _better(this, first, c) else this.bad)(c) for c in differ])}"
    else:
        sentence += ": it only splits the students between the classes differently"
    return sentence + ", so either is as good by your priorities."


def _a(sets: list[str]) -> str:
    if not sets:
        return "no composite"
    if len(sets) == 1:
        return f"a {sets[0]} composite"
    return _join(sets) + " composites"
