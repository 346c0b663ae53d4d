"""Passing a course's final test issues the learner's certificate of achievement, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.certificates.models import Certificate
from cybercap.elearning.models import Course
from cybercap.quizzes.models import Attempt, Item, Test
from tests.conftest import login
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db: Any) -> Course:
    """A small course whose final test is two true/false items, passed at 50%."""
    topic = TopicFactory(key="first-response", name="First response")
    items = [
        Item.objects.create(
            key=f"tf-{n}",
            type="true_false",
            topic=topic,
            stem=f"Statement {n}",
            options=[{"id": "true", "text": "True"}, {"id": "false", "text": "False"}],
            correct=["true"],
            content_hash="x",
        )
        for n in (1, 2)
    ]
    final = Test.objects.create(
        key="mini/final", title="Final test", pass_mark=0.5, max_attempts=3, shuffle=False
    )
    final.items.set(items)
    return Course.objects.create(
        key="mini",
        version="1.0.0",
        content_hash="x",
        language="en",
        title="Securing a digital crime scene",
        description="d",
        audience="a",
        legal_basis_heading="h",
        legal_basis_empty="e",
        final_test=final,
    )


def _take_final(client: Client, course: Course, answer: str) -> Attempt:
    assert client.post(f"/learn/{course.key}/final-test/").status_code == 302
    attempt = Attempt.objects.filter(test=course.final_test).latest("pk")
    data = {"i-tf-1": answer, "i-tf-2": answer}
    assert client.post(f"/learn/attempts/{attempt.pk}/", data).status_code == 302
    attempt.refresh_from_db()
    return attempt


def test_failing_issues_nothing_and_passing_issues_one_certificate(
    course: Course, make_user: Callable[..., Any]
) -> None:
    user = make_user("learner", first_name="Lê", last_name="Minh Châu")
    client = login(Client(), user)
    assert _take_final(client, course, "false").passed is False
    assert Certificate.objects.count() == 0
    assert _take_final(client, course, "true").passed is True
    cert = Certificate.objects.get()
    assert (cert.kind, cert.course_key, cert.title, cert.holder_user, cert.holder_name) == (
        "achievement",
        "mini",
        "Securing a digital crime scene",
        user,
        "Lê Minh Châu",
    )
    assert cert.activity is None
    # Passing again (a third attempt) does not issue a second certificate.
    _take_final(client, course, "true")
    assert Certificate.objects.count() == 1
    progress = client.get("/learn/progress/").content.decode()
    assert 'href="/certificates/">Your certificate</a>' in progress
    assert cert.code in client.get("/certificates/").content.decode()


def test_the_progress_page_has_no_certificate_link_before_passing(
    course: Course, make_user: Callable[..., Any]
) -> None:
    client = login(Client(), make_user("learner"))
    _take_final(client, course, "false")
    assert "Your certificate" not in client.get("/learn/progress/").content.decode()
