"""The scoring method (cybercap.reviews.scoring): exact examples and hypothesis properties."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cybercap.reviews.scoring import AreaSpec, IndicatorInput, PillarSpec, Result, score

PILLARS = [PillarSpec("institutional", 1.0), PillarSpec("legal", 2.0)]
AREAS = [
    AreaSpec("strategy", "institutional", 1.0),
    AreaSpec("units", "institutional", 3.0),
    AreaSpec("offences", "legal", 1.0),
]


def run(items: list[IndicatorInput]) -> Result:
    return score(items, AREAS, PILLARS)


def test_a_worked_example() -> None:
    result = run(
        [
            IndicatorInput("A", "strategy", 1.0, 2, confidence="high"),
            IndicatorInput("B", "strategy", 3.0, 4, confidence="medium"),
            IndicatorInput("C", "units", 1.0, 3, confidence="low"),
            IndicatorInput("D", "units", 1.0, None, not_applicable=True),
            IndicatorInput("E", "offences", 2.0, 1, confidence="high", target=4),
            IndicatorInput("F", "offences", 1.0, None),
        ]
    )
    strategy = result.areas["strategy"]
    assert strategy.score == 3.5  # (2*1 + 4*3) / 4
    assert (strategy.low, strategy.high) == (3.125, 3.875)  # (2*1+3.5*3)/4, (2*1+4.5*3)/4
    assert strategy.confidence == "medium"  # (3*1 + 2*3) / 4 = 2.25
    assert result.areas["units"].score == 3.0
    assert (result.areas["units"].low, result.areas["units"].high) == (2.0, 4.0)
    assert result.areas["units"].not_applicable == 1
    assert result.areas["units"].coverage == 1.0  # the N/A one does not count against it
    offences = result.areas["offences"]
    assert offences.score == 1.0
    assert (offences.answered, offences.unanswered) == (1, 1)
    assert offences.coverage == pytest.approx(2 / 3)
    institutional = result.pillars["institutional"]
    assert institutional.score == pytest.approx((3.5 * 1 + 3.0 * 3) / 4)
    assert result.pillars["legal"].score == 1.0
    assert result.overall.score == pytest.approx((institutional.score * 1 + 1.0 * 2) / 3)
    assert result.gaps == {"A": 1, "B": -1, "C": 0, "D": None, "E": 3, "F": None}
    assert [(g.indicator, g.gap) for g in result.shortfalls] == [("E", 3), ("A", 1)]


def test_nothing_answered_has_no_score_not_zero() -> None:
    result = run(
        [
            IndicatorInput("A", "strategy", 1.0, None),
            IndicatorInput("B", "units", 1.0, None, not_applicable=True),
        ]
    )
    assert result.overall.score is None
    assert result.areas["strategy"].score is None
    assert result.areas["strategy"].coverage == 0.0
    assert result.areas["units"].coverage is None  # nothing applies
    assert result.overall.confidence is None


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="A: level 6 is outside 1 to 5"):
        run([IndicatorInput("A", "strategy", 1.0, 6)])
    with pytest.raises(ValueError, match="A: a not-applicable indicator has no level"):
        run([IndicatorInput("A", "strategy", 1.0, 3, not_applicable=True)])
    with pytest.raises(ValueError, match="A: unknown area 'nowhere'"):
        run([IndicatorInput("A", "nowhere", 1.0, 3)])
    with pytest.raises(ValueError, match="A: weight must be above 0"):
        run([IndicatorInput("A", "strategy", 0.0, 3)])


# --- properties -----------------------------------------------------------------------------

status = st.sampled_from(["answered", "answered", "answered", "na", "unanswered"])


@st.composite
def indicator_sets(draw: st.DrawFn) -> list[IndicatorInput]:
    n = draw(st.integers(min_value=1, max_value=12))
    items = []
    for i in range(n):
        kind = draw(status)
        items.append(
            IndicatorInput(
                id=f"I{i:02d}",
                area=draw(st.sampled_from([a.key for a in AREAS])),
                weight=draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0])),
                level=draw(st.integers(1, 5)) if kind == "answered" else None,
                not_applicable=kind == "na",
                confidence=draw(st.sampled_from([None, "low", "medium", "high"])),
                target=draw(st.integers(1, 5)),
            )
        )
    return items


def _summaries(result: Result) -> list[object]:
    return [*result.areas.values(), *result.pillars.values(), result.overall]


@settings(max_examples=150, deadline=None)
@given(indicator_sets())
def test_scores_stay_within_the_levels_and_inside_their_band(items: list[IndicatorInput]) -> None:
    result = run(items)
    for summary in _summaries(result):
        if summary.score is None:  # type: ignore[attr-defined]
            assert summary.answered == 0  # type: ignore[attr-defined]
            continue
        assert 1.0 <= summary.low <= summary.score <= summary.high <= 5.0  # type: ignore[attr-defined]
        assert summary.total == (  # type: ignore[attr-defined]
            summary.answered + summary.not_applicable + summary.unanswered  # type: ignore[attr-defined]
        )


@settings(max_examples=150, deadline=None)
@given(indicator_sets(), st.data())
def test_raising_one_level_never_lowers_a_score(
    items: list[IndicatorInput], data: st.DataObject
) -> None:
    answered = [i for i, item in enumerate(items) if item.level is not None and item.level < 5]
    if not answered:
        return
    index = data.draw(st.sampled_from(answered))
    raised = list(items)
    old = raised[index]
    assert old.level is not None
    raised[index] = dataclasses.replace(old, level=data.draw(st.integers(old.level + 1, 5)))
    before, after = run(items), run(raised)
    for b, a in zip(_summaries(before), _summaries(after), strict=True):
        if b.score is None:  # type: ignore[attr-defined]
            assert a.score is None  # type: ignore[attr-defined]  # an area without answers
            continue
        assert a.score >= b.score - 1e-9  # type: ignore[attr-defined]
        assert a.low >= b.low - 1e-9  # type: ignore[attr-defined]
        assert a.high >= b.high - 1e-9  # type: ignore[attr-defined]
    assert after.gaps[old.id] < before.gaps[old.id]  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(indicator_sets(), st.data())
def test_not_applicable_and_unanswered_are_left_out_never_zero(
    items: list[IndicatorInput], data: st.DataObject
) -> None:
    """Adding an N/A or unanswered indicator changes no score; only the counts move."""
    area = data.draw(st.sampled_from([a.key for a in AREAS]))
    na = data.draw(st.booleans())
    extra = IndicatorInput("X99", area, 2.0, None, not_applicable=na)
    before, after = run(items), run([*items, extra])
    for b, a in zip(_summaries(before), _summaries(after), strict=True):
        assert (a.score, a.low, a.high) == (b.score, b.low, b.high)  # type: ignore[attr-defined]
        assert a.confidence == b.confidence  # type: ignore[attr-defined]
    assert after.areas[area].not_applicable == before.areas[area].not_applicable + int(na)
    assert after.areas[area].unanswered == before.areas[area].unanswered + int(not na)
    assert after.gaps["X99"] is None


@settings(max_examples=100, deadline=None)
@given(indicator_sets(), st.integers(0, 2**32))
def test_the_order_of_the_indicators_does_not_matter(
    items: list[IndicatorInput], seed: int
) -> None:
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    a, b = run(items), run(shuffled)
    assert (a.areas, a.pillars, a.overall, a.gaps) == (b.areas, b.pillars, b.overall, b.gaps)


@settings(max_examples=100, deadline=None)
@given(indicator_sets())
def test_higher_confidence_never_widens_the_band(items: list[IndicatorInput]) -> None:
    sure = [dataclasses.replace(i, confidence="high") for i in items]
    loose, tight = run(items), run(sure)
    for lo, hi in zip(_summaries(loose), _summaries(tight), strict=True):
        if lo.score is None:  # type: ignore[attr-defined]
            continue
        assert hi.high - hi.low <= lo.high - lo.low + 1e-9  # type: ignore[attr-defined]
        assert hi.low == pytest.approx(hi.score)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- two reviewers


def test_agreement_of_two_reviewers_by_hand() -> None:
    from cybercap.reviews.scoring import Agreement, agreement

    # Observed weighted agreement (1 + 1 + 0.75 + 0.5) / 4 = 0.8125; chance 10 / 16 = 0.625;
    # kappa (0.8125 - 0.625) / (1 - 0.625) = 0.5.
    assert agreement([(1, 1), (2, 2), (3, 4), (5, 3)]) == Agreement(
        pairs=4, exact=2, within_one=3, weighted_kappa=0.5
    )
    assert agreement([]) == Agreement(pairs=0, exact=0, within_one=0, weighted_kappa=None)
    # Everyone at level 3 on both sides: chance agreement is total, kappa undefined.
    assert agreement([(3, 3), (3, 3)]).weighted_kappa is None
    assert agreement([(1, 1), (5, 5)]).weighted_kappa == 1.0
    assert agreement([(1, 5), (5, 1)]).weighted_kappa == -1.0
