"""Item analysis against figures worked out by hand (see each test's comment)."""

from __future__ import annotations

import math

import pytest

from cybercap.quizzes.analysis import item_analysis, pearson, upper_lower_index

# Four attempts at three items, scored right (1) or wrong (0):
#   A1: a b c   total 3/3        A3: a . .   total 1/3
#   A2: a b .   total 2/3        A4: . . .   total 0
ATTEMPTS = [
    {"a": 1.0, "b": 1.0, "c": 1.0},
    {"a": 1.0, "b": 1.0, "c": 0.0},
    {"a": 1.0, "b": 0.0, "c": 0.0},
    {"a": 0.0, "b": 0.0, "c": 0.0},
]


def test_difficulty_is_the_proportion_right() -> None:
    stats = {s.key: s for s in item_analysis(ATTEMPTS)}
    assert [stats[k].difficulty for k in "abc"] == [0.75, 0.5, 0.25]
    assert [stats[k].responses for k in "abc"] == [4, 4, 4]


def test_point_biserial_uses_the_rest_score() -> None:
    # Item a: rest scores (b+c)/2 = 1, .5, 0, 0. Those right: M1 = .5; the one wrong: M0 = 0.
    # Rest mean .375, population s = sqrt(.6875 / 4) = .414578; p = .75, q = .25.
    # r_pb = (M1 - M0) / s * sqrt(pq) = .5 / .414578 * .433013 = .522233
    # Item b: rest (a+c)/2 = 1, .5, .5, 0; M1 = .75, M0 = .25, s = sqrt(.5 / 4) = .353553,
    # sqrt(pq) = .5: r_pb = .5 / .353553 * .5 = .707107
    stats = {s.key: s for s in item_analysis(ATTEMPTS)}
    assert stats["a"].point_biserial == pytest.approx(0.522233, abs=1e-6)
    assert stats["b"].point_biserial == pytest.approx(math.sqrt(0.5), abs=1e-9)
    # Item c: rest (a+b)/2 = 1, 1, .5, 0; M1 = 1, M0 = .5, same s and sqrt(pq) as item a.
    assert stats["c"].point_biserial == pytest.approx(0.522233, abs=1e-6)


def test_upper_lower_index_on_four_attempts() -> None:
    # round(.27 * 4) = 1 attempt per group: the top (A1) and the bottom (A4).
    stats = {s.key: s for s in item_analysis(ATTEMPTS)}
    assert stats["a"].upper_lower == 1.0
    assert stats["b"].upper_lower == 1.0
    assert stats["c"].upper_lower == 1.0


def test_upper_lower_index_on_ten() -> None:
    # round(2.7) = 3 per group: lower totals .1 .2 .3 score 0 0 1; upper .8 .9 1 score 1 1 1.
    totals = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    item = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0]
    assert upper_lower_index(item, totals) == pytest.approx(1 - 1 / 3)
    # Reversed item: the strong miss it, the weak get it: the index turns negative.
    assert upper_lower_index([1 - x for x in item], totals) == pytest.approx(-(1 - 1 / 3))


def test_upper_lower_ties_keep_input_order_and_tiny_sets() -> None:
    assert upper_lower_index([1.0, 0.0, 0.0], [0.5, 0.5, 0.5]) == -1.0
    assert upper_lower_index([1.0], [1.0]) is None


def test_undefined_when_nothing_varies() -> None:
    stats = item_analysis([{"x": 1.0, "y": 1.0}, {"x": 1.0, "y": 0.0}])
    x = next(s for s in stats if s.key == "x")
    assert x.difficulty == 1.0
    assert x.point_biserial is None  # everyone right: no variance in the item
    assert x.upper_lower == 0.0


def test_partial_credit_and_single_item_attempts() -> None:
    assert pearson([0.5, 1.0, 0.0], [0.5, 1.0, 0.0]) == pytest.approx(1.0)
    assert pearson([0.0, 1.0], [1.0, 0.0]) == pytest.approx(-1.0)
    assert pearson([1.0], [1.0]) is None
    # An attempt holding only this item has no rest score: r_pb is undefined, the
    # upper-lower index still counts it.
    stats = item_analysis([{"z": 1.0}, {"z": 0.0}])
    assert stats[0].point_biserial is None
    assert stats[0].upper_lower == 1.0


def test_items_drawn_from_a_pool_count_only_where_drawn() -> None:
    stats = {s.key: s for s in item_analysis([{"p": 1.0, "q": 0.0}, {"p": 0.0, "r": 1.0}])}
    assert (stats["q"].responses, stats["r"].responses, stats["p"].responses) == (1, 1, 2)


def test_flags() -> None:
    assert item_analysis(ATTEMPTS)[0].flags == ("few",)
    # Ten attempts where the item is right only for the weakest: negative discrimination.
    attempts = [
        {"bad": 1.0 if n < 3 else 0.0, "good": n / 9, "g2": n / 9, "g3": n / 9, "g4": n / 9}
        for n in range(10)
    ]
    stats = {s.key: s for s in item_analysis(attempts)}
    assert stats["bad"].flags == ("negative",)
    assert stats["bad"].point_biserial is not None and stats["bad"].point_biserial < 0
    assert stats["good"].flags == ()
    easy = [{"e": 1.0, "o": n / 9} for n in range(10)]
    # Everyone right: no spread, so no discrimination either.
    assert item_analysis(easy)[0].flags == ("weak", "easy")
    assert item_analysis([{"h": 0.0, "o": n / 9} for n in range(10)])[0].flags == ("weak", "hard")
