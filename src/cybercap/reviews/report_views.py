"""The tailored report on the web: the page, and the PDF, Word and HTML files to download.

Who may: whoever can read the review reads the page (a focal point reads the draft in country
validation); the files go to those who may download the report (staff, and the country's focal
points once final) and to the review's assigned reviewers. Out of scope is a 404 (the scoped
selector), in scope but not allowed a 403. Files are rendered once per distinct content
(``report.export.render_report_cached``).
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cybercap.accounts.views import verified_login_required
from cybercap.reviews import permissions, selectors
from cybercap.reviews.models import Review
from cybercap.reviews.report.export import (
    CONTENT_TYPES,
    FORMATS,
    ReportFormat,
    render_report_cached,
    report_filename,
)
from cybercap.reviews.report.html import PAGE_TEMPLATE, report_context


def may_download_report(user: Any, review: Review) -> bool:
    return permissions.can_download(user, review) or permissions.is_assigned_reviewer(user, review)


@verified_login_required
@require_GET
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for_user(user=request.user, pk=pk)
    data = selectors.report_data_for_review(review)
    context = report_context(data)
    context["review"] = review
    context["may_download"] = may_download_report(request.user, review)
    return render(request, PAGE_TEMPLATE, context)


@verified_login_required
@require_GET
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    review = selectors.review_get_for_user(user=request.user, pk=pk)
    if not may_download_report(request.user, review):
        raise PermissionDenied
    data = selectors.report_data_for_review(review)
    form = cast(ReportFormat, fmt)
    content = render_report_cached(data, form)
    response = HttpResponse(content, content_type=CONTENT_TYPES[form])
    response["Content-Disposition"] = f'attachment; filename="{report_filename(data, form)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
