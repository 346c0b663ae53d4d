"""Course analytics for staff (every country) and focal points (their own country's learners):
completions by country and agency, time spent, where learners stop, and item analysis.

Reads only, each in a fixed number of queries whatever the number of learners (grouping is done
by the database). Learners are counted by the country and agency of their person record, as in
the course report; learners without one are left out, and no learner is named.

Definitions:

* *enrolled*: an enrolment in the course; *started*: at least one lesson marked read;
  *completed*: passed the final test (what the certificate rewards).
* *time spent*: for each lesson, from first opening it to marking it read, and for each
  submitted attempt, from its start to its submission; each span is capped (a page left open
  overnight is not study time): lessons at ``LESSON_CAP``, attempts at ``ATTEMPT_CAP``.
* *where learners stop*: the furthest lesson (in course order) each learner opened; the funnel
  counts, for each lesson, the learners who reached at least that far, and the drop-outs who
  stopped there (enrolled, not completed).
* *item analysis*: difficulty and discrimination (quizzes.analysis) over the submitted attempts
  of the course's tests, counting only answers to each item's current version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Least

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.elearning.models import Course, Enrolment, Lesson, LessonProgress, Module
from cybercap.elearning.selectors import can_see_reports
from cybercap.quizzes.analysis import ItemStats, item_analysis
from cybercap.quizzes.models import Attempt, Item, Response

LESSON_CAP = timedelta(minutes=60)
ATTEMPT_CAP = timedelta(minutes=90)
COUNTRY = "person__country__code"
AGENCY = "person__agency__name"


def _user_scope(user: Any, prefix: str) -> Q:
    """Learners the viewer may count: staff every learner with a country, a focal point the
    learners of their own countries."""
    if access.is_staff(user):
        return Q(**{f"{prefix}person__country__isnull": False})
    reach = access.countries(user, Role.FOCAL_POINT)
    return Q(**{f"{prefix}person__country_id__in": reach})


def _tests(course: Course) -> list[int]:
    ids = list(course.modules.exclude(quiz=None).values_list("quiz_id", flat=True))
    return ids + [t for t in (course.pre_test_id, course.final_test_id) if t is not None]


# --------------------------------------------------------------------------- completions


@dataclass
class CompletionRow:
    country: str
    agency: str
    enrolled: int = 0
    started: int = 0
    completed: int = 0

    @property
    def rate(self) -> int | None:
        return round(100 * self.completed / self.enrolled) if self.enrolled else None


def _completed(course: Course) -> Exists:
    finals = [course.final_test_id] if course.final_test_id is not None else []
    return Exists(
        Attempt.objects.filter(user_id=OuterRef("user_id"), test_id__in=finals, passed=True)
    )


def completions(*, user: Any, course: Course) -> list[CompletionRow]:
    """Enrolled, started and completed learners by country and agency (one query)."""
    if not can_see_reports(user):
        return []
    started = Exists(
        LessonProgress.objects.filter(
            user_id=OuterRef("user_id"),
            lesson__module__course=course,
            completed_at__isnull=False,
        )
    )
    rows = (
        Enrolment.objects.filter(_user_scope(user, "user__"), course=course)
        .annotate(has_started=started, has_completed=_completed(course))
        .values(f"user__{COUNTRY}", f"user__{AGENCY}")
        .annotate(
            enrolled=Count("id"),
            started=Count("id", filter=Q(has_started=True)),
            completed=Count("id", filter=Q(has_completed=True)),
        )
        .order_by(f"user__{COUNTRY}", f"user__{AGENCY}")
    )
    return [
        CompletionRow(
            country=row[f"user__{COUNTRY}"],
            agency=row[f"user__{AGENCY}"] or "",
            enrolled=row["enrolled"],
            started=row["started"],
            completed=row["completed"],
        )
        for row in rows
    ]


def completions_by_country(rows: list[CompletionRow]) -> list[CompletionRow]:
    totals: dict[str, CompletionRow] = {}
    for row in rows:
        total = totals.setdefault(row.country, CompletionRow(row.country, ""))
        total.enrolled += row.enrolled
        total.started += row.started
        total.completed += row.completed
    return [totals[k] for k in sorted(totals)]


# --------------------------------------------------------------------------- time spent


@dataclass
class TimeRow:
    country: str
    learners: int = 0
    lesson_time: timedelta = timedelta(0)
    quiz_time: timedelta = timedelta(0)

    @property
    def total(self) -> timedelta:
        return self.lesson_time + self.quiz_time

    @property
    def minutes_per_learner(self) -> int | None:
        if not self.learners:
            return None
        return round(self.total.total_seconds() / 60 / self.learners)

    @property
    def hours(self) -> float:
        return round(self.total.total_seconds() / 3600, 1)


def _capped(end: str, start: str, cap: timedelta) -> Least:
    span = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    return Least(span, Value(cap, output_field=DurationField()))


def time_spent(*, user: Any, course: Course) -> list[TimeRow]:
    """Study time by country (two queries), from lesson progress and attempt durations."""
    if not can_see_reports(user):
        return []
    rows: dict[str, TimeRow] = {}
    lessons = (
        LessonProgress.objects.filter(
            _user_scope(user, "user__"),
            lesson__module__course=course,
            completed_at__isnull=False,
            completed_at__gte=F("first_seen_at"),
        )
        .values(f"user__{COUNTRY}")
        .annotate(
            time=Sum(_capped("completed_at", "first_seen_at", LESSON_CAP)),
            learners=Count("user", distinct=True),
        )
    )
    for entry in lessons:
        row = rows.setdefault(entry[f"user__{COUNTRY}"], TimeRow(entry[f"user__{COUNTRY}"]))
        row.lesson_time = entry["time"] or timedelta(0)
        row.learners = entry["learners"]
    attempts = (
        Attempt.objects.filter(
            _user_scope(user, "user__"),
            test_id__in=_tests(course),
            submitted_at__isnull=False,
            submitted_at__gte=F("started_at"),
        )
        .values(f"user__{COUNTRY}")
        .annotate(
            time=Sum(_capped("submitted_at", "started_at", ATTEMPT_CAP)),
            learners=Count("user", distinct=True),
        )
    )
    for entry in attempts:
        row = rows.setdefault(entry[f"user__{COUNTRY}"], TimeRow(entry[f"user__{COUNTRY}"]))
        row.quiz_time = entry["time"] or timedelta(0)
        # A learner may have quiz time and no lesson time: count the larger set.
        row.learners = max(row.learners, entry["learners"])
    return [rows[k] for k in sorted(rows)]


# --------------------------------------------------------------------------- where they stop


@dataclass
class FunnelStep:
    module: Module
    lesson: Lesson
    reached: int = 0  # learners who opened this lesson or a later one
    stopped: int = 0  # drop-outs whose furthest lesson is this one


@dataclass
class Funnel:
    enrolled: int = 0
    not_started: int = 0
    completed: int = 0
    steps: list[FunnelStep] = field(default_factory=list)

    def percent(self, n: int) -> int:
        return round(100 * n / self.enrolled) if self.enrolled else 0

    @property
    def rows(self) -> list[tuple[FunnelStep, int]]:
        return [(step, self.percent(step.reached)) for step in self.steps]


def funnel(*, user: Any, course: Course) -> Funnel:
    """Where enrolled learners got to (two queries: the lessons, the grouped counts)."""
    result = Funnel()
    if not can_see_reports(user):
        return result
    lessons = list(
        Lesson.objects.filter(module__course=course)
        .select_related("module")
        .defer("html", "html_after_slot", "module__summary")
        .order_by("module__position", "position")
    )
    rank = {lesson.pk: n for n, lesson in enumerate(lessons)}
    # Each lesson's place in the course, comparable in SQL: module position, then position.
    order = F("lesson__module__position") * 10_000 + F("lesson__position")
    furthest = Subquery(
        LessonProgress.objects.filter(user_id=OuterRef("user_id"), lesson__module__course=course)
        .annotate(place=order)
        .order_by("-place")
        .values("lesson_id")[:1]
    )
    grouped = (
        Enrolment.objects.filter(_user_scope(user, "user__"), course=course)
        .annotate(furthest=furthest, done=_completed(course))
        .values("furthest", "done")
        .annotate(n=Count("id"))
    )
    steps = [FunnelStep(module=lesson.module, lesson=lesson) for lesson in lessons]
    for entry in grouped:
        result.enrolled += entry["n"]
        if entry["done"]:
            result.completed += entry["n"]
        place = rank.get(entry["furthest"]) if entry["furthest"] is not None else None
        if place is None:
            result.not_started += entry["n"]
            continue
        for step in steps[: place + 1]:
            step.reached += entry["n"]
        if not entry["done"]:
            steps[place].stopped += entry["n"]
    result.steps = steps
    return result


# --------------------------------------------------------------------------- item analysis


@dataclass(frozen=True)
class ItemRow:
    item: Item
    stats: ItemStats
    tests: list[str]


def items_for_report(*, user: Any, course: Course) -> list[ItemRow]:
    """Difficulty and discrimination of every item the course's tests used (three queries)."""
    if not can_see_reports(user):
        return []
    tests = _tests(course)
    answers = (
        Response.objects.filter(
            _user_scope(user, "attempt__user__"),
            attempt__test_id__in=tests,
            attempt__submitted_at__isnull=False,
            item_version=F("item__version"),
        )
        .order_by("attempt_id")
        .values_list("attempt_id", "item__key", "score")
    )
    by_attempt: dict[int, dict[str, float]] = defaultdict(dict)
    for attempt_id, key, score in answers.iterator(chunk_size=5000):
        by_attempt[attempt_id][key] = score
    stats = {s.key: s for s in item_analysis(list(by_attempt.values()))}
    items = list(
        Item.objects.filter(tests__in=tests, retired=False)
        .distinct()
        .select_related("topic")
        .order_by("key")
    )
    used = defaultdict(list)
    for item_id, title in Item.tests.through.objects.filter(test_id__in=tests).values_list(
        "item_id", "test__title"
    ):
        used[item_id].append(title)
    rows = []
    for item in items:
        found = stats.get(item.key) or ItemStats(item.key, 0, None, None, None, ("few",))
        rows.append(ItemRow(item=item, stats=found, tests=sorted(set(used[item.pk]))))
    return rows
