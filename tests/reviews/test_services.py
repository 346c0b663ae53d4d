"""The review workflow and its writes: transitions and who may make each, answers with their
history, evidence checks, consultations, recommendations and validation comments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from cybercap.core.models import AuditEntry
from cybercap.network.models import Topic
from cybercap.reviews import services
from cybercap.reviews.content import framework_store
from cybercap.reviews.models import (
    Answer,
    Evidence,
    Indicator,
    Recommendation,
    Review,
    ReviewState,
    TargetLevel,
)
from cybercap.reviews.services import ReviewError
from tests.factories import AgencyFactory
from tests.reviews.conftest import parsed_framework, reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_user: Callable[..., Any], thailand: Any, vietnam: Any) -> dict[str, Any]:
    return {
        "staff": make_user("staff"),
        "assigned": reviewer(),
        "other_reviewer": reviewer(),
        "focal_th": make_user("focal_point", thailand),
        "focal_vn": make_user("focal_point", vietnam),
    }


# --- loading ------------------------------------------------------------------------------------


def test_the_framework_loads_once_and_a_second_load_changes_nothing(framework: Any) -> None:
    assert framework.indicators.count() == 64
    assert framework.pillars.count() == 4
    legal = Indicator.objects.get(framework=framework, code="LEG-PROC-02")
    assert legal.area.pillar.key == "legal"
    assert legal.articles != []
    assert sorted(legal.levels) == ["1", "2", "3", "4", "5"]
    assert legal.topics.count() >= 1
    tally = {"created": 0, "updated": 0, "retired": 0}
    framework_store(parsed_framework(), tally)
    assert tally == {"created": 0, "updated": 0, "retired": 0}


def test_an_indicator_gone_from_the_files_is_retired_not_deleted(
    framework: Any, make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, reviewers=(team["assigned"],))
    first = Indicator.objects.get(framework=framework, code="INS-STRAT-01")
    services.answer_save(by=team["assigned"], review=review, indicator=first, level=2)
    parsed = parsed_framework()
    shorter = type(parsed)(
        meta=parsed.meta, indicators=parsed.indicators[1:], directory=parsed.directory
    )
    tally = {"created": 0, "updated": 0, "retired": 0}
    framework_store(shorter, tally)
    first.refresh_from_db()
    assert (first.retired, tally["retired"]) == (True, 1)
    assert Answer.objects.get(review=review).indicator == first


# --- opening and transitions --------------------------------------------------------------------


def test_staff_open_a_review_in_preparation_amber_by_default(
    framework: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = services.review_open(
        by=team["staff"],
        country=thailand,
        cycle=2024,
        framework=framework,
        reviewers=[team["assigned"]],
    )
    assert (review.state, review.tlp) == ("preparation", "AMBER")
    assert list(review.reviewers.all()) == [team["assigned"]]
    transition = review.transitions.get()
    assert (transition.from_state, transition.to_state, transition.by) == (
        "",
        "preparation",
        team["staff"],
    )
    with pytest.raises(ReviewError, match="already has a review for 2024"):
        services.review_open(by=team["staff"], country=thailand, cycle=2024, framework=framework)


def test_only_staff_open_reviews(framework: Any, thailand: Any, team: dict[str, Any]) -> None:
    for who in ("assigned", "focal_th"):
        with pytest.raises(PermissionDenied):
            services.review_open(by=team[who], country=thailand, cycle=2025, framework=framework)
    assert Review.objects.count() == 0


# (from, to) -> who may make it, among staff / the assigned reviewer / a reviewer of another
# review / the country's focal point.
TRANSITION_TABLE = [
    ("preparation", "consultations", {"staff", "assigned"}),
    ("consultations", "scoring", {"staff", "assigned"}),
    ("scoring", "consultations", {"staff", "assigned"}),
    ("scoring", "peer_check", {"staff", "assigned"}),
    ("peer_check", "scoring", {"staff", "assigned"}),
    ("peer_check", "country_validation", {"staff"}),
    ("country_validation", "scoring", {"staff"}),
    ("country_validation", "final", {"staff"}),
]


@pytest.mark.parametrize(("start", "to", "allowed"), TRANSITION_TABLE)
def test_who_may_make_each_transition(
    start: str,
    to: str,
    allowed: set[str],
    make_review: Any,
    thailand: Any,
    team: dict[str, Any],
) -> None:
    for who in ("staff", "assigned", "other_reviewer", "focal_th", "focal_vn"):
        review = Review.objects.filter(country=thailand).first() or make_review(
            thailand, reviewers=(team["assigned"],)
        )
        Review.objects.filter(pk=review.pk).update(state=start)
        review.refresh_from_db()
        if who in allowed:
            transition = services.review_transition(by=team[who], review=review, to=to, note="ok")
            assert (transition.from_state, transition.to_state, transition.by) == (
                start,
                to,
                team[who],
            )
            assert Review.objects.get(pk=review.pk).state == to
        else:
            with pytest.raises(PermissionDenied):
                services.review_transition(by=team[who], review=review, to=to)
            assert Review.objects.get(pk=review.pk).state == start


def test_a_transition_outside_the_workflow_is_refused(
    make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand)
    for to in ("final", "scoring", "country_validation", "preparation"):
        with pytest.raises(ReviewError, match="cannot go from Preparation"):
            services.review_transition(by=team["staff"], review=review, to=to)
    final = make_review(thailand, cycle=2018, state="final")
    with pytest.raises(ReviewError):
        services.review_transition(by=team["staff"], review=final, to="scoring")


def test_the_full_walk_is_recorded_step_by_step(
    make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, reviewers=(team["assigned"],))
    steps = [
        ("assigned", "consultations"),
        ("assigned", "scoring"),
        ("assigned", "peer_check"),
        ("staff", "country_validation"),
        ("staff", "final"),
    ]
    for who, to in steps:
        services.review_transition(by=team[who], review=review, to=to)
    assert [(t.from_state, t.to_state) for t in review.transitions.all()] == [
        ("", "preparation"),
        ("preparation", "consultations"),
        ("consultations", "scoring"),
        ("scoring", "peer_check"),
        ("peer_check", "country_validation"),
        ("country_validation", "final"),
    ]


# --- answers --------------------------------------------------------------------------------------


def test_answers_are_saved_with_their_history(
    framework: Any, make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    indicator = Indicator.objects.get(framework=framework, code="LEG-PROC-02")
    services.answer_save(
        by=team["assigned"],
        review=review,
        indicator=indicator,
        level=2,
        confidence="medium",
        evidence="Preservation law drafted, not adopted.",
    )
    answer = services.answer_save(
        by=team["assigned"], review=review, indicator=indicator, level=3, needs_discussion=True
    )
    assert (answer.level, answer.confidence, answer.needs_discussion) == (3, "medium", True)
    assert answer.evidence == "Preservation law drafted, not adopted."
    history = AuditEntry.objects.filter(model="reviews.Answer", object_id=str(answer.pk))
    assert history.count() == 2
    change = history.order_by("pk").last()
    assert change is not None
    assert change.changes["level"] == [2, 3]


def test_not_applicable_clears_the_level_and_a_level_clears_not_applicable(
    framework: Any, make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    indicator = Indicator.objects.filter(framework=framework).first()
    assert indicator is not None
    services.answer_save(by=team["assigned"], review=review, indicator=indicator, level=3)
    answer = services.answer_save(
        by=team["assigned"], review=review, indicator=indicator, not_applicable=True
    )
    assert (answer.level, answer.not_applicable, answer.status) == (None, True, "not_applicable")
    answer = services.answer_save(by=team["assigned"], review=review, indicator=indicator, level=4)
    assert (answer.level, answer.not_applicable, answer.status) == (4, False, "answered")


def test_a_second_reviewers_level_and_agreement(
    framework: Any, make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="peer_check", reviewers=(team["assigned"],))
    indicator = Indicator.objects.filter(framework=framework).first()
    assert indicator is not None
    services.answer_save(by=team["assigned"], review=review, indicator=indicator, level=3)
    answer = services.answer_save(
        by=team["staff"], review=review, indicator=indicator, second_level=2
    )
    assert (answer.second_level, answer.second_reviewer, answer.agreement) == (
        2,
        team["staff"],
        1,
    )


def test_answers_are_refused_out_of_range_and_out_of_turn(
    framework: Any, make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    indicator = Indicator.objects.filter(framework=framework).first()
    assert indicator is not None
    with pytest.raises(ReviewError):
        services.answer_save(by=team["assigned"], review=review, indicator=indicator, level=6)
    with pytest.raises(ReviewError):
        services.answer_save(
            by=team["assigned"], review=review, indicator=indicator, confidence="certain"
        )
    with pytest.raises(PermissionDenied):
        services.answer_save(by=team["other_reviewer"], review=review, indicator=indicator, level=2)
    Review.objects.filter(pk=review.pk).update(state="country_validation")
    review.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.answer_save(by=team["assigned"], review=review, indicator=indicator, level=2)
    assert Answer.objects.count() == 0


def test_the_database_refuses_a_level_with_not_applicable(
    framework: Any, make_review: Any, thailand: Any
) -> None:
    review = make_review(thailand)
    indicator = Indicator.objects.filter(framework=framework).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(review=review, indicator=indicator, level=3, not_applicable=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(review=review, indicator=indicator, level=0)


# --- evidence -------------------------------------------------------------------------------------


def test_evidence_files_are_checked_by_type_and_size(
    framework: Any,
    make_review: Any,
    thailand: Any,
    team: dict[str, Any],
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.MAX_UPLOAD_BYTES = 1024
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    indicator = Indicator.objects.filter(framework=framework).first()
    assert indicator is not None

    def attach(name: str, content: bytes) -> Evidence:
        upload = SimpleUploadedFile(name, content)
        return services.evidence_attach(
            by=team["assigned"], review=review, indicator=indicator, upload=upload
        )

    pdf = attach("law.pdf", b"%PDF-1.7\n%...\n")
    assert (pdf.content_type, pdf.size, pdf.original_name) == ("application/pdf", 14, "law.pdf")
    assert (tmp_path / pdf.file.name).read_bytes() == b"%PDF-1.7\n%...\n"
    note = attach("notes.txt", "Ghi chú: lệnh bảo quản".encode())
    assert note.content_type == "text/plain"
    refusals = {
        "tool.exe": (b"MZ\x90\x00", "files of this type are not accepted"),
        "fake.pdf": (b"<html>", "fake.pdf is not what its name says it is"),
        "big.pdf": (b"%PDF-" + b"x" * 1100, "big.pdf is larger than 0 MB"),
        "empty.txt": (b"", "empty.txt is empty"),
        "binary.txt": (b"a\x00b", "binary.txt is not a text file"),
    }
    for name, (content, message) in refusals.items():
        with pytest.raises(ReviewError, match=message):
            attach(name, content)
    assert Evidence.objects.count() == 2


# --- consultations --------------------------------------------------------------------------------


def test_consultations_take_the_countrys_agencies_and_a_known_cluster(
    make_review: Any, thailand: Any, vietnam: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="consultations", reviewers=(team["assigned"],))
    th_agency = AgencyFactory(country=thailand)
    vn_agency = AgencyFactory(country=vietnam)
    consultation = services.consultation_add(
        by=team["assigned"],
        review=review,
        date=dt.date(2024, 3, 5),
        cluster="police",
        agencies=[th_agency],
        notes="Participants said the forensic backlog is eight months.",
    )
    assert list(consultation.agencies.all()) == [th_agency]
    with pytest.raises(ReviewError):
        services.consultation_add(
            by=team["assigned"],
            review=review,
            date=dt.date(2024, 3, 5),
            cluster="police",
            agencies=[vn_agency],
        )
    with pytest.raises(ReviewError):
        services.consultation_add(
            by=team["assigned"], review=review, date=dt.date(2024, 3, 5), cluster="astrologers"
        )


# --- recommendations ------------------------------------------------------------------------------


def _score(review: Review, by: Any, levels: dict[str, int]) -> None:
    for code, level in levels.items():
        indicator = Indicator.objects.get(framework=review.framework, code=code)
        services.answer_save(
            by=by, review=review, indicator=indicator, level=level, evidence=f"{code} evidence"
        )


def test_recommendations_come_from_the_rules_for_each_gap_and_are_idempotent(
    make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    _score(review, team["assigned"], {"INS-STRAT-01": 1, "INS-STRAT-02": 3, "LEG-PROC-02": 2})
    created = services.recommendations_generate(by=team["assigned"], review=review)
    assert created == (2, 0, 0)  # INS-STRAT-02 at 3 meets the default target of 3
    recs = {r.source_key: r for r in Recommendation.objects.filter(review=review)}
    assert sorted(recs) == ["INS-STRAT-01#1", "LEG-PROC-02#1"]
    first = recs["INS-STRAT-01#1"]
    indicator = Indicator.objects.get(framework=review.framework, code="INS-STRAT-01")
    rule = indicator.rules[0]
    assert (first.text, first.priority, first.horizon, first.responsible) == (
        rule["text"].strip(),
        rule["priority"],
        rule["horizon"],
        rule["responsible"],
    )
    assert list(first.indicators.all()) == [indicator]
    assert sorted(first.topics.values_list("key", flat=True)) == sorted(rule["topics"])
    assert first.evidence_trace == "INS-STRAT-01 at level 1; INS-STRAT-01 evidence"
    assert services.recommendations_generate(by=team["assigned"], review=review) == (0, 0, 0)


def test_reviewer_edits_survive_regeneration(
    make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    _score(review, team["assigned"], {"INS-STRAT-01": 1, "LEG-PROC-02": 2})
    services.recommendations_generate(by=team["assigned"], review=review)
    rec = Recommendation.objects.get(review=review, source_key="INS-STRAT-01#1")
    topic = Topic.objects.get(key="legislation")
    services.recommendation_update(
        by=team["assigned"],
        review=review,
        recommendation=rec,
        text="Adopt the draft strategy by June.",
        priority="medium",
        horizon="short",
        responsible="ministry",
        topics=[topic],
    )
    # Both indicators now meet the target: the edited one stays, marked obsolete; the other goes.
    _score(review, team["assigned"], {"INS-STRAT-01": 3, "LEG-PROC-02": 4})
    assert services.recommendations_generate(by=team["assigned"], review=review) == (0, 0, 2)
    kept = Recommendation.objects.get(review=review)
    assert (kept.text, kept.priority, kept.edited, kept.obsolete) == (
        "Adopt the draft strategy by June.",
        "medium",
        True,
        True,
    )
    assert list(kept.topics.all()) == [topic]
    # The gap reopens: the edit is still the reviewer's, and no longer obsolete.
    _score(review, team["assigned"], {"INS-STRAT-01": 2})
    services.recommendations_generate(by=team["assigned"], review=review)
    kept.refresh_from_db()
    assert (kept.text, kept.obsolete) == ("Adopt the draft strategy by June.", False)


def test_targets_per_country_decide_the_gaps(
    make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    _score(review, team["assigned"], {"INS-STRAT-01": 3, "INS-STRAT-02": 3})
    services.target_set(by=team["staff"], country=thailand, level=4, indicator_code="INS-STRAT-01")
    with pytest.raises(PermissionDenied):
        services.target_set(by=team["assigned"], country=thailand, level=5)
    services.recommendations_generate(by=team["assigned"], review=review)
    assert list(
        Recommendation.objects.filter(review=review).values_list("source_key", flat=True)
    ) == ["INS-STRAT-01#2"]
    assert TargetLevel.objects.count() == 1


def test_recommendation_update_is_validated(
    make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    _score(review, team["assigned"], {"INS-STRAT-01": 1})
    services.recommendations_generate(by=team["assigned"], review=review)
    rec = Recommendation.objects.get(review=review)
    with pytest.raises(ReviewError) as caught:
        services.recommendation_update(
            by=team["assigned"],
            review=review,
            recommendation=rec,
            text=" ",
            priority="urgent",
            horizon="short",
            responsible="wizards",
        )
    assert sorted(caught.value.message_dict) == ["priority", "responsible", "text"]
    with pytest.raises(PermissionDenied):
        services.recommendation_update(
            by=team["other_reviewer"],
            review=review,
            recommendation=rec,
            text="x",
            priority="high",
            horizon="short",
            responsible="ministry",
        )


# --- validation comments --------------------------------------------------------------------------


def test_the_focal_point_comments_in_validation_and_reviewers_answer(
    framework: Any, make_review: Any, thailand: Any, team: dict[str, Any]
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(team["assigned"],))
    with pytest.raises(PermissionDenied):
        services.comment_add(by=team["focal_th"], review=review, body="Too early")
    Review.objects.filter(pk=review.pk).update(state=ReviewState.COUNTRY_VALIDATION)
    review.refresh_from_db()
    indicator = Indicator.objects.get(framework=framework, code="LEG-PROC-02")
    comment = services.comment_add(
        by=team["focal_th"],
        review=review,
        body="The 2023 decree sets 90 days.",
        indicator=indicator,
    )
    with pytest.raises(PermissionDenied):
        services.comment_add(by=team["assigned"], review=review, body="Reviewers answer only")
    with pytest.raises(PermissionDenied):
        services.comment_add(by=team["focal_vn"], review=review, body="Not our country")
    with pytest.raises(PermissionDenied):
        services.comment_reply(by=team["focal_th"], comment=comment, body="Me again")
    reply = services.comment_reply(
        by=team["assigned"], comment=comment, body="Noted; level 3 stands on that decree."
    )
    assert (reply.parent, reply.indicator, reply.author) == (comment, indicator, team["assigned"])
    Review.objects.filter(pk=review.pk).update(state=ReviewState.FINAL)
    comment.review.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.comment_reply(by=team["assigned"], comment=comment, body="Too late")
