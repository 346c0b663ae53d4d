"""Offline use under /learn/: the service worker, the web app manifest, a module's package,
its quiz to take offline, a lesson's side-effect-free copy, and the sync endpoint.

The service worker is a static file (static/elearning/sw.js) served from /learn/sw.js so that
its scope covers the learner's pages; it and the manifest hold nothing personal and are public.
Everything else is for learners and staff, like the course pages.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.elearning import offline, selectors
from cybercap.elearning.views import learner_required
from cybercap.quizzes.forms import AttemptForm

STATIC = Path(__file__).parent / "static" / "elearning"
MAX_SYNC_BYTES = 2_000_000


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        (STATIC / "sw.js").read_bytes(), content_type="text/javascript; charset=utf-8"
    )
    # Browsers check for a new worker on every navigation; let them revalidate it.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("elearning:catalogue")
    return response


@require_GET
def web_manifest(request: HttpRequest) -> HttpResponse:
    scope = reverse("elearning:catalogue")
    data = {
        "name": _("cybercap e-learning"),
        "short_name": _("cybercap"),
        "description": _("Courses for first responders, usable offline."),
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d3557",
        "icons": [
            {"src": static("elearning/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("elearning/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("elearning/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@learner_required
def offline_home(request: HttpRequest) -> HttpResponse:
    """What is on this device: saved modules and what waits to be sent (filled in by script)."""
    return render(request, "elearning/offline_home.html")


@require_GET
@learner_required
def offline_saved(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a form was kept on the device to send later."""
    return render(request, "elearning/offline_saved.html")


@require_GET
@learner_required
def module_package(request: HttpRequest, course: str, module: str) -> HttpResponse:
    obj = selectors.course_get_for_user(user=request.user, key=course)
    mod = selectors.module_get_for_user(user=request.user, course=obj, key=module)
    package = offline.module_package(user=request.user, course=obj, module=mod)
    response = JsonResponse(package)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@learner_required
def lesson_copy(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    """The lesson page as saved for offline use: the same page, without recording a visit
    (saving a module must not look like reading it, nor move where the course resumes)."""
    obj = selectors.course_get_for_user(user=request.user, key=course)
    current = selectors.lesson_get_for_user(user=request.user, course=obj, key=lesson)
    current.module.course = obj
    progress = selectors.course_progress(user=request.user, course=obj)
    lessons = progress.lessons
    index = next(i for i, item in enumerate(lessons) if item.pk == current.pk)
    country, legal = (None, None)
    if current.has_legal_slot:
        country, legal = selectors.legal_basis_for_user(user=request.user, course=obj)
    module_progress = next(m for m in progress.modules if m.module.pk == current.module_id)
    return render(
        request,
        "elearning/lesson_detail.html",
        {
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


@require_http_methods(["GET", "POST"])
@learner_required
def offline_quiz(request: HttpRequest, course: str, module: str) -> HttpResponse:
    """A module quiz on one page, to take offline: the items are drawn (and the draw signed)
    when the page is saved. Online, a submission is recorded at once, like any attempt."""
    user: Any = request.user
    obj = selectors.course_get_for_user(user=user, key=course)
    mod = selectors.module_get_for_user(user=user, course=obj, key=module)
    if mod.quiz is None:
        raise Http404
    test = mod.quiz
    if request.method == "POST":
        try:
            draw = offline.draw_check(user=user, token=request.POST.get("draw", ""), test=test)
        except offline.OfflineRejected as exc:
            return _quiz_page(request, obj, mod, error=str(exc), status=422)
        items = offline.draw_items(test, draw.keys)
        form = AttemptForm(request.POST, items=items, seed=request.POST.get("draw", "")[-16:])
        if not form.is_valid():
            return _quiz_page(request, obj, mod, form=form, draw=request.POST["draw"], status=422)
        try:
            client_id = uuid.UUID(request.POST.get("client_id", ""))
        except ValueError:
            client_id = uuid.uuid4()
        try:
            recorded = offline.attempt_record(
                user=user, draw=draw, answers=form.answers(), client_id=client_id
            )
        except (offline.OfflineRejected, offline.OfflineRetry) as exc:
            return _quiz_page(request, obj, mod, error=str(exc), status=422)
        return redirect("elearning:attempt", pk=recorded.attempt.pk)
    return _quiz_page(request, obj, mod)


def _quiz_page(
    request: HttpRequest,
    course: Any,
    module: Any,
    *,
    form: AttemptForm | None = None,
    draw: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    test = module.quiz
    if draw is None:
        draw = offline.draw_sign(user=request.user, test=test, keys=offline.draw_new(test=test))
    keys = offline.draw_check(user=request.user, token=draw, test=test).keys
    if form is None:
        form = AttemptForm(items=offline.draw_items(test, keys), seed=draw[-16:])
    return render(
        request,
        "elearning/offline_quiz.html",
        {
            "course": course,
            "module": module,
            "test": test,
            "form": form,
            "groups": form.groups(),
            "draw": draw,
            "error": error,
            "pass_percent": round(test.pass_mark * 100),
        },
        status=status,
    )


@require_POST
@learner_required
def sync(request: HttpRequest) -> HttpResponse:
    """Records kept on the device, sent as JSON ``{"records": [...]}``; answers per record
    (recorded, duplicate, rejected with a message, kept for another account, retry)."""
    if len(request.body) > MAX_SYNC_BYTES:
        return JsonResponse({"error": _("Too much at once: send fewer records.")}, status=413)
    try:
        payload = json.loads(request.body.decode("utf-8"))
        results = offline.sync(user=request.user, payload=payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": _("Send JSON.")}, status=400)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"results": results})
