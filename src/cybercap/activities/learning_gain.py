"""Learning gain (Kirkpatrick level 2) and feedback (level 1) over programme activities.

Rules (see docs and ``quizzes/scoring.py``, which owns the arithmetic):

* A participant's scores are fractions from 0 to 1 (``EvaluationScore``), one per test kind.
* Only **matched pairs** (a pre-test and a post-test for the same registration) enter the means.
  A registration with only one of the two is a **drop-out**, counted beside the gain and never
  inside it (normalised gain would silently ignore them otherwise).
* Absolute gain: mean post minus mean pre over the pairs (0 to 1 scale).
* Hake's normalised gain, per learner ``g = (post - pre) / (1 - pre)``; the group figure is the
  mean of g over the pairs whose pre-test was below 1. At a perfect pre-test g is undefined:
  such a pair counts in ``pairs`` and the means of pre and post, and in ``undefined``.
* Groups: overall, or by activity, topic (a pair counts once under each topic of its activity),
  country (the country the participant was nominated for), agency type and gender.

Every function here runs a fixed number of queries whatever the number of activities or people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Avg, Count, Min, QuerySet
from django.utils.translation import gettext as _

from cybercap.activities.models import (
    Activity,
    EvaluationKind,
    EvaluationScore,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
    Registration,
)
from cybercap.network.models import AgencyKind, Gender
from cybercap.quizzes import scoring

GROUPINGS = ("activity", "topic", "country", "agency_type", "gender")


@dataclass(frozen=True)
class GainGroup:
    key: str
    label: str
    pairs: int
    dropouts: int
    mean_pre: float | None
    mean_post: float | None
    mean_gain: float | None
    mean_normalised_gain: float | None
    undefined: int


@dataclass(frozen=True)
class FeedbackSummary:
    responses: int
    mean_rating: float | None
    questions: list[tuple[str, float | None, int]]


@dataclass(frozen=True)
class LearnerGain:
    """One registration's scores and what they make."""

    registration_id: int
    pre: float | None
    post: float | None

    @property
    def is_pair(self) -> bool:
        return self.pre is not None and self.post is not None

    @property
    def is_dropout(self) -> bool:
        return (self.pre is None) != (self.post is None)

    @property
    def gain(self) -> float | None:
        if self.pre is None or self.post is None:
            return None
        return self.post - self.pre

    @property
    def normalised_gain(self) -> float | None:
        if self.pre is None or self.post is None:
            return None
        return scoring.fraction_gain(self.pre, self.post)

    @property
    def undefined(self) -> bool:
        """A matched pair whose pre-test was perfect: Hake's g cannot be computed."""
        return self.is_pair and self.normalised_gain is None


def summarise(learners: Iterable[LearnerGain], *, key: str = "all", label: str = "") -> GainGroup:
    """One group's figures from its learners (pairs in the means, drop-outs beside)."""
    pairs: list[tuple[float, float]] = []
    dropouts = 0
    for learner in learners:
        if learner.pre is not None and learner.post is not None:
            pairs.append((learner.pre, learner.post))
        elif learner.is_dropout:
            dropouts += 1
    if not pairs:
        return GainGroup(key, label, 0, dropouts, None, None, None, None, 0)
    # scoring.class_gain works on percentages; this module speaks fractions.
    result = scoring.class_gain(
        [(min(max(p, 0.0), 1.0) * 100, min(max(q, 0.0), 1.0) * 100) for p, q in pairs]
    )
    assert result.mean_pre is not None and result.mean_post is not None
    return GainGroup(
        key=key,
        label=label,
        pairs=result.pairs,
        dropouts=dropouts,
        mean_pre=result.mean_pre / 100,
        mean_post=result.mean_post / 100,
        mean_gain=(result.mean_post - result.mean_pre) / 100,
        mean_normalised_gain=result.mean_learner_gain,
        undefined=result.undefined_learners,
    )


def effect_size(learners: Iterable[LearnerGain]) -> float | None:
    """Cohen's d for the matched pairs (see :func:`scoring.paired_effect_size`)."""
    return scoring.paired_effect_size(
        [(x.pre, x.post) for x in learners if x.pre is not None and x.post is not None]
    )


def _scores_by_registration(
    rows: Iterable[tuple[int, str, float]],
) -> dict[int, dict[str, float]]:
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    for registration_id, kind, score in rows:
        scores[registration_id][kind] = score
    return scores


def _learner(registration_id: int, scores: dict[str, float]) -> LearnerGain:
    return LearnerGain(
        registration_id, scores.get(EvaluationKind.PRE), scores.get(EvaluationKind.POST)
    )


def learner_gains(registrations: QuerySet[Registration]) -> dict[int, LearnerGain]:
    """Every given registration's scores, by registration id, in one query."""
    rows = EvaluationScore.objects.filter(registration__in=registrations.values("pk")).values_list(
        "registration_id", "kind", "score"
    )
    scores = _scores_by_registration(rows)
    return {rid: _learner(rid, s) for rid, s in scores.items()}


def _group_labels(by: str) -> dict[str, str]:
    if by == "agency_type":
        return {str(k.value): str(k.label) for k in AgencyKind} | {"none": _("No agency")}
    if by == "gender":
        return {str(k.value): str(k.label) for k in Gender}
    return {}


def gain_summary(
    activities: QuerySet[Activity],
    by: str | None = None,
    *,
    countries: Collection[str] | None = None,
) -> list[GainGroup]:
    """Learning gain over the activities, overall (``by=None``) or one group per value of
    ``by``; groups sorted by label. One query (two by topic). ``countries`` (codes) keeps only
    the participants nominated for those countries."""
    return gain_summaries(activities, (by,), countries=countries)[by]


def gain_summaries(
    activities: QuerySet[Activity],
    groupings: Sequence[str | None],
    *,
    countries: Collection[str] | None = None,
) -> dict[str | None, list[GainGroup]]:
    """:func:`gain_summary` for several groupings from one read of the scores (a dashboard
    shows overall, by country, by topic and by gender: one pass instead of four)."""
    for by in groupings:
        if by is not None and by not in GROUPINGS:
            raise ValueError(f"unknown grouping {by!r}")
    activity_ids = activities.order_by().values("pk")
    scored = EvaluationScore.objects.filter(registration__activity_id__in=activity_ids)
    if countries is not None:
        scored = scored.filter(registration__country__code__in=sorted(countries))
    rows = scored.values_list(
        "registration_id",
        "kind",
        "score",
        "registration__activity_id",
        "registration__activity__title",
        "registration__country__code",
        "registration__country__name",
        "registration__person__agency__kind",
        "registration__person__gender",
    )
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    facts: dict[int, tuple[int, str, str, str, str | None, str]] = {}
    for rid, kind, score, activity_id, title, code, country, agency_kind, gender in rows:
        scores[rid][kind] = score
        facts[rid] = (activity_id, title, code, country, agency_kind, gender)
    # Each learner's figures once (clipped percentages and Hake's g), then only appended to
    # the groups they belong to: the same arithmetic as summarise(), without redoing it per
    # grouping (``_Group.summary`` sums the same values in the same order).
    contributions: list[tuple[int, _Contribution]] = []
    for rid, s in scores.items():
        pre, post = s.get(EvaluationKind.PRE), s.get(EvaluationKind.POST)
        if pre is not None and post is not None:
            p, q = min(max(pre, 0.0), 1.0) * 100, min(max(post, 0.0), 1.0) * 100
            contributions.append((rid, (p, q, scoring.normalised_gain(p, q))))
        else:
            contributions.append((rid, None))

    topics: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if "topic" in groupings:
        links = Activity.topics.through.objects.filter(activity_id__in=activity_ids).values_list(
            "activity_id", "topic__key", "topic__name"
        )
        for activity_id, topic_key, topic_name in links:
            topics[activity_id].append((topic_key, topic_name))

    result: dict[str | None, list[GainGroup]] = {}
    for by in groupings:
        if by is None:
            everyone = _Group()
            for _rid, contribution in contributions:
                everyone.add(contribution)
            result[by] = [everyone.summary("all", _("All activities"))]
            continue
        fixed = _group_labels(by)
        groups: dict[str, _Group] = defaultdict(_Group)
        labels: dict[str, str] = {}
        no_topic = [("none", _("No topic"))]
        for rid, contribution in contributions:
            activity_id, title, code, country, kind_of_agency, gender = facts[rid]
            if by == "topic":
                for key, label in topics.get(activity_id) or no_topic:
                    groups[key].add(contribution)
                    labels[key] = label
                continue
            if by == "activity":
                key, label = str(activity_id), title
            elif by == "country":
                key, label = code, country
            elif by == "agency_type":
                key = kind_of_agency or "none"
                label = fixed.get(key, key)
            else:
                key, label = gender, fixed.get(gender, gender)
            groups[key].add(contribution)
            labels[key] = label
        result[by] = sorted(
            (group.summary(key, labels[key]) for key, group in groups.items()),
            key=lambda g: (g.label.casefold(), g.key),
        )
    return result


# A matched pair's (pre %, post %, g or None), or None for a drop-out.
_Contribution = tuple[float, float, float | None] | None


class _Group:
    """The pairs and drop-outs of one group, summed as :func:`summarise` sums them."""

    __slots__ = ("dropouts", "gains", "posts", "pres")

    def __init__(self) -> None:
        self.pres: list[float] = []
        self.posts: list[float] = []
        self.gains: list[float] = []
        self.dropouts = 0

    def add(self, contribution: _Contribution) -> None:
        if contribution is None:
            self.dropouts += 1
            return
        p, q, g = contribution
        self.pres.append(p)
        self.posts.append(q)
        if g is not None:
            self.gains.append(g)

    def summary(self, key: str, label: str) -> GainGroup:
        n = len(self.pres)
        if not n:
            return GainGroup(key, label, 0, self.dropouts, None, None, None, None, 0)
        mean_pre = sum(self.pres) / n
        mean_post = sum(self.posts) / n
        return GainGroup(
            key=key,
            label=label,
            pairs=n,
            dropouts=self.dropouts,
            mean_pre=mean_pre / 100,
            mean_post=mean_post / 100,
            mean_gain=(mean_post - mean_pre) / 100,
            mean_normalised_gain=sum(self.gains) / len(self.gains) if self.gains else None,
            undefined=n - len(self.gains),
        )


def feedback_summary(activities: QuerySet[Activity]) -> FeedbackSummary:
    """Survey responses over the activities: their number, the mean of every 1-5 rating, and
    each rating question's mean and count (questions with the same wording pooled). Two
    queries."""
    activity_ids = activities.order_by().values("pk")
    responses = FeedbackResponse.objects.filter(activity_id__in=activity_ids).count()
    per_question = (
        FeedbackAnswer.objects.filter(
            response__activity_id__in=activity_ids,
            question__kind=QuestionKind.LIKERT,
            rating__isnull=False,
        )
        .values("question__text")
        .annotate(mean=Avg("rating"), n=Count("pk"), first=Min("question__position"))
        .order_by("first", "question__text")
    )
    questions = [(q["question__text"], q["mean"], q["n"]) for q in per_question]
    total = sum(n for _label, _mean, n in questions)
    mean_rating = sum((m or 0) * n for _label, m, n in questions) / total if total else None
    return FeedbackSummary(responses=responses, mean_rating=mean_rating, questions=questions)


@dataclass(frozen=True)
class QuestionResult:
    """One question of an activity's survey and what its answers make."""

    text: str
    kind: str
    retired: bool
    answers: int
    mean: float | None  # ratings only
    counts: tuple[int, ...]  # ratings only: how many chose 1, 2, 3, 4, 5


@dataclass(frozen=True)
class ActivityFeedback:
    responses: int
    mean_rating: float | None
    questions: list[QuestionResult]


def activity_feedback(activity: Activity) -> ActivityFeedback:
    """One activity's survey results, question by question in the survey's own order (its
    current questions, and retired ones that have answers). Three queries."""
    questions = list(FeedbackQuestion.objects.filter(activity=activity).order_by("position", "pk"))
    tally: dict[int, dict[int | None, int]] = defaultdict(dict)
    rows = (
        FeedbackAnswer.objects.filter(question__activity=activity)
        .values("question_id", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        tally[row["question_id"]][row["rating"]] = row["n"]
    results = []
    ratings = total = 0
    for question in questions:
        counts = tally.get(question.pk, {})
        answers = sum(counts.values())
        if question.retired and not answers:
            continue
        if question.kind == QuestionKind.LIKERT:
            per = tuple(counts.get(r, 0) for r in range(1, 6))
            rated = sum(per)
            weighted = sum(r * n for r, n in zip(range(1, 6), per, strict=True))
            ratings += weighted
            total += rated
            mean = weighted / rated if rated else None
        else:
            per, mean = (), None
        results.append(
            QuestionResult(question.text, question.kind, question.retired, answers, mean, per)
        )
    responses = FeedbackResponse.objects.filter(activity=activity).count()
    return ActivityFeedback(
        responses=responses,
        mean_rating=ratings / total if total else None,
        questions=results,
    )


def feedback_comments(activity: Activity) -> list[tuple[str, str]]:
    """The free-text answers to an activity's survey, as (question, answer), names withheld."""
    return list(
        FeedbackAnswer.objects.filter(response__activity=activity, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .order_by("question__position", "question_id", "pk")
        .values_list("question__text", "text")
    )
