"""Scores of a National Cyber Review: a pure, deterministic method (no Django import).

The method (documented for readers in docs/framework.md, "Scoring"):

1. **Indicator.** An indicator is *answered* (a level 1 to 5), *not applicable* or
   *unanswered*. Only answered indicators carry a level. Neither of the other two is ever
   counted as zero: they are left out of every mean and reported as counts.
2. **Area score** = the weighted mean of the levels of the area's answered indicators, with
   the indicators' weights. An area with no answered indicator has no score (``None``).
3. **Pillar score** = the weighted mean of the scores of its areas that have a score, with
   the areas' weights. **Overall** = the weighted mean of the pillar scores, with the pillars'
   weights. So a score is always on the 1 to 5 scale of the levels.
4. **Coverage** = answered weight / applicable weight (applicable = everything that is not
   "not applicable"); it says how much of the picture a score stands on.
5. **Confidence.** Each answer has a confidence; an answer without one counts as low. An answer
   of level L stands for the band [L - s, L + s] clipped to 1..5, with s = 0 (high), 0.5
   (medium) or 1 (low). The band of an area, pillar or the whole is the same weighted mean
   taken over the band ends, so it always contains the score and narrows as confidence grows.
   The confidence label of a unit is the weighted mean of low = 1, medium = 2, high = 3,
   rounded to the nearest label; ``low_confidence`` counts answers of low (or no) confidence.
6. **Gap** = target level minus current level for each answered indicator (targets are per
   country, 3 by default). A positive gap is a shortfall; gaps of unanswered or not
   applicable indicators are ``None``, never guessed.

Sums use ``math.fsum`` so that results do not depend on the order of the inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

LEVEL_MIN = 1
LEVEL_MAX = 5
CONFIDENCE_SPREAD = {"high": 0.0, "medium": 0.5, "low": 1.0}
CONFIDENCE_VALUE = {"low": 1, "medium": 2, "high": 3}
CONFIDENCE_LABELS = ("low", "medium", "high")


@dataclass(frozen=True)
class IndicatorInput:
    id: str
    area: str
    weight: float = 1.0
    level: int | None = None
    not_applicable: bool = False
    confidence: str | None = None  # "low" | "medium" | "high"; None counts as low
    target: int = 3

    @property
    def answered(self) -> bool:
        return self.level is not None


@dataclass(frozen=True)
class AreaSpec:
    key: str
    pillar: str
    weight: float = 1.0


@dataclass(frozen=True)
class PillarSpec:
    key: str
    weight: float = 1.0


@dataclass(frozen=True)
class Summary:
    score: float | None  # 1..5, or None when nothing is answered
    low: float | None  # the confidence band around the score
    high: float | None
    answered: int
    not_applicable: int
    unanswered: int
    coverage: float | None  # answered weight / applicable weight; None when nothing applies
    confidence: str | None  # "low" | "medium" | "high"; None when nothing is answered
    low_confidence: int

    @property
    def total(self) -> int:
        return self.answered + self.not_applicable + self.unanswered


@dataclass(frozen=True)
class Gap:
    indicator: str
    area: str
    level: int
    target: int

    @property
    def gap(self) -> int:
        return self.target - self.level


@dataclass(frozen=True)
class Result:
    areas: dict[str, Summary]
    pillars: dict[str, Summary]
    overall: Summary
    gaps: dict[str, int | None] = field(default_factory=dict)  # indicator id -> gap
    shortfalls: tuple[Gap, ...] = ()  # answered indicators below target, largest gap first


def _wmean(pairs: Iterable[tuple[float, float]]) -> float | None:
    pairs = list(pairs)
    total = math.fsum(w for _, w in pairs)
    if not pairs or total <= 0:
        return None
    value = math.fsum(v * w for v, w in pairs) / total
    # Clamp rounding noise so that bounds hold exactly.
    return min(max(value, float(LEVEL_MIN)), float(LEVEL_MAX))


def _band(level: int, confidence: str | None) -> tuple[float, float]:
    spread = CONFIDENCE_SPREAD.get(confidence or "low", 1.0)
    return max(LEVEL_MIN, level - spread), min(LEVEL_MAX, level + spread)


def _confidence_label(items: Sequence[IndicatorInput]) -> str | None:
    pairs = [(CONFIDENCE_VALUE.get(i.confidence or "low", 1), i.weight) for i in items]
    total = math.fsum(w for _, w in pairs)
    if not pairs or total <= 0:
        return None
    mean = math.fsum(v * w for v, w in pairs) / total
    return CONFIDENCE_LABELS[min(2, max(0, math.floor(mean + 0.5) - 1))]


def _counts(items: Sequence[IndicatorInput]) -> dict[str, object]:
    answered = [i for i in items if i.answered]
    applicable = [i for i in items if not i.not_applicable]
    applicable_weight = math.fsum(i.weight for i in applicable)
    coverage = (
        math.fsum(i.weight for i in answered) / applicable_weight if applicable_weight else None
    )
    return {
        "answered": len(answered),
        "not_applicable": sum(1 for i in items if i.not_applicable),
        "unanswered": sum(1 for i in items if not i.answered and not i.not_applicable),
        "coverage": coverage,
        "confidence": _confidence_label(answered),
        "low_confidence": sum(1 for i in answered if (i.confidence or "low") == "low"),
    }


def _validate(indicators: Sequence[IndicatorInput], areas: dict[str, AreaSpec]) -> None:
    for item in indicators:
        if item.area not in areas:
            raise ValueError(f"{item.id}: unknown area {item.area!r}")
        if not item.weight > 0:
            raise ValueError(f"{item.id}: weight must be above 0")
        if item.level is not None and not LEVEL_MIN <= item.level <= LEVEL_MAX:
            raise ValueError(f"{item.id}: level {item.level} is outside 1 to 5")
        if item.not_applicable and item.level is not None:
            raise ValueError(f"{item.id}: a not-applicable indicator has no level")
        if not LEVEL_MIN <= item.target <= LEVEL_MAX:
            raise ValueError(f"{item.id}: target {item.target} is outside 1 to 5")
        if item.confidence is not None and item.confidence not in CONFIDENCE_SPREAD:
            raise ValueError(f"{item.id}: unknown confidence {item.confidence!r}")


def score(
    indicators: Sequence[IndicatorInput],
    areas: Sequence[AreaSpec],
    pillars: Sequence[PillarSpec],
) -> Result:
    """Area, pillar and overall summaries and the gaps (see the module docstring)."""
    area_map = {a.key: a for a in areas}
    _validate(indicators, area_map)
    for key, weight in [(a.key, a.weight) for a in areas] + [(p.key, p.weight) for p in pillars]:
        if not weight > 0:
            raise ValueError(f"{key}: weight must be above 0")
    pillar_keys = {p.key for p in pillars}
    for a in areas:
        if a.pillar not in pillar_keys:
            raise ValueError(f"area {a.key}: unknown pillar {a.pillar!r}")

    by_area: dict[str, list[IndicatorInput]] = {a.key: [] for a in areas}
    for item in indicators:
        by_area[item.area].append(item)

    area_out: dict[str, Summary] = {}
    for a in areas:
        items = by_area[a.key]
        answered = [i for i in items if i.level is not None]
        bands = [(_band(i.level, i.confidence), i.weight) for i in answered if i.level is not None]
        area_out[a.key] = Summary(
            score=_wmean((float(i.level), i.weight) for i in answered if i.level is not None),
            low=_wmean((b[0], w) for b, w in bands),
            high=_wmean((b[1], w) for b, w in bands),
            **_counts(items),  # type: ignore[arg-type]
        )

    def roll_up(units: list[tuple[Summary, float]], items: list[IndicatorInput]) -> Summary:
        scored = [(s, w) for s, w in units if s.score is not None]
        return Summary(
            score=_wmean((s.score, w) for s, w in scored if s.score is not None),
            low=_wmean((s.low, w) for s, w in scored if s.low is not None),
            high=_wmean((s.high, w) for s, w in scored if s.high is not None),
            **_counts(items),  # type: ignore[arg-type]
        )

    pillar_out: dict[str, Summary] = {}
    for p in pillars:
        own = [a for a in areas if a.pillar == p.key]
        items = [i for a in own for i in by_area[a.key]]
        pillar_out[p.key] = roll_up([(area_out[a.key], a.weight) for a in own], items)
    overall = roll_up([(pillar_out[p.key], p.weight) for p in pillars], list(indicators))

    gaps: dict[str, int | None] = {}
    shortfalls: list[Gap] = []
    for item in indicators:
        if item.level is None:
            gaps[item.id] = None
            continue
        gap = Gap(indicator=item.id, area=item.area, level=item.level, target=item.target)
        gaps[item.id] = gap.gap
        if gap.gap > 0:
            shortfalls.append(gap)
    shortfalls.sort(key=lambda g: (-g.gap, g.indicator))
    return Result(
        areas=area_out,
        pillars=pillar_out,
        overall=overall,
        gaps=gaps,
        shortfalls=tuple(shortfalls),
    )


# --------------------------------------------------------------------------- two reviewers


@dataclass(frozen=True)
class Agreement:
    """How far two reviewers' levels agree over the indicators both scored.

    ``weighted_kappa`` is Cohen's kappa with linear weights over the five levels (a one-level
    difference counts as 3/4 agreement, two levels as 1/2, ...): 1 is perfect agreement, 0 what
    chance alone would give. It is ``None`` with no pairs, or when chance agreement is already
    total (every level on both sides the same), where kappa is undefined.
    """

    pairs: int
    exact: int
    within_one: int
    weighted_kappa: float | None


def agreement(pairs: Iterable[tuple[int, int]]) -> Agreement:
    """Agreement of (first reviewer's level, second reviewer's level) pairs."""
    items = [(a, b) for a, b in pairs]
    n = len(items)
    if n == 0:
        return Agreement(pairs=0, exact=0, within_one=0, weighted_kappa=None)
    span = LEVEL_MAX - LEVEL_MIN

    def weight(a: int, b: int) -> float:
        return 1.0 - abs(a - b) / span

    observed = math.fsum(weight(a, b) for a, b in items) / n
    levels = range(LEVEL_MIN, LEVEL_MAX + 1)
    first = {lv: sum(1 for a, _ in items if a == lv) / n for lv in levels}
    second = {lv: sum(1 for _, b in items if b == lv) / n for lv in levels}
    expected = math.fsum(first[i] * second[j] * weight(i, j) for i in levels for j in levels)
    kappa = None if math.isclose(expected, 1.0) else (observed - expected) / (1.0 - expected)
    return Agreement(
        pairs=n,
        exact=sum(1 for a, b in items if a == b),
        within_one=sum(1 for a, b in items if abs(a - b) <= 1),
        weighted_kappa=None if kappa is None else round(kappa, 3),
    )
