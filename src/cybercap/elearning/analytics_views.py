"""Course analytics pages under /learn/<course>/analytics/: staff see every country, focal
points their own country's learners (elearning.analytics does the scoping)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cybercap.accounts import access
from cybercap.accounts.views import verified_login_required
from cybercap.elearning import analytics, selectors


def _course(request: HttpRequest, course: str) -> analytics.Course:
    if not selectors.can_see_reports(request.user):
        raise PermissionDenied
    return selectors.report_course_get_for_user(user=request.user, key=course)


@require_GET
@verified_login_required
def course_analytics(request: HttpRequest, course: str) -> HttpResponse:
    obj = _course(request, course)
    rows = analytics.completions(user=request.user, course=obj)
    return render(
        request,
        "elearning/analytics.html",
        {
            "course": obj,
            "rows": rows,
            "countries": analytics.completions_by_country(rows),
            "times": analytics.time_spent(user=request.user, course=obj),
            "funnel": analytics.funnel(user=request.user, course=obj),
            "lesson_cap": int(analytics.LESSON_CAP.total_seconds() // 60),
            "attempt_cap": int(analytics.ATTEMPT_CAP.total_seconds() // 60),
            "all_countries": access.is_staff(request.user),
        },
    )


@require_GET
@verified_login_required
def item_analysis(request: HttpRequest, course: str) -> HttpResponse:
    obj = _course(request, course)
    rows = analytics.items_for_report(user=request.user, course=obj)
    return render(
        request,
        "elearning/analytics_items.html",
        {
            "course": obj,
            "rows": rows,
            "flagged": sum(1 for r in rows if set(r.stats.flags) - {"few"}),
            "all_countries": access.is_staff(request.user),
        },
    )
