"""Editing an activity's feedback survey through HTTP: the standard questions copied in once,
adding, rewording, reordering, retiring and removing questions, the guard once answers exist,
every role's access, and the results page listing the activity's own questions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.db.models import RestrictedError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cybercap.activities import evaluations
from cybercap.activities.models import Activity, FeedbackAnswer, FeedbackQuestion
from cybercap.activities.services import trainer_assign
from cybercap.activities.survey import DEFAULT_QUESTIONS
from tests.activities.test_evaluations import register, setup, url  # noqa: F401 - fixture
from tests.conftest import login
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def texts(activity: Activity) -> list[tuple[str, str, bool]]:
    return list(
        FeedbackQuestion.objects.filter(activity=activity)
        .order_by("position", "pk")
        .values_list("text", "kind", "retired")
    )


def question(activity: Activity, text: str) -> FeedbackQuestion:
    return FeedbackQuestion.objects.get(activity=activity, text=text)


def act(client: Client, q: FeedbackQuestion, action: str) -> Any:
    return client.post(
        url(q.activity, f"evaluation/survey/questions/{q.pk}/action/"), {"action": action}
    )


def test_the_standard_questions_are_copied_in_once_and_the_trainer_edits_them(
    setup: dict[str, Any],  # noqa: F811 - the fixture imported above
    trainer: Any,
) -> None:
    activity = setup["activity"]
    editor = login(Client(), trainer)
    page = editor.get(url(activity, "evaluation/survey/questions/"))
    assert page.status_code == 200
    assert [t for t, _k, _r in texts(activity)] == [t for _k, t in DEFAULT_QUESTIONS]

    response = editor.post(
        url(activity, "evaluation/survey/questions/"),
        {"kind": "likert", "text": "  The  pace of the labs suited me. "},
    )
    assert response.status_code == 302
    assert texts(activity)[-1] == ("The pace of the labs suited me.", "likert", False)

    useful = question(activity, "What was the most useful part?")
    response = editor.post(
        url(activity, f"evaluation/survey/questions/{useful.pk}/"),
        {"kind": "text", "text": "Which lab was the most useful?"},
    )
    assert response.status_code == 302
    useful.refresh_from_db()
    assert useful.text == "Which lab was the most useful?"

    new = question(activity, "The pace of the labs suited me.")
    assert act(editor, new, "up").status_code == 302
    order = [t for t, _k, _r in texts(activity)]
    assert order[-2:] == ["The pace of the labs suited me.", "What should we change next time?"]
    assert act(editor, question(activity, order[0]), "up").status_code == 302  # already first
    assert [t for t, _k, _r in texts(activity)] == order

    venue = question(activity, "The organisation and the venue suited the activity.")
    assert act(editor, venue, "remove").status_code == 302
    assert not FeedbackQuestion.objects.filter(pk=venue.pk).exists()

    participant = login(Client(), setup["learner"])
    page = participant.get(url(activity, "evaluation/survey/")).content.decode()
    shown = [t for t in (q.text for q in evaluations.feedback_questions(activity)) if t in page]
    assert shown == [t for t, _k, _r in texts(activity)]
    assert "The organisation and the venue suited the activity." not in page
    assert page.index("The pace of the labs suited me.") < page.index(
        "What should we change next time?"
    )


def test_a_survey_emptied_by_its_editors_stays_empty(
    setup: dict[str, Any],  # noqa: F811
    trainer: Any,
) -> None:
    activity = setup["activity"]
    editor = login(Client(), trainer)
    editor.get(url(activity, "evaluation/survey/questions/"))
    for q in list(FeedbackQuestion.objects.filter(activity=activity)):
        assert act(editor, q, "remove").status_code == 302
    participant = login(Client(), setup["learner"])
    page = participant.get(url(activity, "evaluation/survey/")).content.decode()
    assert "This survey has no questions at the moment." in page
    assert participant.post(url(activity, "evaluation/survey/"), {}).status_code == 200
    assert not FeedbackQuestion.objects.filter(activity=activity).exists()
    assert not activity.feedback_responses.exists()
    page = editor.get(url(activity, "evaluation/survey/questions/")).content.decode()
    assert "The survey has no questions" in page


def _answer_first_two(data: dict[str, Any]) -> tuple[FeedbackQuestion, FeedbackQuestion]:
    activity = data["activity"]
    questions = evaluations.feedback_questions_ensure(activity=activity)
    rating, comment = questions[0], questions[6]
    evaluations.feedback_submit(
        registration=data["regs"]["me"], answers={rating.pk: 4, comment.pk: "The lab"}
    )
    return rating, comment


def test_an_answered_question_cannot_change_or_go_but_can_be_retired(
    setup: dict[str, Any],  # noqa: F811
    trainer: Any,
) -> None:
    activity = setup["activity"]
    rating, comment = _answer_first_two(setup)
    before = texts(activity)
    editor = login(Client(), trainer)
    edit_url = url(activity, f"evaluation/survey/questions/{rating.pk}/")
    page = editor.get(edit_url).content.decode()
    assert "1 person has answered this question: its wording and kind can no longer change." in page
    for data in (
        {"kind": "likert", "text": "The activity met most of its objectives."},
        {"kind": "text", "text": rating.text},
    ):
        response = editor.post(edit_url, data)
        assert response.status_code == 200
        assert (
            "1 person has answered this question, so its wording and kind can no longer change"
            in response.content.decode()
        )
    response = act(editor, comment, "remove")
    assert response.status_code == 302
    follow = editor.get(response["Location"]).content.decode()
    assert "1 person has answered this question, so it cannot be removed: retire it" in follow
    assert texts(activity) == before
    # Saving an answered question unchanged is not a change.
    assert editor.post(edit_url, {"kind": "likert", "text": rating.text}).status_code == 302

    assert act(editor, rating, "retire").status_code == 302
    rating.refresh_from_db()
    assert rating.retired is True
    assert rating not in evaluations.feedback_questions(activity)
    # A second participant is no longer asked it, and an answer sent to it is left out.
    nominee = register(activity, PersonFactory(), status="attended")
    evaluations.feedback_submit(registration=nominee, answers={rating.pk: 1})
    assert FeedbackAnswer.objects.filter(question=rating).count() == 1
    # The results keep the retired question with its answers, marked as such.
    results = editor.get(url(activity, "results/")).content.decode()
    assert 'The activity met its stated objectives. <span class="muted">(retired)</span>' in results
    assert act(editor, rating, "restore").status_code == 302
    rating.refresh_from_db()
    assert rating.retired is False
    # The database refuses to delete an answered question too.
    with pytest.raises(RestrictedError):
        rating.delete()
    # ...but an activity goes with its survey and its answers.
    Activity.objects.filter(pk=activity.pk).delete()
    assert not FeedbackAnswer.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "likert", "text": "   "}, "This field is required."),
        ({"kind": "likert", "text": "x" * 301}, "Ensure this value has at most 300 characters"),
        ({"kind": "stars", "text": "How many stars?"}, "Select a valid choice."),
    ],
)
def test_a_bad_question_is_refused_and_changes_nothing(
    setup: dict[str, Any],  # noqa: F811
    trainer: Any,
    data: dict[str, str],
    message: str,
) -> None:
    activity = setup["activity"]
    editor = login(Client(), trainer)
    editor.get(url(activity, "evaluation/survey/questions/"))
    before = texts(activity)
    response = editor.post(url(activity, "evaluation/survey/questions/"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    first = question(activity, before[0][0])
    response = editor.post(url(activity, f"evaluation/survey/questions/{first.pk}/"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert act(editor, first, "explode").status_code == 302
    assert texts(activity) == before


def test_who_may_edit_the_survey(
    setup: dict[str, Any],  # noqa: F811
    trainer: Any,
    staff_user: Any,
    focal_th: Any,
    make_user: Any,
    make_activity: Any,
) -> None:
    activity = setup["activity"]
    evaluations.feedback_questions_ensure(activity=activity)
    q = FeedbackQuestion.objects.filter(activity=activity).first()
    assert q is not None
    other_trainer = make_user("trainer", username="other-trainer")
    elsewhere = make_activity(title="Malware analysis")
    trainer_assign(activity=elsewhere, user=other_trainer)
    pages = [
        ("get", "evaluation/survey/questions/", {}),
        ("post", "evaluation/survey/questions/", {"kind": "text", "text": "Anything else?"}),
        ("get", f"evaluation/survey/questions/{q.pk}/", {}),
        ("post", f"evaluation/survey/questions/{q.pk}/", {"kind": "text", "text": "Changed?"}),
        ("post", f"evaluation/survey/questions/{q.pk}/action/", {"action": "remove"}),
    ]
    before = texts(activity)
    for user, status in (
        (focal_th, 403),  # the activity is in its reach (seats for Thailand), editing is not
        (setup["learner"], 403),  # a participant answers the survey, does not edit it
        (other_trainer, 404),  # a trainer of another activity: out of scope
        (make_user("learner", username="outsider"), 404),
    ):
        client = login(Client(), user)
        for method, tail, data in pages:
            response = getattr(client, method)(url(activity, tail), data)
            assert response.status_code == status, (user, method, tail)
    anonymous = Client()
    for method, tail, data in pages:
        response = getattr(anonymous, method)(url(activity, tail), data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert texts(activity) == before
    for user in (staff_user, trainer):
        client = login(Client(), user)
        assert client.get(url(activity, "evaluation/survey/questions/")).status_code == 200
        assert client.get(url(activity, f"evaluation/survey/questions/{q.pk}/")).status_code == 200
    # A question of another activity is not found through this one, even by staff.
    evaluations.feedback_questions_ensure(activity=elsewhere)
    foreign = FeedbackQuestion.objects.filter(activity=elsewhere).first()
    assert foreign is not None
    staff = login(Client(), staff_user)
    assert staff.get(url(activity, f"evaluation/survey/questions/{foreign.pk}/")).status_code == 404
    assert (
        act(staff, FeedbackQuestion(pk=foreign.pk, activity=activity), "remove").status_code == 404
    )
    assert FeedbackQuestion.objects.filter(pk=foreign.pk).exists()


def test_the_results_list_the_activitys_own_questions(
    setup: dict[str, Any],  # noqa: F811
    trainer: Any,
) -> None:
    activity = setup["activity"]
    editor = login(Client(), trainer)
    editor.post(
        url(activity, "evaluation/survey/questions/"),
        {"kind": "likert", "text": "The lab machines worked well."},
    )
    questions = {q.text: q for q in evaluations.feedback_questions(activity)}
    lab = questions["The lab machines worked well."]
    regs = setup["regs"]
    for reg, rating in ((regs["th1"], 2), (regs["th2"], 5), (regs["vn1"], 5)):
        evaluations.feedback_submit(registration=reg, answers={lab.pk: rating})
    page = editor.get(url(activity, "results/")).content.decode()
    row = re.search(r"<tr><th scope=\"row\">The lab machines worked well\.</th>(.*?)</tr>", page)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells == ["Rating", "3", "4.00", "0 / 1 / 0 / 0 / 2"]
    assert "3 anonymous responses. Mean rating 4.00 out of 5." in page
    # Questions nobody answered are listed too, with no figures.
    assert (
        '<tr><th scope="row">The content was relevant to my daily work.</th>'
        "<td>Rating</td><td>0</td><td></td>" in page
    )


def test_the_editor_runs_fixed_queries(
    setup: dict[str, Any],  # noqa: F811
    trainer: Any,
) -> None:
    activity = setup["activity"]
    editor = login(Client(), trainer)
    editor.get(url(activity, "evaluation/survey/questions/"))
    with CaptureQueriesContext(connection) as few:
        editor.get(url(activity, "evaluation/survey/questions/"))
    for n in range(12):
        editor.post(
            url(activity, "evaluation/survey/questions/"), {"kind": "text", "text": f"Extra {n}?"}
        )
    with CaptureQueriesContext(connection) as many:
        assert editor.get(url(activity, "evaluation/survey/questions/")).status_code == 200
    assert len(many) == len(few)
