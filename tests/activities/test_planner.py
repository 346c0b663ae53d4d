"""The gap-driven training planner: the ranking method on hand-computed cases, then the pages
(staff only, fixed queries, links to the evidence) and a proposal made a planned activity."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.activities.models import Activity, SeatQuota
from cybercap.activities.planner import (
    GainInput,
    RecommendationInput,
    ShortfallInput,
    TopicRef,
    gain_factor,
    rank_topics,
)
from cybercap.core import audit
from cybercap.network.content.loaders import topics_load
from cybercap.reviews import services as review_services
from cybercap.reviews.content import framework_store
from cybercap.reviews.models import Indicator, Review
from tests.conftest import login
from tests.reviews.conftest import CONTENT, parsed_framework

FORENSICS = TopicRef("digital-forensics", "Digital forensics")
LAW = TopicRef("substantive-law", "Substantive law")


def shortfall(
    country: str, review: int, code: str, weight: float, level: int, target: int, *topics: TopicRef
) -> ShortfallInput:
    return ShortfallInput(
        country_code=country,
        country_name=country,
        review_id=review,
        cycle=2024,
        indicator_code=code,
        indicator_title=code,
        weight=weight,
        level=level,
        target=target,
        topics=topics,
    )


def rec(rid: int, review: int, priority: str, *codes: str, topics: tuple[str, ...] = ()) -> Any:
    return RecommendationInput(
        id=rid,
        review_id=review,
        text=f"rec {rid}",
        priority=priority,
        indicator_codes=codes,
        topics=topics,
    )


# --------------------------------------------------------------------------- the method, by hand


def test_needs_add_weight_times_gap_times_priority_per_country_and_topic() -> None:
    shortfalls = [
        # TH: A weight 2, gap 2, high recommendation: 2 x 2 x 3 = 12 on forensics.
        shortfall("TH", 1, "A", 2, 1, 3, FORENSICS),
        # TH: B weight 1, gap 1, no recommendation: 1 x 1 x 1 = 1 on forensics and on law.
        shortfall("TH", 1, "B", 1, 2, 3, FORENSICS, LAW),
        # TH: C above its target: no need.
        shortfall("TH", 1, "C", 3, 4, 3, FORENSICS),
        # VN: A weight 2, gap 2 (target 4), medium and low recommendations: 2 x 2 x 2 = 8.
        shortfall("VN", 2, "A", 2, 2, 4, FORENSICS),
    ]
    recommendations = [
        rec(10, 1, "high", "A"),
        rec(20, 2, "medium", "A"),
        rec(21, 2, "low", "A"),
        rec(30, 2, "high", "B"),  # VN's own recommendation on B: VN has no gap on B
    ]
    gains = [
        # forensics: g 0.2 over 10 pairs: factor 1 + 0.5 x (1 - 0.2) = 1.4.
        GainInput("digital-forensics", pairs=10, mean_normalised_gain=0.2),
        # law: only 3 pairs, below the minimum of 5: no evidence, factor 1.
        GainInput("substantive-law", pairs=3, mean_normalised_gain=0.0),
    ]
    ranked = rank_topics(shortfalls, recommendations, gains)
    assert [(t.topic.key, t.gap_need, t.gain_factor, t.score) for t in ranked] == [
        ("digital-forensics", 21.0, pytest.approx(1.4), pytest.approx(29.4)),
        ("substantive-law", 1.0, 1.0, 1.0),
    ]
    forensics = ranked[0]
    assert [(c.country_code, c.need) for c in forensics.countries] == [("TH", 13.0), ("VN", 8.0)]
    th = forensics.countries[0]
    assert [(r.indicator_code, r.priority_factor, r.contribution) for r in th.reasons] == [
        ("A", 3, 12.0),
        ("B", 1, 1.0),
    ]
    assert [r.recommendation_ids for r in th.reasons] == [(10,), ()]
    assert [r.id for r in th.recommendations] == [10]
    vn = forensics.countries[1]
    assert vn.reasons[0].recommendation_ids == (20, 21)
    assert [r.id for r in vn.recommendations] == [20, 21]  # medium before low
    assert all(t.trend_factor is None for t in ranked)


def test_weak_learning_gains_can_lift_a_topic_above_a_larger_gap() -> None:
    shortfalls = [
        shortfall("TH", 1, "X", 5, 1, 3, FORENSICS),  # 5 x 2 x 1 = 10
        shortfall("TH", 1, "Y", 4, 1, 3, LAW),  # 4 x 2 x 1 = 8
    ]
    strong = GainInput("digital-forensics", pairs=20, mean_normalised_gain=1.0)  # factor 1
    weak = GainInput("substantive-law", pairs=5, mean_normalised_gain=0.0)  # factor 1.5: 12
    ranked = rank_topics(shortfalls, [], [strong, weak])
    assert [(t.topic.key, t.score) for t in ranked] == [
        ("substantive-law", 12.0),
        ("digital-forensics", 10.0),
    ]
    assert [t.topic.key for t in rank_topics(shortfalls, [], [])] == [
        "digital-forensics",
        "substantive-law",
    ]


def test_the_gain_factor_clips_and_needs_evidence() -> None:
    assert gain_factor(None) == 1.0
    assert gain_factor(GainInput("t", pairs=4, mean_normalised_gain=0.0)) == 1.0
    assert gain_factor(GainInput("t", pairs=5, mean_normalised_gain=None)) == 1.0
    assert gain_factor(GainInput("t", pairs=5, mean_normalised_gain=-0.3)) == 1.5
    assert gain_factor(GainInput("t", pairs=5, mean_normalised_gain=0.6)) == pytest.approx(1.2)
    assert gain_factor(GainInput("t", pairs=5, mean_normalised_gain=1.4)) == 1.0


def test_ties_go_by_key_and_topics_without_a_gap_are_not_proposed() -> None:
    shortfalls = [
        shortfall("VN", 2, "A", 1, 2, 3, LAW),
        shortfall("TH", 1, "A", 1, 2, 3, FORENSICS),
        shortfall("TH", 1, "Z", 1, 5, 3, TopicRef("ransomware", "Ransomware")),
    ]
    ranked = rank_topics(shortfalls, [], [GainInput("ransomware", 50, 0.0)])
    assert [(t.topic.key, t.score) for t in ranked] == [
        ("digital-forensics", 1.0),
        ("substantive-law", 1.0),
    ]


def test_a_recommendation_counts_only_for_its_own_review() -> None:
    shortfalls = [shortfall("TH", 1, "A", 1, 2, 3, LAW), shortfall("VN", 2, "A", 1, 2, 3, LAW)]
    ranked = rank_topics(shortfalls, [rec(5, 2, "high", "A")], [])
    assert [(c.country_code, c.need) for c in ranked[0].countries] == [("VN", 3.0), ("TH", 1.0)]


def test_a_recommendation_on_the_topic_is_listed_even_without_its_indicator() -> None:
    shortfalls = [shortfall("TH", 1, "A", 1, 2, 3, LAW)]
    ranked = rank_topics(shortfalls, [rec(7, 1, "low", "Q", topics=("substantive-law",))], [])
    country = ranked[0].countries[0]
    assert country.need == 1.0  # not linked to A: no priority factor
    assert [r.id for r in country.recommendations] == [7]


# --------------------------------------------------------------------------- the pages


@pytest.fixture
def framework(db: Any) -> Any:
    with audit.suspended():
        topics_load(CONTENT)
        return framework_store(parsed_framework(), {"created": 0, "updated": 0, "retired": 0})


@pytest.fixture
def opener(make_user: Callable[..., Any]) -> Any:
    return make_user("staff", username="review-opener")


@pytest.fixture
def final_review(framework: Any, opener: Any) -> Callable[..., Review]:
    def make(country: Any, levels: dict[str, int], *, cycle: int = 2024, **kw: Any) -> Review:
        review = review_services.review_open(
            by=opener, country=country, cycle=cycle, framework=framework, reviewers=(), **kw
        )
        Review.objects.filter(pk=review.pk).update(state="scoring")
        review.refresh_from_db()
        for code, level in levels.items():
            indicator = Indicator.objects.get(framework=framework, code=code)
            review_services.answer_save(by=opener, review=review, indicator=indicator, level=level)
        review_services.recommendations_generate(by=opener, review=review)
        Review.objects.filter(pk=review.pk).update(state="final")
        review.refresh_from_db()
        return review

    return make


def staff_client(make_user: Callable[..., Any]) -> Client:
    return login(Client(), make_user("staff", username="planner-staff"))


@pytest.mark.django_db
def test_staff_see_topics_ranked_with_the_countries_and_the_evidence_behind(
    final_review: Any, make_user: Callable[..., Any], thailand: Any, vietnam: Any
) -> None:
    # TH: LEG-SUB-01 (weight 2) at 1, high recommendation: 2 x 2 x 3 = 12 on substantive-law
    # and system-attacks; LEG-SUB-02 (weight 1) at 2, medium: 1 x 1 x 2 = 2 on substantive-law
    # and cybercrime-as-a-service. VN: LEG-SUB-01 at 2, high: 2 x 1 x 3 = 6.
    th = final_review(thailand, {"LEG-SUB-01": 1, "LEG-SUB-02": 2})
    vn = final_review(vietnam, {"LEG-SUB-01": 2})
    response = staff_client(make_user).get("/activities/planner/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["need"].topic.key, r["need"].score) for r in rows] == [
        ("substantive-law", 20.0),
        ("system-attacks", 18.0),
        ("cybercrime-as-a-service", 2.0),
    ]
    assert [(c["need"].country_code, c["need"].need) for c in rows[0]["countries"]] == [
        ("TH", 14.0),
        ("VN", 6.0),
    ]
    body = response.content.decode()
    assert f'href="/reviews/{th.pk}/indicators/LEG-SUB-01/"' in body
    assert f'href="/reviews/{vn.pk}/indicators/LEG-SUB-01/"' in body
    th_rec = th.recommendations.get(indicators__code="LEG-SUB-01")
    assert f'href="/reviews/{th.pk}/recommendations/#recommendation-{th_rec.pk}"' in body
    assert "Threat trends are not part of the figure" in body


@pytest.mark.django_db
def test_a_red_review_counts_only_for_staff_named_on_it(
    final_review: Any, make_user: Callable[..., Any], thailand: Any, opener: Any
) -> None:
    final_review(thailand, {"LEG-SUB-01": 1}, tlp="RED", named_users=(opener,))
    assert staff_client(make_user).get("/activities/planner/").context["rows"] == []
    rows = login(Client(), opener).get("/activities/planner/").context["rows"]
    assert [r["need"].topic.key for r in rows][:1] == ["substantive-law"]


@pytest.mark.django_db
def test_only_staff_reach_the_planner(
    client_for: Callable[..., Client], thailand: Any, final_review: Any
) -> None:
    final_review(thailand, {"LEG-SUB-01": 1})
    for role, country in (("reviewer", None), ("focal_point", thailand), ("trainer", None)):
        web = client_for(role, country)
        assert web.get("/activities/planner/").status_code == 403
        assert web.post("/activities/planner/plan/", {}).status_code == 403
    assert Client().get("/activities/planner/").status_code == 302
    # Staff find it from the activity list and the programme dashboard; nobody else sees a link.
    staff = client_for("staff")
    for page in ("/activities/", "/activities/programme/"):
        assert 'href="/activities/planner/"' in staff.get(page).content.decode()
    focal = client_for("focal_point", thailand)
    for page in ("/activities/", "/activities/programme/"):
        assert 'href="/activities/planner/"' not in focal.get(page).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("countries", [1, 3])
def test_the_planner_takes_a_fixed_number_of_queries(
    countries: int,
    final_review: Any,
    make_user: Callable[..., Any],
    django_assert_num_queries: Any,
) -> None:
    from tests.factories import CountryFactory

    for n in range(countries):
        country = CountryFactory(code=["AA", "BB", "CC"][n], name=f"Country {n}")
        final_review(country, {"LEG-SUB-01": 1, "LEG-SUB-02": 2, "INS-STRAT-01": 1})
    web = staff_client(make_user)
    web.get("/activities/planner/")
    # The same whatever the countries: the session and grants, the final reviews, targets,
    # answers with their topics, recommendations with theirs, the gains, the country list.
    with django_assert_num_queries(13):
        response = web.get("/activities/planner/")
    assert len(response.context["rows"][0]["countries"]) == countries


@pytest.mark.django_db
def test_a_proposal_becomes_a_planned_activity_in_one_step(
    final_review: Any, make_user: Callable[..., Any], thailand: Any, vietnam: Any
) -> None:
    final_review(thailand, {"LEG-SUB-01": 1})
    final_review(vietnam, {"LEG-SUB-01": 2})
    web = staff_client(make_user)
    page = web.get("/activities/planner/").content.decode()
    assert 'name="t-substantive-law-countries" value="TH"' in page
    prefix = "t-substantive-law"
    response = web.post(
        "/activities/planner/plan/",
        {
            "prefix": prefix,
            f"{prefix}-topic": "substantive-law",
            f"{prefix}-title": "Training on substantive law",
            f"{prefix}-kind": "training",
            f"{prefix}-phase": "2",
            f"{prefix}-start_date": "2027-03-01",
            f"{prefix}-end_date": "2027-03-05",
            f"{prefix}-countries": ["TH", "VN"],
            f"{prefix}-seats": "4",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/edit/"
    assert (activity.title, activity.kind, activity.status, activity.phase) == (
        "Training on substantive law",
        "training",
        "planned",
        2,
    )
    assert (activity.start_date, activity.end_date) == (dt.date(2027, 3, 1), dt.date(2027, 3, 5))
    assert [t.key for t in activity.topics.all()] == ["substantive-law"]
    quotas = SeatQuota.objects.filter(activity=activity).order_by("country__code")
    assert [(q.country.code, q.seats) for q in quotas] == [("TH", 4), ("VN", 4)]


@pytest.mark.django_db
def test_a_bad_proposal_says_why_and_creates_nothing(
    final_review: Any, make_user: Callable[..., Any], thailand: Any
) -> None:
    final_review(thailand, {"LEG-SUB-01": 1})
    web = staff_client(make_user)
    prefix = "t-substantive-law"
    response = web.post(
        "/activities/planner/plan/",
        {
            "prefix": prefix,
            f"{prefix}-topic": "substantive-law",
            f"{prefix}-title": "Backwards",
            f"{prefix}-kind": "training",
            f"{prefix}-phase": "2",
            f"{prefix}-start_date": "2027-03-05",
            f"{prefix}-end_date": "2027-03-01",
            f"{prefix}-countries": ["TH"],
            f"{prefix}-seats": "4",
        },
        follow=True,
    )
    assert Activity.objects.count() == 0
    text = " ".join(str(m) for m in response.context["messages"])
    assert re.search(r"Last day: The last day cannot be before the first day\.", text)
    unknown = web.post(
        "/activities/planner/plan/",
        {
            "prefix": prefix,
            f"{prefix}-topic": "no-such-topic",
            f"{prefix}-title": "Unknown",
            f"{prefix}-kind": "training",
            f"{prefix}-phase": "2",
            f"{prefix}-start_date": "2027-03-01",
            f"{prefix}-end_date": "2027-03-02",
            f"{prefix}-countries": ["TH"],
            f"{prefix}-seats": "4",
        },
        follow=True,
    )
    assert Activity.objects.count() == 0
    assert "That topic does not exist." in [str(m) for m in unknown.context["messages"]]


@pytest.mark.django_db
def test_weak_gains_of_delivered_activities_lift_their_topic_on_the_page(
    final_review: Any, make_user: Callable[..., Any], thailand: Any
) -> None:
    from django.utils import timezone

    from cybercap.activities.models import EvaluationScore, Registration
    from cybercap.network.models import Topic
    from tests.factories import AgencyFactory, PersonFactory

    # LEG-SUB-01 at 1 (weight 2, high): 12 on substantive-law and 12 on system-attacks; by key,
    # substantive-law would come first.
    final_review(thailand, {"LEG-SUB-01": 1})
    past = Activity.objects.create(
        kind="training",
        title="Past training",
        start_date=dt.date(2025, 3, 2),
        end_date=dt.date(2025, 3, 4),
        status="delivered",
    )
    past.topics.set([Topic.objects.get(key="system-attacks")])
    agency = AgencyFactory(country=thailand)
    for n in range(5):  # five pairs, pre 0.5 and post 0.6: g = 0.1 / 0.5 = 0.2 for each
        registration = Registration.objects.create(
            activity=past,
            person=PersonFactory(agency=agency, email=f"p{n}@example.org"),
            country=thailand,
            status="attended",
            nominated_at=timezone.now(),
        )
        for kind, score in (("pre", 0.5), ("post", 0.6)):
            EvaluationScore.objects.create(
                registration=registration,
                kind=kind,
                score=score,
                source="paper",
                entered_at=timezone.now(),
            )
    rows = staff_client(make_user).get("/activities/planner/").context["rows"]
    # system-attacks: 12 x (1 + 0.5 x (1 - 0.2)) = 12 x 1.4 = 16.8
    assert [(r["need"].topic.key, r["need"].score) for r in rows][:2] == [
        ("system-attacks", pytest.approx(16.8)),
        ("substantive-law", 12.0),
    ]
    assert rows[0]["need"].gain.pairs == 5
