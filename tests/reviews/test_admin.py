"""The reviews models in the Django admin: staff only, read-only, filterable, searchable, and
a TLP:RED review (with everything in it) hidden from staff who are not named on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.reviews import services
from cybercap.reviews.models import Answer, Indicator, Recommendation, Review

pytestmark = pytest.mark.django_db

MODELS = (
    "frameworkversion",
    "indicator",
    "targetlevel",
    "review",
    "reviewtransition",
    "consultation",
    "answer",
    "evidence",
    "validationcomment",
    "recommendation",
)


@pytest.fixture
def scored(make_review: Any, staff_user: Any, thailand: Any) -> Review:
    review = make_review(thailand, state="scoring")
    indicator = Indicator.objects.get(framework=review.framework, code="INS-STRAT-01")
    services.answer_save(by=staff_user, review=review, indicator=indicator, level=1)
    services.recommendations_generate(by=staff_user, review=review)
    return review


def test_staff_list_every_reviews_model_and_nobody_can_add(
    client_for: Callable[..., Client], scored: Review
) -> None:
    staff = client_for("staff")
    for model in MODELS:
        assert staff.get(f"/admin/reviews/{model}/").status_code == 200, model
        assert staff.get(f"/admin/reviews/{model}/add/").status_code == 403, model


def test_a_review_is_viewed_not_changed_or_deleted(
    client_for: Callable[..., Client], scored: Review
) -> None:
    staff = client_for("staff")
    page = staff.get(f"/admin/reviews/review/{scored.pk}/change/")
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    refused = staff.post(f"/admin/reviews/review/{scored.pk}/change/", {"state": "final"})
    assert refused.status_code == 403
    scored.refresh_from_db()
    assert scored.state == "scoring"
    deleted = staff.post(f"/admin/reviews/review/{scored.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert Review.objects.filter(pk=scored.pk).exists()


def test_lists_filter_and_search(
    client_for: Callable[..., Client], scored: Review, make_review: Any, vietnam: Any
) -> None:
    other = make_review(vietnam, state="preparation")
    staff = client_for("staff")

    def listed(url: str) -> list[int]:
        return sorted(o.pk for o in staff.get(url).context["cl"].result_list)

    assert listed("/admin/reviews/review/?state__exact=scoring") == [scored.pk]
    assert listed("/admin/reviews/review/?q=Viet") == [other.pk]
    recs = Recommendation.objects.filter(review=scored)
    assert listed("/admin/reviews/recommendation/?priority__exact=high") == sorted(
        r.pk for r in recs if r.priority == "high"
    )
    answer = Answer.objects.get(review=scored)
    assert listed("/admin/reviews/answer/?q=INS-STRAT-01") == [answer.pk]
    assert listed("/admin/reviews/answer/?level__exact=4") == []


def test_a_red_review_stays_hidden_from_staff_not_named_on_it(
    client_for: Callable[..., Client],
    make_review: Any,
    make_user: Callable[..., Any],
    staff_user: Any,
    thailand: Any,
) -> None:
    named = make_user("staff", username="named-in-red")
    red = make_review(thailand, state="scoring", tlp="RED", named=(named, staff_user))
    indicator = Indicator.objects.get(framework=red.framework, code="INS-STRAT-01")
    services.answer_save(by=staff_user, review=red, indicator=indicator, level=2)
    staff = client_for("staff")
    assert list(staff.get("/admin/reviews/review/").context["cl"].result_list) == []
    assert list(staff.get("/admin/reviews/answer/").context["cl"].result_list) == []
    assert staff.get(f"/admin/reviews/review/{red.pk}/change/").status_code == 302


def test_others_do_not_reach_the_reviews_admin(
    client_for: Callable[..., Client], thailand: Any
) -> None:
    for role, country in (("reviewer", None), ("focal_point", thailand)):
        client = client_for(role, country) if country else client_for(role)
        response = client.get("/admin/reviews/review/")
        assert response.status_code == 302
        assert response["Location"] == "/admin/login/?next=/admin/reviews/review/"
