"""The reviews demo data: 21 synthetic reviews, one in validation, deterministic, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cybercap.reviews.demo import _levels
from cybercap.reviews.models import (
    Answer,
    Consultation,
    Indicator,
    Recommendation,
    Review,
    ValidationComment,
)
from cybercap.reviews.selectors import review_scores, reviews_for_user

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def test_the_demo_reviews() -> None:
    output = run_demo()
    reviews = Review.objects.order_by("country__code", "cycle")
    pairs = list(reviews.values_list("country__code", "cycle", "state"))
    members = ["BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"]
    expected = []
    for code in sorted([*members, "TL"]):
        if code == "TL":
            expected.append(("TL", 2025, "scoring"))
            continue
        expected.append((code, 2018, "final"))
        expected.append((code, 2024, "country_validation" if code == "TH" else "final"))
    assert pairs == expected
    assert all(r.is_demo and r.tlp == "AMBER" for r in reviews)
    assert Consultation.objects.filter(review__country__code="VN").count() >= 6
    assert (
        ValidationComment.objects.filter(review__country__code="TH", review__cycle=2024).count()
        == 3
    )
    assert Recommendation.objects.count() > 0
    assert Answer.objects.exclude(evidence="").count() > 0
    # The stored levels are the seeded ones.
    th18 = Review.objects.get(country__code="TH", cycle=2018)
    indicators = list(Indicator.objects.filter(framework=th18.framework).order_by("position"))
    seeded = _levels("TH", 2018, indicators)
    stored = {
        a.indicator.code: ("na" if a.not_applicable else a.level)
        for a in Answer.objects.filter(review=th18).select_related("indicator")
    }
    assert stored == {k: v for k, v in seeded.items() if v is not None}
    assert _levels("TH", 2018, indicators) == seeded
    # Later cycles mostly improve.
    improved = sum(
        1
        for code in members
        if review_scores(Review.objects.get(country__code=code, cycle=2024)).result.overall.score
        > review_scores(Review.objects.get(country__code=code, cycle=2018)).result.overall.score  # type: ignore[operator]
    )
    assert improved >= 7
    # The demo accounts see what the access table says.
    from cybercap.accounts.models import User

    reviewer = User.objects.get(username="demo-reviewer")
    assert sorted(reviews_for_user(user=reviewer).values_list("country__code", "cycle")) == [
        ("KH", 2018),
        ("KH", 2024),
        ("LA", 2018),
        ("LA", 2024),
        ("TH", 2018),
        ("TH", 2024),
        ("TL", 2025),
        ("VN", 2018),
        ("VN", 2024),
    ]
    focal_th = User.objects.get(username="demo-focal-th")
    assert sorted(reviews_for_user(user=focal_th).values_list("cycle", flat=True)) == [2018, 2024]
    assert "reviews created: 21" in output
    again = run_demo()
    assert "reviews created: 0" in again
    assert Review.objects.count() == 21
