"""Learning gain and feedback over activities, against figures computed by hand.

Activity A (topics T1 and T2), activity B (topic T2):

    person  country agency type  gender  activity  pre   post  gain   Hake g
    th1     TH      police unit  female  A         0.40  0.70  +0.30  0.30/0.60 = 0.5
    th2     TH      police unit  male    A         1.00  0.90  -0.10  undefined (perfect pre)
    vn1     VN      prosecution  female  A         0.50  0.90  +0.40  0.40/0.50 = 0.8
    vn2     VN      prosecution  male    A         0.60  -     drop-out (no post-test)
    th3     TH      academia     male    B         -     0.80  drop-out (no pre-test)
    vn1     VN      prosecution  female  B         0.20  0.60  +0.40  0.40/0.80 = 0.5
    th4     TH      police unit  female  B         -     -     neither: not counted at all

Overall: 4 pairs, 2 drop-outs; mean pre 2.1/4 = 0.525, mean post 3.1/4 = 0.775, gain 0.25;
mean g over the 3 defined = (0.5 + 0.8 + 0.5)/3 = 0.6; 1 undefined.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cybercap.activities import evaluations
from cybercap.activities.learning_gain import (
    FeedbackSummary,
    GainGroup,
    LearnerGain,
    feedback_summary,
    gain_summary,
    learner_gains,
    summarise,
)
from cybercap.activities.models import Activity, EvaluationScore, Registration
from cybercap.network.models import AgencyKind, Gender
from cybercap.quizzes import scoring
from tests.factories import AgencyFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db

APPROX = {"abs": 1e-9}


def _activity(title: str, topics: list[Any]) -> Activity:
    activity = Activity.objects.create(
        kind="training",
        title=title,
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 4),
        status="delivered",
    )
    activity.topics.set(topics)
    return activity


def _register(activity: Activity, person: Any, pre: float | None, post: float | None) -> Any:
    registration = Registration.objects.create(
        activity=activity,
        person=person,
        country=person.country,
        status="attended",
        nominated_at=timezone.now(),
    )
    for kind, value in (("pre", pre), ("post", post)):
        if value is not None:
            EvaluationScore.objects.create(
                registration=registration,
                kind=kind,
                score=value,
                source="paper",
                entered_at=timezone.now(),
            )
    return registration


@pytest.fixture
def world(thailand: Any, vietnam: Any) -> dict[str, Any]:
    police = AgencyFactory(country=thailand, kind=AgencyKind.POLICE_CYBER_UNIT)
    academia = AgencyFactory(country=thailand, kind=AgencyKind.ACADEMIA)
    prosecution = AgencyFactory(country=vietnam, kind=AgencyKind.PROSECUTION)
    th1 = PersonFactory(agency=police, gender=Gender.FEMALE, full_name="สมหญิง รักไทย")
    th2 = PersonFactory(agency=police, gender=Gender.MALE)
    th3 = PersonFactory(agency=academia, gender=Gender.MALE)
    th4 = PersonFactory(agency=police, gender=Gender.FEMALE)
    vn1 = PersonFactory(agency=prosecution, gender=Gender.FEMALE, full_name="Nguyễn Thị Hằng")
    vn2 = PersonFactory(agency=prosecution, gender=Gender.MALE)
    t1 = TopicFactory(key="digital-forensics", name="Digital forensics")
    t2 = TopicFactory(key="first-response", name="First response")
    a = _activity("A", [t1, t2])
    b = _activity("B", [t2])
    regs = {
        "th1": _register(a, th1, 0.40, 0.70),
        "th2": _register(a, th2, 1.00, 0.90),
        "vn1a": _register(a, vn1, 0.50, 0.90),
        "vn2": _register(a, vn2, 0.60, None),
        "th3": _register(b, th3, None, 0.80),
        "vn1b": _register(b, vn1, 0.20, 0.60),
        "th4": _register(b, th4, None, None),
    }
    return {"a": a, "b": b, "regs": regs}


def _check(group: GainGroup, expected: tuple[Any, ...]) -> None:
    key, label, pairs, dropouts, pre, post, gain, g, undefined = expected
    assert (group.key, group.label, group.pairs, group.dropouts, group.undefined) == (
        key,
        label,
        pairs,
        dropouts,
        undefined,
    )
    for got, want in ((group.mean_pre, pre), (group.mean_post, post), (group.mean_gain, gain)):
        assert (got is None) == (want is None)
        if want is not None:
            assert got == pytest.approx(want, **APPROX)
    assert (group.mean_normalised_gain is None) == (g is None)
    if g is not None:
        assert group.mean_normalised_gain == pytest.approx(g, **APPROX)


def test_the_overall_gain_uses_matched_pairs_and_counts_dropouts_beside(
    world: dict[str, Any],
) -> None:
    [group] = gain_summary(Activity.objects.all())
    _check(group, ("all", "All activities", 4, 2, 0.525, 0.775, 0.25, 0.6, 1))


def test_it_groups_by_activity(world: dict[str, Any]) -> None:
    a, b = world["a"], world["b"]
    groups = gain_summary(Activity.objects.all(), by="activity")
    assert len(groups) == 2
    _check(groups[0], (str(a.pk), "A", 3, 1, 1.9 / 3, 2.5 / 3, 0.2, 0.65, 1))
    _check(groups[1], (str(b.pk), "B", 1, 1, 0.2, 0.6, 0.4, 0.5, 0))


def test_it_groups_by_topic_counting_a_pair_under_each_topic_of_its_activity(
    world: dict[str, Any],
) -> None:
    groups = gain_summary(Activity.objects.all(), by="topic")
    _check(
        groups[0], ("digital-forensics", "Digital forensics", 3, 1, 1.9 / 3, 2.5 / 3, 0.2, 0.65, 1)
    )
    _check(groups[1], ("first-response", "First response", 4, 2, 0.525, 0.775, 0.25, 0.6, 1))


def test_it_groups_by_country(world: dict[str, Any]) -> None:
    groups = gain_summary(Activity.objects.all(), by="country")
    _check(groups[0], ("TH", "Thailand", 2, 1, 0.7, 0.8, 0.1, 0.5, 1))
    _check(groups[1], ("VN", "Viet Nam", 2, 1, 0.35, 0.75, 0.4, 0.65, 0))


def test_it_groups_by_agency_type(world: dict[str, Any]) -> None:
    groups = gain_summary(Activity.objects.all(), by="agency_type")
    assert [g.label for g in groups] == [
        "Academic or research body",
        "Police cybercrime unit",
        "Prosecutor's office",
    ]
    _check(groups[0], ("academia", "Academic or research body", 0, 1, None, None, None, None, 0))
    _check(groups[1], ("police_cyber_unit", "Police cybercrime unit", 2, 0, 0.7, 0.8, 0.1, 0.5, 1))
    _check(groups[2], ("prosecution", "Prosecutor's office", 2, 1, 0.35, 0.75, 0.4, 0.65, 0))


def test_it_groups_by_gender(world: dict[str, Any]) -> None:
    female, male = gain_summary(Activity.objects.all(), by="gender")
    _check(female, ("female", "Female", 3, 0, 1.1 / 3, 2.2 / 3, 1.1 / 3, 0.6, 0))
    # The only male pair had a perfect pre-test: means exist, Hake's g does not.
    _check(male, ("male", "Male", 1, 2, 1.0, 0.9, -0.1, None, 1))


def test_an_activity_subset_and_no_data(world: dict[str, Any]) -> None:
    [group] = gain_summary(Activity.objects.filter(pk=world["b"].pk))
    _check(group, ("all", "All activities", 1, 1, 0.2, 0.6, 0.4, 0.5, 0))
    [empty] = gain_summary(Activity.objects.none())
    _check(empty, ("all", "All activities", 0, 0, None, None, None, None, 0))
    assert gain_summary(Activity.objects.none(), by="country") == []
    with pytest.raises(ValueError):
        gain_summary(Activity.objects.all(), by="shoe size")


def test_per_learner_figures(world: dict[str, Any]) -> None:
    regs = world["regs"]
    gains = learner_gains(Registration.objects.all())
    assert regs["th4"].pk not in gains  # no score at all: neither a pair nor a drop-out
    th1, th2, vn2 = gains[regs["th1"].pk], gains[regs["th2"].pk], gains[regs["vn2"].pk]
    assert th1.gain == pytest.approx(0.3) and th1.normalised_gain == pytest.approx(0.5)
    assert th2.is_pair and th2.undefined and th2.normalised_gain is None
    assert vn2.is_dropout and not vn2.is_pair and vn2.gain is None and not vn2.undefined
    group = summarise(gains.values(), key="x", label="X")
    _check(group, ("x", "X", 4, 2, 0.525, 0.775, 0.25, 0.6, 1))


def test_a_negative_gain_and_a_post_test_of_zero() -> None:
    learner = LearnerGain(1, 0.5, 0.0)
    assert learner.gain == -0.5 and learner.normalised_gain == -1.0
    assert summarise([learner]).mean_normalised_gain == -1.0


@pytest.mark.parametrize("activities", [1, 3])
def test_gain_summary_runs_a_fixed_number_of_queries(
    activities: int, thailand: Any, django_assert_num_queries: Any
) -> None:
    topic = TopicFactory()
    for n in range(activities):
        activity = _activity(f"Activity {n}", [topic])
        for _k in range(3):
            _register(activity, PersonFactory(agency=AgencyFactory(country=thailand)), 0.5, 0.75)
    for by in (None, "activity", "country", "agency_type", "gender"):
        with django_assert_num_queries(1):
            gain_summary(Activity.objects.all(), by=by)
    with django_assert_num_queries(2):
        [group] = gain_summary(Activity.objects.all(), by="topic")
    assert group.pairs == 3 * activities
    assert group.mean_normalised_gain == pytest.approx(0.5)
    with django_assert_num_queries(2):
        feedback_summary(Activity.objects.all())


def test_feedback_summary_pools_questions_by_wording(world: dict[str, Any]) -> None:
    a, b, regs = world["a"], world["b"], world["regs"]
    qa = evaluations.feedback_questions_ensure(activity=a)
    qb = evaluations.feedback_questions_ensure(activity=b)
    evaluations.feedback_submit(
        registration=regs["th1"], answers={qa[0].pk: 4, qa[1].pk: 3, qa[6].pk: "The lab"}
    )
    evaluations.feedback_submit(registration=regs["vn1a"], answers={qa[0].pk: 5})
    evaluations.feedback_submit(registration=regs["vn1b"], answers={qb[0].pk: 2})
    summary = feedback_summary(Activity.objects.all())
    assert summary == FeedbackSummary(
        responses=3,
        mean_rating=pytest.approx((4 + 5 + 2 + 3) / 4),
        questions=[
            ("The activity met its stated objectives.", pytest.approx(11 / 3), 3),
            ("The content was relevant to my daily work.", 3.0, 1),
        ],
    )
    only_b = feedback_summary(Activity.objects.filter(pk=b.pk))
    assert (only_b.responses, only_b.mean_rating) == (1, 2.0)
    none = feedback_summary(Activity.objects.none())
    assert none == FeedbackSummary(responses=0, mean_rating=None, questions=[])


def test_scoring_helpers_by_hand() -> None:
    assert scoring.fraction_gain(0.4, 0.7) == pytest.approx(0.5)
    assert scoring.fraction_gain(1.0, 0.9) is None
    assert scoring.fraction_gain(1.0000000001, 1.0) is None  # clamped, not refused
    assert [scoring.gain_band(g) for g in (None, 0.1, 0.3, 0.7, 0.71)] == [
        None,
        "low",
        "medium",
        "medium",
        "high",
    ]
    # diffs 0.3, 0.4, 0.4: mean 0.3667, sample sd 0.05774, d = 6.351
    d = scoring.paired_effect_size([(0.4, 0.7), (0.5, 0.9), (0.2, 0.6)])
    assert d == pytest.approx((1.1 / 3) / (0.01 / 3) ** 0.5)
    assert scoring.paired_effect_size([(0.4, 0.7)]) is None
    assert scoring.paired_effect_size([(0.4, 0.7), (0.5, 0.8)]) is None
