"""Hypothesis strategies: tiny random schools (<= 3 grades, <= 40 students each)."""

from hypothesis import strategies as st

CODES = ["K", "1", "2"]


@st.composite
def tiny_problems(draw):
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
