"""What each plan trades against plan 1, in one sentence: the issue's Hillview cases (no database)."""

from schools.plans.explain import tradeoff

K6 = ["K", "1", "2", "3", "4", "5", "6"]
DEFAULT = ["composites", "classes", "spread"]


def plan(rank, *classes):
    return {"rank": rank, "classes": [{"grades": c} for c in classes]}


SAME = [{"K": 20}, {"K": 20}, {"1": 22}, {"1": 22}, {"2": 22}, {"2": 22}, {"3": 23}, {"3": 23}]
# Hillview 2027, 16 teachers: plan 1 avoids composites with 14 classes and grade 6 in one class of 29;
# plan 2 uses all 16 teachers, every class at 24 or fewer, with one 5/6 composite.
H27_1 = plan(1, *SAME, {"4": 24}, {"4": 24}, {"4": 24}, {"5": 24}, {"5": 24}, {"6": 29})
H27_2 = plan(2, *SAME, {"4": 18}, {"4": 18}, {"4": 18}, {"4": 18}, {"5": 16}, {"5": 16},
             {"5": 8, "6": 12}, {"6": 17})


def test_hillview_2027_plan_2_says_what_it_gains_and_what_it_costs():
    assert tradeoff(H27_2, H27_1, teachers=16, ranking=DEFAULT, grade_order=K6) == (
        "Plan 2 uses every teacher and keeps every class at 23 or fewer, but needs one 5/6 composite; "
        "plan 1 avoids composites but leaves 2 teachers without a class and puts grade 6 in one class of 29.")


def test_with_every_teacher_first_the_same_plans_trade_the_other_way():
    sentence = tradeoff(H27_1 | {"rank": 2}, H27_2 | {"rank": 1}, teachers=16,
                        ranking=["classes", "composites", "spread"], grade_order=K6)
    assert sentence == ("Plan 2 avoids composites, but leaves 2 teachers without a class and puts grade 6 in "
                        "one class of 29; plan 1 uses every teacher and keeps every class at 23 or fewer but "
                        "needs one 5/6 composite.")


# Hillview 2028: three plans with the same classes, composites and largest class. Plans 1 and 2
# tie on the spread too (they put the composite elsewhere); plan 3 differs only in the spread.
H28_1 = plan(1, {"K": 19}, {"K": 25}, {"K": 1, "1": 14}, {"1": 21}, {"2": 18}, {"2": 22})
H28_2 = plan(2, {"K": 20}, {"K": 25}, {"1": 25}, {"1": 10, "2": 5}, {"2": 15}, {"2": 20})
H28_3 = plan(3, {"K": 19}, {"K": 25}, {"K": 1, "1": 14}, {"1": 21}, {"2": 15}, {"2": 25})


def test_hillview_2028_ties_are_said_as_ties():
    assert tradeoff(H28_2, H28_1, teachers=6, ranking=DEFAULT, grade_order=["K", "1", "2"]) == (
        "Plan 2 ties with plan 1 on every figure: it has a 1/2 composite where plan 1 has a K/1 composite, "
        "so either is as good by your priorities.")


def test_hillview_2028_a_difference_in_the_spread_alone_is_named():
    assert tradeoff(H28_3, H28_1, teachers=6, ranking=DEFAULT, grade_order=["K", "1", "2"]) == (
        "Plan 3 has the same number of classes, composites and largest class as plan 1, but has less even "
        "class sizes within a grade (spread 26 against 20).")
