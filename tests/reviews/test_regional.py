"""The regional view (staff heatmap, a focal point beside the median) and cycle comparison."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.reviews import services
from cybercap.reviews.models import Indicator, Review
from tests.conftest import login
from tests.factories import CountryFactory
from tests.reviews.conftest import reviewer

pytestmark = pytest.mark.django_db


def _final(make_review: Any, country: Any, cycle: int, levels: dict[str, int], by: Any) -> Review:
    review = make_review(country, cycle=cycle, state="scoring", reviewers=(by,))
    for code, level in levels.items():
        indicator = Indicator.objects.get(framework=review.framework, code=code)
        services.answer_save(by=by, review=review, indicator=indicator, level=level)
    Review.objects.filter(pk=review.pk).update(state="final")
    review.refresh_from_db()
    return review


@pytest.fixture
def region(make_review: Any, thailand: Any, vietnam: Any) -> dict[str, Any]:
    by = reviewer("regional-reviewer")
    laos = CountryFactory(code="LA", name="Lao PDR")
    return {
        "th18": _final(make_review, thailand, 2018, {"INS-STRAT-01": 1, "LEG-PROC-02": 1}, by),
        "th24": _final(make_review, thailand, 2024, {"INS-STRAT-01": 3, "LEG-PROC-02": 2}, by),
        "vn": _final(make_review, vietnam, 2024, {"INS-STRAT-01": 5, "LEG-PROC-02": 5}, by),
        "la": _final(make_review, laos, 2024, {"INS-STRAT-01": 2, "LEG-PROC-02": 4}, by),
        "by": by,
    }


def test_staff_see_every_country_and_the_distribution(
    region: dict[str, Any], make_user: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    web = login(Client(), make_user("staff"))
    web.get("/reviews/regional/")
    with django_assert_max_num_queries(12):
        response = web.get("/reviews/regional/")
    data = response.context["data"]
    assert [(r.review.country.code, r.review.cycle) for r in data.rows] == [
        ("LA", 2024),
        ("TH", 2024),
        ("VN", 2024),
    ]
    vn = data.rows[2].result
    assert (vn.pillars["institutional"].score, vn.pillars["legal"].score) == (5.0, 5.0)
    counts = {indicator.code: c for indicator, c in data.distribution}
    assert counts["INS-STRAT-01"] == [0, 1, 1, 0, 1, 0, 0]  # levels 1..5, N/A, unanswered
    assert counts["INS-STRAT-02"] == [0, 0, 0, 0, 0, 0, 3]
    older = web.get("/reviews/regional/?cycle=2018").context["data"]
    assert [r.review.cycle for r in older.rows] == [2018]


def test_a_focal_point_sees_the_median_and_names_no_other_country(
    region: dict[str, Any], make_user: Callable[..., Any], thailand: Any
) -> None:
    focal = login(Client(), make_user("focal_point", thailand))
    response = focal.get("/reviews/regional/")
    data = response.context["data"]
    assert data.own.review == region["th24"]
    assert data.countries == 3
    assert data.median_pillars["institutional"] == 3.0  # TH 3, LA 2, VN 5
    assert data.median_pillars["legal"] == 4.0  # TH 2, LA 4, VN 5
    body = response.content.decode()
    assert "Viet Nam" not in body
    assert "Lao PDR" not in body
    assert "Thailand" in body


def test_others_may_not_see_the_regional_view(
    region: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    assert login(Client(), region["by"]).get("/reviews/regional/").status_code == 403
    assert login(Client(), make_user("learner")).get("/reviews/regional/").status_code == 403


def test_two_cycles_compare_indicator_by_indicator(
    region: dict[str, Any], make_user: Callable[..., Any], thailand: Any
) -> None:
    focal = login(Client(), make_user("focal_point", thailand))
    response = focal.get(f"/reviews/{region['th24'].pk}/compare/")
    progress = response.context["progress"]
    assert progress.previous_cycle == 2018
    rows = {r.indicator_id: r for r in progress.rows}
    assert (rows["INS-STRAT-01"].previous_level, rows["INS-STRAT-01"].current_level) == (1, 3)
    assert rows["LEG-PROC-02"].change == 1
    assert (progress.improved, progress.declined, progress.unchanged) == (2, 0, 0)
    first = focal.get(f"/reviews/{region['th18'].pk}/compare/")
    assert first.context["progress"] is None
    assert focal.get(f"/reviews/{region['vn'].pk}/compare/").status_code == 404
