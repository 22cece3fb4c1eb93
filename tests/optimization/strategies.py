"""Hypothesis strategies: tiny random schools for the brute-force comparisons."""

from hypothesis import strategies as st

CODES = ["K", "1", "2", "3"]


@st.composite
def tiny_problems(draw):
    """<= 3 grades, <= 40 students each, any composite sets (pairs, triple, K/2)."""
    n = draw(st.integers(1, 3))
    grades = []
    for code in CODES[:n]:
        low = draw(st.integers(4, 14))
        high = draw(st.integers(max(low, 10), low + 12))
        grades.append({"code": code, "students": draw(st.integers(0, 40)),
                       "min_class_size": low, "max_class_size": high})
    codes = [g["code"] for g in grades]
    sets = [list(s) for s in ([codes[0:2], codes[1:3], [codes[0], codes[2]], codes]
                              if n == 3 else [codes] if n == 2 else [])]
    composites = []
    for chosen in sets:
        if draw(st.booleans()):
            comp = {"grades": chosen}
            if draw(st.integers(0, 3)) == 0:
                comp["min_per_grade"] = draw(st.integers(1, 6))
            if len(chosen) == 3:  # keeps brute force over 3-grade classes fast
                comp["max_class_size"] = draw(st.integers(6, 18))
            elif draw(st.integers(0, 3)) == 0:
                comp["max_class_size"] = draw(st.integers(10, 30))
            if draw(st.integers(0, 3)) == 0:
                comp["min_class_size"] = draw(st.integers(4, 6))
            composites.append(comp)
    return {"name": "tiny", "teachers": draw(st.integers(0, 5)),
            "composite_min_per_grade": draw(st.integers(1, 5)),
            "grades": grades, "composites": composites,
            "alternatives": draw(st.integers(1, 3)), "time_limit_s": 30}


@st.composite
def chain_problems(draw):
    """3-4 grades with small classes (so several per grade), adjacent-pair composites
    with min_per_grade often binding: the chain programme's own ground."""
    n = draw(st.integers(3, 4))
    grades = []
    for code in CODES[:n]:
        low = draw(st.integers(3, 4))
        high = draw(st.integers(7, 9))
        grades.append({"code": code, "students": draw(st.integers(4, 16 if n == 3 else 11)),
                       "min_class_size": low, "max_class_size": high})
    codes = [g["code"] for g in grades]
    composites = []
    for pair in zip(codes, codes[1:]):
        if draw(st.integers(0, 3)):
            comp = {"grades": list(pair)}
            if draw(st.booleans()):
                comp["min_per_grade"] = draw(st.integers(1, 4))
            if draw(st.integers(0, 2)) == 0:
                comp["max_class_size"] = draw(st.integers(6, 11))
            composites.append(comp)
    return {"name": "chain", "teachers": draw(st.integers(5, 9)),
            "composite_min_per_grade": draw(st.integers(1, 3)),
            "grades": grades, "composites": composites,
            "alternatives": draw(st.integers(1, 3)), "time_limit_s": 60}
