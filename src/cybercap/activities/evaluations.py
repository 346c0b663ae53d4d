"""Evaluations of an activity: its pre- and post-test from the one question bank, scores taken
online or typed from paper, and the anonymous feedback survey. Writes are validated and
atomic; reads take an activity already fetched through the scoped selectors.

- The tests are ``quizzes.Test`` rows keyed ``activity-<pk>-<kind>``, one attempt each, built
  from items of the activity's topics (chosen by hand or drawn at random by topic).
- A score is a fraction from 0 to 1 per registration and test kind: from the participant's
  online attempt, or entered by a trainer from the paper copy (all rows at once, or none).
- The survey keeps who answered (a receipt, so that each participant answers once) apart from
  what was answered (a response that names nobody and keeps only the day).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cybercap.activities.models import (
    PLACE_TAKING,
    Activity,
    Evaluation,
    EvaluationKind,
    EvaluationScore,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackReceipt,
    FeedbackResponse,
    QuestionKind,
    Registration,
    ScoreSource,
)
from cybercap.activities.services import ActivityError
from cybercap.activities.survey import survey_ensure
from cybercap.network.models import Topic
from cybercap.quizzes import scoring
from cybercap.quizzes import services as quiz_services
from cybercap.quizzes.models import Attempt, Item, Test


def kind_or_none(value: str) -> EvaluationKind | None:
    return EvaluationKind(value) if value in EvaluationKind.values else None


def test_key(activity: Activity, kind: str) -> str:
    return f"activity-{activity.pk}-{kind}"


# --------------------------------------------------------------------------- reads


def gain_band_label(g: float | None) -> str:
    """Hake's band of a normalised gain, in words."""
    labels = {"low": _("low"), "medium": _("medium"), "high": _("high")}
    band = scoring.gain_band(g)
    return labels[band] if band else ""


def evaluations_by_kind(activity: Activity) -> dict[str, Evaluation]:
    return {e.kind: e for e in Evaluation.objects.filter(activity=activity).select_related("test")}


def bank_items(activity: Activity) -> QuerySet[Item]:
    """Items of the question bank on the activity's topics (any language), not retired."""
    return (
        Item.objects.filter(topic__in=activity.topics.all(), retired=False)
        .select_related("topic")
        .order_by("topic__position", "topic__key", "key", "language")
    )


def participant_registration(*, user: Any, activity: Activity) -> Registration | None:
    """The user's own place on the activity (approved, confirmed or attended), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Registration.objects.filter(
            activity=activity, person__user_id=user.pk, status__in=PLACE_TAKING
        )
        .select_related("person", "activity")
        .first()
    )


def scores_for(registrations: Sequence[Registration]) -> dict[int, dict[str, EvaluationScore]]:
    out: dict[int, dict[str, EvaluationScore]] = {r.pk: {} for r in registrations}
    for score in EvaluationScore.objects.filter(registration__in=[r.pk for r in registrations]):
        out[score.registration_id][score.kind] = score
    return out


def score_sheet(activity: Activity) -> list[Registration]:
    """Who gets a score line: everyone with a place, and anyone already scored."""
    scored = EvaluationScore.objects.filter(registration__activity=activity).values(
        "registration_id"
    )
    return list(
        Registration.objects.filter(activity=activity)
        .filter(Q(status__in=PLACE_TAKING) | Q(pk__in=scored))
        .select_related("person", "person__agency", "country")
        .order_by("country__name", "person__full_name", "pk")
    )


def feedback_questions(activity: Activity) -> list[FeedbackQuestion]:
    """The questions a participant is asked now: the survey's, less the retired ones."""
    return list(FeedbackQuestion.objects.filter(activity=activity, retired=False))


def has_answered_survey(registration: Registration) -> bool:
    return FeedbackReceipt.objects.filter(registration=registration).exists()


# --------------------------------------------------------------------------- writes: tests


def draw_items(
    *, activity: Activity, topic: Topic | None, count: int, rng: random.Random | None = None
) -> list[Item]:
    """``count`` items drawn at random from the activity's topics (or one of them)."""
    pool = list(bank_items(activity))
    if topic is not None:
        pool = [i for i in pool if i.topic_id == topic.pk]
    if count < 1:
        raise ActivityError(_("Draw at least one item."))
    if count > len(pool):
        raise ActivityError(
            _("The question bank has only %(n)d items on that topic.") % {"n": len(pool)}
        )
    rng = rng or random.Random()  # noqa: S311 - which questions to ask, not security
    return sorted(rng.sample(pool, count), key=lambda i: i.key)


@transaction.atomic
def evaluation_set(
    *,
    activity: Activity,
    kind: str,
    items: Sequence[Item],
    online: bool,
    pass_mark: float,
    by: Any,
) -> Evaluation:
    """Set an activity's pre- or post-test: its items, whether it is open online, its pass mark.

    Once a participant has started it online its items can no longer change (their answers
    would not mean the same); the pass mark and the online switch still may.
    """
    if kind not in EvaluationKind.values:
        raise ActivityError(_("Unknown test."))
    if not 0 <= pass_mark <= 1:
        raise ActivityError(_("The pass mark is a percentage from 0 to 100."))
    if online and not items:
        raise ActivityError(_("A test taken online needs at least one item."))
    allowed = set(bank_items(activity).values_list("pk", flat=True))
    if any(i.pk not in allowed for i in items):
        raise ActivityError(_("Items must come from the activity's topics."))
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .filter(activity=activity, kind=kind)
        .select_related("test")
        .first()
    )
    if evaluation is None:
        evaluation = Evaluation(activity=activity, kind=kind)
    test = evaluation.test
    wanted = sorted(i.pk for i in items)
    if test is not None:
        current = sorted(test.items.values_list("pk", flat=True))
        if current != wanted and Attempt.objects.filter(test=test).exists():
            raise ActivityError(
                _("Participants have already taken this test online: its items cannot change.")
            )
    if items:
        title = f"{activity.title}: {EvaluationKind(kind).label}"
        test, _created = Test.objects.update_or_create(
            key=test_key(activity, kind),
            defaults={
                "title": title[:200],
                "draw": None,
                "pass_mark": pass_mark,
                "max_attempts": 1,
                "shuffle": True,
            },
        )
        test.items.set(items)
    evaluation.test = test
    evaluation.online = online
    evaluation.pass_mark = pass_mark
    evaluation.updated_by = by
    evaluation.save()
    return evaluation


@dataclass(frozen=True)
class ScoreChange:
    registration: Registration
    kind: str
    value: Decimal | None  # a percentage, or None to clear a paper score


@transaction.atomic
def scores_enter(*, activity: Activity, changes: Sequence[ScoreChange], by: Any) -> int:
    """Paper scores for many participants at once (percentages), all or none.

    An empty value clears a paper score; a score taken online is never overwritten. Returns the
    number of scores written or cleared.
    """
    registrations = {r.registration.pk for r in changes}
    existing = {
        (s.registration_id, s.kind): s
        for s in EvaluationScore.objects.select_for_update().filter(registration__in=registrations)
    }
    now = timezone.now()
    done = 0
    for change in changes:
        if change.registration.activity_id != activity.pk:
            raise ActivityError(_("A participant of another activity was named."))
        score = existing.get((change.registration.pk, change.kind))
        if score is not None and score.source == ScoreSource.ONLINE:
            raise ActivityError(
                _("%(name)s took the %(test)s online; that score stays.")
                % {
                    "name": change.registration.person.full_name,
                    "test": EvaluationKind(change.kind).label,
                }
            )
        if change.value is None:
            if score is not None:
                score.delete()
                done += 1
            continue
        if not 0 <= change.value <= 100:
            raise ActivityError(_("Scores are percentages from 0 to 100."))
        fraction = float(change.value) / 100
        if score is None:
            EvaluationScore.objects.create(
                registration=change.registration,
                kind=change.kind,
                score=fraction,
                source=ScoreSource.PAPER,
                entered_by=by,
                entered_at=now,
            )
            done += 1
        elif score.score != fraction:
            score.score = fraction
            score.entered_by = by
            score.entered_at = now
            score.save(update_fields=["score", "entered_by", "entered_at"])
            done += 1
    return done


def online_test(*, registration: Registration, kind: str) -> Evaluation:
    """The evaluation a participant may take online now, or an ActivityError saying why not."""
    evaluation = (
        Evaluation.objects.filter(activity_id=registration.activity_id, kind=kind)
        .select_related("test")
        .first()
    )
    if evaluation is None or evaluation.test is None or not evaluation.online:
        raise ActivityError(_("This test is not open online."))
    if EvaluationScore.objects.filter(registration=registration, kind=kind).exists():
        raise ActivityError(_("Your score for this test is already recorded."))
    return evaluation


def take_start(*, registration: Registration, kind: str, user: Any) -> Attempt:
    evaluation = online_test(registration=registration, kind=kind)
    assert evaluation.test is not None
    try:
        return quiz_services.attempt_start(user=user, test=evaluation.test)
    except quiz_services.AttemptLimitReached as exc:
        raise ActivityError(_("You have already taken this test.")) from exc


@transaction.atomic
def take_submit(
    *,
    registration: Registration,
    kind: str,
    attempt: Attempt,
    answers: Mapping[str, Any],
    items: list[Item],
) -> EvaluationScore:
    """Score the online attempt and record it as the participant's score for the test."""
    online_test(registration=registration, kind=kind)
    attempt = quiz_services.attempt_submit(attempt=attempt, answers=answers, items=items)
    assert attempt.score is not None and attempt.submitted_at is not None
    score, _created = EvaluationScore.objects.update_or_create(
        registration=registration,
        kind=kind,
        defaults={
            "score": min(max(attempt.score, 0.0), 1.0),
            "source": ScoreSource.ONLINE,
            "attempt": attempt,
            "entered_by": attempt.user,
            "entered_at": attempt.submitted_at,
        },
    )
    return score


# --------------------------------------------------------------------------- writes: survey


def feedback_questions_ensure(*, activity: Activity) -> list[FeedbackQuestion]:
    """The questions asked now; the standard set is copied in the first time (see survey.py)."""
    survey_ensure(activity=activity)
    return feedback_questions(activity)


@transaction.atomic
def feedback_submit(
    *, registration: Registration, answers: Mapping[int, int | str | None]
) -> FeedbackResponse:
    """Record one participant's survey answers, once. The answers name nobody. Answers to
    questions no longer asked (retired or removed meanwhile) are left out."""
    questions = {q.pk: q for q in feedback_questions(registration.activity)}
    if not questions:
        raise ActivityError(_("This survey has no questions at the moment."))
    try:
        with transaction.atomic():
            FeedbackReceipt.objects.create(registration=registration, submitted_at=timezone.now())
    except IntegrityError as exc:
        raise ActivityError(_("You have already answered this survey.")) from exc
    response = FeedbackResponse.objects.create(
        activity_id=registration.activity_id, submitted_on=timezone.localdate()
    )
    rows = []
    for question_id, value in answers.items():
        question = questions.get(question_id)
        if question is None or value in (None, ""):
            continue
        if question.kind == QuestionKind.LIKERT:
            if not isinstance(value, int) or not 1 <= value <= 5:
                raise ActivityError(_("Ratings go from 1 to 5."))
            rows.append(FeedbackAnswer(response=response, question=question, rating=value))
        else:
            rows.append(FeedbackAnswer(response=response, question=question, text=str(value)))
    FeedbackAnswer.objects.bulk_create(rows)
    return response


# --------------------------------------------------------------------------- achievement


def achievement_candidates(activity: Activity) -> tuple[Evaluation | None, list[Registration]]:
    """The post-test and the participants whose post-test score reached its pass mark."""
    post = Evaluation.objects.filter(activity=activity, kind=EvaluationKind.POST).first()
    if post is None:
        return None, []
    passed = EvaluationScore.objects.filter(
        registration__activity=activity,
        kind=EvaluationKind.POST,
        score__gte=post.pass_mark - 1e-9,
    ).values("registration_id")
    return post, list(
        Registration.objects.filter(pk__in=passed)
        .select_related("person", "person__user")
        .order_by("person__full_name", "pk")
    )


def achievement_holders(activity: Activity) -> set[int]:
    """Ids of the people who hold a valid achievement certificate for the activity."""
    from cybercap.certificates.models import Certificate, CertificateKind

    return set(
        Certificate.objects.filter(
            activity=activity,
            kind=CertificateKind.ACHIEVEMENT,
            revoked_at__isnull=True,
            holder_person__isnull=False,
        ).values_list("holder_person_id", flat=True)
    )


@transaction.atomic
def achievement_issue(*, activity: Activity, by: Any) -> list[Any]:
    """Achievement certificates for every participant who passed the post-test and has none
    yet; returns those issued now. All or nothing."""
    from cybercap.certificates.models import CertificateKind
    from cybercap.certificates.services import CertificateError, issue_certificate

    post, passed = achievement_candidates(activity)
    if post is None:
        raise ActivityError(_("Set up the post-test and its pass mark first."))
    holders = achievement_holders(activity)
    issued = []
    for registration in passed:
        if registration.person_id in holders:
            continue
        person = registration.person
        user = person.user if person.user_id else None
        try:
            issued.append(
                issue_certificate(
                    holder_person=person,
                    holder_user=user,
                    kind=CertificateKind.ACHIEVEMENT,
                    title=activity.title,
                    starts=activity.start_date,
                    ends=activity.end_date,
                    activity=activity,
                    language=(getattr(user, "language", "") or "en") if user else "en",
                    issued_by=by,
                )
            )
        except CertificateError as exc:
            raise ActivityError(str(exc)) from exc
    return issued
