"""Reads of reviews, scoped by the user who asks (the rule is in ``permissions``).

A review outside the user's scope is a 404. Everything reached through a review (answers,
consultations, comments, recommendations, evidence) is read through the review, so it is
scoped the same way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
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


# --------------------------------------------------------------------------- the report


@functools.cache
def _content_framework(key: str, version: int) -> Any:
    """The framework version as parsed from content (the legislation map needs its articles)."""
    from django.conf import settings

    from cybercap.reviews.framework_schema import load_framework

    root = Path(settings.CONTENT_DIR)
    return load_framework(root / "frameworks" / key / f"v{version}", content_root=root)


def _score_data(summary: scoring.Summary) -> Any:
    from cybercap.reviews.report.data import ScoreData

    return ScoreData(
        value=round(summary.score, 2) if summary.score is not None else None,
        answered=summary.answered,
        not_applicable=summary.not_applicable,
        total=summary.total,
        confidence=summary.confidence,
    )


def _finding(indicator: Indicator, answer: Answer | None, target: int) -> Any:
    from cybercap.reviews.report.data import AnswerStatus, IndicatorFinding

    if answer is None or (answer.level is None and not answer.not_applicable):
        status = AnswerStatus.UNANSWERED
    elif answer.not_applicable:
        status = AnswerStatus.NOT_APPLICABLE
    else:
        status = AnswerStatus.ANSWERED
    evidence = answer.evidence.strip() if answer else ""
    if len(evidence) > 300:
        evidence = evidence[:297] + "..."
    return IndicatorFinding(
        id=indicator.code,
        title=indicator.title,
        question=indicator.question,
        status=status,
        level=answer.level if answer and status == AnswerStatus.ANSWERED else None,
        confidence=(answer.confidence or None) if answer and answer.level is not None else None,
        target=target,
        evidence_summary=evidence,
        needs_discussion=bool(answer and answer.needs_discussion),
    )


def _previous_review(review: Review) -> Review | None:
    return (
        Review.objects.filter(
            country_id=review.country_id, cycle__lt=review.cycle, state=ReviewState.FINAL
        )
        .select_related("framework")
        .order_by("-cycle")
        .first()
    )


def _progress(review: Review, previous: Review, pillars: list[Pillar]) -> Any:
    """Indicator by indicator against an earlier final review, across versions by the mapping."""
    from cybercap.reviews.report.data import ComparisonRow, ProgressData

    before = {
        code: answer.level
        for code, answer in answers_by_code(previous).items()
        if answer.level is not None
    }
    previous_codes = set(
        Indicator.objects.filter(framework_id=previous.framework_id).values_list("code", flat=True)
    )
    mapping = review.framework.mapping or {}
    mapped: dict[str, tuple[str, list[str]]] = {}
    if previous.framework_id != review.framework_id and mapping.get("previous_version") == (
        previous.framework.version
    ):
        for entry in mapping.get("indicators") or []:
            mapped[entry["id"]] = (entry["relation"], list(entry["previous"]))
    answers = answers_by_code(review)
    rows = []
    for pillar in pillars:
        for area in pillar.areas.all():
            for indicator in area.indicators.all():
                relation, old_ids = mapped.get(indicator.code, ("equivalent", [indicator.code]))
                old_ids = [i for i in old_ids if i in previous_codes]
                if not old_ids:
                    relation = "new"
                levels = [before[i] for i in old_ids if before.get(i) is not None]
                current = answers.get(indicator.code)
                rows.append(
                    ComparisonRow(
                        indicator_id=indicator.code,
                        title=indicator.title,
                        # Merged indicators compare against the weakest of their predecessors.
                        previous_level=min(levels) if levels else None,
                        current_level=current.level if current else None,
                        relation=relation,
                        previous_ids=tuple(old_ids),
                    )
                )
    return ProgressData(
        previous_cycle=previous.cycle,
        previous_framework_version=previous.framework.version,
        rows=tuple(rows),
    )


def report_data_for_review(review: Review) -> Any:
    """The review as the report's plain data contract (``report.data.ReportData``).

    The caller has fetched ``review`` through :func:`review_get_for_user` (and checked
    ``permissions.can_download`` before offering a file). Scores come from ``scoring``.
    """
    from django.utils import timezone

    from cybercap.network.models import AgencyKind
    from cybercap.reviews.report.data import (
        AgencyRow,
        AreaData,
        CountryProfile,
        PillarData,
        RecommendationData,
        ReportData,
        ReportState,
        legislation_map,
    )

    scores = review_scores(review)
    result = scores.result
    pillars = []
    findings: dict[str, Any] = {}
    for pillar in scores.pillars:
        areas = []
        for area in pillar.areas.all():
            items = []
            for indicator in area.indicators.all():
                finding = _finding(
                    indicator,
                    scores.answers.get(indicator.code),
                    scores.targets.get(indicator.code, DEFAULT_TARGET_LEVEL),
                )
                findings[indicator.code] = finding
                items.append(finding)
            areas.append(
                AreaData(
                    key=area.key,
                    code=area.code,
                    name=area.name,
                    description=area.description,
                    score=_score_data(result.areas[area.key]),
                    indicators=tuple(items),
                )
            )
        pillars.append(
            PillarData(
                key=pillar.key,
                code=pillar.code,
                name=pillar.name,
                description=pillar.description,
                score=_score_data(result.pillars[pillar.key]),
                areas=tuple(areas),
            )
        )

    kind_labels = {str(value): str(label) for value, label in AgencyKind.choices}
    recommendations = tuple(
        RecommendationData(
            text=rec.text,
            priority=rec.priority,
            horizon=rec.horizon,
            responsible=rec.responsible,
            responsible_label=kind_labels.get(rec.responsible, rec.responsible),
            indicators=tuple(i.code for i in rec.indicators.all()),
            topics=tuple(t.key for t in rec.topics.all()),
        )
        for rec in recommendations_for(review)
        if not rec.obsolete
    )

    framework = _content_framework(review.framework.key, review.framework.version)
    legislation = legislation_map(
        framework,
        {code: f.level for code, f in findings.items()},
        not_applicable={code for code, f in findings.items() if f.status == "not_applicable"},
    )

    consultations = consultations_for(review)
    seen: dict[int, Any] = {}
    for consultation in consultations:
        for agency in consultation.agencies.all():
            seen.setdefault(agency.pk, agency)
    country = review.country
    profile = CountryProfile(
        official_name=country.official_name,
        region=country.region,
        asean_member_since=country.asean_joined.year if country.asean_joined else None,
        agencies_count=country.agencies.count(),
        agencies=tuple(
            AgencyRow(
                name=a.name,
                acronym=a.acronym,
                kind=a.kind,
                kind_label=kind_labels.get(a.kind, a.kind),
            )
            for a in seen.values()
        ),
        consultations=len(consultations),
        reviewers=tuple(str(u) for u in review.reviewers.all()),
    )
    previous = _previous_review(review)
    overall = result.overall
    below = len(result.shortfalls)
    summary = review.summary.strip() or (
        f"The review of {country.name} for {review.cycle} answered {overall.answered} of "
        f"{overall.total} indicators of the {review.framework.title} (version "
        f"{review.framework.version}). "
        + (
            f"The overall level is {overall.score:.2f} on a scale of 1 to 5. "
            if overall.score is not None
            else "No overall level can be given yet. "
        )
        + f"{below} indicators are below their target, leading to {len(recommendations)} "
        "recommendations."
    )
    methodology = (
        f"The review applies the {review.framework.title}, version {review.framework.version}. "
        "For each indicator the reviewers chose the highest level whose descriptor is fully "
        "true on the evidence gathered in consultations with each stakeholder cluster, and "
        "recorded a confidence. Scores are weighted mean levels of the answered indicators; "
        "indicators that are not applicable or unanswered are left out and shown as coverage, "
        "never counted as zero. Gap is the country's target level minus the current level."
    )
    return ReportData(
        country_name=country.name,
        country_code=country.code,
        cycle=review.cycle,
        framework_id=review.framework.key,
        framework_version=review.framework.version,
        framework_title=review.framework.title,
        tlp=review.tlp,
        state=ReportState.FINAL if review.state == ReviewState.FINAL else ReportState.DRAFT,
        synthetic=review.is_demo,
        generated_at=timezone.now(),
        executive_summary=summary,
        methodology=methodology,
        profile=profile,
        pillars=tuple(pillars),
        overall=_score_data(overall),
        legislation=legislation,
        recommendations=recommendations,
        levels=tuple(
            (int(lv["level"]), str(lv["name"]), str(lv["summary"]).strip())
            for lv in review.framework.levels or []
        ),
        progress=_progress(review, previous, scores.pillars) if previous is not None else None,
    )


def review_progress(review: Review, previous: Review) -> Any:
    """``report.data.ProgressData`` of ``review`` against an earlier one the caller may read."""
    return _progress(review, previous, framework_tree(review))


def targets_of_country(country: Any) -> list[TargetLevel]:
    """The per-indicator targets staff have set for a country (reference data for staff)."""
    return list(
        TargetLevel.objects.filter(country=country)
        .exclude(indicator_code="")
        .order_by("indicator_code")
    )


def default_target(country: Any) -> int:
    row = TargetLevel.objects.filter(country=country, indicator_code="").first()
    return row.level if row else DEFAULT_TARGET_LEVEL


# --------------------------------------------------------------------------- for other modules


def latest_final_reviews(*, user: Any) -> list[Review]:
    """Each country's latest final review that the user may read (one query).

    The final reviews' gaps and recommendations are what the strategy and training planner
    modules start from.
    """
    latest: dict[int, Review] = {}
    rows = reviews_for_user(user=user).filter(state=ReviewState.FINAL)
    for review in rows.order_by("country__code", "-cycle"):
        latest.setdefault(review.country_id, review)
    return list(latest.values())


@dataclass(frozen=True)
class PlanningRows:
    """Plain rows of the final reviews for planning; ``answers`` are answered indicators."""

    reviews: list[Review]
    # (review, answer with its indicator and the indicator's topics prefetched, target level)
    answers: list[tuple[Review, Answer, int]]
    # non-obsolete recommendations, with indicators and topics prefetched
    recommendations: list[Recommendation]


def planning_rows(*, user: Any) -> PlanningRows:
    """Answers, targets and final recommendations of each country's latest final review.

    A fixed number of queries whatever the number of reviews, answers or recommendations.
    """
    reviews = latest_final_reviews(user=user)
    by_pk = {r.pk: r for r in reviews}
    targets: dict[tuple[int, str], int] = {}
    for country_id, code, level in TargetLevel.objects.filter(
        country_id__in={r.country_id for r in reviews}
    ).values_list("country_id", "indicator_code", "level"):
        targets[(country_id, code)] = level
    answers = []
    for answer in (
        Answer.objects.filter(review_id__in=by_pk, level__isnull=False, not_applicable=False)
        .select_related("indicator")
        .prefetch_related("indicator__topics")
        .order_by("review_id", "indicator__position")
    ):
        review = by_pk[answer.review_id]
        target = targets.get(
            (review.country_id, answer.indicator.code),
            targets.get((review.country_id, ""), DEFAULT_TARGET_LEVEL),
        )
        answers.append((review, answer, target))
    recommendations = list(
        Recommendation.objects.filter(review_id__in=by_pk, obsolete=False)
        .prefetch_related("indicators", "topics")
        .order_by("review_id", "position", "pk")
    )
    return PlanningRows(reviews=reviews, answers=answers, recommendations=recommendations)
