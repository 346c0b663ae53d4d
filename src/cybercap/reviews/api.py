"""National Cyber Reviews in the API: read reviews, scores, gaps, recommendations and answers;
write answers. Scoped exactly like the web pages (``selectors.reviews_for_user``): a review
out of scope is a 404; one in scope that the caller may not change is a 403."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

import pydantic
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError, ValidationError

from cybercap.api.base import MAX_ID, Page, PageQuery, caller, paginate, responses
from cybercap.network.tlp import TLP
from cybercap.reviews import permissions, selectors, services
from cybercap.reviews.models import Horizon, Priority, ReviewState
from cybercap.reviews.scoring import Summary

router = Router()

NO_NUL = r"^[^\x00]*$"
ReviewId = Annotated[int, Field(ge=1, le=MAX_ID, description="The review's id.")]
IndicatorCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{3}-[A-Z]{2,5}-\d{2}$",
        min_length=9,
        max_length=12,
        description="The indicator's stable id, e.g. LEG-PROC-02.",
    ),
]


class ReviewOut(Schema):
    id: int
    country: str = Field(alias="country.code", description="ISO code of the reviewed country.")
    country_name: str = Field(alias="country.name")
    cycle: int = Field(description="The cycle year.")
    framework: str = Field(alias="framework.key")
    framework_version: int = Field(alias="framework.version")
    state: ReviewState
    tlp: TLP = Field(description="Traffic Light Protocol label.")
    is_demo: bool = Field(description="Synthetic demo data.")
    updated_at: dt.datetime


class ReviewFilter(Schema):
    # Not Optional: an absent parameter is None, but the document offers no null to send.
    country: str = Field(  # type: ignore[assignment]
        None, pattern=r"^[A-Za-z]{2}$", description="Only this country's reviews (ISO code)."
    )
    cycle: int = Field(None, ge=2000, le=2100, description="Only this cycle year.")  # type: ignore[assignment]
    state: ReviewState = Field(None, description="Only reviews in this state.")  # type: ignore[assignment]


class SummaryOut(Schema):
    score: float | None = Field(description="Weighted mean level, 1 to 5; null if none answered.")
    low: float | None = Field(description="Lower end of the confidence band.")
    high: float | None = Field(description="Upper end of the confidence band.")
    answered: int
    not_applicable: int
    unanswered: int
    coverage: float | None = Field(description="Answered weight / applicable weight.")
    confidence: Literal["low", "medium", "high"] | None
    low_confidence: int = Field(description="Answers of low or no stated confidence.")


class AreaScoreOut(Schema):
    key: str
    name: str
    weight: float
    summary: SummaryOut


class PillarScoreOut(Schema):
    key: str
    name: str
    weight: float
    summary: SummaryOut
    areas: list[AreaScoreOut]


class ScoresOut(Schema):
    review: int
    overall: SummaryOut
    pillars: list[PillarScoreOut]


class GapOut(Schema):
    indicator: str = Field(description="The indicator's stable id.")
    title: str
    pillar: str
    area: str
    level: int = Field(description="The current level.")
    target: int = Field(description="The country's target level.")
    gap: int = Field(description="Target minus current level; above 0 is a shortfall.")


class RecommendationOut(Schema):
    id: int
    text: str
    priority: Priority
    horizon: Horizon
    responsible: str = Field(description="The responsible agency type.")
    indicators: list[str] = Field(description="Linked indicator ids.")
    topics: list[str] = Field(description="Topic keys.")
    evidence_trace: str
    generated_from: str = Field(description="<indicator id>#<rule number>; empty if added.")
    edited: bool
    obsolete: bool = Field(description="The gap has closed since it was generated.")


class AnswerOut(Schema):
    indicator: str
    level: int | None
    not_applicable: bool
    confidence: Literal["", "low", "medium", "high"]
    evidence: str
    references: str
    comments: str
    needs_discussion: bool
    second_level: int | None
    updated_at: dt.datetime


class AnswerIn(Schema):
    level: int | None = Field(None, ge=1, le=5, description="1 to 5; null when not answered.")
    not_applicable: bool = Field(False, description="True only when the question cannot apply.")
    confidence: Literal["", "low", "medium", "high"] = ""
    evidence: str = Field("", max_length=20000, pattern=NO_NUL)
    references: str = Field("", max_length=20000, pattern=NO_NUL)
    comments: str = Field("", max_length=20000, pattern=NO_NUL)
    needs_discussion: bool = False
    second_level: int | None = Field(None, ge=1, le=5)


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "score": summary.score,
        "low": summary.low,
        "high": summary.high,
        "answered": summary.answered,
        "not_applicable": summary.not_applicable,
        "unanswered": summary.unanswered,
        "coverage": summary.coverage,
        "confidence": summary.confidence,
        "low_confidence": summary.low_confidence,
    }


def _answer(answer: Any) -> dict[str, Any]:
    return {
        "indicator": answer.indicator.code,
        "level": answer.level,
        "not_applicable": answer.not_applicable,
        "confidence": answer.confidence,
        "evidence": answer.evidence,
        "references": answer.references,
        "comments": answer.comments,
        "needs_discussion": answer.needs_discussion,
        "second_level": answer.second_level,
        "updated_at": answer.updated_at,
    }


@router.get("/reviews", response=responses(Page[ReviewOut], parses=True))
def review_list(
    request: HttpRequest, page: Query[PageQuery], filters: Query[ReviewFilter]
) -> dict[str, Any]:
    """Reviews the caller may read, latest cycle first; filter by country, cycle and state."""
    queryset = selectors.reviews_for_user(user=caller(request))
    if filters.country:
        queryset = queryset.filter(country__code=filters.country.upper())
    if filters.cycle:
        queryset = queryset.filter(cycle=filters.cycle)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    return paginate(queryset.order_by("-cycle", "country__name", "pk"), page)


@router.get("/reviews/{id}", response=responses(ReviewOut, lookup=True, parses=True))
def review_detail(request: HttpRequest, id: Path[ReviewId]) -> Any:
    """One review."""
    return selectors.review_get_for_user(user=caller(request), pk=id)


@router.get("/reviews/{id}/scores", response=responses(ScoresOut, lookup=True, parses=True))
def review_scores(request: HttpRequest, id: Path[ReviewId]) -> dict[str, Any]:
    """Scores per area, pillar and overall (see docs/framework.md, "Scoring")."""
    review = selectors.review_get_for_user(user=caller(request), pk=id)
    scores = selectors.review_scores(review)
    result = scores.result
    return {
        "review": review.pk,
        "overall": _summary(result.overall),
        "pillars": [
            {
                "key": pillar.key,
                "name": pillar.name,
                "weight": pillar.weight,
                "summary": _summary(result.pillars[pillar.key]),
                "areas": [
                    {
                        "key": area.key,
                        "name": area.name,
                        "weight": area.weight,
                        "summary": _summary(result.areas[area.key]),
                    }
                    for area in pillar.areas.all()
                ],
            }
            for pillar in scores.pillars
        ],
    }


@router.get("/reviews/{id}/gaps", response=responses(list[GapOut], lookup=True, parses=True))
def review_gaps(request: HttpRequest, id: Path[ReviewId]) -> list[dict[str, Any]]:
    """Every answered indicator with its target and gap, largest shortfall first."""
    review = selectors.review_get_for_user(user=caller(request), pk=id)
    scores = selectors.review_scores(review)
    out: list[dict[str, Any]] = []
    for pillar in scores.pillars:
        for area in pillar.areas.all():
            for indicator in area.indicators.all():
                gap = scores.result.gaps.get(indicator.code)
                answer = scores.answers.get(indicator.code)
                if gap is None or answer is None or answer.level is None:
                    continue
                out.append(
                    {
                        "indicator": indicator.code,
                        "title": indicator.title,
                        "pillar": pillar.key,
                        "area": area.key,
                        "level": answer.level,
                        "target": scores.targets[indicator.code],
                        "gap": gap,
                    }
                )
    out.sort(key=lambda g: (-g["gap"], g["indicator"]))
    return out


@router.get(
    "/reviews/{id}/recommendations",
    response=responses(list[RecommendationOut], lookup=True, parses=True),
)
def review_recommendations(request: HttpRequest, id: Path[ReviewId]) -> list[dict[str, Any]]:
    """The review's recommendations by priority: the input of strategy and training planning."""
    review = selectors.review_get_for_user(user=caller(request), pk=id)
    return [
        {
            "id": rec.pk,
            "text": rec.text,
            "priority": rec.priority,
            "horizon": rec.horizon,
            "responsible": rec.responsible,
            "indicators": [i.code for i in rec.indicators.all()],
            "topics": [t.key for t in rec.topics.all()],
            "evidence_trace": rec.evidence_trace,
            "generated_from": rec.source_key,
            "edited": rec.edited,
            "obsolete": rec.obsolete,
        }
        for rec in selectors.recommendations_for(review)
    ]


@router.get("/reviews/{id}/answers", response=responses(list[AnswerOut], lookup=True, parses=True))
def review_answers(request: HttpRequest, id: Path[ReviewId]) -> list[dict[str, Any]]:
    """Every answer recorded so far, in framework order."""
    review = selectors.review_get_for_user(user=caller(request), pk=id)
    answers = selectors.answers_by_code(review)
    ordered = sorted(answers.values(), key=lambda a: a.indicator.position)
    return [_answer(a) for a in ordered]


_ANSWER_SCHEMA = AnswerIn.model_json_schema()
_ANSWER_SCHEMA.pop("title", None)


def _answer_body(request: HttpRequest) -> AnswerIn:
    """The JSON body, read here so that a body that is not JSON is a 422 like any other."""
    try:
        payload = json.loads(request.body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise ValidationError(
            [{"loc": ["body"], "msg": "The body must be a JSON object.", "type": "json_invalid"}]
        )
    try:
        return AnswerIn.model_validate(payload)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            [
                {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in exc.errors(include_url=False)
            ]
        ) from None


@router.put(
    "/reviews/{id}/answers/{code}",
    response=responses(AnswerOut, lookup=True, parses=True),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ANSWER_SCHEMA}},
        }
    },
)
def answer_put(
    request: HttpRequest, id: Path[ReviewId], code: Path[IndicatorCode]
) -> dict[str, Any]:
    """Record the answer to one indicator (every field is replaced; the body is an AnswerIn).
    Assigned reviewers and staff, while the review is being prepared, consulted, scored or
    peer-checked."""
    body = _answer_body(request)
    user = caller(request)
    review = selectors.review_get_for_user(user=user, pk=id)
    indicator = selectors.indicator_for_review(review, code)
    if not permissions.can_write(user, review):
        raise PermissionDenied("This review cannot be changed by you in its current state.")
    if body.not_applicable and body.level is not None:
        raise HttpError(422, "A not-applicable answer has no level.")
    try:
        answer = services.answer_save(
            by=user,
            review=review,
            indicator=indicator,
            level=body.level,
            not_applicable=body.not_applicable,
            confidence=body.confidence,
            evidence=body.evidence,
            references=body.references,
            comments=body.comments,
            needs_discussion=body.needs_discussion,
            second_level=body.second_level,
        )
    except services.ReviewError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    answer.indicator = indicator
    return _answer(answer)
