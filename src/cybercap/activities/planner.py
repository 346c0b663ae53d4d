"""The gap-driven training planner: topics ranked by need (pure; no Django import).

The method (documented for readers in docs/planner.md, tested by hand in
tests/activities/test_planner.py):

1. **Inputs.** For each country, its latest *final* National Cyber Review: every answered
   indicator below its target (a *shortfall*, gap = target - level > 0) with the indicator's
   weight and topics, and the review's recommendations (not obsolete) with their priority and
   linked indicators. Learning gains of past activities per topic (``gain_summary(...,
   by="topic")``: matched pre/post pairs and mean normalised gain).
2. **Contribution of a shortfall** = indicator weight x gap x priority factor, where the
   priority factor is that of the highest-priority recommendation of the same review linked to
   the indicator (high 3, medium 2, low 1), or 1 when no recommendation is linked.
3. **Need of a country on a topic** = the sum of the contributions of its shortfalls on
   indicators carrying that topic (an indicator with two topics counts fully under each).
4. **Gap need of a topic** = the sum over countries of their need on it.
5. **Learning-gain factor** = 1 + 0.5 x (1 - g), with g the topic's mean normalised gain
   clipped to 0..1, when at least 5 matched pairs measured it; otherwise 1 (no evidence either
   way). Weak gains (g near 0) raise a topic's need by up to half; strong gains leave it.
6. **Trend factor**: absent. The trends module does not exist yet; until it does every topic
   has factor 1 and the page says that trends are not part of the figure. No trend is guessed.
7. **Score** = gap need x learning-gain factor x trend factor. Topics with no gap need are not
   proposed. Topics are ordered by score (highest first), then by key; countries within a topic
   by their need, then by country code.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PRIORITY_FACTOR = {"high": 3, "medium": 2, "low": 1}
NO_RECOMMENDATION_FACTOR = 1
GAIN_MIN_PAIRS = 5
GAIN_WEIGHT = 0.5
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class TopicRef:
    key: str
    name: str


@dataclass(frozen=True)
class ShortfallInput:
    """One answered indicator of a country's latest final review (any gap; only > 0 counts)."""

    country_code: str
    country_name: str
    review_id: int
    cycle: int
    indicator_code: str
    indicator_title: str
    weight: float
    level: int
    target: int
    topics: tuple[TopicRef, ...]

    @property
    def gap(self) -> int:
        return self.target - self.level


@dataclass(frozen=True)
class RecommendationInput:
    id: int
    review_id: int
    text: str
    priority: str  # high | medium | low
    indicator_codes: tuple[str, ...]
    topics: tuple[str, ...]  # topic keys


@dataclass(frozen=True)
class GainInput:
    topic_key: str
    pairs: int
    mean_normalised_gain: float | None


@dataclass(frozen=True)
class IndicatorReason:
    """Why a country needs a topic: one shortfall and what it contributes."""

    indicator_code: str
    indicator_title: str
    level: int
    target: int
    gap: int
    weight: float
    priority_factor: int
    contribution: float
    recommendation_ids: tuple[int, ...]


@dataclass(frozen=True)
class CountryNeed:
    country_code: str
    country_name: str
    review_id: int
    cycle: int
    need: float
    reasons: tuple[IndicatorReason, ...]
    recommendations: tuple[RecommendationInput, ...]


@dataclass(frozen=True)
class TopicNeed:
    topic: TopicRef
    gap_need: float
    gain: GainInput | None  # the learning-gain evidence, when any
    gain_factor: float
    trend_factor: float | None  # None: the trends module does not exist yet (factor 1 used)
    score: float
    countries: tuple[CountryNeed, ...]


def priority_factor(review_id: int, code: str, recs: Sequence[RecommendationInput]) -> int:
    factors = [
        PRIORITY_FACTOR[r.priority]
        for r in recs
        if r.review_id == review_id and code in r.indicator_codes
    ]
    return max(factors, default=NO_RECOMMENDATION_FACTOR)


def gain_factor(gain: GainInput | None) -> float:
    """Rule 5 of the module docstring."""
    if gain is None or gain.pairs < GAIN_MIN_PAIRS or gain.mean_normalised_gain is None:
        return 1.0
    g = min(max(gain.mean_normalised_gain, 0.0), 1.0)
    return 1.0 + GAIN_WEIGHT * (1.0 - g)


def rank_topics(
    shortfalls: Iterable[ShortfallInput],
    recommendations: Iterable[RecommendationInput],
    gains: Iterable[GainInput] = (),
) -> list[TopicNeed]:
    """Topics ranked by need (see the module docstring); deterministic for the same inputs."""
    recs = list(recommendations)
    gain_by_topic = {g.topic_key: g for g in gains}
    topics: dict[str, TopicRef] = {}
    # (topic, country) -> reasons; the country's review and names kept alongside.
    reasons: dict[tuple[str, str], list[IndicatorReason]] = defaultdict(list)
    countries: dict[str, tuple[str, int, int]] = {}
    for item in shortfalls:
        if item.gap <= 0:
            continue
        factor = priority_factor(item.review_id, item.indicator_code, recs)
        linked = tuple(
            sorted(
                r.id
                for r in recs
                if r.review_id == item.review_id and item.indicator_code in r.indicator_codes
            )
        )
        reason = IndicatorReason(
            indicator_code=item.indicator_code,
            indicator_title=item.indicator_title,
            level=item.level,
            target=item.target,
            gap=item.gap,
            weight=item.weight,
            priority_factor=factor,
            contribution=item.weight * item.gap * factor,
            recommendation_ids=linked,
        )
        countries[item.country_code] = (item.country_name, item.review_id, item.cycle)
        for topic in item.topics:
            topics.setdefault(topic.key, topic)
            reasons[(topic.key, item.country_code)].append(reason)

    ranked = []
    for key, topic in topics.items():
        needs = []
        for (topic_key, code), items in reasons.items():
            if topic_key != key:
                continue
            name, review_id, cycle = countries[code]
            linked_ids = {i for reason in items for i in reason.recommendation_ids}
            related = sorted(
                (
                    r
                    for r in recs
                    if r.review_id == review_id and (r.id in linked_ids or key in r.topics)
                ),
                key=lambda r: (PRIORITY_ORDER.get(r.priority, 9), r.id),
            )
            needs.append(
                CountryNeed(
                    country_code=code,
                    country_name=name,
                    review_id=review_id,
                    cycle=cycle,
                    need=math.fsum(r.contribution for r in items),
                    reasons=tuple(sorted(items, key=lambda r: (-r.contribution, r.indicator_code))),
                    recommendations=tuple(related),
                )
            )
        needs.sort(key=lambda n: (-n.need, n.country_code))
        gap_need = math.fsum(n.need for n in needs)
        gain = gain_by_topic.get(key)
        multiplier = gain_factor(gain)
        ranked.append(
            TopicNeed(
                topic=topic,
                gap_need=gap_need,
                gain=gain,
                gain_factor=multiplier,
                trend_factor=None,
                score=gap_need * multiplier,
                countries=tuple(needs),
            )
        )
    ranked.sort(key=lambda t: (-t.score, t.topic.key))
    return ranked
