"""Tiny random schools for the brute-force comparisons: seeded generators (thousands of
problems, the same on every run) and a Hypothesis strategy built on the same generator.

Families of composites: none, a chain of adjacent pairs, a pair that skips a grade, a
triple, a cycle (K/1, 1/2, K/2). Version 2 at random: a ranking (any order, any subset),
cap / share / average rules, fixed classes (straight or composite)."""

from __future__ import annotations

import random

from hypothesis import strategies as st

CODES = ["K", "1", "2", "3"]
FAMILIES = ("none", "chain", "skip", "triple", "cycle")
CRITERIA = ["composites", "classes", "largest", "spread"]


def _composites(rng: random.Random, codes: list[str], family: str) -> list[dict]:
    if len(codes) < 2 or family == "none":
        return []
    if family == "chain":
        sets = [list(pair) for pair in zip(codes, codes[1:]) if rng.random() < 0.85]
    elif family == "skip":
        sets = [[codes[0], codes[-1]]] + ([codes[:2]] if rng.random() < 0.5 else [])
    elif family == "triple":
        sets = [codes[:3]] + ([codes[:2]] if rng.random() < 0.4 else [])
    else:  # cycle
        sets = [codes[:2], codes[1:3], [codes[0], codes[2]]] if len(codes) >= 3 else [codes]
    composites = []
    for chosen in sets:
        comp = {"grades": chosen}
        if rng.random() < 0.3:
            comp["min_per_grade"] = rng.randint(1, 4)
        if len(chosen) >= 3 or rng.random() < 0.3:
            comp["max_class_size"] = rng.randint(6, 12)
        if rng.random() < 0.2:
            comp["min_class_size"] = rng.randint(3, 6)
        composites.append(comp)
    return composites


def _rules(rng: random.Random, codes: list[str], kinds) -> list[dict]:
    rules = []
    for _ in range(rng.choice([0, 1, 1, 2])):
        grades = sorted(rng.sample(codes, rng.randint(1, len(codes))), key=codes.index)
        kind = rng.choice(kinds)
        if kind == "cap":
            rules.append({"kind": "cap", "grades": grades, "size": rng.randint(6, 11)})
        elif kind == "share":
            rules.append({"kind": "share", "grades": grades, "size": rng.randint(5, 9),
                          "share": rng.choice([0.5, 0.6, 2 / 3, 0.75, 0.9, 1])})
        else:
            rules.append({"kind": "average", "grades": grades,
                          "average": rng.choice([6, 6.5, 7, 7.25, 8, 8.5, 9.5])})
    return rules


def _fixed(rng: random.Random, data: dict) -> list[dict]:
    """Zero to two fixed classes that obey rule 2 (valid as fixed classes)."""
    fixed, used = [], {g["code"]: 0 for g in data["grades"]}
    grades = {g["code"]: g for g in data["grades"]}
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        if data["composites"] and rng.random() < 0.4:
            comp = rng.choice(data["composites"])
            codes = comp["grades"]
            low = comp.get("min_class_size", max(grades[c]["min_class_size"] for c in codes))
            high = comp.get("max_class_size", min(grades[c]["max_class_size"] for c in codes))
            each = comp.get("min_per_grade", data["composite_min_per_grade"])
        else:
            g = rng.choice(data["grades"])
            codes, low, high, each = [g["code"]], g["min_class_size"], g["max_class_size"], 1
        counts = {c: rng.randint(each, each + 4) for c in codes}
        size = sum(counts.values())
        if not low <= size <= high or any(used[c] + n > grades[c]["students"]
                                          for c, n in counts.items()):
            continue
        for c, n in counts.items():
            used[c] += n
        fixed.append({"grades": counts})
    return fixed


def tiny_problem(seed: int, *, family: str | None = None, version: int | None = None,
                 grades: int | None = None, chain: bool = False) -> dict:
    """One tiny problem, the same for the same arguments. chain=True: what the chain
    programme solves on its own (adjacent pairs or no composite; caps, fixed classes;
    `largest` only before spread in a ranking that lists composites and classes first)."""
    rng = random.Random(seed)
    if chain:
        family = family or rng.choice(["chain", "chain", "none"])
    family = family or rng.choice(FAMILIES)
    n = grades or rng.choice([2, 3, 3] if family in ("triple", "cycle") else [1, 2, 3])
    if family in ("triple", "cycle"):
        n = max(n, 3)
    codes = CODES[:n]
    rows = []
    for code in codes:
        low = rng.randint(3, 6)
        rows.append({"code": code, "students": rng.randint(0, 24 if n < 3 else 18),
                     "min_class_size": low, "max_class_size": rng.randint(max(low, 7), low + 7)})
    data = {"name": f"tiny {seed}", "teachers": rng.randint(2, 6),
            "composite_min_per_grade": rng.randint(1, 3), "grades": rows,
            "composites": _composites(rng, codes, family),
            "alternatives": rng.randint(1, 4), "time_limit_s": 60}
    version = version or rng.choice([1, 2, 2])
    if version == 2:
        if rng.random() < 0.6:
            data["ranking"] = rng.sample(CRITERIA, rng.randint(1, len(CRITERIA)))
            if chain and "largest" in data["ranking"]:
                data["ranking"] = _largest_first_of_sizes(data["ranking"])
        data["rules"] = _rules(rng, codes, ["cap"] if chain else ["cap", "share", "average"])
        data["fixed"] = _fixed(rng, data)
    return data


def _largest_first_of_sizes(ranking: list[str]) -> list[str]:
    """The ranking with its structure criteria first and `largest` before `spread`."""
    structure = [c for c in ranking if c in ("composites", "classes")]
    return structure + [c for c in ("largest", "spread") if c in ranking]


@st.composite
def tiny_problems(draw, **options):
    return tiny_problem(draw(st.integers(0, 10 ** 9)), **options)
