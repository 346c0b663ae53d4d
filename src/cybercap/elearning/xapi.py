"""xAPI 1.0.3 statements about learner events, stored in the same transaction as the event.

Every learner event on the platform becomes one statement (see :mod:`cybercap.elearning.services`
for where each is recorded):

- ``launched``: the course (on enrolment), a test attempt, a scenario run;
- ``experienced``: a lesson opened for the first time (a revisit writes nothing);
- ``answered``: one per item answered in a submitted attempt (with the response in the xAPI
  interaction format) and one per choice made in a scenario;
- ``passed`` / ``failed``: a submitted attempt (scored against its pass mark), a finished
  scenario (against its pass score);
- ``completed``: a lesson marked complete, a scenario finished, a module whose completion rules
  are met, the course (its final test passed);
- ``terminated``: a submitted attempt, a finished scenario run.

The actor is an account (``homePage`` the site, ``name`` an opaque UUID from
:class:`~cybercap.elearning.models.LearnerAccount`), never the e-mail. Activity IRIs are built
from the course, module, lesson, scenario and item keys, so they stay the same across reloads
of the content. The context carries the enrolment's registration UUID and the course language.

Statements about events that happen once (a submitted attempt, a completed lesson) get ids
derived from the event (UUID 5), and are inserted with conflicts ignored: recording the same
event twice (a double submission, an offline sync sent again) stores it once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from cybercap.elearning.models import (
    Course,
    Enrolment,
    LearnerAccount,
    Lesson,
    Module,
    Scenario,
    ScenarioRun,
    Statement,
)

XAPI_VERSION = "1.0.3"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = (
    "launched",
    "initialized",
    "experienced",
    "answered",
    "passed",
    "failed",
    "completed",
    "terminated",
)
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "simulation": "http://adlnet.gov/expapi/activities/simulation",
}
PLATFORM = "cybercap"
# Namespace of the ids of statements derived from their event (UUID 5).
STATEMENT_NS = uuid.UUID("6f0f4c1e-4d39-5a57-9b1e-2f1f0c6a7c11")
# cybercap item types -> xAPI interaction types (the same as SCORM's, which xAPI reuses)
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "true_false": "true-false",
    "ordering": "sequencing",
    "matching": "matching",
}


# --------------------------------------------------------------------------- identifiers


def activities_base() -> str:
    return f"{settings.SITE_URL}/xapi/activities"


def _seg(key: str) -> str:
    return quote(key, safe="")


def course_iri(course_key: str) -> str:
    return _course_iri(settings.SITE_URL, course_key)


@functools.lru_cache(maxsize=256)
def _course_iri(site: str, course_key: str) -> str:
    return f"{site}/xapi/activities/course/{_seg(course_key)}"


def module_iri(course_key: str, module_key: str) -> str:
    return f"{course_iri(course_key)}/module/{_seg(module_key)}"


def lesson_iri(course_key: str, module_key: str, lesson_key: str) -> str:
    return f"{module_iri(course_key, module_key)}/lesson/{_seg(lesson_key)}"


def module_quiz_iri(course_key: str, module_key: str) -> str:
    return f"{module_iri(course_key, module_key)}/quiz"


def final_test_iri(course_key: str) -> str:
    return f"{course_iri(course_key)}/final-test"


def item_iri(course_key: str, item_key: str) -> str:
    return f"{course_iri(course_key)}/item/{_seg(item_key)}"


def scenario_iri(course_key: str, scenario_key: str) -> str:
    return f"{course_iri(course_key)}/scenario/{_seg(scenario_key)}"


def scenario_node_iri(course_key: str, scenario_key: str, node_id: str) -> str:
    return f"{scenario_iri(course_key, scenario_key)}/node/{_seg(node_id)}"


def derived_id(*parts: object) -> uuid.UUID:
    """The id of the statement about a once-only event."""
    return uuid.uuid5(STATEMENT_NS, "|".join(str(p) for p in parts))


def iso_duration(delta: dt.timedelta) -> str:
    """An ISO 8601 duration (``PT1H2M3.5S``), to the hundredth of a second."""
    centis = max(0, round(delta.total_seconds() * 100))
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    seconds, hundredths = divmod(rest, 100)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if hundredths:
        out += f"{seconds}.{hundredths:02d}".rstrip("0") + "S"
    elif seconds or out == "PT":
        out += f"{seconds}S"
    return out


def timestamp_text(when: dt.datetime) -> str:
    """UTC, ISO 8601, milliseconds, ``Z``."""
    value = when.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def agent(account_name: uuid.UUID | str) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL, "name": str(account_name)},
    }


def verb(name: str) -> dict[str, Any]:
    if name not in VERBS:
        raise ValueError(name)
    return {"id": ADL + name, "display": {"en-US": name}}


def activity(iri: str, kind: str, name: str, language: str, **definition: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": ACTIVITY_TYPES[kind]}
    if name:
        body["name"] = {language: name}
    body.update({k: v for k, v in definition.items() if v not in (None, "", [], {})})
    return {"objectType": "Activity", "id": iri, "definition": body}


def score(raw: float, *, maximum: float = 100.0, scaled: float | None = None) -> dict[str, Any]:
    """A result score: raw between 0 and ``maximum``, scaled 0..1."""
    raw = round(max(0.0, min(maximum, raw)), 2)
    if scaled is None:
        scaled = raw / maximum if maximum else 0.0
    return {"scaled": round(scaled, 4), "raw": raw, "min": 0, "max": maximum}


# --------------------------------------------------------------------------- interactions


def correct_pattern(item_type: str, correct: Any) -> str:
    """The item's correct answer as an xAPI ``correctResponsesPattern`` entry."""
    if item_type == "true_false":
        return "true" if correct and correct[0] == "true" else "false"
    if item_type == "matching":
        return "[,]".join(f"{src}[.]{tgt}" for src, tgt in sorted(correct.items()))
    return "[,]".join(str(c) for c in correct)


def response_text(item_type: str, answer: Any) -> str:
    """A learner's answer as an xAPI interaction response ("" when nothing was answered)."""
    if item_type == "true_false":
        return ("true" if answer[0] == "true" else "false") if answer else ""
    if item_type == "matching":
        pairs = sorted((k, v) for k, v in (answer or {}).items() if v)
        return "[,]".join(f"{src}[.]{tgt}" for src, tgt in pairs)
    return "[,]".join(str(a) for a in answer or [])


def is_answered(item_type: str, answer: Any) -> bool:
    return bool(response_text(item_type, answer))


def item_activity(course_key: str, item: Any, language: str) -> dict[str, Any]:
    """The item as an interaction activity: type, choices and the correct response."""
    kind = INTERACTION_TYPES[item.type]
    components = [{"id": o["id"], "description": {language: o["text"]}} for o in item.options]
    definition: dict[str, Any] = {
        "description": {language: item.stem},
        "interactionType": kind,
        "correctResponsesPattern": [correct_pattern(item.type, item.correct)],
    }
    if kind == "choice" or kind == "sequencing":
        definition["choices"] = components
    elif kind == "matching":
        definition["source"] = components
        definition["target"] = [
            {"id": t["id"], "description": {language: t["text"]}} for t in item.targets
        ]
    return activity(item_iri(course_key, item.key), "interaction", item.key, language, **definition)


# --------------------------------------------------------------------------- recording


@dataclass
class Recorder:
    """Builds and stores the statements of one learner in one course.

    Collect with :meth:`add`, then :meth:`save` (one bulk insert). Call inside the transaction
    of the event, so the event and its statements are stored together or not at all.
    """

    user: Any
    course: Course
    registration: uuid.UUID
    account: uuid.UUID
    is_demo: bool = False
    pending: list[Statement] = field(default_factory=list)

    @classmethod
    def for_learner(
        cls, user: Any, course: Course, *, enrolment: Enrolment | None = None
    ) -> Recorder:
        if enrolment is None:
            enrolment, _ = Enrolment.objects.get_or_create(user=user, course=course)
        account = learner_account(user)
        return cls(
            user=user,
            course=course,
            registration=enrolment.registration,
            account=account,
            is_demo=enrolment.is_demo,
        )

    @property
    def language(self) -> str:
        return self.course.language

    def course_activity(self) -> dict[str, Any]:
        return activity(course_iri(self.course.key), "course", self.course.title, self.language)

    def module_activity(self, module: Module) -> dict[str, Any]:
        return activity(
            module_iri(self.course.key, module.key), "module", module.title, self.language
        )

    def add(
        self,
        verb_name: str,
        obj: dict[str, Any],
        *,
        when: dt.datetime | None = None,
        result: dict[str, Any] | None = None,
        parents: Iterable[dict[str, Any]] = (),
        statement_id: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        when = when or timezone.now()
        stored = timezone.now()
        if self.pending and stored <= self.pending[-1].stored:
            # Keep the order of the event's statements (terminated last) in ``stored``.
            stored = self.pending[-1].stored + dt.timedelta(microseconds=1)
        sid = statement_id or uuid.uuid4()
        context: dict[str, Any] = {
            "registration": str(self.registration),
            "platform": PLATFORM,
            "language": self.language,
            "revision": self.course.version,
            "contextActivities": {"grouping": [_ref(self.course_activity())]},
        }
        parent_refs = [_ref(p) for p in parents]
        if parent_refs:
            context["contextActivities"]["parent"] = parent_refs
        if obj["id"] == course_iri(self.course.key):
            del context["contextActivities"]["grouping"]
            if not parent_refs:
                del context["contextActivities"]
        data: dict[str, Any] = {
            "id": str(sid),
            "actor": agent(self.account),
            "verb": verb(verb_name),
            "object": obj,
            "context": context,
            "timestamp": timestamp_text(when),
            "stored": timestamp_text(stored),
            "version": XAPI_VERSION,
        }
        if result:
            data["result"] = result
        self.pending.append(self._row(sid, verb_name, obj["id"], when, stored, data))
        return data

    def _row(
        self,
        sid: uuid.UUID,
        verb_name: str,
        object_id: str,
        when: dt.datetime,
        stored: dt.datetime,
        data: dict[str, Any],
    ) -> Any:
        """What :meth:`add` keeps in ``pending`` (anything with ``stored``): a Statement."""
        return Statement(
            id=sid,
            user_id=self.user.pk,
            course=self.course,
            registration=self.registration,
            verb=verb_name,
            object_id=object_id,
            timestamp=when,
            stored=stored,
            data=data,
            is_demo=self.is_demo,
        )

    def save(self) -> int:
        """Store what was added; a statement whose id is already stored is skipped."""
        if not self.pending:
            return 0
        Statement.objects.bulk_create(self.pending, ignore_conflicts=True, batch_size=500)
        count = len(self.pending)
        self.pending = []
        return count


def _ref(obj: dict[str, Any]) -> dict[str, Any]:
    """A context activity: the id and type, without the rest of the definition."""
    return {
        "objectType": "Activity",
        "id": obj["id"],
        "definition": {"type": obj["definition"]["type"]},
    }


def learner_account(user: Any) -> uuid.UUID:
    account, _ = LearnerAccount.objects.get_or_create(user_id=user.pk)
    return account.name


# --------------------------------------------------------------------------- event helpers


def lesson_activity(rec: Recorder, lesson: Lesson, module: Module) -> dict[str, Any]:
    return activity(
        lesson_iri(rec.course.key, module.key, lesson.key), "lesson", lesson.title, rec.language
    )


@dataclass
class CourseIndex:
    """What the statement builders look up about a course, loaded once."""

    modules: dict[int, Module]
    module_by_quiz: dict[int, Module]


def course_index(course: Course) -> CourseIndex:
    """The course's index, cached on the instance (one query per course object)."""
    cached = getattr(course, "_xapi_index", None)
    if cached is None:
        modules = {m.pk: m for m in Module.objects.filter(course=course).order_by("-position")}
        cached = CourseIndex(
            modules=modules,
            module_by_quiz={m.quiz_id: m for m in modules.values() if m.quiz_id is not None},
        )
        course._xapi_index = cached  # type: ignore[attr-defined]
    return cached


def test_activity(rec: Recorder, test: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The test as an assessment activity, and its parents (the module, if a module quiz)."""
    if rec.course.final_test_id == test.pk:
        return activity(final_test_iri(rec.course.key), "assessment", test.title, rec.language), []
    module = course_index(rec.course).module_by_quiz.get(test.pk)
    if module is None:
        # A test of the bank used by the course outside its modules: keyed by the test key.
        iri = f"{course_iri(rec.course.key)}/test/{_seg(test.key)}"
        return activity(iri, "assessment", test.title, rec.language), []
    iri = module_quiz_iri(rec.course.key, module.key)
    return activity(iri, "assessment", test.title, rec.language), [rec.module_activity(module)]


def attempt_statements(
    rec: Recorder,
    attempt: Any,
    items: Iterable[Any],
    responses: dict[int, Any],
    *,
    launched: bool,
) -> None:
    """Add a submitted attempt's statements: (``launched``), ``answered`` per item answered,
    ``passed``/``failed``, ``completed`` for the course when its final test is passed, then
    ``terminated``. ``responses`` maps item pk to the attempt's response."""
    test_obj, parents = test_activity(rec, attempt.test)
    if launched:
        rec.add(
            "launched",
            test_obj,
            when=attempt.started_at,
            parents=parents,
            statement_id=derived_id("launched", "attempt", attempt.pk),
        )
    when = attempt.submitted_at
    for item in items:
        response = responses.get(item.pk)
        if response is None or not is_answered(item.type, response.answer):
            continue
        rec.add(
            "answered",
            item_activity(rec.course.key, item, rec.language),
            when=when,
            result={
                "response": response_text(item.type, response.answer),
                "success": response.score >= 1.0,
                "completion": True,
                "score": score(response.score, maximum=1.0),
            },
            parents=[test_obj],
            statement_id=derived_id("answered", attempt.pk, item.key),
        )
    duration = iso_duration(when - attempt.started_at)
    percent = 100 * (attempt.score or 0.0)
    rec.add(
        "passed" if attempt.passed else "failed",
        test_obj,
        when=when,
        result={
            "score": score(percent),
            "success": bool(attempt.passed),
            "completion": True,
            "duration": duration,
        },
        parents=parents,
        statement_id=derived_id("result", "attempt", attempt.pk),
    )
    if attempt.passed and rec.course.final_test_id == attempt.test_id:
        rec.add(
            "completed",
            rec.course_activity(),
            when=when,
            result={"completion": True, "success": True, "score": score(percent)},
            statement_id=derived_id("completed", "course", rec.registration),
        )
    rec.add(
        "terminated",
        test_obj,
        when=when,
        result={"duration": duration},
        parents=parents,
        statement_id=derived_id("terminated", "attempt", attempt.pk),
    )


def scenario_activity(rec: Recorder, scenario: Scenario) -> dict[str, Any]:
    return activity(
        scenario_iri(rec.course.key, scenario.key), "simulation", scenario.title, rec.language
    )


def choice_statement(rec: Recorder, run: ScenarioRun, index: int, when: dt.datetime) -> None:
    """``answered`` for the ``index``-th choice of the run's path (its node, the choice)."""
    scenario = run.scenario
    step = run.path[index]
    node = scenario.node(step["node"])
    choice = next((c for c in node["choices"] if c["id"] == step["choice"]), None)
    node_obj = activity(
        scenario_node_iri(rec.course.key, scenario.key, step["node"]),
        "interaction",
        "",
        rec.language,
        description={rec.language: node["text"]},
        interactionType="choice",
        choices=[
            {"id": c["id"], "description": {rec.language: c["text"]}} for c in node["choices"]
        ],
    )
    result: dict[str, Any] = {"response": step["choice"], "completion": True}
    if choice is not None:
        result["score"] = {"raw": step.get("score", 0)}
    rec.add(
        "answered",
        node_obj,
        when=when,
        result=result,
        parents=[scenario_activity(rec, scenario)],
        statement_id=derived_id("answered", "run", run.pk, index + 1),
    )


def run_end_statements(rec: Recorder, run: ScenarioRun) -> None:
    """A finished run: ``completed``, ``passed`` or ``failed`` with the score, ``terminated``."""
    assert run.finished_at is not None
    scenario = run.scenario
    scen_obj = scenario_activity(rec, scenario)
    module = rec.module_activity(course_index(rec.course).modules[scenario.module_id])
    maximum = float(scenario.max_score or 1)
    result = {
        "score": score(float(max(0, run.score)), maximum=maximum),
        "success": run.score >= scenario.pass_score,
        "completion": True,
        "duration": iso_duration(run.finished_at - run.started_at),
    }
    for name, key in (
        ("completed", "completed"),
        ("passed" if result["success"] else "failed", "result"),
    ):
        rec.add(
            name,
            scen_obj,
            when=run.finished_at,
            result=result,
            parents=[module],
            statement_id=derived_id(key, "run", run.pk),
        )
    rec.add(
        "terminated",
        scen_obj,
        when=run.finished_at,
        result={"duration": result["duration"]},
        parents=[module],
        statement_id=derived_id("terminated", "run", run.pk),
    )


def module_complete(user: Any, module: Module) -> bool:
    """The module's completion rules (as :class:`selectors.ModuleProgress` has them)."""
    from cybercap.elearning.models import LessonProgress
    from cybercap.quizzes.models import Attempt

    lessons = module.lessons.count()
    read = LessonProgress.objects.filter(
        user_id=user.pk, lesson__module=module, completed_at__isnull=False
    ).count()
    if read < lessons:
        return False
    if (
        module.quiz_id is not None
        and not Attempt.objects.filter(
            user_id=user.pk, test_id=module.quiz_id, passed=True
        ).exists()
    ):
        return False
    scenarios = set(module.scenarios.values_list("pk", flat=True))
    finished = set(
        ScenarioRun.objects.filter(
            user_id=user.pk, scenario__module=module, finished_at__isnull=False
        ).values_list("scenario_id", flat=True)
    )
    return scenarios <= finished


def add_module_completed(rec: Recorder, module: Module, when: dt.datetime) -> None:
    """``completed`` for the module once its rules are met (once per registration)."""
    if module_complete(rec.user, module):
        rec.add(
            "completed",
            rec.module_activity(module),
            when=when,
            result={"completion": True},
            statement_id=derived_id("completed", "module", rec.registration, module.key),
        )


# --------------------------------------------------------------------------- export


def statements_queryset(*, since: dt.datetime | None = None) -> QuerySet[Statement]:
    qs = Statement.objects.order_by("stored", "id")
    if since is not None:
        qs = qs.filter(stored__gt=since)
    return qs


def iter_statements(qs: QuerySet[Statement], chunk_size: int = 500) -> Iterator[dict[str, Any]]:
    """The statements' JSON, streamed from the database (constant memory)."""
    yield from qs.values_list("data", flat=True).iterator(chunk_size=chunk_size)


def write_statements(out: IO[str], qs: QuerySet[Statement]) -> int:
    """Write a JSON array of the statements, one statement a line, without holding them all."""
    count = 0
    out.write("[")
    for data in iter_statements(qs):
        out.write(",\n" if count else "\n")
        out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
