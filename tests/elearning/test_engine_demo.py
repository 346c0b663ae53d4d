"""The e-learning demo seeder: demo-learner enrolled, with progress, a pre-test and a run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cybercap.demo.registry import DemoReport, seeders
from cybercap.elearning.demo import seed_elearning
from cybercap.elearning.models import Enrolment, LessonProgress, ScenarioRun
from cybercap.quizzes.models import Attempt
from tests.quizzes.helpers import load_course

pytestmark = pytest.mark.django_db


def test_seeder_is_registered() -> None:
    assert "elearning" in [name for name, _ in seeders()]


def test_demo_learner_gets_progress_once(make_user: Callable[..., Any]) -> None:
    course = load_course()
    learner = make_user("learner", username="demo-learner")
    report = DemoReport()
    seed_elearning(scale=1, report=report)
    assert report.counts == {
        "course enrolments": 1,
        "lessons completed": 3,
        "quiz attempts": 1,
        "scenario runs": 1,
    }
    assert Enrolment.objects.get(user=learner).course == course
    assert LessonProgress.objects.filter(user=learner, completed_at__isnull=False).count() == 3
    attempt = Attempt.objects.get(user=learner)
    assert attempt.test == course.pre_test
    assert attempt.submitted_at is not None and attempt.is_demo
    assert 0 < (attempt.score or 0) < 1
    run = ScenarioRun.objects.get(user=learner)
    assert run.finished_at is not None and run.outcome != ""

    again = DemoReport()
    seed_elearning(scale=1, report=again)
    assert again.counts == {}
    assert Attempt.objects.filter(user=learner).count() == 1
    assert ScenarioRun.objects.filter(user=learner).count() == 1
