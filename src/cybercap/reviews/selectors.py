"""Reads of reviews, scoped by the user who asks (the rule is in ``permissions``).

A review outside the user's scope is a 404. Everything reached through a review (answers,
consultations, comments, recommendations, evidence) is read through the review, so it is
scoped the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.network.tlp import TLP
from cybercap.reviews import scoring
from cybercap.reviews.models import (
    DEFAULT_TARGET_LEVEL,
    PRIORITY_ORDER,
    Answer,
    Area,
    Consultation,
    Evidence,
    Indicator,
    Pillar,
    Recommendation,
    Review,
    ReviewState,
    TargetLevel,
    ValidationComment,
)
from cybercap.reviews.permissions import PUBLISHED_LABELS, _signed_in


def reviews_for_user(*, user: Any) -> QuerySet[Review]:
    """Every review the user may read, with country and framework joined."""
    queryset = Review.objects.select_related("country", "framework")
    if not _signed_in(user):
        return queryset.none()
    if not access.is_staff(user):
        visible = Q(state=ReviewState.FINAL, tlp__in=PUBLISHED_LABELS)
        if access.has_role(user, Role.REVIEWER):
            assigned = Review.reviewers.through.objects.filter(user_id=user.pk)
            visible |= Q(pk__in=assigned.values("review_id"))
        focal = access.countries(user, Role.FOCAL_POINT)
        if focal:
            visible |= Q(
                country_id__in=focal,
                state__in=[ReviewState.COUNTRY_VALIDATION, ReviewState.FINAL],
            )
        queryset = queryset.filter(visible)
    named = Review.named_users.through.objects.filter(user_id=user.pk)
    return queryset.filter(~Q(tlp=TLP.RED) | Q(pk__in=named.values("review_id")))


def review_get_for_user(*, user: Any, pk: int) -> Review:
    review: Review = access.get_or_404(
        reviews_for_user(user=user).prefetch_related("reviewers", "named_users"), pk=pk
    )
    review._reviewer_ids = {u.pk for u in review.reviewers.all()}  # type: ignore[attr-defined]
    review._named_ids = {u.pk for u in review.named_users.all()}  # type: ignore[attr-defined]
    return review


# --------------------------------------------------------------------------- within a review


def framework_tree(review: Review) -> list[Pillar]:
    """Pillars → areas → indicators of the review's framework (three queries)."""
    indicators = Indicator.objects.filter(framework_id=review.framework_id, retired=False)
    return list(
        Pillar.objects.filter(framework_id=review.framework_id).prefetch_related(
            Prefetch(
                "areas",
                queryset=Area.objects.order_by("position").prefetch_related(
                    Prefetch("indicators", queryset=indicators.order_by("position"))
                ),
            )
        )
    )


def indicator_for_review(review: Review, code: str) -> Indicator:
    return access.get_or_404(
        Indicator.objects.select_related("area__pillar").filter(framework_id=review.framework_id),
        code=code,
    )


def answers_by_code(review: Review) -> dict[str, Answer]:
    answers = Answer.objects.filter(review=review).select_related("indicator")
    return {a.indicator.code: a for a in answers}


def answer_for(review: Review, indicator: Indicator) -> Answer | None:
    return (
        Answer.objects.filter(review=review, indicator=indicator)
        .prefetch_related("attachments")
        .first()
    )


def evidence_get(review: Review, pk: int) -> Evidence:
    return access.get_or_404(
        Evidence.objects.select_related("answer__indicator").filter(answer__review=review), pk=pk
    )


def consultations_for(review: Review) -> list[Consultation]:
    return list(
        Consultation.objects.filter(review=review).prefetch_related("agencies").order_by("date")
    )


def comments_for(review: Review) -> list[ValidationComment]:
    """Top-level validation comments with their replies (two queries)."""
    replies = ValidationComment.objects.select_related("author").order_by("created_at", "pk")
    return list(
        ValidationComment.objects.filter(review=review, parent__isnull=True)
        .select_related("author", "indicator")
        .prefetch_related(Prefetch("replies", queryset=replies))
    )


def recommendations_for(review: Review) -> list[Recommendation]:
    """The review's recommendations by priority, with linked indicators and topics."""
    items = list(
        Recommendation.objects.filter(review=review).prefetch_related("indicators", "topics")
    )
    items.sort(key=lambda r: (PRIORITY_ORDER.get(r.priority, 9), r.position, r.pk))  # type: ignore[call-overload]
    return items


def recommendation_get(review: Review, pk: int) -> Recommendation:
    return access.get_or_404(Recommendation.objects.filter(review=review), pk=pk)


def targets_for(review: Review) -> dict[str, int]:
    """Target level per indicator id for the review's country: default 3."""
    rows = TargetLevel.objects.filter(country_id=review.country_id).values_list(
        "indicator_code", "level"
    )
    targets = dict(rows)
    default = targets.pop("", DEFAULT_TARGET_LEVEL)
    codes = Indicator.objects.filter(framework_id=review.framework_id).values_list(
        "code", flat=True
    )
    return {code: targets.get(code, default) for code in codes}


# --------------------------------------------------------------------------- scores


@dataclass
class ReviewScores:
    result: scoring.Result
    pillars: list[Pillar]
    answers: dict[str, Answer]
    targets: dict[str, int]


def review_scores(review: Review, *, tree: list[Pillar] | None = None) -> ReviewScores:
    """Area, pillar and overall scores, coverage, confidence and gaps of one review."""
    pillars = tree if tree is not None else framework_tree(review)
    answers = answers_by_code(review)
    targets = targets_for(review)
    inputs = []
    area_specs = []
    pillar_specs = []
    for pillar in pillars:
        pillar_specs.append(scoring.PillarSpec(key=pillar.key, weight=pillar.weight))
        for area in pillar.areas.all():
            area_specs.append(scoring.AreaSpec(key=area.key, pillar=pillar.key, weight=area.weight))
            for indicator in area.indicators.all():
                answer = answers.get(indicator.code)
                inputs.append(
                    scoring.IndicatorInput(
                        id=indicator.code,
                        area=area.key,
                        weight=indicator.weight,
                        level=answer.level if answer else None,
                        not_applicable=bool(answer and answer.not_applicable),
                        confidence=(answer.confidence or None) if answer else None,
                        target=targets.get(indicator.code, DEFAULT_TARGET_LEVEL),
                    )
                )
    result = scoring.score(inputs, area_specs, pillar_specs)
    return ReviewScores(result=result, pillars=pillars, answers=answers, targets=targets)
