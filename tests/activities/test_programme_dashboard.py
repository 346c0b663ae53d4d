"""The programme indicators dashboard: figures against a hand-computed fixture, scope, queries.

The fixture (``programme_world``), used by the donor report tests too:

- A1, phase 1, training, topic F, reported, 2 sessions: th1 (F), th2 (M), vn1 (F) attended;
  vn2 declined. Present: th1 2, th2 1, vn1 2 → 5 of 3 x 2 = 6.
- A2, phase 1, workshop, topics F and M, reported, 1 session: th1 and th3 (F, a CERT) attended;
  vn2 confirmed but absent → 2 present of 3 x 1 = 3.
- A3, phase 2, training, topic M, open: th2 approved, vn1 nominated.
- Speakers: E1 at A1 and A2, E2 at A2; trainer user T (no person record) on A1 and A3.

- Tests (pre → post): A1 th1 0.4 → 0.8 (g 2/3), th2 1.0 → 1.0 (g undefined), vn1 0.5 → 0.75
  (g 1/2); A2 th1 0.6 → none (a drop-out), th3 0.2 → 0.6 (g 1/2).
- Feedback: "The training met my needs" 4 and 5 (A1), 3 (A2); "The trainers explained
  clearly" 5 (A1); three responses.

Overall: 3 activities (2 delivered), 4 unique participants, 5 participations, 2 countries,
3 trainers and experts, attendance 7/9, 3 of 4 participants female; 4 pairs, 1 drop-out, mean
pre 0.525, post 0.7875, gain 0.2625, normalised gain (2/3 + 1/2 + 1/2)/3 = 5/9, 1 undefined;
feedback mean (4+5+3+5)/4 = 4.25. The Thai focal point: 3 participants (th1, th2, th3), 4
participations, 1 country, attendance (2+1 + 2)/(2x2 + 2x1) = 5/6; gain over 3 pairs: pre 1.6/3,
post 2.4/3, gain 0.8/3, normalised (2/3 + 1/2)/2 = 7/12, 1 drop-out, 1 undefined.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cybercap.activities import programme, services
from cybercap.activities.models import (
    Activity,
    ActivityStatus,
    EvaluationScore,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from tests.conftest import login
from tests.factories import AgencyFactory, PersonFactory, RoleFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
DASHBOARD_QUERIES = 19


@dataclass
class ProgrammeWorld:
    a1: Activity
    a2: Activity
    a3: Activity
    people: dict[str, Any]
    staff: Any
    trainer: Any


def _activity(staff: Any, host: Any, **fields: Any) -> Activity:
    values: dict[str, Any] = {
        "kind": "training",
        "phase": 1,
        "start_date": dt.date(2017, 3, 6),
        "end_date": dt.date(2017, 3, 7),
        "city": "Bangkok",
        "time_zone": "Asia/Bangkok",
        "host_country": host,
        "capacity": 20,
    }
    values.update(fields)
    return services.activity_create(**values)


def _session(activity: Activity, day: int, speakers: list[Any]) -> Any:
    start = dt.datetime(activity.start_date.year, activity.start_date.month, day, 2, 0, tzinfo=UTC)
    return services.session_add(
        activity=activity,
        title=f"Session {day}",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        speakers=speakers,
    )


def _register(activity: Activity, person: Any, status: str, staff: Any) -> Registration:
    return Registration.objects.create(
        activity=activity,
        person=person,
        country=person.country,
        status=status,
        nominated_by=staff,
        nominated_at=dt.datetime(2017, 1, 1, tzinfo=UTC),
        badge_code=services.new_badge_code(),
    )


def _present(session: Any, registration: Registration, staff: Any) -> None:
    services.attendance_mark(session=session, registration=registration, present=True, by=staff)


def _question(activity: Activity, position: int, text: str) -> FeedbackQuestion:
    return FeedbackQuestion.objects.create(
        activity=activity, position=position, kind=QuestionKind.LIKERT, text=text
    )


def build_programme_world(thailand: Any, vietnam: Any, *, suffix: str = "") -> ProgrammeWorld:
    staff = UserFactory(username=f"prog-staff{suffix}")
    RoleFactory(user=staff, role="staff")
    trainer = UserFactory(username=f"prog-trainer{suffix}")
    RoleFactory(user=trainer, role="trainer")
    th_police = AgencyFactory(country=thailand, kind="police_cyber_unit")
    th_cert = AgencyFactory(country=thailand, kind="cert")
    vn_police = AgencyFactory(country=vietnam, kind="police_cyber_unit")
    p = {
        "th1": PersonFactory(agency=th_police, full_name=f"สมหญิง ใจดี{suffix}", gender="female"),
        "th2": PersonFactory(agency=th_police, full_name=f"สมชาย รักไทย{suffix}", gender="male"),
        "th3": PersonFactory(agency=th_cert, full_name=f"มาลี ศรีสุข{suffix}", gender="female"),
        "vn1": PersonFactory(
            agency=vn_police, full_name=f"Nguyễn Thị Hằng{suffix}", gender="female"
        ),
        "vn2": PersonFactory(agency=vn_police, full_name=f"Trần Văn Đức{suffix}", gender="male"),
        "e1": PersonFactory(agency=th_cert, full_name=f"Expert One{suffix}"),
        "e2": PersonFactory(agency=vn_police, full_name=f"Expert Two{suffix}"),
    }
    forensics = TopicFactory(name=f"Digital forensics{suffix}")
    malware = TopicFactory(name=f"Malware analysis{suffix}")

    a1 = _activity(staff, thailand, title=f"A1 forensics{suffix}", topics=[forensics])
    s11 = _session(a1, 6, [p["e1"]])
    s12 = _session(a1, 7, [p["e1"]])
    r = {
        name: _register(a1, p[name], RegistrationStatus.CONFIRMED, staff)
        for name in ("th1", "th2", "vn1")
    }
    _register(a1, p["vn2"], RegistrationStatus.DECLINED, staff)
    for session in (s11, s12):
        _present(session, r["th1"], staff)
        _present(session, r["vn1"], staff)
    _present(s11, r["th2"], staff)

    a2 = _activity(
        staff,
        vietnam,
        title=f"A2 workshop{suffix}",
        kind="workshop",
        start_date=dt.date(2017, 6, 12),
        end_date=dt.date(2017, 6, 12),
        topics=[forensics, malware],
    )
    s21 = _session(a2, 12, [p["e1"], p["e2"]])
    for name in ("th1", "th3"):
        _present(s21, _register(a2, p[name], RegistrationStatus.CONFIRMED, staff), staff)
    _register(a2, p["vn2"], RegistrationStatus.CONFIRMED, staff)

    a3 = _activity(
        staff,
        thailand,
        title=f"A3 malware{suffix}",
        phase=2,
        start_date=dt.date(2027, 2, 1),
        end_date=dt.date(2027, 2, 3),
        topics=[malware],
    )
    services.activity_transition(activity=a3, to_status=ActivityStatus.OPEN, by=staff)
    for country in (thailand, vietnam):
        services.quota_set(activity=a3, country=country, seats=2)
    _register(a3, p["th2"], RegistrationStatus.APPROVED, staff)
    _register(a3, p["vn1"], RegistrationStatus.NOMINATED, staff)

    scores = {
        (a1, "th1"): (0.4, 0.8),
        (a1, "th2"): (1.0, 1.0),
        (a1, "vn1"): (0.5, 0.75),
        (a2, "th1"): (0.6, None),
        (a2, "th3"): (0.2, 0.6),
    }
    for (activity, name), pair in scores.items():
        registration = Registration.objects.get(activity=activity, person=p[name])
        for kind, score in zip(("pre", "post"), pair, strict=True):
            if score is not None:
                EvaluationScore.objects.create(
                    registration=registration,
                    kind=kind,
                    score=score,
                    source="paper",
                    entered_at=dt.datetime(2017, 3, 7, tzinfo=UTC),
                )
    needs = {a: _question(a, 0, "The training met my needs") for a in (a1, a2)}
    clear = _question(a1, 1, "The trainers explained clearly")
    for activity, ratings in ((a1, [(4, 5), (5, None)]), (a2, [(3, None)])):
        for first, second in ratings:
            response = FeedbackResponse.objects.create(
                activity=activity, submitted_on=activity.end_date
            )
            FeedbackAnswer.objects.create(response=response, question=needs[activity], rating=first)
            if second is not None:
                FeedbackAnswer.objects.create(response=response, question=clear, rating=second)

    for activity in (a1, a2):
        Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.REPORTED)
        activity.refresh_from_db()
    for activity in (a1, a3):
        services.trainer_assign(activity=activity, user=trainer)
    return ProgrammeWorld(a1, a2, a3, p, staff, trainer)


@pytest.fixture
def programme_world(thailand: Any, vietnam: Any) -> ProgrammeWorld:
    return build_programme_world(thailand, vietnam)


def _by(rows: list[Any]) -> dict[str, tuple[int, int]]:
    return {r.key: (r.value, r.extra) for r in rows}


# --- the figures --------------------------------------------------------------------------------


def test_the_overall_figures_match_the_hand_computed_ones(programme_world: ProgrammeWorld) -> None:
    ind = programme.indicators(programme.scope_all())
    assert (ind.activities, ind.delivered) == (3, 2)
    assert _by(ind.by_type) == {"training": (2, 0), "workshop": (1, 0)}
    assert {r.label: r.value for r in ind.by_topic} == {
        "Digital forensics": 2,
        "Malware analysis": 2,
    }
    assert (ind.participants, ind.participations, ind.countries, ind.trainers) == (4, 5, 2, 3)
    assert _by(ind.by_country) == {"TH": (3, 4), "VN": (1, 1)}
    assert _by(ind.by_agency_type) == {"police_cyber_unit": (3, 4), "cert": (1, 1)}
    assert _by(ind.by_gender) == {"female": (3, 4), "male": (1, 1)}
    assert ind.female_share == 0.75
    assert (ind.present, ind.expected_slots) == (7, 9)
    assert ind.attendance_rate == pytest.approx(7 / 9)
    assert [
        (
            p.phase,
            p.activities,
            p.delivered,
            p.participants,
            p.participations,
            p.countries,
            p.trainers,
        )
        for p in ind.phases
    ] == [(1, 2, 2, 4, 5, 2, 3), (2, 1, 0, 0, 0, 0, 1)]
    assert ind.phases[0].attendance_rate == pytest.approx(7 / 9)
    assert ind.phases[1].attendance_rate is None
    rows = {r.title: r for r in ind.activity_rows}
    assert rows["A1 forensics"].attendance_rate == pytest.approx(5 / 6)
    assert rows["A2 workshop"].attendance_rate == pytest.approx(2 / 3)
    assert rows["A3 malware"].attendance_rate is None


def test_learning_gain_and_feedback_match_the_hand_computed_ones(
    programme_world: ProgrammeWorld,
) -> None:
    ind = programme.indicators(programme.scope_all())
    overall = ind.gain_overall
    assert (overall.pairs, overall.dropouts, overall.undefined) == (4, 1, 1)
    assert overall.mean_pre == pytest.approx(0.525)
    assert overall.mean_post == pytest.approx(0.7875)
    assert overall.mean_gain == pytest.approx(0.2625)
    assert overall.mean_normalised_gain == pytest.approx(5 / 9)
    assert [(g.key, g.pairs) for g in ind.gain_by_country] == [("TH", 3), ("VN", 1)]
    assert {g.label: g.pairs for g in ind.gain_by_topic} == {
        "Digital forensics": 4,
        "Malware analysis": 1,
    }
    assert [(g.label, g.pairs) for g in ind.gain_by_gender] == [("Female", 3), ("Male", 1)]
    assert ind.feedback.responses == 3
    assert ind.feedback.mean_rating == pytest.approx(4.25)
    assert ind.feedback.questions == [
        ("The training met my needs", pytest.approx(4.0), 3),
        ("The trainers explained clearly", pytest.approx(5.0), 1),
    ]


def test_one_phase_has_only_its_activities(programme_world: ProgrammeWorld) -> None:
    ind = programme.indicators(programme.scope_all(phase=2))
    assert (ind.activities, ind.delivered, ind.participants, ind.trainers) == (1, 0, 0, 1)
    assert ind.attendance_rate is None
    first = programme.indicators(programme.scope_all(phase=1))
    assert (first.activities, first.participants, first.trainers, first.countries) == (2, 4, 3, 2)


def test_a_focal_point_gets_their_country_slice(
    programme_world: ProgrammeWorld, make_user: Any, thailand: Any
) -> None:
    focal = make_user("focal_point", thailand)
    ind = programme.indicators(programme.scope_for_user(user=focal))
    assert ind.country_slice == ["TH"]
    assert (ind.activities, ind.participants, ind.participations, ind.countries) == (3, 3, 4, 1)
    assert _by(ind.by_country) == {"TH": (3, 4)}
    assert _by(ind.by_gender) == {"female": (2, 3), "male": (1, 1)}
    assert (ind.present, ind.expected_slots) == (5, 6)
    assert ind.feedback is None
    assert ind.gain_by_topic == []
    mine = ind.gain_overall
    assert (mine.key, mine.pairs, mine.dropouts, mine.undefined) == ("TH", 3, 1, 1)
    assert mine.mean_pre == pytest.approx(1.6 / 3)
    assert mine.mean_post == pytest.approx(2.4 / 3)
    assert mine.mean_gain == pytest.approx(0.8 / 3)
    assert mine.mean_normalised_gain == pytest.approx(7 / 12)
    assert [g.key for g in ind.gain_groups] == ["TH"]


# --- the page -----------------------------------------------------------------------------------


def test_staff_see_the_dashboard_with_charts(
    programme_world: ProgrammeWorld, client_for: Any
) -> None:
    response = client_for("staff").get("/activities/programme/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="chart"') == 6  # type, topic, country, agency, gender, gain
    assert "26.2 %" in html  # the mean absolute gain
    assert "4.25" in html  # the mean feedback rating
    assert "<script" not in html.split('<main id="main"')[1]
    assert "Viet Nam" in html
    assert response.context["ind"].participants == 4
    assert "77.8 %" in html  # the attendance rate


def test_the_phase_filter(programme_world: ProgrammeWorld, client_for: Any) -> None:
    response = client_for("staff").get("/activities/programme/?phase=2")
    assert response.context["ind"].activities == 1
    bad = client_for("staff").get("/activities/programme/?phase=9")
    assert bad.context["ind"].activities == 3  # an unknown phase: all, with the form's error
    assert bad.context["form"].errors


def test_a_thai_focal_point_never_sees_vietnamese_figures(
    programme_world: ProgrammeWorld, client_for: Any, thailand: Any
) -> None:
    response = client_for("focal_point", thailand).get("/activities/programme/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Viet Nam" not in html
    assert "Nguyễn" not in html
    assert response.context["ind"].participants == 3


@pytest.mark.parametrize("role", ["trainer", "learner", "reviewer"])
def test_other_roles_are_refused(
    programme_world: ProgrammeWorld, client_for: Any, role: str
) -> None:
    assert client_for(role).get("/activities/programme/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    assert client.get("/activities/programme/").status_code == 302


# --- queries ------------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/activities/programme/", "/activities/programme/?phase=1"])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    thailand: Any, vietnam: Any, url: str, django_assert_max_num_queries: Any
) -> None:
    build_programme_world(thailand, vietnam)
    staff = UserFactory(username="counting-staff")
    RoleFactory(user=staff, role="staff")
    client = login(Client(), staff)
    client.get(url)  # warm the session
    one = _queries(client, url)
    for copy in (2, 3):
        build_programme_world(thailand, vietnam, suffix=f" {copy}")
    assert _queries(client, url) == one
    # session, grants, phases, activities and their 3 grouped counts, topics, the participants'
    # grouped read, 2 trainer reads, the demo banner, learning gain (overall, by country, 2 by
    # topic, by gender), feedback (2).
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        client.get(url)


def test_the_focal_point_dashboard_runs_a_fixed_number_of_queries(
    thailand: Any, vietnam: Any, make_user: Any
) -> None:
    build_programme_world(thailand, vietnam)
    client = login(Client(), make_user("focal_point", thailand))
    client.get("/activities/programme/")
    one = _queries(client, "/activities/programme/")
    build_programme_world(thailand, vietnam, suffix=" 2")
    assert _queries(client, "/activities/programme/") == one
