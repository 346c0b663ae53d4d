"""Writes for learners: enrolment, lesson progress, test attempts and the branching-scenario
state machine. Each event is recorded as an xAPI statement in the same transaction
(:mod:`cybercap.elearning.xapi`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cybercap.elearning import xapi
from cybercap.elearning.models import (
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Scenario,
    ScenarioRun,
)
from cybercap.quizzes import services as quiz_services
from cybercap.quizzes.models import Attempt, Item, Test


class InvalidChoice(Exception):
    """The choice is not offered at the run's current node, or the run has ended."""


@transaction.atomic(savepoint=False)
def enrol(*, user: Any, course: Course, is_demo: bool = False) -> Enrolment:
    """The learner's enrolment; the first time, the course is ``launched``."""
    enrolment, created = Enrolment.objects.get_or_create(
        user=user, course=course, defaults={"is_demo": is_demo}
    )
    if created:
        rec = xapi.Recorder.for_learner(user, course, enrolment=enrolment)
        rec.add(
            "launched",
            rec.course_activity(),
            when=enrolment.enrolled_at,
            statement_id=xapi.derived_id("launched", "course", enrolment.registration),
        )
        rec.save()
    return enrolment


@transaction.atomic
def lesson_seen(*, user: Any, lesson: Lesson) -> Enrolment:
    """Remember where the learner is, to resume there. The first visit to a lesson is
    ``experienced``; a revisit writes nothing. Returns the learner's enrolment."""
    enrolment = enrol(user=user, course=lesson.module.course)
    if enrolment.last_lesson_id != lesson.pk:
        enrolment.last_lesson = lesson
        enrolment.save(update_fields=["last_lesson"])
    progress, created = LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    if created:
        rec = xapi.Recorder.for_learner(user, lesson.module.course, enrolment=enrolment)
        module = lesson.module
        rec.add(
            "experienced",
            xapi.lesson_activity(rec, lesson, module),
            when=progress.first_seen_at,
            parents=[rec.module_activity(module)],
            statement_id=xapi.derived_id("experienced", enrolment.registration, lesson.pk),
        )
        rec.save()
    return enrolment


@transaction.atomic
def lesson_complete(*, user: Any, lesson: Lesson) -> LessonProgress:
    enrolment = enrol(user=user, course=lesson.module.course)
    if enrolment.last_lesson_id != lesson.pk:
        enrolment.last_lesson = lesson
        enrolment.save(update_fields=["last_lesson"])
    progress, _ = LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
        rec = xapi.Recorder.for_learner(user, lesson.module.course, enrolment=enrolment)
        module = lesson.module
        rec.add(
            "completed",
            xapi.lesson_activity(rec, lesson, module),
            when=progress.completed_at,
            result={
                "completion": True,
                "duration": xapi.iso_duration(progress.completed_at - progress.first_seen_at),
            },
            parents=[rec.module_activity(module)],
            statement_id=xapi.derived_id("completed", "lesson", enrolment.registration, lesson.pk),
        )
        xapi.add_module_completed(rec, module, progress.completed_at)
        rec.save()
    return progress


# --------------------------------------------------------------------------- tests


@transaction.atomic
def attempt_start(*, user: Any, course: Course, test: Test, rng: Any = None) -> Attempt:
    """Resume the open attempt or start one (:func:`quizzes.services.attempt_start`); a new
    attempt is ``launched``. Raises ``AttemptLimitReached`` as the question bank does."""
    attempt = quiz_services.attempt_start(user=user, test=test, rng=rng)
    enrolment = enrol(user=user, course=course)
    rec = xapi.Recorder.for_learner(user, course, enrolment=enrolment)
    obj, parents = xapi.test_activity(rec, test)
    rec.add(
        "launched",
        obj,
        when=attempt.started_at,
        parents=parents,
        statement_id=xapi.derived_id("launched", "attempt", attempt.pk),
    )
    rec.save()
    return attempt


@transaction.atomic
def attempt_submit(
    *,
    attempt: Attempt,
    answers: dict[str, Any],
    items: list[Item] | None = None,
    course: Course | None = None,
    submitted_at: Any = None,
    flags: list[str] | None = None,
) -> Attempt:
    """The one way a course's attempt is submitted, online (views.attempt_detail) or taken
    offline and synced (offline.attempt_record):

    - the attempt limit is checked again here, under a lock on the learner: an attempt taken
      offline (or in a second tab) may arrive after the others used the last one; then
      ``AttemptLimitReached`` and nothing is written;
    - scored by the question bank (:func:`quizzes.services.attempt_submit`), at
      ``submitted_at`` when it was submitted earlier than now, with ``flags`` for review;
    - recorded: ``answered`` per item answered (with the response), ``passed`` or ``failed``
      with the score, ``completed`` for the course when its final test is passed,
      ``terminated`` last;
    - passing the course's final test issues the certificate.

    Submitting twice changes nothing and stores the statements once (their ids derive from the
    attempt)."""
    test = attempt.test
    if test.max_attempts is not None:
        # One submission at a time per learner, so that two cannot both take the last attempt.
        get_user_model().objects.select_for_update().filter(pk=attempt.user_id).exists()
        pending = Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).exists()
        used = (
            Attempt.objects.filter(user_id=attempt.user_id, test=test, submitted_at__isnull=False)
            .exclude(pk=attempt.pk)
            .count()
        )
        if pending and used >= test.max_attempts:
            raise quiz_services.AttemptLimitReached
    items = items if items is not None else quiz_services.attempt_items(attempt)
    done = quiz_services.attempt_submit(
        attempt=attempt, answers=answers, items=items, submitted_at=submitted_at
    )
    if flags and not set(flags) <= set(done.flags):
        done.flags = sorted(set(done.flags) | set(flags))
        done.save(update_fields=["flags"])
    if course is None:
        course = Course.objects.filter(key=done.test.key.split("/")[0]).first()
    if course is None or done.submitted_at is None:
        return done
    record_attempt(attempt=done, items=items, course=course)
    if done.passed and done.test_id == course.final_test_id:
        course_certificate_issue(user=done.user, course=course)
    return done


def record_attempt(*, attempt: Attempt, items: list[Item], course: Course) -> None:
    """The statements of a submitted attempt (idempotent: ids derive from the attempt)."""
    enrolment = enrol(user=attempt.user, course=course)
    rec = xapi.Recorder.for_learner(attempt.user, course, enrolment=enrolment)
    responses = {r.item_id: r for r in attempt.responses.all()}
    xapi.attempt_statements(rec, attempt, items, responses, launched=False)
    if attempt.passed:
        module = xapi.course_index(course).module_by_quiz.get(attempt.test_id)
        if module is not None:
            xapi.add_module_completed(rec, module, attempt.submitted_at or timezone.now())
    rec.save()


# --------------------------------------------------------------------------- scenarios


def initial_state(graph: dict[str, Any]) -> dict[str, Any]:
    variables = {name: spec["initial"] for name, spec in graph.get("variables", {}).items()}
    return {"variables": variables, "flags": []}


def _passes(cond: dict[str, Any], state: dict[str, Any]) -> bool:
    flags = set(state["flags"])
    if cond.get("flag") is not None and cond["flag"] not in flags:
        return False
    if cond.get("not_flag") is not None and cond["not_flag"] in flags:
        return False
    if cond.get("variable") is not None:
        value = state["variables"][cond["variable"]]
        if cond.get("below") is not None and not value < cond["below"]:
            return False
        if cond.get("at_least") is not None and not value >= cond["at_least"]:
            return False
    return True


def apply_choice(
    graph: dict[str, Any], state: dict[str, Any], node_id: str, choice_id: str
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Pure: (next node id, new state, the choice played) — effects are clamped to each
    variable's range, flags accumulate, the first route whose condition holds is taken."""
    node = next((n for n in graph["nodes"] if n["id"] == node_id), None)
    if node is None or node.get("end"):
        raise InvalidChoice(node_id)
    choice = next((c for c in node["choices"] if c["id"] == choice_id), None)
    if choice is None:
        raise InvalidChoice(choice_id)
    variables = dict(state["variables"])
    for name, delta in choice.get("effects", {}).items():
        spec = graph["variables"][name]
        variables[name] = max(spec["min"], min(spec["max"], variables[name] + delta))
    flags = sorted(set(state["flags"]) | set(choice.get("set_flags", [])))
    new_state = {"variables": variables, "flags": flags}
    routes = choice["next"]
    if isinstance(routes, str):
        target = routes
    else:
        target = next(
            r["to"] for r in routes if r.get("when") is None or _passes(r["when"], new_state)
        )
    return target, new_state, choice


@transaction.atomic
def scenario_start(*, user: Any, scenario: Scenario) -> ScenarioRun:
    """A new run from the start node (an unfinished run is resumed instead); a new run is
    ``launched``."""
    current = ScenarioRun.objects.filter(
        user=user, scenario=scenario, finished_at__isnull=True
    ).first()
    if current is not None:
        return current
    enrolment = enrol(user=user, course=scenario.course)
    run = ScenarioRun.objects.create(
        user=user,
        scenario=scenario,
        node=scenario.graph["start"],
        state=initial_state(scenario.graph),
    )
    rec = xapi.Recorder.for_learner(user, scenario.course, enrolment=enrolment)
    rec.add(
        "launched",
        xapi.scenario_activity(rec, scenario),
        when=run.started_at,
        parents=[rec.module_activity(scenario.module)],
        statement_id=xapi.derived_id("launched", "run", run.pk),
    )
    rec.save()
    return run


@transaction.atomic
def scenario_choose(*, run: ScenarioRun, choice_id: str) -> ScenarioRun:
    locked = ScenarioRun.objects.select_for_update().select_related("scenario").get(pk=run.pk)
    if locked.finished_at is not None:
        raise InvalidChoice(choice_id)
    graph = locked.scenario.graph
    target, state, choice = apply_choice(graph, locked.state, locked.node, choice_id)
    locked.path = [
        *locked.path,
        {
            "node": locked.node,
            "choice": choice["id"],
            "score": choice.get("score", 0),
            "feedback": choice["feedback"],
        },
    ]
    locked.state = state
    locked.score += choice.get("score", 0)
    locked.node = target
    fields = ["path", "state", "score", "node"]
    end = next(n for n in graph["nodes"] if n["id"] == target)
    if end.get("end"):
        locked.finished_at = timezone.now()
        locked.outcome = end.get("outcome") or ""
        fields += ["finished_at", "outcome"]
    locked.save(update_fields=fields)
    _record_choice(locked, choice, len(locked.path))
    return locked


def _record_choice(run: ScenarioRun, choice: dict[str, Any], step: int) -> None:
    """``answered`` for the choice; at an end, ``completed``, ``passed`` or ``failed`` with
    the score, then ``terminated``."""
    scenario = run.scenario
    rec = xapi.Recorder.for_learner(run.user, scenario.course)
    now = run.finished_at or timezone.now()
    xapi.choice_statement(rec, run, step - 1, now)
    if run.finished_at is not None:
        xapi.run_end_statements(rec, run)
        xapi.add_module_completed(rec, scenario.module, run.finished_at)
    rec.save()


# --------------------------------------------------------------------------- certificate


def course_certificate_issue(*, user: Any, course: Course) -> Any:
    """Passing the course (its final test) issues the learner's certificate of achievement,
    once (the certificate service is idempotent); None while the course is not passed."""
    from cybercap.certificates.services import issue_certificate
    from cybercap.quizzes.models import Attempt

    if course.final_test_id is None:
        return None
    passed = (
        Attempt.objects.filter(user_id=user.pk, test_id=course.final_test_id, passed=True)
        .order_by("submitted_at", "pk")
        .first()
    )
    if passed is None or passed.submitted_at is None:
        return None
    enrolment = Enrolment.objects.filter(user_id=user.pk, course=course).first()
    began = enrolment.enrolled_at if enrolment is not None else passed.started_at
    return issue_certificate(
        holder_user=user,
        kind="achievement",
        title=course.title,
        starts=timezone.localdate(min(began, passed.submitted_at)),
        ends=timezone.localdate(passed.submitted_at),
        course_key=course.key,
        # The language the learner took the course in (localise.py), else their own.
        language=getattr(course, "language_shown", "")
        or getattr(user, "language", "")
        or course.language
        or "en",
    )
