"""Regional reads: scores of many reviews at once (a fixed number of queries), the staff
heatmap and level distribution, and a focal point's own country beside the regional median.

Scoped like every read: staff see every country by name; a focal point sees their own
country and only aggregates (medians) of the others, never another country's name or score.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.reviews import scoring
from cybercap.reviews.models import (
    DEFAULT_TARGET_LEVEL,
    Answer,
    Indicator,
    Pillar,
    Review,
    ReviewState,
    TargetLevel,
)
from cybercap.reviews.selectors import framework_tree


@dataclass
class Scored:
    review: Review
    result: scoring.Result
    levels: dict[str, int | str | None]  # indicator id -> level, "na" or None


@dataclass
class Regional:
    pillars: list[Pillar]
    rows: list[Scored]
    distribution: list[tuple[Indicator, list[int]]] = field(default_factory=list)


def scores_for_reviews(reviews: list[Review]) -> tuple[list[Pillar], list[Scored]]:
    """Score many reviews of one framework version in a fixed number of queries."""
    if not reviews:
        return [], []
    framework_ids = {r.framework_id for r in reviews}
    if len(framework_ids) != 1:
        raise ValueError("reviews of different framework versions are not compared here")
    pillars = framework_tree(reviews[0])
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    rows = Answer.objects.filter(review__in=[r.pk for r in reviews]).values_list(
        "review_id", "indicator__code", "level", "not_applicable", "confidence"
    )
    for review_id, code, level, not_applicable, confidence in rows:
        answers[review_id][code] = (level, not_applicable, confidence)
    targets: dict[int, dict[str, int]] = defaultdict(dict)
    for country_id, code, level in TargetLevel.objects.filter(
        country_id__in={r.country_id for r in reviews}
    ).values_list("country_id", "indicator_code", "level"):
        targets[country_id][code] = level
    area_specs, pillar_specs = [], []
    indicators: list[tuple[Indicator, str]] = []
    for pillar in pillars:
        pillar_specs.append(scoring.PillarSpec(pillar.key, pillar.weight))
        for area in pillar.areas.all():
            area_specs.append(scoring.AreaSpec(area.key, pillar.key, area.weight))
            indicators.extend((i, area.key) for i in area.indicators.all())
    out = []
    for review in reviews:
        mine = answers.get(review.pk, {})
        country_targets = targets.get(review.country_id, {})
        default = country_targets.get("", DEFAULT_TARGET_LEVEL)
        inputs = []
        levels: dict[str, int | str | None] = {}
        for indicator, area_key in indicators:
            level, not_applicable, confidence = mine.get(indicator.code, (None, False, ""))
            levels[indicator.code] = "na" if not_applicable else level
            inputs.append(
                scoring.IndicatorInput(
                    id=indicator.code,
                    area=area_key,
                    weight=indicator.weight,
                    level=level,
                    not_applicable=not_applicable,
                    confidence=confidence or None,
                    target=country_targets.get(indicator.code, default),
                )
            )
        out.append(Scored(review, scoring.score(inputs, area_specs, pillar_specs), levels))
    return pillars, out


def _latest_final(queryset: QuerySet[Review], cycle: int | None) -> list[Review]:
    """Each country's latest final review (or its review of ``cycle``), by country name."""
    finals = queryset.filter(state=ReviewState.FINAL).select_related("country", "framework")
    if cycle is not None:
        finals = finals.filter(cycle=cycle)
    latest: dict[int, Review] = {}
    for review in finals.order_by("country__name", "-cycle"):
        latest.setdefault(review.country_id, review)
    return list(latest.values())


def _one_framework(reviews: list[Review]) -> list[Review]:
    """Keep the reviews of the most used (then newest) framework version."""
    if not reviews:
        return []
    counts: dict[int, int] = defaultdict(int)
    for review in reviews:
        counts[review.framework_id] += 1
    chosen = max(counts, key=lambda fid: (counts[fid], fid))
    return [r for r in reviews if r.framework_id == chosen]


def regional_for_staff(*, user: Any, cycle: int | None = None) -> Regional:
    """Countries by pillars and areas, and the distribution of levels per indicator (staff)."""
    if not access.is_staff(user):
        raise PermissionError("staff only")
    from cybercap.reviews.selectors import reviews_for_user

    reviews = _one_framework(_latest_final(reviews_for_user(user=user), cycle))
    pillars, rows = scores_for_reviews(reviews)
    distribution = []
    for pillar in pillars:
        for area in pillar.areas.all():
            for indicator in area.indicators.all():
                counts = [0] * 7  # levels 1..5, not applicable, unanswered
                for row in rows:
                    value = row.levels.get(indicator.code)
                    index = 5 if value == "na" else (6 if value is None else int(value) - 1)
                    counts[index] += 1
                distribution.append((indicator, counts))
    return Regional(pillars=pillars, rows=rows, distribution=distribution)


@dataclass
class BesideMedian:
    own: Scored | None
    pillars: list[Pillar]
    median_pillars: dict[str, float | None]
    median_areas: dict[str, float | None]
    countries: int  # how many countries the median is taken over (the own one included)


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def own_beside_median(*, user: Any, cycle: int | None = None) -> BesideMedian:
    """A focal point's country beside the regional median; no other country is named.

    The median is over every country's latest final review (all of the region, read without
    the user's scope on purpose: only aggregates leave this function).
    """
    mine = access.countries(user, Role.FOCAL_POINT)
    if not mine:
        raise PermissionError("focal points only")
    all_final = _latest_final(Review.objects.all(), cycle)
    own_reviews = [r for r in all_final if r.country_id in mine]
    framework_id = own_reviews[0].framework_id if own_reviews else None
    if framework_id is None:
        return BesideMedian(None, [], {}, {}, 0)
    region = [r for r in all_final if r.framework_id == framework_id]
    pillars, rows = scores_for_reviews(region)
    from cybercap.reviews.permissions import can_read

    own = next(
        (row for row in rows if row.review.country_id in mine and can_read(user, row.review)),
        None,
    )
    median_pillars = {
        p.key: _median([row.result.pillars[p.key].score for row in rows]) for p in pillars
    }
    median_areas = {
        a.key: _median([row.result.areas[a.key].score for row in rows])
        for p in pillars
        for a in p.areas.all()
    }
    return BesideMedian(own, pillars, median_pillars, median_areas, len(rows))
