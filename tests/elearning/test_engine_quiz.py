"""Quizzes through the real views: each item type answered right, wrong and partly right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.elearning.models import Course
from cybercap.quizzes.models import Attempt, Item, Response
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]


@pytest.fixture
def course(db: Any) -> Course:
    """The real course, loaded once for this module."""
    return Course.objects.get(key=COURSE_KEY)


def _answer_data(item: Item, answer: Any) -> dict[str, Any]:
    if item.type in ("single", "true_false"):
        return {f"i-{item.key}": answer[0]} if answer else {}
    if item.type == "multiple":
        return {f"i-{item.key}": list(answer)}
    if item.type == "ordering":
        return {f"i-{item.key}-{option}": str(n) for n, option in enumerate(answer, start=1)}
    return {f"i-{item.key}-{option}": target for option, target in answer.items()}


def _one_of_each(course: Course) -> list[Item]:
    items = []
    for kind in ("single", "multiple", "true_false", "ordering", "matching"):
        candidates = Item.objects.filter(type=kind, language=course.language).order_by("key")
        if kind == "multiple":  # one with two right options and a wrong one, for partial credit
            candidates = [
                i for i in candidates if len(i.correct) >= 2 and len(i.options) > len(i.correct)
            ]
        if kind == "ordering":
            candidates = [i for i in candidates if len(i.options) >= 3]
        if kind == "matching":
            candidates = [i for i in candidates if len(i.options) >= 2]
        items.append(next(iter(candidates)))
    return items


def _wrong(item: Item) -> Any:
    ids = [o["id"] for o in item.options]
    if item.type in ("single", "true_false"):
        return [next(i for i in ids if i not in item.correct)]
    if item.type == "multiple":
        return [i for i in ids if i not in item.correct]
    if item.type == "ordering":
        return list(reversed(item.correct))
    targets = list(item.correct.values())
    rotated = targets[1:] + targets[:1]  # every option paired with another's target
    return dict(zip(item.correct.keys(), rotated, strict=True))


@pytest.fixture
def quiz(
    client_for: Callable[..., Client],
    course: Course,
) -> tuple[Client, Course, list[Item], str]:
    module = course.modules.get(key="m1-principles")
    assert module.quiz is not None
    items = _one_of_each(course)
    module.quiz.items.set(items)
    module.quiz.draw = None
    module.quiz.save()
    client = client_for("learner")
    return client, course, items, f"/learn/{course.key}/modules/{module.key}/quiz/"


def _take(client: Client, url: str, answers: dict[str, Any], items: list[Item]) -> Attempt:
    response = client.post(url)
    assert response.status_code == 302
    attempt_url = response["Location"]
    form = client.get(attempt_url)
    assert form.status_code == 200
    data: dict[str, Any] = {}
    for item in items:
        data |= _answer_data(item, answers[item.key])
    done = client.post(attempt_url, data)
    assert done.status_code == 302, done.content.decode()[:2000]
    return Attempt.objects.get(pk=int(attempt_url.rstrip("/").split("/")[-1]))


def _scores(attempt: Attempt) -> dict[str, float]:
    return {r.item.type: r.score for r in Response.objects.filter(attempt=attempt)}


def test_every_type_right_wrong_and_partly_right(quiz: Any) -> None:
    client, _course, items, url = quiz
    by_type = {item.type: item for item in items}

    right = _take(client, url, {i.key: i.correct for i in items}, items)
    assert _scores(right) == dict.fromkeys(by_type, 1.0)
    assert (right.score, right.passed, right.number) == (1.0, True, 1)

    wrong = _take(client, url, {i.key: _wrong(i) for i in items}, items)
    assert _scores(wrong) == dict.fromkeys(by_type, 0.0)
    assert (wrong.score, wrong.passed, wrong.number) == (0.0, False, 2)

    multiple, ordering, matching = by_type["multiple"], by_type["ordering"], by_type["matching"]
    correct_multiple = list(multiple.correct)
    extra_wrong = next(o["id"] for o in multiple.options if o["id"] not in multiple.correct)
    partial_multiple = [*correct_multiple[:-1], extra_wrong]  # n-1 right, 1 wrong
    swapped = [ordering.correct[1], ordering.correct[0], *ordering.correct[2:]]
    pairs = dict(matching.correct)
    first, second = list(pairs)[:2]
    pairs[first], pairs[second] = pairs[second], pairs[first]
    answers = {i.key: i.correct for i in items} | {
        multiple.key: partial_multiple,
        ordering.key: swapped,
        matching.key: pairs,
    }
    partial = _take(client, url, answers, items)
    n = len(correct_multiple)
    k = len(ordering.correct)
    m = len(matching.correct)
    assert _scores(partial) == {
        "single": 1.0,
        "true_false": 1.0,
        "multiple": max(0.0, (n - 1 - 1) / n),
        "ordering": (k * (k - 1) / 2 - 1) / (k * (k - 1) / 2),
        "matching": (m - 2) / m,
    }


def test_results_show_the_explanation_for_every_option(quiz: Any) -> None:
    client, _course, items, url = quiz
    attempt = _take(client, url, {i.key: i.correct for i in items}, items)
    page = client.get(f"/learn/attempts/{attempt.pk}/").content.decode()
    from django.utils.html import escape

    for item in items:
        assert escape(item.stem) in page
        for option in item.options:
            assert escape(option["explanation"]) in page


def test_ordering_must_give_each_position_once_and_nothing_is_recorded(quiz: Any) -> None:
    client, _course, items, url = quiz
    attempt_url = client.post(url)["Location"]
    data: dict[str, Any] = {}
    for item in items:
        data |= _answer_data(item, item.correct)
    ordering = next(i for i in items if i.type == "ordering")
    for option in ordering.correct:
        data[f"i-{ordering.key}-{option}"] = "1"
    response = client.post(attempt_url, data)
    assert response.status_code == 422
    assert "Give each position exactly once." in response.content.decode()
    assert Response.objects.count() == 0
    assert Attempt.objects.get().submitted_at is None


def test_a_second_submission_changes_nothing(quiz: Any) -> None:
    client, _course, items, url = quiz
    attempt = _take(client, url, {i.key: i.correct for i in items}, items)
    data: dict[str, Any] = {}
    for item in items:
        data |= _answer_data(item, _wrong(item))
    again = client.post(f"/learn/attempts/{attempt.pk}/", data)
    assert again.status_code == 200  # the results page
    attempt.refresh_from_db()
    assert (attempt.score, Response.objects.filter(attempt=attempt).count()) == (1.0, 5)


def test_final_test_draws_thirty_and_stops_after_three_attempts(
    client_for: Callable[..., Client],
    course: Course,
) -> None:
    client = client_for("learner")
    url = f"/learn/{course.key}/final-test/"
    for number in (1, 2, 3):
        attempt_url = client.post(url)["Location"]
        attempt = Attempt.objects.get(pk=int(attempt_url.rstrip("/").split("/")[-1]))
        assert (attempt.number, len(attempt.item_keys), len(set(attempt.item_keys))) == (
            number,
            30,
            30,
        )
        # Nothing answered: an attempt may be submitted blank only if every field allows it,
        # so submit through the service as the learner would with a blank multiple choice.
        from cybercap.quizzes.services import attempt_submit

        attempt_submit(attempt=attempt, answers={})
    assert client.post(url).status_code == 302
    assert Attempt.objects.filter(test=course.final_test).count() == 3
    page = client.get(url).content.decode()
    assert "0 attempts left." in page
