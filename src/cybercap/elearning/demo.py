"""Demo data: demo-learner enrolled in every course, with some progress, a finished pre-test
and a finished scenario run. Idempotent: a second run creates nothing."""

from __future__ import annotations

import random
from typing import Any

from cybercap.demo.registry import DemoReport


def seed_elearning(*, scale: int, report: DemoReport) -> None:
    from cybercap.accounts.models import User
    from cybercap.elearning import services
    from cybercap.elearning.models import Course, Enrolment, Lesson
    from cybercap.quizzes import services as quiz_services
    from cybercap.quizzes.models import Attempt

    learner = User.objects.filter(username="demo-learner").first()
    if learner is None:
        return
    for course in Course.objects.all():
        if Enrolment.objects.filter(user=learner, course=course).exists():
            continue
        services.enrol(user=learner, course=course, is_demo=True)
        report.add_count("course enrolments", 1)
        lessons = list(
            Lesson.objects.filter(module__course=course).order_by("module__position", "position")[
                :3
            ]
        )
        for lesson in lessons:
            services.lesson_complete(user=learner, lesson=lesson)
        report.add_count("lessons completed", len(lessons))
        rng = random.Random(f"demo-{course.key}")  # noqa: S311 - synthetic data
        if course.pre_test is not None:
            attempt = quiz_services.attempt_start(user=learner, test=course.pre_test, rng=rng)
            Attempt.objects.filter(pk=attempt.pk).update(is_demo=True)
            answers: dict[str, Any] = {}
            for n, item in enumerate(quiz_services.attempt_items(attempt)):
                # About two in three right: a plausible first try.
                if n % 3 == 2:
                    wrong = [o["id"] for o in item.options if o["id"] not in item.correct]
                    answers[item.key] = {} if item.type == "matching" else wrong[:1]
                else:
                    answers[item.key] = item.correct
            quiz_services.attempt_submit(attempt=attempt, answers=answers)
            report.add_count("quiz attempts", 1)
        scenario = course.scenarios.order_by("module__position", "position").first()
        if scenario is not None:
            run = services.scenario_start(user=learner, scenario=scenario)
            while run.finished_at is None:
                node = scenario.node(run.node)
                run = services.scenario_choose(run=run, choice_id=node["choices"][0]["id"])
            report.add_count("scenario runs", 1)
