"""The reviews API: same scoping as the web, scores, gaps, recommendations, writing answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.tokens import token_create
from cybercap.reviews import services
from cybercap.reviews.models import Answer, Indicator
from tests.reviews.conftest import reviewer

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    _, secret = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def assigned() -> Any:
    return reviewer("api-reviewer")


def _score(review: Any, by: Any, levels: dict[str, int]) -> None:
    for code, level in levels.items():
        indicator = Indicator.objects.get(framework=review.framework, code=code)
        services.answer_save(
            by=by, review=review, indicator=indicator, level=level, confidence="high"
        )


def test_scoping_matches_the_web(
    make_review: Any, make_user: Callable[..., Any], thailand: Any, vietnam: Any, assigned: Any
) -> None:
    th = make_review(thailand, state="final", reviewers=(assigned,))
    vn = make_review(vietnam, state="final")
    focal_th = api(make_user("focal_point", thailand))
    listing = focal_th.get("/api/v1/reviews").json()
    assert [r["id"] for r in listing["items"]] == [th.pk]
    assert listing["items"][0]["country"] == "TH"
    for suffix in ("", "/scores", "/gaps", "/recommendations", "/answers"):
        assert focal_th.get(f"/api/v1/reviews/{vn.pk}{suffix}").status_code == 404
        assert focal_th.get(f"/api/v1/reviews/{th.pk}{suffix}").status_code == 200
    assert [r["id"] for r in api(assigned).get("/api/v1/reviews").json()["items"]] == [th.pk]
    assert api(make_user("learner")).get("/api/v1/reviews").json()["count"] == 0
    assert api(make_user("staff")).get("/api/v1/reviews?country=vn").json()["items"][0]["id"] == (
        vn.pk
    )


def test_scores_gaps_and_recommendations(make_review: Any, thailand: Any, assigned: Any) -> None:
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    _score(review, assigned, {"INS-STRAT-01": 1, "INS-STRAT-02": 4, "LEG-PROC-02": 2})
    services.recommendations_generate(by=assigned, review=review)
    client = api(assigned)
    scores = client.get(f"/api/v1/reviews/{review.pk}/scores").json()
    assert [p["key"] for p in scores["pillars"]] == [
        "institutional",
        "legal",
        "operational",
        "technical",
    ]
    assert scores["overall"]["answered"] == 3
    assert scores["overall"]["unanswered"] == 61
    institutional = scores["pillars"][0]
    strategy = next(a for a in institutional["areas"] if a["key"] == "strategy")
    assert strategy["summary"]["score"] == pytest.approx(
        (1 * 1.5 + 4 * Indicator.objects.get(code="INS-STRAT-02").weight)
        / (1.5 + Indicator.objects.get(code="INS-STRAT-02").weight)
    )
    assert scores["pillars"][2]["summary"]["score"] is None
    gaps = client.get(f"/api/v1/reviews/{review.pk}/gaps").json()
    assert [(g["indicator"], g["level"], g["target"], g["gap"]) for g in gaps] == [
        ("INS-STRAT-01", 1, 3, 2),
        ("LEG-PROC-02", 2, 3, 1),
        ("INS-STRAT-02", 4, 3, -1),
    ]
    recs = client.get(f"/api/v1/reviews/{review.pk}/recommendations").json()
    assert sorted((r["generated_from"], r["indicators"]) for r in recs) == [
        ("INS-STRAT-01#1", ["INS-STRAT-01"]),
        ("LEG-PROC-02#1", ["LEG-PROC-02"]),
    ]


def test_writing_an_answer(
    make_review: Any, make_user: Callable[..., Any], thailand: Any, assigned: Any
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    url = f"/api/v1/reviews/{review.pk}/answers/LEG-PROC-02"
    body = {
        "level": 3,
        "confidence": "medium",
        "evidence": "Preservation orders issued in 41 cases in 2023.",
        "needs_discussion": True,
    }
    response = api(assigned).put(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["level"] == 3
    answer = Answer.objects.get(review=review)
    assert (answer.level, answer.confidence, answer.needs_discussion) == (3, "medium", True)
    answers = api(assigned).get(f"/api/v1/reviews/{review.pk}/answers").json()
    assert [(a["indicator"], a["level"]) for a in answers] == [("LEG-PROC-02", 3)]

    bad = api(assigned).put(url, {"level": 6}, content_type="application/json")
    assert bad.status_code == 422
    both = api(assigned).put(
        url, {"level": 2, "not_applicable": True}, content_type="application/json"
    )
    assert both.status_code == 422
    unknown = api(assigned).put(
        f"/api/v1/reviews/{review.pk}/answers/XXX-XX-99", body, content_type="application/json"
    )
    assert unknown.status_code == 404
    focal = api(make_user("focal_point", thailand))
    assert focal.put(url, body, content_type="application/json").status_code == 404
    other = api(reviewer())
    assert other.put(url, body, content_type="application/json").status_code == 404
    review.state = "country_validation"
    review.save(update_fields=["state"])
    refused = api(assigned).put(url, {"level": 1}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert Answer.objects.get(review=review).level == 3
