"""Reads for the course engine, scoped by user.

Courses are open to learners (the learner role) and staff. Progress, attempts and scenario runs
are personal: each user reads only their own; another user's run or attempt is a 404.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.elearning.models import (
    Course,
    Enrolment,
    LegalBasis,
    Lesson,
    LessonProgress,
    Module,
    Scenario,
    ScenarioRun,
)
from cybercap.quizzes.models import Attempt


def can_learn(user: Any) -> bool:
    return access.has_role(user, Role.LEARNER, Role.STAFF)


def courses_for_user(*, user: Any) -> QuerySet[Course]:
    if not can_learn(user):
        return Course.objects.none()
    return Course.objects.all()


def catalogue_for_user(*, user: Any) -> QuerySet[Course]:
    """Courses listed: to take (learners, staff) or to see figures of (focal points)."""
    if not (can_learn(user) or can_see_reports(user)):
        return Course.objects.none()
    return Course.objects.all()


def report_course_get_for_user(*, user: Any, key: str) -> Course:
    if not can_see_reports(user):
        raise Http404
    return access.get_or_404(Course.objects.all(), key=key)


def course_get_for_user(*, user: Any, key: str) -> Course:
    return access.get_or_404(courses_for_user(user=user), key=key)


def lesson_get_for_user(*, user: Any, course: Course, key: str) -> Lesson:
    return access.get_or_404(
        Lesson.objects.filter(module__course=course).select_related("module"), key=key
    )


def module_get_for_user(*, user: Any, course: Course, key: str) -> Module:
    return access.get_or_404(course.modules.select_related("quiz"), key=key)


def scenario_get_for_user(*, user: Any, course: Course, key: str) -> Scenario:
    return access.get_or_404(course.scenarios.select_related("module"), key=key)


def scenario_runs_for_user(*, user: Any) -> QuerySet[ScenarioRun]:
    """Only the user's own runs."""
    if not can_learn(user):
        return ScenarioRun.objects.none()
    return ScenarioRun.objects.filter(user_id=user.pk).select_related(
        "scenario", "scenario__course"
    )


def scenario_run_get_for_user(*, user: Any, pk: int) -> ScenarioRun:
    return access.get_or_404(scenario_runs_for_user(user=user), pk=pk)


def legal_basis_for_user(*, user: Any, course: Course) -> tuple[str | None, LegalBasis | None]:
    """The learner's country code (from their person record) and its legal basis, if any."""
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    code = person.country.code if person is not None else None
    if code is None:
        return None, None
    return code, LegalBasis.objects.filter(course=course, country_code=code).first()


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class TestResult:
    """A learner's submitted attempts at one test, summed up: the best score, whether any
    attempt passed, and how many were submitted."""

    score: float | None
    passed: bool
    attempts: int

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


@dataclass
class ModuleProgress:
    module: Module
    lessons: list[Lesson]
    done_lessons: set[int]
    quiz_best: float | None
    quiz_passed: bool
    scenarios: list[Scenario]
    done_scenarios: set[int]

    @property
    def lessons_done(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.pk in self.done_lessons)

    @property
    def complete(self) -> bool:
        """Lessons read, the quiz passed at its mastery score, every scenario finished."""
        return (
            self.lessons_done == len(self.lessons)
            and (self.module.quiz_id is None or self.quiz_passed)
            and all(s.pk in self.done_scenarios for s in self.scenarios)
        )


@dataclass
class CourseProgress:
    course: Course
    enrolment: Enrolment | None
    modules: list[ModuleProgress] = field(default_factory=list)
    pre_test: TestResult | None = None
    final_best: TestResult | None = None
    final_used: int = 0

    @property
    def modules_complete(self) -> int:
        return sum(1 for m in self.modules if m.complete)

    @property
    def percent(self) -> int:
        return round(100 * self.modules_complete / len(self.modules)) if self.modules else 0

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for m in self.modules for lesson in m.lessons]

    @property
    def final_passed(self) -> bool:
        return bool(self.final_best and self.final_best.passed)

    @property
    def resume(self) -> Lesson | None:
        """The last lesson opened, or the first lesson not yet completed."""
        if self.enrolment is not None and self.enrolment.last_lesson_id is not None:
            for lesson in self.lessons:
                if lesson.pk == self.enrolment.last_lesson_id:
                    return lesson
        done = {pk for m in self.modules for pk in m.done_lessons}
        return next((lesson for lesson in self.lessons if lesson.pk not in done), None)


@dataclass(frozen=True)
class Outline:
    """A course's modules, lessons (without their bodies) and scenarios (without their graphs),
    in course order."""

    modules: tuple[Module, ...]
    lessons: tuple[Lesson, ...]
    scenarios: tuple[Scenario, ...]


_OUTLINES: dict[tuple[int, str, int], Outline] = {}


def course_outline(course: Course) -> Outline:
    """The course's outline, read once per process for each revision of the course.

    Every learner page needs it and it changes only when the content is loaded again, which
    gives the course a new ``content_hash`` and ``revision``: the cache key. Each call returns
    copies, so that a page may translate them in place (:func:`~.localise.localise`)."""
    key = (course.pk, course.content_hash, course.revision)
    outline = _OUTLINES.get(key)
    if outline is None:
        outline = Outline(
            modules=tuple(Module.objects.filter(course=course).order_by("position")),
            # The lesson bodies and scenario graphs are not needed for progress.
            lessons=tuple(
                Lesson.objects.filter(module__course=course)
                .defer("html", "html_after_slot", "html_translations")
                .order_by("position")
            ),
            scenarios=tuple(
                Scenario.objects.filter(course=course)
                .defer("graph", "graph_translations")
                .order_by("position")
            ),
        )
        if len(_OUTLINES) > 64:  # courses are few; older revisions go
            _OUTLINES.clear()
        _OUTLINES[key] = outline
    return Outline(
        modules=tuple(copy.copy(m) for m in outline.modules),
        lessons=tuple(copy.copy(lesson) for lesson in outline.lessons),
        scenarios=tuple(copy.copy(s) for s in outline.scenarios),
    )


def forget_outlines(**_signal: Any) -> None:
    _OUTLINES.clear()


_UNKNOWN: Any = object()


def course_progress(
    *, user: Any, course: Course, enrolment: Enrolment | None = _UNKNOWN
) -> CourseProgress:
    """Everything the course page shows: four queries, whatever the learner has done (the
    outline comes from :func:`course_outline`). Pass ``enrolment`` when the caller has read it
    already (``None`` for not enrolled)."""
    outline = course_outline(course)
    modules, lessons, scenarios = outline.modules, outline.lessons, outline.scenarios
    done_lessons = set(
        LessonProgress.objects.filter(
            user_id=user.pk, lesson__module__course=course, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )
    done_scenarios = set(
        ScenarioRun.objects.filter(
            user_id=user.pk, scenario__course=course, finished_at__isnull=False
        ).values_list("scenario_id", flat=True)
    )
    test_ids = [m.quiz_id for m in modules if m.quiz_id] + (
        [course.final_test_id] if course.final_test_id else []
    )
    # One row per test, summed up in the database: a learner may retake a module quiz without
    # limit, and the page must cost the same after the hundredth attempt as after the first.
    results = {
        row["test_id"]: TestResult(
            score=row["best"], passed=row["passed"] > 0, attempts=row["attempts"]
        )
        for row in Attempt.objects.filter(
            user_id=user.pk, test_id__in=test_ids, submitted_at__isnull=False
        )
        .values("test_id")
        .annotate(
            best=Max("score"),
            passed=Count("pk", filter=Q(passed=True)),
            attempts=Count("pk"),
        )
        .order_by()
    }
    if enrolment is _UNKNOWN:
        enrolment = Enrolment.objects.filter(user_id=user.pk, course=course).first()
    progress = CourseProgress(course=course, enrolment=enrolment)
    for module in modules:
        result = results.get(module.quiz_id) if module.quiz_id else None
        progress.modules.append(
            ModuleProgress(
                module=module,
                lessons=[lesson for lesson in lessons if lesson.module_id == module.pk],
                done_lessons=done_lessons,
                quiz_best=result.score if result else None,
                quiz_passed=bool(result and result.passed),
                scenarios=[s for s in scenarios if s.module_id == module.pk],
                done_scenarios=done_scenarios,
            )
        )
    # The pre-test is taken once (max_attempts=1): its result is that one attempt's score.
    if course.pre_test_id:
        progress.pre_test = results.get(course.pre_test_id)
    final = results.get(course.final_test_id) if course.final_test_id else None
    progress.final_used = final.attempts if final else 0
    progress.final_best = final
    return progress


# --------------------------------------------------------------------------- aggregate reports


def can_see_reports(user: Any) -> bool:
    return access.has_role(user, Role.STAFF, Role.FOCAL_POINT)


@dataclass
class CountryRow:
    country: str
    enrolled: int = 0
    started: int = 0
    pre_test_mean: float | None = None
    final_passed: int = 0
    scenarios_finished: int = 0


def course_report_for_user(*, user: Any, course: Course) -> list[CountryRow]:
    """Learner figures by country (from each learner's person record): staff see every
    country, focal points only their own; learners without a country are not counted. No
    learner is named. A fixed five queries."""
    from django.db.models import Avg, Count

    if not can_see_reports(user):
        return []
    country_field = "user__person__country__code"
    scope: dict[str, Any] = {"user__person__country__isnull": False}
    if not access.is_staff(user):
        scope = {"user__person__country_id__in": access.countries(user, Role.FOCAL_POINT)}
    rows: dict[str, CountryRow] = {}

    def row(code: str) -> CountryRow:
        return rows.setdefault(code, CountryRow(code))

    for entry in (
        Enrolment.objects.filter(course=course, **scope)
        .values(country_field)
        .annotate(n=Count("user", distinct=True))
    ):
        row(entry[country_field]).enrolled = entry["n"]
    for entry in (
        LessonProgress.objects.filter(
            lesson__module__course=course, completed_at__isnull=False, **scope
        )
        .values(country_field)
        .annotate(n=Count("user", distinct=True))
    ):
        row(entry[country_field]).started = entry["n"]
    if course.pre_test_id:
        for entry in (
            Attempt.objects.filter(test_id=course.pre_test_id, submitted_at__isnull=False, **scope)
            .values(country_field)
            .annotate(mean=Avg("score"))
        ):
            row(entry[country_field]).pre_test_mean = entry["mean"]
    if course.final_test_id:
        for entry in (
            Attempt.objects.filter(test_id=course.final_test_id, passed=True, **scope)
            .values(country_field)
            .annotate(n=Count("user", distinct=True))
        ):
            row(entry[country_field]).final_passed = entry["n"]
    for entry in (
        ScenarioRun.objects.filter(scenario__course=course, finished_at__isnull=False, **scope)
        .values(country_field)
        .annotate(n=Count("id"))
    ):
        row(entry[country_field]).scenarios_finished = entry["n"]
    return sorted(rows.values(), key=lambda r: r.country)
