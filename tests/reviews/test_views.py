"""The review pages through the Django test client: scoping, the scoring and validation
walk, and fixed query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cybercap.reviews import services
from cybercap.reviews.models import (
    Answer,
    Consultation,
    Evidence,
    Indicator,
    Recommendation,
    Review,
    ValidationComment,
)
from tests.conftest import login
from tests.factories import AgencyFactory, CountryFactory
from tests.reviews.conftest import reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned() -> Any:
    return reviewer("assigned-reviewer")


def client(user: Any) -> Client:
    return login(Client(), user)


def test_a_focal_point_gets_404_on_another_countrys_review(
    make_review: Any, make_user: Callable[..., Any], thailand: Any, vietnam: Any
) -> None:
    vn = make_review(vietnam, state="final")
    th = make_review(thailand, state="final")
    focal_th = client(make_user("focal_point", thailand))
    for url in (
        f"/reviews/{vn.pk}/",
        f"/reviews/{vn.pk}/consultations/",
        f"/reviews/{vn.pk}/comments/",
        f"/reviews/{vn.pk}/recommendations/",
        f"/reviews/{vn.pk}/indicators/INS-STRAT-01/",
    ):
        assert focal_th.get(url).status_code == 404
    assert focal_th.get(f"/reviews/{th.pk}/").status_code == 200
    listing = focal_th.get("/reviews/")
    assert [r.pk for r in listing.context["page"].object_list] == [th.pk]


def test_a_reviewer_lists_only_assigned_reviews(
    make_review: Any, thailand: Any, vietnam: Any, assigned: Any
) -> None:
    mine = make_review(thailand, reviewers=(assigned,))
    make_review(vietnam, reviewers=(reviewer(),))
    response = client(assigned).get("/reviews/")
    assert [r.pk for r in response.context["page"].object_list] == [mine.pk]


def test_the_list_filters_by_country_cycle_and_state(
    make_review: Any, make_user: Callable[..., Any], thailand: Any, vietnam: Any
) -> None:
    th18 = make_review(thailand, cycle=2018, state="final")
    th24 = make_review(thailand, cycle=2024)
    vn24 = make_review(vietnam, cycle=2024)
    staff = client(make_user("staff"))

    def listed(query: str) -> list[int]:
        return [r.pk for r in staff.get(f"/reviews/?{query}").context["page"].object_list]

    assert listed("") == [th24.pk, vn24.pk, th18.pk]
    assert listed("country=TH") == [th24.pk, th18.pk]
    assert listed("cycle=2024") == [th24.pk, vn24.pk]
    assert listed("state=final") == [th18.pk]
    partial = staff.get("/reviews/?country=VN", headers={"HX-Request": "true"})
    assert partial.templates[0].name == "reviews/review_list_results.html"


def test_staff_open_a_review_through_the_form(
    framework: Any, make_user: Callable[..., Any], thailand: Any, assigned: Any
) -> None:
    staff = client(make_user("staff"))
    response = staff.post(
        "/reviews/new/",
        {
            "country": thailand.pk,
            "cycle": 2025,
            "framework": framework.pk,
            "reviewers": [assigned.pk],
            "tlp": "AMBER",
        },
    )
    review = Review.objects.get(country=thailand, cycle=2025)
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.pk}/"
    assert (review.state, review.tlp, list(review.reviewers.all())) == (
        "preparation",
        "AMBER",
        [assigned],
    )
    again = staff.post(
        "/reviews/new/",
        {"country": thailand.pk, "cycle": 2025, "framework": framework.pk, "tlp": "AMBER"},
    )
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == ["Thailand already has a review for 2025."]


def test_a_reviewer_scores_an_indicator_with_evidence(
    make_review: Any, thailand: Any, assigned: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    web = client(assigned)
    url = f"/reviews/{review.pk}/indicators/LEG-PROC-02/"
    page = web.get(url)
    assert page.status_code == 200
    assert page.context["indicator"].code == "LEG-PROC-02"
    response = web.post(
        url,
        {
            "level": "2",
            "confidence": "medium",
            "evidence": "The preservation bill is in parliament.",
            "references": "Draft Computer Crime Act 2024, s. 18",
            "needs_discussion": "on",
        },
    )
    assert response.status_code == 302
    answer = Answer.objects.get(review=review, indicator__code="LEG-PROC-02")
    assert (answer.level, answer.confidence, answer.needs_discussion, answer.updated_by) == (
        2,
        "medium",
        True,
        assigned,
    )
    upload = SimpleUploadedFile("bill.pdf", b"%PDF-1.4 draft bill")
    response = web.post(f"{url}evidence/", {"file": upload, "description": "The bill"})
    assert response.status_code == 302
    evidence = Evidence.objects.get(answer=answer)
    download = web.get(f"/reviews/{review.pk}/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 draft bill"  # type: ignore[attr-defined]
    assert download["Content-Disposition"] == 'attachment; filename="bill.pdf"'
    refused = web.post(f"{url}evidence/", {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert refused.status_code == 302
    assert Evidence.objects.count() == 1
    partial = web.post(url, {"level": "na"}, headers={"HX-Request": "true"})
    assert partial.templates[0].name == "reviews/_answer_form.html"
    answer.refresh_from_db()
    assert (answer.level, answer.not_applicable) == (None, True)


def test_a_reviewer_walks_the_workflow_and_the_focal_point_validates(
    make_review: Any,
    make_user: Callable[..., Any],
    thailand: Any,
    assigned: Any,
) -> None:
    review = make_review(thailand, reviewers=(assigned,))
    staff_user = make_user("staff")
    focal_user = make_user("focal_point", thailand)
    web, staff, focal = client(assigned), client(staff_user), client(focal_user)
    agency = AgencyFactory(country=thailand)
    detail = f"/reviews/{review.pk}/"
    assert focal.get(detail).status_code == 404
    assert web.post(f"{detail}transition/", {"to": "consultations"}).status_code == 302
    response = web.post(
        f"{detail}consultations/",
        {"date": "2024-03-05", "cluster": "police", "agencies": [agency.pk], "notes": "Backlog."},
    )
    assert response.status_code == 302
    assert Consultation.objects.get(review=review).date == dt.date(2024, 3, 5)
    web.post(f"{detail}transition/", {"to": "scoring"})
    web.post(f"{detail}indicators/INS-STRAT-01/", {"level": "1", "confidence": "high"})
    assert web.post(f"{detail}recommendations/").status_code == 302
    rec = Recommendation.objects.get(review=review)
    response = web.post(
        f"{detail}recommendations/{rec.pk}/",
        {
            "text": "Adopt a strategy by 2026.",
            "priority": "high",
            "horizon": "short",
            "responsible": "ministry",
            "indicators": ["INS-STRAT-01"],
        },
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert (rec.text, rec.edited) == ("Adopt a strategy by 2026.", True)
    web.post(f"{detail}transition/", {"to": "peer_check"})
    # Only staff release the draft to the country.
    web.post(f"{detail}transition/", {"to": "country_validation"})
    assert Review.objects.get(pk=review.pk).state == "peer_check"
    staff.post(f"{detail}transition/", {"to": "country_validation", "note": "Draft sent."})
    assert Review.objects.get(pk=review.pk).state == "country_validation"
    # The focal point reads the draft and comments; the reviewer answers.
    assert focal.get(detail).status_code == 200
    assert focal.post(f"{detail}indicators/INS-STRAT-01/", {"level": "5"}).status_code == 403
    response = focal.post(
        f"{detail}comments/",
        {"body": "A strategy was adopted in 2023.", "indicator": "INS-STRAT-01"},
    )
    assert response.status_code == 302
    comment = ValidationComment.objects.get(review=review)
    assert (comment.author, comment.indicator.code) == (focal_user, "INS-STRAT-01")  # type: ignore[union-attr]
    assert web.post(f"{detail}indicators/INS-STRAT-01/", {"level": "3"}).status_code == 403
    response = web.post(
        f"{detail}comments/", {"body": "Thank you: see level 3.", "parent": comment.pk}
    )
    assert response.status_code == 302
    assert comment.replies.get().author == assigned
    staff.post(f"{detail}transition/", {"to": "final"})
    assert [t.to_state for t in Review.objects.get(pk=review.pk).transitions.all()] == [
        "preparation",
        "consultations",
        "scoring",
        "peer_check",
        "country_validation",
        "final",
    ]
    assert focal.post(f"{detail}comments/", {"body": "Late"}).status_code == 403


def test_pages_say_demo_and_show_the_tlp_label(
    make_review: Any, make_user: Callable[..., Any], thailand: Any
) -> None:
    review = make_review(thailand, tlp="AMBER+STRICT")
    body = client(make_user("staff")).get(f"/reviews/{review.pk}/").content.decode()
    assert "TLP:AMBER+STRICT" in body


# --- query counts -----------------------------------------------------------------------------


def _countries(n: int) -> list[Any]:
    return [CountryFactory(code=code, name=f"Country {code}") for code in ["AA", "BB", "CC"][:n]]


@pytest.mark.parametrize("reviews", [1, 3])
def test_the_list_takes_a_fixed_number_of_queries(
    reviews: int,
    make_review: Any,
    make_user: Callable[..., Any],
    assigned: Any,
    django_assert_num_queries: Any,
) -> None:
    for country in _countries(reviews):
        make_review(country, reviewers=(assigned,))
    web = client(assigned)
    web.get("/reviews/")  # warm the session
    # session, user, OTP device, grants, count, page
    with django_assert_num_queries(6):
        response = web.get("/reviews/")
    assert len(response.context["page"].object_list) == reviews


@pytest.mark.parametrize("answers", [1, 3])
def test_the_detail_page_takes_a_fixed_number_of_queries(
    answers: int,
    make_review: Any,
    thailand: Any,
    assigned: Any,
    django_assert_num_queries: Any,
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    for indicator in Indicator.objects.filter(framework=review.framework)[:answers]:
        services.answer_save(by=assigned, review=review, indicator=indicator, level=2)
    web = client(assigned)
    web.get(f"/reviews/{review.pk}/")
    with django_assert_num_queries(13):
        response = web.get(f"/reviews/{review.pk}/")
    assert response.context["overall"].answered == answers


@pytest.mark.parametrize("items", [1, 3])
def test_the_recommendation_list_takes_a_fixed_number_of_queries(
    items: int,
    make_review: Any,
    thailand: Any,
    assigned: Any,
    django_assert_num_queries: Any,
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    for indicator in Indicator.objects.filter(framework=review.framework)[:items]:
        services.answer_save(by=assigned, review=review, indicator=indicator, level=1)
    services.recommendations_generate(by=assigned, review=review)
    assert Recommendation.objects.filter(review=review).count() == items
    web = client(assigned)
    web.get(f"/reviews/{review.pk}/recommendations/")
    with django_assert_num_queries(9):
        web.get(f"/reviews/{review.pk}/recommendations/")


def test_staff_set_a_countrys_targets_and_gaps_follow(
    make_review: Any, make_user: Callable[..., Any], thailand: Any, assigned: Any
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    indicator = Indicator.objects.get(framework=review.framework, code="INS-STRAT-01")
    services.answer_save(by=assigned, review=review, indicator=indicator, level=3)
    staff = client(make_user("staff"))
    assert staff.post("/reviews/targets/TH/", {"indicator_code": "", "level": 4}).status_code == 302
    response = staff.post("/reviews/targets/TH/", {"indicator_code": "ins-strat-01", "level": 5})
    assert response.status_code == 302
    page = staff.get("/reviews/targets/TH/")
    assert page.context["default"] == 4
    assert [(t.indicator_code, t.level) for t in page.context["targets"]] == [("INS-STRAT-01", 5)]
    bad = staff.post("/reviews/targets/TH/", {"indicator_code": "NOPE-01", "level": 3})
    assert bad.context["form"].errors == {"indicator_code": ["No indicator has this id."]}
    detail = client(assigned).get(f"/reviews/{review.pk}/")
    rows = {
        row["indicator"].code: row
        for p in detail.context["pillars"]
        for a in p["areas"]
        for row in a["rows"]
    }
    assert (rows["INS-STRAT-01"]["target"], rows["INS-STRAT-01"]["gap"]) == (5, 2)
    assert rows["INS-STRAT-02"]["target"] == 4
    assert client(assigned).get("/reviews/targets/TH/").status_code == 403


def test_staff_change_reviewers_and_the_label(
    make_review: Any, make_user: Callable[..., Any], thailand: Any, assigned: Any
) -> None:
    review = make_review(thailand, reviewers=(assigned,))
    other = reviewer("second-reviewer")
    staff_user = make_user("staff")
    staff = client(staff_user)
    response = staff.post(
        f"/reviews/{review.pk}/people/",
        {"reviewers": [other.pk], "tlp": "RED", "named_users": [staff_user.pk, other.pk]},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.tlp, list(review.reviewers.all())) == ("RED", [other])
    assert client(assigned).get(f"/reviews/{review.pk}/").status_code == 404
    assert client(other).get(f"/reviews/{review.pk}/").status_code == 200
    # Staff not named on a RED review see nothing of it.
    assert client(make_user("staff")).get(f"/reviews/{review.pk}/").status_code == 404
    assert client(assigned).get(f"/reviews/{review.pk}/people/").status_code == 403


def test_the_detail_page_shows_agreement_between_the_two_reviewers(
    make_review: Any, thailand: Any, assigned: Any
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(assigned,))
    web = client(assigned)
    assert (
        "no indicator scored by a second reviewer yet"
        in web.get(f"/reviews/{review.pk}/").content.decode()
    )
    pairs = [(1, 1), (2, 2), (3, 4), (5, 3)]
    for indicator, (first, second) in zip(
        Indicator.objects.filter(framework=review.framework).order_by("position"),
        pairs,
        strict=False,
    ):
        services.answer_save(
            by=assigned, review=review, indicator=indicator, level=first, second_level=second
        )
    response = web.get(f"/reviews/{review.pk}/")
    body = " ".join(response.content.decode().split())
    assert "2 of 4 indicators scored twice at the same level, 3 within one level" in body
    assert "weighted kappa 0.5" in body
