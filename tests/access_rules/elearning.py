"""/learn/: learners and staff take courses; other roles 403; attempts and scenario runs are
their owner's alone (staff too get 404 for a learner's).

The real course is loaded on first use (the kwargs need its keys), so that the pages are tried
with real content; the learner's attempt and run are made then too.
"""

from __future__ import annotations

from typing import Any

from tests.access import Rule, World, everyone, only

LEARN = ["learner", "staff"]
COURSE = "first-responder"


def _ensure(world: World) -> dict[str, Any]:
    if "elearning" not in world.extra:
        populate(world)
    return world.extra["elearning"]


def populate(world: World) -> None:
    if "elearning" in world.extra:
        return
    from cybercap.elearning import services
    from cybercap.quizzes import services as quiz_services
    from tests.quizzes.helpers import load_course

    course = load_course()
    learner = world.users["learner"]
    scenario = course.scenarios.order_by("module__position", "position").first()
    assert scenario is not None and course.pre_test is not None
    run = services.scenario_start(user=learner, scenario=scenario)
    attempt = quiz_services.attempt_start(user=learner, test=course.pre_test)
    lesson = course.modules.get(kind="orientation").lessons.order_by("position").first()
    module = course.modules.exclude(quiz=None).exclude(kind="orientation").first()
    assert lesson is not None and module is not None
    world.extra["elearning"] = {
        "course": course,
        "lesson": lesson,
        "module": module,
        "scenario": scenario,
        "run": run,
        "attempt": attempt,
        "figure": course.figures.order_by("name").first(),
    }


def _kw(*names: str) -> Any:
    def make(world: World) -> dict[str, Any]:
        e = _ensure(world)
        out: dict[str, Any] = {}
        for name in names:
            if name == "course":
                out["course"] = COURSE
            elif name == "figure":
                out["name"] = e["figure"].name
            elif name in ("run", "attempt"):
                out["pk"] = e[name].pk
            else:
                out[name] = e[name].key
        return out

    return make


OWN = {"learner": 200, "staff": 404, "anonymous": 302}
OWN_EXPECT = only(["learner"], 200, 403) | OWN

RULES: list[Rule] = [
    Rule("elearning:catalogue", only([*LEARN, "focal_th"], 200, 403)),
    Rule("elearning:report", only(["staff", "focal_th"], 200, 403), kwargs=_kw("course")),
    Rule(
        "elearning:report",
        only(["staff", "focal_th"], 404, 403),
        kwargs=lambda w: {"course": "no-such-course"},
        label="unknown course",
    ),
    Rule(
        "elearning:export",
        only(["staff"], 200, 403),
        kwargs=lambda w: {"course": COURSE, "format": "cmi5"} if _ensure(w) else {},
        label="cmi5 package",
    ),
    Rule(
        "elearning:export",
        only(["staff"], 404, 403),
        kwargs=lambda w: {"course": COURSE, "format": "scorm2004"} if _ensure(w) else {},
        label="unknown format",
    ),
    Rule("elearning:progress", only(LEARN, 200, 403)),
    Rule("elearning:course", only(LEARN, 200, 403), kwargs=_kw("course")),
    Rule(
        "elearning:course",
        only(LEARN, 404, 403),
        kwargs=lambda w: {"course": "no-such-course"},
        label="unknown course",
    ),
    Rule("elearning:lesson", only(LEARN, 200, 403), kwargs=_kw("course", "lesson")),
    Rule("elearning:figure", only(LEARN, 200, 403), kwargs=_kw("course", "figure")),
    Rule(
        "elearning:lesson_complete",
        everyone(405),
        kwargs=_kw("course", "lesson"),
    ),
    Rule(
        "elearning:lesson_complete",
        only(LEARN, 302, 403),
        kwargs=_kw("course", "lesson"),
        method="POST",
    ),
    Rule("elearning:module_quiz", only(LEARN, 200, 403), kwargs=_kw("course", "module")),
    Rule("elearning:final_test", only(LEARN, 200, 403), kwargs=_kw("course")),
    Rule("elearning:scenario", only(LEARN, 200, 403), kwargs=_kw("course", "scenario")),
    Rule("elearning:attempt", OWN_EXPECT, kwargs=_kw("attempt"), label="the learner's attempt"),
    Rule("elearning:run", OWN_EXPECT, kwargs=_kw("run"), label="the learner's scenario run"),
    # The API
    Rule(
        "api:elearning_course_list",
        everyone(200, anonymous=401)
        | {p: 403 for p in ("reviewer", "focal_th", "trainer", "investigator_th")},
    ),
    Rule(
        "api:elearning_course_detail",
        everyone(200, anonymous=401)
        | {p: 403 for p in ("reviewer", "focal_th", "trainer", "investigator_th")},
        kwargs=lambda w: {"key": COURSE} if _ensure(w) else {},
    ),
    Rule(
        "api:elearning_my_progress",
        everyone(200, anonymous=401)
        | {p: 403 for p in ("reviewer", "focal_th", "trainer", "investigator_th")},
    ),
]

# --- elearning-learner: pocket checklist, offline use, analytics ---------------------------------
RULES += [
    Rule("elearning:checklist", only(LEARN, 200, 403), kwargs=_kw("course")),
]
RULES += [
    # The service worker and the manifest hold nothing personal.
    Rule("elearning:service_worker", everyone(200)),
    Rule("elearning:manifest", everyone(200)),
    Rule("elearning:offline", only(LEARN, 200, 403)),
    Rule("elearning:offline_saved", only(LEARN, 200, 403)),
    Rule("elearning:offline_sync", everyone(405)),
    # An empty body is not JSON: 400 for those who may sync.
    Rule("elearning:offline_sync", only(LEARN, 400, 403), method="POST"),
    Rule("elearning:module_offline", only(LEARN, 200, 403), kwargs=_kw("course", "module")),
    Rule("elearning:offline_quiz", only(LEARN, 200, 403), kwargs=_kw("course", "module")),
    Rule("elearning:lesson_offline", only(LEARN, 200, 403), kwargs=_kw("course", "lesson")),
]
RULES += [
    # Analytics: staff for every country, focal points for their own (scoping tests in
    # tests/elearning/test_analytics.py).
    Rule("elearning:analytics", only(["staff", "focal_th"], 200, 403), kwargs=_kw("course")),
    Rule("elearning:item_analysis", only(["staff", "focal_th"], 200, 403), kwargs=_kw("course")),
]

# --- invitations by agencies (elearning/invitation_views.py) ---------------------------------
RULES += [
    Rule(
        "elearning:invitations",
        only(["staff", "focal_th"], 200, 403),
        kwargs=lambda w: {"course": COURSE} if _ensure(w) else {},
    ),
    Rule(
        "elearning:invitation_resend",
        only(["staff", "focal_th"], 404, 403),
        kwargs=lambda w: {"course": COURSE, "pk": 999999} if _ensure(w) else {},
        method="POST",
        label="unknown invitation",
    ),
    Rule(
        "elearning:invitation_revoke",
        only(["staff", "focal_th"], 404, 403),
        kwargs=lambda w: {"course": COURSE, "pk": 999999} if _ensure(w) else {},
        method="POST",
        label="unknown invitation",
    ),
    Rule(
        "elearning:invitation_resend", everyone(405), kwargs=lambda w: {"course": COURSE, "pk": 1}
    ),
    Rule(
        "elearning:invitation_revoke", everyone(405), kwargs=lambda w: {"course": COURSE, "pk": 1}
    ),
    # A bad link is refused for everyone signed out; signed-in users are sent away first.
    Rule(
        "elearning:invitation_accept",
        everyone(302, anonymous=400),
        kwargs=lambda w: {"token": "not-a-link"},
    ),
]
RULES += [
    # The final test on one page, to take offline (elearning/offline_views.py).
    Rule("elearning:offline_final_test", only(LEARN, 200, 403), kwargs=_kw("course")),
]

# --- i18n: translation coverage and status, for staff ----------------------------------------
RULES += [
    Rule("elearning:translations", only(["staff"], 200, 403), kwargs=_kw("course")),
]
