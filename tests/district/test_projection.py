"""Cohort-survival projection and its back-test, against figures worked out by hand."""

import pytest

from reports.district.projection import COHORT, COPY_FORWARD, back_test, project, survival_ratios

CODES = ["K", "1", "2"]
# Three consecutive years of a small school.
HISTORY = {
    2024: {"K": 40, "1": 50, "2": 45},
    2025: {"K": 44, "1": 38, "2": 52},
    2026: {"K": 48, "1": 45, "2": 36},
}


def test_ratios_by_hand():
    ratios = survival_ratios(HISTORY, CODES)
    # K follows its own trend: 44/40 = 1.1, 48/44 = 1.0909...
    assert ratios["K"] == pytest.approx([1.1, 48 / 44])
    # grade 1 next year per K student this year: 38/40 = 0.95, 45/44
    assert ratios["1"] == pytest.approx([0.95, 45 / 44])
    # grade 2 per grade-1 student: 52/50 = 1.04, 36/38
    assert ratios["2"] == pytest.approx([1.04, 36 / 38])


def test_projection_by_hand():
    p = project(HISTORY, CODES)
    assert p.year == 2027 and p.base_year == 2026 and p.method == COHORT
    k, g1, g2 = p.grades
    # K: 48 x mean(1.1, 1.090909) = 48 x 1.0954545 = 52.58 -> 53; range 48 x 1.0909 = 52.36 -> 52, 48 x 1.1 = 52.8 -> 53
    assert (k.students, k.low, k.high) == (53, 52, 53)
    # grade 1: 48 K students x mean(0.95, 1.022727) = 48 x 0.9863636 = 47.35 -> 47; 45.6 -> 46; 49.09 -> 49
    assert (g1.students, g1.low, g1.high) == (47, 46, 49)
    assert g1.from_code == "K"
    # grade 2: 45 grade-1 students x mean(1.04, 0.947368) = 45 x 0.993684 = 44.72 -> 45; 42.63 -> 43; 46.8 -> 47
    assert (g2.students, g2.low, g2.high) == (45, 43, 47)
    assert p.total == 53 + 47 + 45


def test_fewer_than_two_years_copies_forward_and_says_so():
    p = project({2026: {"K": 30, "1": 25, "2": 20}}, CODES)
    assert p.method == COPY_FORWARD
    assert p.counts == {"K": 30, "1": 30, "2": 25}
    assert "Fewer than two" in p.note
    # a gap between years is not a trend either
    gap = project({2023: {"K": 30, "1": 25, "2": 20}, 2026: {"K": 31, "1": 26, "2": 21}}, CODES)
    assert gap.method == COPY_FORWARD and gap.base_year == 2026


def test_back_test_by_hand():
    bt = back_test(HISTORY, CODES)
    # only 2026 has two consecutive years before it: projected from 2024->2025 ratios alone
    # K: 44 x 1.1 = 48.4 -> 48 (actual 48); 1: 44 x 0.95 = 41.8 -> 42 (45); 2: 38 x 1.04 = 39.52 -> 40 (36)
    assert [(r.year, r.code, r.projected, r.actual) for r in bt.rows] == [
        (2026, "K", 48, 48), (2026, "1", 42, 45), (2026, "2", 40, 36)]
    assert bt.mape == pytest.approx((0 + 3 / 45 + 4 / 36) / 3)


def test_back_test_needs_three_years():
    bt = back_test({2025: {"K": 1}, 2026: {"K": 2}}, ["K"])
    assert bt.rows == () and bt.mape is None and "three consecutive years" in bt.note


def test_no_history():
    p = project({}, CODES)
    assert p.grades == () and "No year" in p.note
