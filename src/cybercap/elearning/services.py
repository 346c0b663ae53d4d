"""Writes for learners: enrolment, lesson progress and the branching-scenario state machine."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from cybercap.elearning.models import (
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Scenario,
    ScenarioRun,
)


class InvalidChoice(Exception):
    """The choice is not offered at the run's current node, or the run has ended."""


def enrol(*, user: Any, course: Course, is_demo: bool = False) -> Enrolment:
    enrolment, _ = Enrolment.objects.get_or_create(
        user=user, course=course, defaults={"is_demo": is_demo}
    )
    return enrolment


@transaction.atomic
def lesson_seen(*, user: Any, lesson: Lesson) -> None:
    """Remember where the learner is, to resume there."""
    enrolment = enrol(user=user, course=lesson.module.course)
    if enrolment.last_lesson_id != lesson.pk:
        enrolment.last_lesson = lesson
        enrolment.save(update_fields=["last_lesson"])
    LessonProgress.objects.get_or_create(user=user, lesson=lesson)


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
    return progress


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


def scenario_start(*, user: Any, scenario: Scenario) -> ScenarioRun:
    """A new run from the start node (an unfinished run is resumed instead)."""
    current = ScenarioRun.objects.filter(
        user=user, scenario=scenario, finished_at__isnull=True
    ).first()
    if current is not None:
        return current
    enrol(user=user, course=scenario.course)
    return ScenarioRun.objects.create(
        user=user,
        scenario=scenario,
        node=scenario.graph["start"],
        state=initial_state(scenario.graph),
    )


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
    return locked


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
        language=getattr(user, "language", "") or course.language or "en",
    )
