"""Attendance pages: per-session check-in, badges and sign-in sheets (staff and trainers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cybercap.accounts import access
from cybercap.accounts.views import verified_login_required
from cybercap.activities import printing, selectors, services
from cybercap.activities.models import Activity


@verified_login_required
@require_http_methods(["GET", "POST"])
def session_check_in(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Staff and the activity's trainers mark who is present, by hand or by badge code."""
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    if not selectors.can_manage(user, activity):
        raise PermissionDenied
    session = selectors.session_get_for_activity(activity=activity, pk=session_pk)
    if request.method == "POST":
        try:
            code = str(request.POST.get("code", "")).strip()
            if code:
                registration = services.attendance_by_badge(session=session, code=code, by=user)
                messages.success(
                    request,
                    _("%(name)s is checked in.") % {"name": registration.person.full_name},
                )
            else:
                raw = str(request.POST.get("registration", ""))
                registration = access.get_or_404(
                    selectors.registrations_for_user(user=user).filter(activity=activity),
                    pk=int(raw) if raw.isdigit() and len(raw) < 19 else 0,
                )
                services.attendance_mark(
                    session=session,
                    registration=registration,
                    present=request.POST.get("present") == "1",
                    by=user,
                )
                messages.success(request, _("Attendance saved."))
        except services.ActivityError as exc:
            messages.error(request, str(exc))
        return redirect("activities:session_check_in", pk=activity.pk, session_pk=session.pk)
    rows = selectors.check_in_list(session=session)
    context = {
        "activity": activity,
        "session": session,
        "rows": rows,
        "present_count": sum(1 for row in rows if row["present"]),
    }
    return render(request, "activities/session_check_in.html", context)


def _managed_activity(request: HttpRequest, pk: int) -> Activity:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    if not selectors.can_manage(request.user, activity):
        raise PermissionDenied
    return activity


def _pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@verified_login_required
@require_GET
def activity_badges(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable badges of the expected participants, each with its code as a QR code."""
    activity = _managed_activity(request, pk)
    return _pdf_response(printing.badges_pdf(activity=activity), f"badges-{activity.pk}.pdf")


@verified_login_required
@require_GET
def session_sign_in_sheet(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    activity = _managed_activity(request, pk)
    session = selectors.session_get_for_activity(activity=activity, pk=session_pk)
    return _pdf_response(
        printing.sign_in_pdf(session=session), f"sign-in-{activity.pk}-{session.pk}.pdf"
    )
