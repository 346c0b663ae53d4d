"""Evaluations through HTTP: setting up the tests, paper scores, online tests, the survey and
the results page, for every role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cybercap.activities.models import (
    Evaluation,
    EvaluationScore,
    FeedbackAnswer,
    FeedbackReceipt,
    FeedbackResponse,
    Registration,
)
from cybercap.activities.services import trainer_assign
from cybercap.quizzes.models import Attempt, Item
from tests.conftest import login
from tests.factories import PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db


def make_item(topic: Any, key: str, correct: str = "a") -> Item:
    return Item.objects.create(
        key=key,
        type="single",
        topic=topic,
        stem=f"Question {key}: which is right?",
        options=[{"id": "a", "text": "Option A"}, {"id": "b", "text": "Option B"}],
        correct=[correct],
        content_hash=key,
    )


def register(activity: Any, person: Any, status: str = "attended") -> Registration:
    return Registration.objects.create(
        activity=activity,
        person=person,
        country=person.country,
        status=status,
        nominated_at=timezone.now(),
    )


def paper(registration: Registration, kind: str, score: float) -> EvaluationScore:
    return EvaluationScore.objects.create(
        registration=registration,
        kind=kind,
        score=score,
        source="paper",
        entered_at=timezone.now(),
    )


@pytest.fixture
def setup(
    make_activity: Any,
    people: dict[str, Any],
    trainer: Any,
    staff_user: Any,
    thailand: Any,
    vietnam: Any,
    make_user: Any,
    th_agency: Any,
) -> dict[str, Any]:
    topic = TopicFactory(key="first-response", name="First response")
    other = TopicFactory(key="legislation", name="Legislation")
    activity = make_activity(quotas={thailand: 4, vietnam: 4}, topics=[topic])
    trainer_assign(activity=activity, user=trainer)
    items = [make_item(topic, "fr-1"), make_item(topic, "fr-2", "b"), make_item(topic, "fr-3")]
    stranger = make_item(other, "leg-1")
    learner = make_user("learner", username="learner-x")
    me = PersonFactory(agency=th_agency, full_name="กัญญา รัตนพันธ์", user=learner)
    regs = {name: register(activity, people[name]) for name in ("th1", "th2", "vn1", "vn2")}
    regs["me"] = register(activity, me, status="confirmed")
    return {
        "activity": activity,
        "items": items,
        "stranger": stranger,
        "topic": topic,
        "regs": regs,
        "learner": learner,
    }


def url(activity: Any, tail: str) -> str:
    return f"/activities/{activity.pk}/{tail}"


# --- setting up a test ---------------------------------------------------------------------------


def test_a_trainer_chooses_items_for_the_post_test(setup: dict[str, Any], trainer: Any) -> None:
    activity, items = setup["activity"], setup["items"]
    client = login(Client(), trainer)
    page = client.get(url(activity, "evaluation/post/setup/")).content.decode()
    assert "Question fr-1" in page and "Question leg-1" not in page  # only the activity's topics
    response = client.post(
        url(activity, "evaluation/post/setup/"),
        {"mode": "choose", "items": [items[0].pk, items[1].pk], "pass_mark": 60, "online": "on"},
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(activity=activity, kind="post")
    assert (evaluation.online, evaluation.pass_mark) == (True, 0.6)
    assert evaluation.test is not None
    assert evaluation.test.key == f"activity-{activity.pk}-post"
    assert sorted(evaluation.test.items.values_list("key", flat=True)) == ["fr-1", "fr-2"]
    assert (evaluation.test.max_attempts, evaluation.test.pass_mark) == (1, 0.6)
    # The paper copy lists both questions, with the key on its last page.
    paper_copy = client.get(url(activity, "evaluation/post/paper/")).content.decode()
    assert paper_copy.count("which is right?") == 2
    assert "Answer key" in paper_copy and '<li value="2">Option B</li>' in paper_copy
    assert client.get(url(activity, "evaluation/pre/paper/")).status_code == 404
    assert (
        login(Client(), setup["learner"]).get(url(activity, "evaluation/post/paper/")).status_code
        == 403
    )


def test_staff_draw_items_by_topic_and_a_too_large_draw_changes_nothing(
    setup: dict[str, Any], staff_user: Any
) -> None:
    activity, topic = setup["activity"], setup["topic"]
    client = login(Client(), staff_user)
    target = url(activity, "evaluation/pre/setup/")
    too_many = {"mode": "draw", "draw_topic": topic.pk, "draw_count": 4, "pass_mark": 70}
    response = client.post(target, too_many)
    assert response.status_code == 200
    assert "The question bank has only 3 items on that topic." in response.content.decode()
    assert not Evaluation.objects.exists()
    response = client.post(target, too_many | {"draw_count": 2})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(kind="pre")
    assert evaluation.test is not None and evaluation.test.items.count() == 2
    assert evaluation.online is False


def test_an_online_test_needs_items_and_its_items_are_fixed_once_taken(
    setup: dict[str, Any], trainer: Any
) -> None:
    activity, items = setup["activity"], setup["items"]
    client = login(Client(), trainer)
    target = url(activity, "evaluation/post/setup/")
    response = client.post(target, {"mode": "choose", "pass_mark": 70, "online": "on"})
    assert "A test taken online needs at least one item." in response.content.decode()
    client.post(target, {"mode": "choose", "items": [items[0].pk], "pass_mark": 70, "online": "on"})
    test = Evaluation.objects.get(kind="post").test
    Attempt.objects.create(user=setup["learner"], test=test, item_keys=["fr-1"])
    response = client.post(
        target, {"mode": "choose", "items": [items[1].pk], "pass_mark": 50, "online": "on"}
    )
    assert "its items cannot change" in response.content.decode()
    assert Evaluation.objects.get(kind="post").pass_mark == 0.7


# --- paper scores -------------------------------------------------------------------------------


def _sheet(regs: dict[str, Registration], values: dict[str, tuple[str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {"rows": [r.pk for r in regs.values()]}
    for name, reg in regs.items():
        pre, post = values.get(name, ("", ""))
        data[f"pre-{reg.pk}"] = pre
        data[f"post-{reg.pk}"] = post
    return data


def test_a_trainer_enters_every_paper_score_at_once(setup: dict[str, Any], trainer: Any) -> None:
    activity, regs = setup["activity"], setup["regs"]
    client = login(Client(), trainer)
    page = client.get(url(activity, "evaluation/scores/")).content.decode()
    assert page.count('name="rows"') == 5
    data = _sheet(regs, {"th1": ("40", "70"), "th2": ("100", "90"), "vn1": ("50.5", "")})
    response = client.post(url(activity, "evaluation/scores/"), data)
    assert response.status_code == 302
    got = {
        (s.registration_id, s.kind): (s.score, s.source, s.entered_by_id)
        for s in EvaluationScore.objects.all()
    }
    assert got == {
        (regs["th1"].pk, "pre"): (0.4, "paper", trainer.pk),
        (regs["th1"].pk, "post"): (0.7, "paper", trainer.pk),
        (regs["th2"].pk, "pre"): (1.0, "paper", trainer.pk),
        (regs["th2"].pk, "post"): (0.9, "paper", trainer.pk),
        (regs["vn1"].pk, "pre"): (0.505, "paper", trainer.pk),
    }
    # Emptying a field clears that paper score; the others stay.
    data = _sheet(regs, {"th1": ("40", "70"), "th2": ("100", "90"), "vn1": ("", "")})
    client.post(url(activity, "evaluation/scores/"), data)
    assert EvaluationScore.objects.count() == 4


def test_a_bad_score_saves_nothing_and_says_where(setup: dict[str, Any], trainer: Any) -> None:
    activity, regs = setup["activity"], setup["regs"]
    client = login(Client(), trainer)
    data = _sheet(regs, {"th1": ("40", "70"), "th2": ("150", "90"), "vn1": ("abc", "")})
    response = client.post(url(activity, "evaluation/scores/"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved: correct the 2 marked scores" in page
    assert "Ensure this value is less than or equal to 100." in page
    assert "Enter a number." in page
    assert 'value="40"' in page  # what was typed is kept
    assert EvaluationScore.objects.count() == 0


def test_a_score_taken_online_is_shown_not_overwritten(setup: dict[str, Any], trainer: Any) -> None:
    activity, regs = setup["activity"], setup["regs"]
    EvaluationScore.objects.create(
        registration=regs["th1"],
        kind="post",
        score=0.8,
        source="online",
        entered_at=timezone.now(),
    )
    client = login(Client(), trainer)
    data = _sheet(regs, {"th1": ("40", "10")})
    assert client.post(url(activity, "evaluation/scores/"), data).status_code == 302
    scores = {
        s.kind: (s.score, s.source)
        for s in EvaluationScore.objects.filter(registration=regs["th1"])
    }
    assert scores == {"pre": (0.4, "paper"), "post": (0.8, "online")}


def test_an_empty_post_changes_nothing(setup: dict[str, Any], trainer: Any) -> None:
    activity, regs = setup["activity"], setup["regs"]
    paper(regs["th1"], "pre", 0.5)
    client = login(Client(), trainer)
    assert client.post(url(activity, "evaluation/scores/"), {}).status_code == 302
    assert EvaluationScore.objects.get().score == 0.5


def test_who_may_set_up_and_enter_scores(
    setup: dict[str, Any], make_user: Any, focal_th: Any, thailand: Any
) -> None:
    activity = setup["activity"]
    other_trainer = make_user("trainer", username="other-trainer")
    for user, status in (
        (focal_th, 403),
        (setup["learner"], 403),
        (other_trainer, 404),  # not assigned: the activity is out of scope
    ):
        client = login(Client(), user)
        for tail in ("evaluation/scores/", "evaluation/pre/setup/"):
            assert client.get(url(activity, tail)).status_code == status, (user, tail)
            assert client.post(url(activity, tail), {}).status_code == status, (user, tail)
    staff = login(Client(), make_user("staff", is_staff=True))
    assert staff.get(url(activity, "evaluation/middle/setup/")).status_code == 404


# --- taking a test online -----------------------------------------------------------------------


def _open_post_test(setup: dict[str, Any], trainer: Any) -> None:
    items = setup["items"]
    login(Client(), trainer).post(
        url(setup["activity"], "evaluation/post/setup/"),
        {"mode": "choose", "items": [i.pk for i in items[:2]], "pass_mark": 50, "online": "on"},
    )


def test_a_participant_takes_the_post_test_online_once(setup: dict[str, Any], trainer: Any) -> None:
    activity, learner, me = setup["activity"], setup["learner"], setup["regs"]["me"]
    client = login(Client(), learner)
    response = client.get(url(activity, "evaluation/post/take/"))
    assert response.status_code == 302  # not open online yet
    _open_post_test(setup, trainer)
    overview = client.get(url(activity, "evaluation/")).content.decode()
    assert f'href="/activities/{activity.pk}/evaluation/post/take/"' in overview
    page = client.get(url(activity, "evaluation/post/take/")).content.decode()
    assert "Question fr-1" in page and "Question fr-2" in page
    # fr-1 is right with "a", fr-2 with "b": one of two right
    response = client.post(url(activity, "evaluation/post/take/"), {"i-fr-1": "a", "i-fr-2": "a"})
    assert response.status_code == 302
    score = EvaluationScore.objects.get(registration=me, kind="post")
    assert (score.score, score.source, score.attempt.user_id) == (0.5, "online", learner.pk)
    again = client.get(url(activity, "evaluation/post/take/"), follow=True).content.decode()
    assert "Your score for this test is already recorded." in again
    assert Attempt.objects.count() == 1


def test_an_incomplete_attempt_is_shown_again(setup: dict[str, Any], trainer: Any) -> None:
    _open_post_test(setup, trainer)
    client = login(Client(), setup["learner"])
    response = client.post(url(setup["activity"], "evaluation/post/take/"), {"i-fr-1": "a"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not EvaluationScore.objects.exists()


def test_only_participants_with_a_place_take_tests_and_answer_the_survey(
    setup: dict[str, Any], trainer: Any, staff_user: Any, focal_th: Any, make_user: Any
) -> None:
    _open_post_test(setup, trainer)
    activity = setup["activity"]
    nominee_user = make_user("learner", username="nominee")
    nominee = PersonFactory(user=nominee_user)
    register(activity, nominee, status="nominated")
    for user in (trainer, staff_user, focal_th, nominee_user):
        client = login(Client(), user)
        for tail in ("evaluation/post/take/", "evaluation/survey/"):
            assert client.get(url(activity, tail)).status_code == 403, (user, tail)
    outsider = login(Client(), make_user("learner", username="outsider"))
    assert outsider.get(url(activity, "evaluation/survey/")).status_code == 404


# --- the survey ---------------------------------------------------------------------------------


def test_a_participant_answers_the_survey_once_and_anonymously(setup: dict[str, Any]) -> None:
    activity, me = setup["activity"], setup["regs"]["me"]
    client = login(Client(), setup["learner"])
    page = client.get(url(activity, "evaluation/survey/")).content.decode()
    names = re.findall(r'name="(q-\d+)"', page)
    assert len(set(names)) == 8
    likert, text = sorted(set(names), key=lambda n: int(n[2:]))[:6], sorted(set(names))[-1]
    bad = dict.fromkeys(likert, "4") | {likert[0]: "7"}
    response = client.post(url(activity, "evaluation/survey/"), bad)
    assert response.status_code == 200 and not FeedbackResponse.objects.exists()
    good = dict.fromkeys(likert, "4") | {likert[0]: "5"}
    last_text = sorted(set(names), key=lambda n: int(n[2:]))[-1]
    good[last_text] = "More lab time, please."
    assert client.post(url(activity, "evaluation/survey/"), good).status_code == 302
    assert FeedbackReceipt.objects.get().registration == me
    response_row = FeedbackResponse.objects.get()
    assert not hasattr(response_row, "registration")
    assert FeedbackAnswer.objects.filter(rating__isnull=False).count() == 6
    assert FeedbackAnswer.objects.get(rating__isnull=True).text == "More lab time, please."
    page = client.get(url(activity, "evaluation/survey/")).content.decode()
    assert "You have answered this survey. Thank you." in page
    client.post(url(activity, "evaluation/survey/"), good)
    assert FeedbackResponse.objects.count() == 1
    assert text  # the free-text fields are part of the form


# --- results ------------------------------------------------------------------------------------


@pytest.fixture
def scored(setup: dict[str, Any]) -> dict[str, Any]:
    regs = setup["regs"]
    paper(regs["th1"], "pre", 0.4)
    paper(regs["th1"], "post", 0.7)
    paper(regs["th2"], "pre", 1.0)
    paper(regs["th2"], "post", 0.9)
    paper(regs["vn1"], "pre", 0.5)
    paper(regs["vn1"], "post", 0.9)
    paper(regs["vn2"], "pre", 0.6)
    Evaluation.objects.create(activity=setup["activity"], kind="post", pass_mark=0.8)
    return setup


def _names(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th><td>', page)


def test_staff_and_the_trainer_see_every_result_with_gain_dropouts_and_undefined(
    scored: dict[str, Any], staff_user: Any, trainer: Any, people: dict[str, Any]
) -> None:
    activity = scored["activity"]
    for user in (staff_user, trainer):
        page = login(Client(), user).get(url(activity, "results/")).content.decode()
        assert sorted(_names(page)) == sorted(
            [people[n].full_name for n in ("th1", "th2", "vn1", "vn2")] + ["กัญญา รัตนพันธ์"]
        )
        # 3 pairs: pre (40+100+50)/3 = 63.3, post (70+90+90)/3 = 83.3, gain +20.0;
        # g = (0.5 + 0.8)/2 = 0.65 (medium); th2's perfect pre-test leaves g undefined.
        assert "<dt>Matched pre/post pairs</dt><dd>3</dd>" in page
        assert "<dt>Drop-outs (only one of the two tests)</dt><dd>1</dd>" in page
        assert "<dd>63.3%</dd>" in page and "<dd>83.3%</dd>" in page
        assert "+20.0 percentage points" in page
        assert "0.65 (medium)" in page
        assert "1 participant scored 100% on the pre-test" in page
        assert "undefined (perfect pre-test)" in page
        assert "drop-out" in page
        assert "Passed (80.0%)" in page
        assert "Feedback survey" in page


def test_a_focal_point_sees_only_its_countrys_results(
    scored: dict[str, Any], focal_th: Any, people: dict[str, Any]
) -> None:
    page = login(Client(), focal_th).get(url(scored["activity"], "results/")).content.decode()
    assert sorted(_names(page)) == sorted(
        [people["th1"].full_name, people["th2"].full_name, "กัญญา รัตนพันธ์"]
    )
    assert people["vn1"].full_name not in page and people["vn2"].full_name not in page
    assert "<dt>Matched pre/post pairs</dt><dd>2</dd>" in page
    assert "<dt>Drop-outs (only one of the two tests)</dt><dd>0</dd>" in page
    assert "Feedback survey" not in page


def test_a_participant_sees_only_their_own_result(scored: dict[str, Any]) -> None:
    me = scored["regs"]["me"]
    paper(me, "pre", 0.25)
    paper(me, "post", 1.0)
    page = login(Client(), scored["learner"]).get(url(scored["activity"], "results/"))
    text = page.content.decode()
    assert _names(text) == ["กัญญา รัตนพันธ์"]
    assert "<td>25.0%</td>" in text and "<td>100.0%</td>" in text and "<td>+75.0</td>" in text
    assert "<td>1.00</td>" in text and "<td>yes</td>" in text
    assert "Feedback survey" not in text


def test_results_are_out_of_scope_for_others(scored: dict[str, Any], make_user: Any) -> None:
    for user in (
        make_user("reviewer", username="rev"),
        make_user("trainer", username="unassigned"),
        make_user("focal_point", PersonFactory().country, username="elsewhere"),
    ):
        client = login(Client(), user)
        assert client.get(url(scored["activity"], "results/")).status_code == 404
        assert client.get(url(scored["activity"], "evaluation/")).status_code == 404
    assert Client().get(url(scored["activity"], "results/")).status_code == 302


def test_the_results_page_and_the_score_sheet_run_fixed_queries(
    scored: dict[str, Any], staff_user: Any, trainer: Any, th_agency: Any
) -> None:
    """The same number of queries with 5 participants as with 9."""
    activity = scored["activity"]
    pages = ("results/", "evaluation/scores/", "evaluation/")

    def counts() -> list[int]:
        out = []
        for user in (staff_user, trainer):
            client = login(Client(), user)
            for tail in pages:
                client.get(url(activity, tail))  # warm the session and caches
                with CaptureQueriesContext(connection) as ctx:
                    assert client.get(url(activity, tail)).status_code == 200
                out.append(len(ctx.captured_queries))
        return out

    before = counts()
    for n in range(4):
        reg = register(activity, PersonFactory(agency=th_agency, full_name=f"Extra {n}"))
        paper(reg, "pre", 0.5)
        paper(reg, "post", 0.75)
    assert counts() == before
    assert max(before) <= 20
