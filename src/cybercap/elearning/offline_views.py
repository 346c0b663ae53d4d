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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.elearning import offline, selectors
from cybercap.elearning.localise import items_in
from cybercap.elearning.views import language_context, learner_required, lesson_page
from cybercap.quizzes import services as quiz_services
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
    """The lesson page as saved for offline use: the same page, in the same language, without
    recording a visit."""
    return lesson_page(request, course, lesson, visit=False)


@require_http_methods(["GET", "POST"])
@learner_required
def offline_quiz(request: HttpRequest, course: str, module: str) -> HttpResponse:
    """A module quiz on one page, to take offline."""
    obj = selectors.course_get_for_user(user=request.user, key=course)
    mod = selectors.module_get_for_user(user=request.user, course=obj, key=module)
    if mod.quiz is None:
        raise Http404
    back = reverse("elearning:course", kwargs={"course": obj.key}) + f"#{mod.key}"
    return _offline_test(request, obj, mod.quiz, back=back, back_label=mod.title)


@require_http_methods(["GET", "POST"])
@learner_required
def offline_final_test(request: HttpRequest, course: str) -> HttpResponse:
    """The course's final test on one page, to take offline: its time limit is measured by the
    device and checked when the answers arrive; its attempt limit is checked then too."""
    obj = selectors.course_get_for_user(user=request.user, key=course)
    if obj.final_test is None:
        raise Http404
    back = reverse("elearning:final_test", kwargs={"course": obj.key})
    return _offline_test(request, obj, obj.final_test, back=back, back_label=_("Final test"))


def _offline_test(
    request: HttpRequest, course: Any, test: Any, *, back: str, back_label: str
) -> HttpResponse:
    """A test on one page: the items are drawn (and the draw signed) when the page is fetched,
    which is when it is saved for offline use. No answer key is on the page: the server scores
    the answers when they arrive. Online, a submission is recorded at once, like any attempt;
    offline, the service worker keeps it for the sync endpoint."""
    user: Any = request.user
    page = {"course": course, "test": test, "back": back, "back_label": back_label}
    if request.method == "POST":
        try:
            draw = offline.draw_check(user=user, token=request.POST.get("draw", ""), test=test)
        except offline.OfflineRejected as exc:
            return _test_page(request, page, error=str(exc), status=422)
        items = offline.draw_items(test, draw.keys)
        form = AttemptForm(request.POST, items=items, seed=request.POST.get("draw", "")[-16:])
        if not form.is_valid():
            return _test_page(request, page, form=form, draw=request.POST["draw"], status=422)
        try:
            client_id = uuid.UUID(request.POST.get("client_id", ""))
        except ValueError:
            client_id = uuid.uuid4()
        try:
            recorded = offline.attempt_record(
                user=user,
                draw=draw,
                answers=form.answers(),
                client_id=client_id,
                # Without script the page sends no start: it began when the server drew it.
                started_at=offline.parse_when(request.POST.get("started")) or draw.issued_at,
                submitted_at=timezone.now(),
                timed=True,
            )
        except (offline.OfflineRejected, offline.OfflineRetry) as exc:
            return _test_page(request, page, error=str(exc), status=422)
        return redirect("elearning:attempt", pk=recorded.attempt.pk)
    return _test_page(request, page)


def _test_page(
    request: HttpRequest,
    page: dict[str, Any],
    *,
    form: AttemptForm | None = None,
    draw: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    test = page["test"]
    left = None
    if test.max_attempts is not None:
        left = max(0, test.max_attempts - quiz_services.attempts_used(user=request.user, test=test))
    limit = offline.time_limit(test)
    context = {
        **language_context(request, page["course"]),
        **page,
        "error": error,
        "left": left,
        "minutes": round(limit.total_seconds() / 60) if limit is not None else None,
        "pass_percent": round(test.pass_mark * 100),
    }
    if left == 0 and form is None:
        # Nothing to draw: every attempt is used (a page saved earlier is refused at sync).
        return render(request, "elearning/offline_quiz.html", context, status=status)
    if draw is None:
        draw = offline.draw_sign(user=request.user, test=test, keys=offline.draw_new(test=test))
    keys = offline.draw_check(user=request.user, token=draw, test=test).keys
    if form is None:
        # shown in the learner's course language (same keys and option ids: scored the same)
        shown, _untranslated = items_in(offline.draw_items(test, keys), context["course_language"])
        form = AttemptForm(items=shown, seed=draw[-16:])
    context |= {"form": form, "groups": form.groups(), "draw": draw}
    return render(request, "elearning/offline_quiz.html", context, status=status)


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
