"""Courses and one's own progress, for learners and staff (others: 403)."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from cybercap.api.base import Page, PageQuery, caller, paginate, responses
from cybercap.elearning import selectors

router = Router()

CourseKey = Annotated[
    str,
    Field(pattern=r"^[a-z0-9][a-z0-9-]*$", min_length=1, max_length=80, description="Course key."),
]


class CourseOut(Schema):
    key: str
    title: str
    version: str = Field(description="The course's content version (semantic).")
    revision: int = Field(description="Goes up each time a load changed the course.")
    language: str
    description: str
    minutes: int = Field(description="Estimated learning time, final test included.")


class LessonOut(Schema):
    key: str
    title: str
    minutes: int


class ModuleOut(Schema):
    key: str
    kind: str = Field(description="orientation, module or capstone.")
    title: str
    summary: str
    minutes: int
    lessons: list[LessonOut]
    scenarios: list[str] = Field(description="Keys of the module's branching scenarios.")
    has_quiz: bool


class CourseDetailOut(CourseOut):
    audience: str
    objectives: list[str]
    modules: list[ModuleOut]


class ModuleProgressOut(Schema):
    key: str
    lessons: int
    lessons_done: int
    quiz_best: float | None = Field(description="Best quiz score, 0 to 1; null if not taken.")
    quiz_passed: bool
    scenarios: int
    scenarios_done: int
    complete: bool


class CourseProgressOut(Schema):
    course: str = Field(description="The course key.")
    percent: int = Field(description="Modules complete, as a percentage.")
    modules_complete: int
    pre_test: float | None = Field(description="Pre-test score, 0 to 1; null if not taken.")
    final_best: float | None = Field(description="Best final-test score, 0 to 1.")
    final_passed: bool
    final_attempts: int
    modules: list[ModuleProgressOut]


def _learner(request: HttpRequest) -> Any:
    user = caller(request)
    if not selectors.can_learn(user):
        raise PermissionDenied(_("Courses are for learners and staff."))
    return user


@router.get(
    "/courses",
    response=responses(Page[CourseOut], parses=True),
    url_name="elearning_course_list",
)
def elearning_course_list(request: HttpRequest, page: Query[PageQuery]) -> Any:
    """Every course the caller may take."""
    user = _learner(request)
    return paginate(selectors.courses_for_user(user=user).order_by("title", "key"), page)


@router.get(
    "/courses/{key}",
    response=responses(CourseDetailOut, lookup=True, parses=True),
    url_name="elearning_course_detail",
)
def elearning_course_detail(request: HttpRequest, key: Path[CourseKey]) -> Any:
    """One course with its modules, lessons and scenarios."""
    user = _learner(request)
    course = selectors.course_get_for_user(user=user, key=key)
    progress = selectors.course_progress(user=user, course=course)
    modules = [
        {
            "key": m.module.key,
            "kind": m.module.kind,
            "title": m.module.title,
            "summary": m.module.summary,
            "minutes": m.module.minutes,
            "lessons": m.lessons,
            "scenarios": [s.key for s in m.scenarios],
            "has_quiz": m.module.quiz_id is not None,
        }
        for m in progress.modules
    ]
    return {
        **{name: getattr(course, name) for name in CourseOut.model_fields},
        "audience": course.audience,
        "objectives": course.objectives,
        "modules": modules,
    }


@router.get(
    "/learn/progress",
    response=responses(list[CourseProgressOut]),
    url_name="elearning_my_progress",
)
def elearning_my_progress(request: HttpRequest) -> Any:
    """The caller's own progress in every course they are enrolled in."""
    user = _learner(request)
    out = []
    for course in selectors.courses_for_user(user=user).filter(enrolments__user=user):
        p = selectors.course_progress(user=user, course=course)
        out.append(
            {
                "course": course.key,
                "percent": p.percent,
                "modules_complete": p.modules_complete,
                "pre_test": p.pre_test.score if p.pre_test else None,
                "final_best": p.final_best.score if p.final_best else None,
                "final_passed": p.final_passed,
                "final_attempts": p.final_used,
                "modules": [
                    {
                        "key": m.module.key,
                        "lessons": len(m.lessons),
                        "lessons_done": m.lessons_done,
                        "quiz_best": m.quiz_best,
                        "quiz_passed": m.quiz_passed,
                        "scenarios": len(m.scenarios),
                        "scenarios_done": sum(1 for s in m.scenarios if s.pk in m.done_scenarios),
                        "complete": m.complete,
                    }
                    for m in p.modules
                ],
            }
        )
    return out
