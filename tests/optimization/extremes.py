"""Problems at the contract's limits (README, "Limits"): valid, and as hard as the
limits allow. Within them the command line must answer within time_limit_s + 1 s and
1 GiB; tests check the memory and the honesty of the answer, the benchmark the time."""

from __future__ import annotations

import random

CODES = ["K"] + [str(i) for i in range(1, 29)] + ["A"]


def _grades(count: int, students: int, low: int = 1, high: int = 1000) -> list[dict]:
    return [{"code": code, "students": students, "min_class_size": low,
             "max_class_size": high} for code in CODES[:count]]


def extremes(time_limit_s: float = 1.0) -> dict[str, dict]:
    rng = random.Random(0)
    thirty = _grades(30, 10_000)
    pairs = [[a, b] for i, a in enumerate(CODES) for b in CODES[i + 1:]]
    return {
        "one grade of 10,000, classes 1-1000": {
            "teachers": 5000, "grades": _grades(1, 10_000)},
        "two grades of 10,000 and their composite": {
            "teachers": 5000, "grades": _grades(2, 10_000), "composites": [{"grades": ["K", "1"]}]},
        "30 grades of 10,000, adjacent composites": {
            "teachers": 5000, "grades": thirty,
            "composites": [{"grades": list(pair)} for pair in zip(CODES, CODES[1:])]},
        "30 grades of 10,000, 200 composites": {
            "teachers": 5000, "grades": thirty,
            "composites": [{"grades": pair} for pair in rng.sample(pairs, 200)]},
        "1,000 share rules": {
            "teachers": 5000, "grades": _grades(30, 10_000, 1, 1000),
            "composites": [{"grades": list(pair)} for pair in zip(CODES, CODES[1:])],
            "rules": [{"kind": "share", "grades": rng.sample(CODES, 3), "size": size,
                       "share": 0.5} for size in range(1, 1001)]},
        "1,000 fixed classes": {
            "teachers": 5000, "grades": _grades(30, 10_000, 10, 40),
            "fixed": [{"grades": {CODES[i % 30]: 20}} for i in range(1000)]},
        "a K-12 of 3,000 with triples": {
            "teachers": 110, "composite_min_per_grade": 3,
            "grades": [{"code": c, "students": rng.randint(200, 260), "min_class_size": 15,
                        "max_class_size": 30} for c in CODES[:13]],
            "composites": [{"grades": list(CODES[i:i + 3])} for i in range(11)]},
    } | {}


def with_limit(problems: dict[str, dict], time_limit_s: float) -> dict[str, dict]:
    return {name: {**data, "time_limit_s": time_limit_s, "alternatives": 3}
            for name, data in problems.items()}
