"""The learner's pages under /learn/: catalogue, course, lesson, quizzes, scenarios, progress.

Every page works without JavaScript. Learners (the learner role) and staff take courses; other
signed-in users get 403. Attempts and scenario runs are personal: another user's is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.accounts import access
from cybercap.accounts.views import verified_login_required
from cybercap.elearning import cmi5, scorm, selectors, services
from cybercap.elearning.localise import (
    course_language,
    draft_notice,
    items_in,
    localise,
    scenario_graph,
)
from cybercap.elearning.models import Course, Figure
from cybercap.quizzes import services as quiz_services
from cybercap.quizzes.forms import AttemptForm
from cybercap.quizzes.models import Attempt, Test
from cybercap.quizzes.selectors import attempt_get_for_user

ViewFunc = Callable[..., HttpResponse]


def language_context(request: HttpRequest, course: Course | None) -> dict[str, Any]:
    """The course's language on this page and the notices it owes (language_notice.html);
    puts ``course`` itself in that language."""
    if course is None:
        return {}
    from django.conf import settings

    language = course_language(request.user, course)
    localise(course, language, course.language)
    names = dict(settings.LANGUAGES)
    return {
        "course_language": language,
        "course_languages": [(c, names.get(c, c)) for c in course.languages or [course.language]],
        "draft_translation": draft_notice(course, language),
    }


def learner_required(view: ViewFunc) -> ViewFunc:
    """Signed in (both factors when owed) with the learner role, or staff; others 403."""

    @wraps(view)
    @verified_login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.can_learn(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@verified_login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """Learners and staff see the courses to take; focal points the way to their figures."""
    learns = selectors.can_learn(request.user)
    reports = selectors.can_see_reports(request.user)
    if not (learns or reports):
        raise PermissionDenied
    courses = list(selectors.catalogue_for_user(user=request.user).order_by("title"))
    for item in courses:
        localise(item, course_language(request.user, item), item.language)
    enrolled = set(request.user.enrolments.values_list("course_id", flat=True))  # type: ignore[union-attr]
    return render(
        request,
        "elearning/catalogue.html",
        {"courses": courses, "enrolled": enrolled, "learns": learns, "reports": reports},
    )


@require_GET
@learner_required
def course_detail(request: HttpRequest, course: str) -> HttpResponse:
    obj = selectors.course_get_for_user(user=request.user, key=course)
    progress = selectors.course_progress(user=request.user, course=obj)
    context = language_context(request, obj)
    language = context["course_language"]
    for mp in progress.modules:
        localise(mp.module, language, obj.language)
        for piece in [*mp.lessons, *mp.scenarios]:
            localise(piece, language, obj.language)
    if progress.resume is not None:
        localise(progress.resume, language, obj.language)
    return render(
        request,
        "elearning/course_detail.html",
        {
            "course": obj,
            "progress": progress,
            "untranslated": getattr(obj, "untranslated", False),
            **context,
        },
    )


def lesson_page(request: HttpRequest, course: str, lesson: str, *, visit: bool) -> HttpResponse:
    """A lesson in the learner's course language, with where it sits in the course. ``visit``:
    record the visit (the page online) or not (the copy saved for offline use: saving a module
    must not look like reading it, nor move where the course resumes)."""
    obj = selectors.course_get_for_user(user=request.user, key=course)
    current = selectors.lesson_get_for_user(user=request.user, course=obj, key=lesson)
    current.module.course = obj
    if visit:
        enrolment = services.lesson_seen(user=request.user, lesson=current)
        progress = selectors.course_progress(user=request.user, course=obj, enrolment=enrolment)
    else:
        progress = selectors.course_progress(user=request.user, course=obj)
    lessons = progress.lessons
    index = next(i for i, item in enumerate(lessons) if item.pk == current.pk)
    country, legal = (None, None)
    if current.has_legal_slot:
        country, legal = selectors.legal_basis_for_user(user=request.user, course=obj)
    module_progress = next(m for m in progress.modules if m.module.pk == current.module_id)
    context = language_context(request, obj)
    language = context["course_language"]
    localise(current, language, obj.language)
    localise(module_progress.module, language, obj.language)
    for piece in (lessons[index - 1] if index > 0 else None, *lessons[index + 1 : index + 2]):
        localise(piece, language, obj.language)
    return render(
        request,
        "elearning/lesson_detail.html",
        {
            **context,
            "untranslated": getattr(current, "untranslated", False),
            "course": obj,
            "lesson": current,
            "module": module_progress.module,
            "done": current.pk in module_progress.done_lessons,
            "previous": lessons[index - 1] if index > 0 else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
            "country": country,
            "legal": legal if legal is not None and legal.status == "published" else None,
        },
    )


@require_GET
@learner_required
def lesson_detail(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    return lesson_page(request, course, lesson, visit=True)


@require_POST
@learner_required
def lesson_complete(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    obj = selectors.course_get_for_user(user=request.user, key=course)
    current = selectors.lesson_get_for_user(user=request.user, course=obj, key=lesson)
    current.module.course = obj
    services.lesson_complete(user=request.user, lesson=current)
    messages.success(request, _("Lesson marked as complete."))
    progress = selectors.course_progress(user=request.user, course=obj)
    lessons = progress.lessons
    index = next(i for i, item in enumerate(lessons) if item.pk == current.pk)
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    if following is not None and following.module_id == current.module_id:
        return redirect("elearning:lesson", course=obj.key, lesson=following.key)
    return redirect(
        reverse("elearning:course", kwargs={"course": obj.key}) + f"#{current.module.key}"
    )


@require_GET
@learner_required
def figure(request: HttpRequest, course: str, name: str) -> HttpResponse:
    obj = selectors.course_get_for_user(user=request.user, key=course)
    fig = Figure.objects.filter(course=obj, name=name).first()
    if fig is None:
        raise Http404
    # Translated lessons link ?language=LANG; a language without the figure gets the source's.
    svg = (fig.translations or {}).get(request.GET.get("language", ""), fig.svg)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --------------------------------------------------------------------------- tests


ATTEMPTS_SHOWN = 10


def _test_page(request: HttpRequest, course: Course, test: Test, title: str) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        try:
            attempt = services.attempt_start(user=user, course=course, test=test)
        except quiz_services.AttemptLimitReached:
            messages.error(request, _("You have used every attempt at this test."))
            return redirect(request.path)
        return redirect("elearning:attempt", pk=attempt.pk)
    mine = Attempt.objects.filter(user_id=user.pk, test=test)
    used = mine.filter(submitted_at__isnull=False).count()
    # The latest attempts, numbered (a module quiz may be retaken without limit); the open one,
    # if any, is the latest: a new attempt starts only when none is open.
    attempts = list(
        mine.only("pk", "number", "submitted_at", "score", "passed").order_by("-number")[
            :ATTEMPTS_SHOWN
        ]
    )[::-1]
    left = None if test.max_attempts is None else max(0, test.max_attempts - used)
    return render(
        request,
        "elearning/test_start.html",
        {
            **language_context(request, course),
            "course": course,
            "test": test,
            "title": title,
            "attempts": attempts,
            "open": next((a for a in attempts if a.submitted_at is None), None),
            "left": left,
            "pass_percent": round(test.pass_mark * 100),
        },
    )


@require_http_methods(["GET", "POST"])
@learner_required
def module_quiz(request: HttpRequest, course: str, module: str) -> HttpResponse:
    obj = selectors.course_get_for_user(user=request.user, key=course)
    mod = selectors.module_get_for_user(user=request.user, course=obj, key=module)
    if mod.quiz is None:
        raise Http404
    localise(mod, course_language(request.user, obj), obj.language)
    title = (
        _("Pre-test")
        if mod.kind == "orientation"
        else _("Quiz: %(module)s") % {"module": mod.title}
    )
    return _test_page(request, obj, mod.quiz, title)


@require_http_methods(["GET", "POST"])
@learner_required
def final_test(request: HttpRequest, course: str) -> HttpResponse:
    obj = selectors.course_get_for_user(user=request.user, key=course)
    if obj.final_test is None:
        raise Http404
    return _test_page(request, obj, obj.final_test, _("Final test"))


def _items_shown(request: HttpRequest, course: Course | None, items: list[Any]) -> Any:
    """The attempt's items in the learner's language (answers keep the source items' ids)."""
    if course is None:
        return items, set()
    return items_in(items, course_language(request.user, course))


@require_http_methods(["GET", "POST"])
@learner_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = attempt_get_for_user(user=request.user, pk=pk)
    items = quiz_services.attempt_items(attempt)
    course = Course.objects.filter(key=attempt.test.key.split("/")[0]).first()
    shown, untranslated = _items_shown(request, course, items)
    context = language_context(request, course)
    context["untranslated"] = bool(untranslated)
    if attempt.submitted_at is not None:
        responses = {r.item_id: r for r in attempt.responses.all()}
        results = [(n, item, responses.get(item.pk)) for n, item in enumerate(shown, start=1)]
        return render(
            request,
            "elearning/attempt_result.html",
            {"attempt": attempt, "results": results, "course": course, **context},
        )
    form = AttemptForm(request.POST or None, items=shown, seed=str(attempt.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.attempt_submit(
                attempt=attempt, answers=form.answers(), items=items, course=course
            )
        except quiz_services.AttemptLimitReached:
            messages.error(request, _("You have used every attempt at this test."))
        return redirect("elearning:attempt", pk=attempt.pk)
    return render(
        request,
        "elearning/attempt_form.html",
        {"attempt": attempt, "form": form, "groups": form.groups(), "course": course, **context},
        status=422 if form.is_bound else 200,
    )


# --------------------------------------------------------------------------- scenarios


@require_http_methods(["GET", "POST"])
@learner_required
def scenario_detail(request: HttpRequest, course: str, scenario: str) -> HttpResponse:
    obj = selectors.course_get_for_user(user=request.user, key=course)
    scen = selectors.scenario_get_for_user(user=request.user, course=obj, key=scenario)
    if request.method == "POST":
        run = services.scenario_start(user=request.user, scenario=scen)
        return redirect("elearning:run", pk=run.pk)
    runs = list(selectors.scenario_runs_for_user(user=request.user).filter(scenario=scen))
    context = language_context(request, obj)
    scen.course = obj
    localise(scen, context["course_language"], obj.language)
    localise(scen.module, context["course_language"], obj.language)
    return render(
        request,
        "elearning/scenario_detail.html",
        {
            **context,
            "untranslated": getattr(scen, "untranslated", False),
            "course": obj,
            "scenario": scen,
            "runs": runs,
            "open": next((r for r in runs if r.finished_at is None), None),
        },
    )


@require_http_methods(["GET", "POST"])
@learner_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.scenario_run_get_for_user(user=request.user, pk=pk)
    error = None
    if request.method == "POST":
        try:
            run = services.scenario_choose(run=run, choice_id=request.POST.get("choice", ""))
            return redirect("elearning:run", pk=run.pk)
        except services.InvalidChoice:
            error = _("Choose one of the options offered.")
    context = language_context(request, run.scenario.course)
    language = context["course_language"]
    scen = localise(run.scenario, language, run.scenario.course.language)
    graph = scenario_graph(scen, language)
    nodes = {n["id"]: n for n in graph["nodes"]}
    node = nodes[run.node]

    def feedback(step: dict[str, Any]) -> str:
        """The feedback in the page's language (the run recorded the source's)."""
        choices = {c["id"]: c for c in nodes[step["node"]].get("choices", [])}
        return str(choices.get(step["choice"], step)["feedback"])

    path = [{**step, "feedback": feedback(step)} for step in run.path]
    last = path[-1] if path else None
    variables = [
        (spec["label"], run.state.get("variables", {}).get(name), spec["max"])
        for name, spec in graph.get("variables", {}).items()
    ]
    steps = [{**step, "node_text": nodes[step["node"]]["text"]} for step in path]
    return render(
        request,
        "elearning/run_detail.html",
        {
            **context,
            "untranslated": getattr(scen, "untranslated", False),
            "run": run,
            "scenario": run.scenario,
            "course": run.scenario.course,
            "node": node,
            "last": last,
            "steps": steps,
            "variables": variables,
            "error": error,
            "debrief": graph.get("debrief", []),
        },
        status=422 if error else 200,
    )


# --------------------------------------------------------------------------- progress


@require_GET
@learner_required
def progress(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    courses = list(selectors.courses_for_user(user=request.user).filter(enrolments__user=user))
    rows = [selectors.course_progress(user=request.user, course=c) for c in courses]
    attempts = list(Attempt.objects.filter(user_id=user.pk).select_related("test")[:20])
    runs = list(selectors.scenario_runs_for_user(user=request.user)[:20])
    return render(
        request,
        "elearning/progress.html",
        {"rows": rows, "attempts": attempts, "runs": runs},
    )


# --------------------------------------------------------------------------- reports


@require_GET
@verified_login_required
def report(request: HttpRequest, course: str) -> HttpResponse:
    """Learner figures by country: staff for every country, focal points for their own."""
    if not selectors.can_see_reports(request.user):
        raise PermissionDenied
    obj = selectors.report_course_get_for_user(user=request.user, key=course)
    rows = selectors.course_report_for_user(user=request.user, course=obj)
    return render(
        request,
        "elearning/report.html",
        {"course": obj, "rows": rows, "exports": access.is_staff(request.user)},
    )


EXPORTS = {"scorm12": (scorm.export_scorm12, "SCORM 1.2"), "cmi5": (cmi5.export_cmi5, "cmi5")}


@require_GET
@verified_login_required
def export(request: HttpRequest, course: str, format: str) -> HttpResponse:
    """The course as a SCORM 1.2 or cmi5 package (``?module=KEY``: one module), for staff."""
    if not access.is_staff(request.user):
        raise PermissionDenied
    obj = selectors.report_course_get_for_user(user=request.user, key=course)
    if format not in EXPORTS:
        raise Http404
    module = request.GET.get("module") or None
    language = request.GET.get("language") or obj.language
    if language not in (obj.languages or [obj.language]):
        raise Http404
    try:
        data = EXPORTS[format][0](obj, module, language)
    except KeyError:
        raise Http404 from None
    suffix = "" if language == obj.language else f"-{language}"
    name = f"{obj.key}-{obj.version}{'-' + module if module else ''}{suffix}-{format}.zip"
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- pocket checklist


@require_GET
@learner_required
def checklist(request: HttpRequest, course: str) -> HttpResponse:
    """The pocket checklist PDF, in the page's language when the course has it."""
    from django.utils.translation import get_language

    from cybercap.elearning.checklist import checklist_languages, checklist_pdf

    obj = selectors.course_get_for_user(user=request.user, key=course)
    languages = checklist_languages(obj.key)
    wanted = request.GET.get("language") or get_language() or obj.language
    language = wanted if wanted in languages else obj.language
    response = HttpResponse(
        checklist_pdf(course_key=obj.key, language=language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{obj.key}-checklist-{language}.pdf"'
    return response


# --------------------------------------------------------------------------- translations


@require_GET
@verified_login_required
def translations(request: HttpRequest, course: str) -> HttpResponse:
    """Staff: each language's coverage and status per module, read from the content files
    (what is translated, draft or reviewed and by whom, outdated against English)."""
    from pathlib import Path

    from django.conf import settings

    from cybercap.elearning import translation

    if not access.is_staff(request.user):
        raise PermissionDenied
    obj = selectors.report_course_get_for_user(user=request.user, key=course)
    course_dir = Path(settings.CONTENT_DIR) / "courses" / obj.key
    if not (course_dir / "course.yaml").is_file():
        raise Http404
    _source, languages = translation.course_languages(course_dir)
    names = dict(settings.LANGUAGES)
    table = []
    for language in languages:
        rows = translation.file_statuses(course_dir, language)
        table.append(
            {
                "code": language,
                "name": names.get(language, language),
                "state": translation.language_state(rows),
                "coverage": translation.coverage(rows),
                "outdated": [r for r in rows if r.outdated],
                "missing": [r for r in rows if not r.translated],
            }
        )
    return render(request, "elearning/translations.html", {"course": obj, "table": table})
