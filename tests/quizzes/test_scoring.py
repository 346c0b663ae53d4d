"""The scoring rules of cybercap.quizzes.scoring, as properties (hypothesis) and examples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cybercap.quizzes import scoring

IDS = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True)


@st.composite
def key_and_subset(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    options = draw(st.lists(st.sampled_from("abcdefgh"), min_size=2, max_size=8, unique=True))
    correct = draw(st.lists(st.sampled_from(options), min_size=1, unique=True))
    answer = draw(st.lists(st.sampled_from(options), unique=True))
    return options, correct, answer


@given(key_and_subset())
def test_multiple_is_a_fraction_and_one_only_for_the_exact_set(
    case: tuple[list[str], list[str], list[str]],
) -> None:
    _, correct, answer = case
    value = scoring.score_multiple(correct, answer)
    assert 0.0 <= value <= 1.0
    assert (value == 1.0) == (set(answer) == set(correct))


@given(key_and_subset())
def test_multiple_choosing_everything_scores_zero_unless_all_are_right(
    case: tuple[list[str], list[str], list[str]],
) -> None:
    options, correct, _ = case
    value = scoring.score_multiple(correct, options)
    expected = max(0.0, (len(correct) - (len(options) - len(correct))) / len(correct))
    assert value == expected


def test_multiple_examples() -> None:
    assert scoring.score_multiple(["a", "b", "c"], ["a", "b"]) == pytest.approx(2 / 3)
    assert scoring.score_multiple(["a", "b", "c"], ["a", "b", "d"]) == pytest.approx(1 / 3)
    assert scoring.score_multiple(["a", "b"], ["c", "d"]) == 0.0
    assert scoring.score_multiple(["a", "b"], []) == 0.0
    assert scoring.score_multiple(["a", "b"], ["b", "a"]) == 1.0


@given(IDS, st.randoms(use_true_random=False))
def test_ordering_is_one_for_the_key_zero_for_its_reverse(key: list[str], rng: object) -> None:
    assert scoring.score_ordering(key, key) == 1.0
    if len(key) > 1:
        assert scoring.score_ordering(key, list(reversed(key))) == 0.0
    shuffled = list(key)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    value = scoring.score_ordering(key, shuffled)
    assert 0.0 <= value <= 1.0
    assert (value == 1.0) == (shuffled == key)


@given(st.lists(st.sampled_from("abcdefgh"), min_size=3, max_size=8, unique=True))
def test_ordering_swapping_two_neighbours_costs_one_pair(key: list[str]) -> None:
    swapped = [key[1], key[0], *key[2:]]
    pairs = len(key) * (len(key) - 1) / 2
    assert scoring.score_ordering(key, swapped) == pytest.approx((pairs - 1) / pairs)


def test_ordering_that_is_not_a_permutation_scores_zero() -> None:
    assert scoring.score_ordering(["a", "b", "c"], ["a", "b"]) == 0.0
    assert scoring.score_ordering(["a", "b", "c"], ["a", "a", "b"]) == 0.0
    assert scoring.score_ordering(["a", "b", "c"], ["a", "b", "z"]) == 0.0
    assert scoring.score_ordering(["a"], ["a"]) == 1.0


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.sampled_from("uvwxyz"), min_size=1),
    st.dictionaries(st.sampled_from("abcdefg"), st.sampled_from("uvwxyz")),
)
def test_matching_counts_right_pairs(key: dict[str, str], answer: dict[str, str]) -> None:
    value = scoring.score_matching(key, answer)
    right = sum(1 for option, target in key.items() if answer.get(option) == target)
    assert value == right / len(key)
    assert scoring.score_matching(key, key) == 1.0


def test_single_and_true_false() -> None:
    assert scoring.score("single", ["b"], ["b"]) == 1.0
    assert scoring.score("single", ["b"], ["a"]) == 0.0
    assert scoring.score("single", ["b"], []) == 0.0
    assert scoring.score("true_false", ["true"], ["true"]) == 1.0
    assert scoring.score("true_false", ["true"], ["false"]) == 0.0
    with pytest.raises(scoring.ScoringError):
        scoring.score("single", ["a", "b"], ["a"])
    with pytest.raises(scoring.ScoringError):
        scoring.score("essay", ["a"], ["a"])


# --------------------------------------------------------------------------- learning gain

PERCENT = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(PERCENT, PERCENT)
def test_gain_is_undefined_only_at_a_perfect_pre_test(pre: float, post: float) -> None:
    g = scoring.normalised_gain(pre, post)
    if pre == 100:
        assert g is None
    else:
        assert g is not None
        assert g == pytest.approx((post - pre) / (100 - pre))
        assert g <= 1.0
        assert scoring.normalised_gain(pre, 100) == 1.0


def test_gain_examples_and_bounds() -> None:
    assert scoring.normalised_gain(40, 70) == 0.5
    assert scoring.normalised_gain(50, 25) == -0.5
    assert scoring.normalised_gain(100, 90) is None
    with pytest.raises(ValueError):
        scoring.normalised_gain(-1, 50)
    with pytest.raises(ValueError):
        scoring.normalised_gain(50, 101)


def test_class_gain_uses_matched_pairs_and_reports_undefined_learners() -> None:
    result = scoring.class_gain([(40, 70), (60, 80), (100, 100)])
    assert result.pairs == 3
    assert result.mean_pre == pytest.approx(200 / 3)
    assert result.mean_post == pytest.approx(250 / 3)
    assert result.absolute_gain == pytest.approx(50 / 3)
    assert result.class_gain == pytest.approx((50 / 3) / (100 - 200 / 3))
    assert result.mean_learner_gain == pytest.approx((0.5 + 0.5) / 2)
    assert result.undefined_learners == 1
    assert result.band == "medium"
    empty = scoring.class_gain([])
    assert (empty.pairs, empty.class_gain, empty.band) == (0, None, None)
    perfect = scoring.class_gain([(100, 100)])
    assert (perfect.class_gain, perfect.mean_learner_gain, perfect.undefined_learners) == (
        None,
        None,
        1,
    )
    assert scoring.class_gain([(0, 20)]).band == "low"
    assert scoring.class_gain([(0, 90)]).band == "high"
