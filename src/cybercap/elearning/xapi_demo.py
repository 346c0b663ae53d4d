"""Demo data: the xAPI statements that the demo learners' progress would have produced.

Runs after the e-learning demo seeders (order 90). For every demo enrolment (flagged as demo,
or of a learner with demo attempts) it derives, from what is stored, the statements the
platform records as events happen: the course launched at enrolment, each lesson experienced
and completed, each submitted attempt (launched, answered per item, passed or failed,
terminated), each scenario run (launched, answered per choice, completed, passed or failed,
terminated), the modules whose rules are met and the course once its final test is passed.

The statements have the same ids as those the platform records (derived from the event), so
statements already recorded live are not duplicated and a second run adds nothing. Rows are
inserted a chunk of enrolments at a time, with a fixed number of queries per chunk (on
PostgreSQL by COPY into a temporary table, then one INSERT with conflicts ignored: a million
statements in minutes, where INSERTs took that long for tens of thousands).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Q

from cybercap.demo.registry import DemoReport

CHUNK = 500


@dataclass(frozen=True)
class _User:
    pk: int


class _Row(NamedTuple):
    """A statement as a plain row (no model instance: a million of them go in at a time)."""

    id: uuid.UUID
    user_id: int
    course_id: int
    registration: uuid.UUID
    verb: str
    object_id: str
    timestamp: dt.datetime
    stored: dt.datetime
    data: dict[str, Any]
    is_demo: bool


_COLUMNS = _Row._fields


def _recorder_class() -> type:
    from cybercap.elearning import xapi

    class BulkRecorder(xapi.Recorder):
        def _row(
            self,
            sid: uuid.UUID,
            verb_name: str,
            object_id: str,
            when: dt.datetime,
            stored: dt.datetime,
            data: dict[str, Any],
        ) -> _Row:
            return _Row(
                sid,
                self.user.pk,
                self.course.pk,
                self.registration,
                verb_name,
                object_id,
                when,
                stored,
                data,
                self.is_demo,
            )

    return BulkRecorder


def seed_statements(*, scale: int, report: DemoReport) -> None:
    from cybercap.elearning.models import Enrolment

    enrolments = (
        Enrolment.objects.filter(Q(is_demo=True) | Q(user__quiz_attempts__is_demo=True))
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    ids = list(enrolments)
    added = 0
    for start in range(0, len(ids), CHUNK):
        added += _seed_chunk(ids[start : start + CHUNK])
    if added:
        report.add_count("xAPI statements", added)


def _seed_chunk(enrolment_ids: list[int]) -> int:
    """Derive and store the statements of these enrolments; return how many were new."""
    from cybercap.demo.bulk import insert_rows_ignoring_conflicts
    from cybercap.elearning import xapi
    from cybercap.elearning.models import (
        Course,
        Enrolment,
        LearnerAccount,
        Lesson,
        LessonProgress,
        Scenario,
        ScenarioRun,
        Statement,
    )
    from cybercap.quizzes.models import Attempt, Item, Response

    enrolments = list(Enrolment.objects.filter(pk__in=enrolment_ids))
    user_ids = {e.user_id for e in enrolments}
    LearnerAccount.objects.bulk_create(
        [LearnerAccount(user_id=pk) for pk in user_ids], ignore_conflicts=True
    )
    accounts = dict(
        LearnerAccount.objects.filter(user_id__in=user_ids).values_list("user_id", "name")
    )
    courses = {c.pk: c for c in Course.objects.filter(pk__in={e.course_id for e in enrolments})}
    lessons = {
        lesson.pk: lesson
        for lesson in Lesson.objects.filter(module__course__in=courses.values()).defer(
            "html", "html_after_slot"
        )
    }
    scenarios = {s.pk: s for s in Scenario.objects.filter(course__in=courses.values())}
    progress: dict[int, list[Any]] = defaultdict(list)
    for row in LessonProgress.objects.filter(user_id__in=user_ids, lesson__in=lessons.keys()):
        progress[row.user_id].append(row)
    test_course: dict[int, int] = {}
    for course in courses.values():
        for module in xapi.course_index(course).modules.values():
            if module.quiz_id is not None:
                test_course[module.quiz_id] = course.pk
        if course.final_test_id is not None:
            test_course[course.final_test_id] = course.pk
    attempts: dict[int, list[Any]] = defaultdict(list)
    attempt_rows = list(
        Attempt.objects.filter(
            user_id__in=user_ids, test_id__in=test_course.keys(), submitted_at__isnull=False
        ).select_related("test")
    )
    for attempt in attempt_rows:
        attempts[attempt.user_id].append(attempt)
    responses: dict[int, dict[int, Any]] = defaultdict(dict)
    for response in Response.objects.filter(attempt__in=attempt_rows):
        responses[response.attempt_id][response.item_id] = response
    items = {i.pk: i for i in Item.objects.filter(responses__attempt__in=attempt_rows).distinct()}
    runs: dict[int, list[Any]] = defaultdict(list)
    for run in ScenarioRun.objects.filter(user_id__in=user_ids, scenario__in=scenarios.keys()):
        run.scenario = scenarios[run.scenario_id]
        runs[run.user_id].append(run)

    lessons_of: dict[int, set[int]] = defaultdict(set)
    for each in lessons.values():
        lessons_of[each.module_id].add(each.pk)
    scenarios_of: dict[int, set[int]] = defaultdict(set)
    for scenario in scenarios.values():
        scenarios_of[scenario.module_id].add(scenario.pk)

    recorder = _recorder_class()
    rows: list[Any] = []
    for enrolment in enrolments:
        course = courses[enrolment.course_id]
        index = xapi.course_index(course)
        rec = recorder(
            user=_User(enrolment.user_id),
            course=course,
            registration=enrolment.registration,
            account=accounts[enrolment.user_id],
            is_demo=True,
        )
        rec.add(
            "launched",
            rec.course_activity(),
            when=enrolment.enrolled_at,
            statement_id=xapi.derived_id("launched", "course", enrolment.registration),
        )
        # When each module's rules were last met: lessons read, quiz passed, scenarios done.
        done_at: dict[int, list[dt.datetime | None]] = defaultdict(list)
        read: dict[int, set[int]] = defaultdict(set)
        for row in progress[enrolment.user_id]:
            lesson = lessons.get(row.lesson_id)
            if lesson is None or lesson.module_id not in index.modules:
                continue
            module = index.modules[lesson.module_id]
            rec.add(
                "experienced",
                xapi.lesson_activity(rec, lesson, module),
                when=row.first_seen_at,
                parents=[rec.module_activity(module)],
                statement_id=xapi.derived_id("experienced", enrolment.registration, lesson.pk),
            )
            if row.completed_at is not None:
                read[module.pk].add(lesson.pk)
                done_at[module.pk].append(row.completed_at)
                rec.add(
                    "completed",
                    xapi.lesson_activity(rec, lesson, module),
                    when=row.completed_at,
                    result={
                        "completion": True,
                        "duration": xapi.iso_duration(row.completed_at - row.first_seen_at),
                    },
                    parents=[rec.module_activity(module)],
                    statement_id=xapi.derived_id(
                        "completed", "lesson", enrolment.registration, lesson.pk
                    ),
                )
        quiz_passed: dict[int, dt.datetime] = {}
        for attempt in attempts[enrolment.user_id]:
            if test_course.get(attempt.test_id) != course.pk:
                continue
            by_item = responses[attempt.pk]
            shown = [items[pk] for pk in by_item if pk in items]
            xapi.attempt_statements(rec, attempt, shown, by_item, launched=True)
            quiz_module = index.module_by_quiz.get(attempt.test_id)
            if attempt.passed and quiz_module is not None and quiz_module.pk not in quiz_passed:
                quiz_passed[quiz_module.pk] = attempt.submitted_at
        finished: dict[int, set[int]] = defaultdict(set)
        for run in runs[enrolment.user_id]:
            if run.scenario.course_id != course.pk:
                continue
            rec.add(
                "launched",
                xapi.scenario_activity(rec, run.scenario),
                when=run.started_at,
                parents=[rec.module_activity(index.modules[run.scenario.module_id])],
                statement_id=xapi.derived_id("launched", "run", run.pk),
            )
            end = run.finished_at or run.started_at + dt.timedelta(minutes=len(run.path))
            steps = max(1, len(run.path))
            for n in range(len(run.path)):
                when = run.started_at + (end - run.started_at) * (n + 1) / steps
                xapi.choice_statement(rec, run, n, when)
            if run.finished_at is not None:
                xapi.run_end_statements(rec, run)
                finished[run.scenario.module_id].add(run.scenario_id)
                done_at[run.scenario.module_id].append(run.finished_at)
        for module in index.modules.values():
            if not lessons_of[module.pk] <= read[module.pk]:
                continue
            if module.quiz_id is not None and module.pk not in quiz_passed:
                continue
            if not scenarios_of[module.pk] <= finished[module.pk]:
                continue
            times = [t for t in done_at[module.pk] if t is not None]
            if module.pk in quiz_passed:
                times.append(quiz_passed[module.pk])
            if not times:
                continue
            rec.add(
                "completed",
                rec.module_activity(module),
                when=max(times),
                result={"completion": True},
                statement_id=xapi.derived_id(
                    "completed", "module", enrolment.registration, module.key
                ),
            )
        rows += rec.pending
    return insert_rows_ignoring_conflicts(Statement, _COLUMNS, rows)
