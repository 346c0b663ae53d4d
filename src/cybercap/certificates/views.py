"""Certificate pages: the public verification page, the holder's list and PDFs, staff's list
and revocation, and issuing attendance certificates for an activity (staff and its trainers).

The public page shows the holder's name (or initials, if the holder chose so), the title, the
dates and whether the certificate is valid or revoked: nothing else is loaded, let alone shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.accounts.views import staff_required, verified_login_required
from cybercap.activities import selectors as activity_selectors
from cybercap.certificates import codes, printing, ratelimit, selectors, services
from cybercap.certificates.forms import (
    DEFAULT_THRESHOLD,
    InitialsForm,
    RevokeForm,
    SearchForm,
    ThresholdForm,
    VerifyForm,
)
from cybercap.certificates.models import Certificate
from cybercap.certificates.naming import initials

PAGE_SIZE = 50


# --------------------------------------------------------------------------- public


def _private(response: HttpResponse) -> HttpResponse:
    """Verification pages name a person: keep them out of caches, search engines and referrers."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def public_view(cert: Certificate) -> dict[str, Any]:
    """What anyone may see of a certificate (the page and the API show exactly this)."""
    return {
        "code": cert.code,
        "holder": initials(cert.holder_name) if cert.show_initials_only else cert.holder_name,
        "title": cert.title,
        "starts": cert.starts,
        "ends": cert.ends,
        "status": "valid" if cert.revoked_at is None else "revoked",
    }


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "certificates/verify_limited.html", status=429)
    response["Retry-After"] = str(ratelimit.WINDOW)
    return _private(response)


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type a code; a well-formed one goes to its verification page."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("certificates:verify", code=form.cleaned_data["code"])
    status = 400 if form.is_bound else 200
    return _private(render(request, "certificates/verify_form.html", {"form": form}, status=status))


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if ratelimit.blocked(request):
        return _too_many(request)
    try:
        canonical = codes.normalise(code)
    except codes.InvalidCode:
        context = {"form": VerifyForm(), "mistyped": True}
        return _private(render(request, "certificates/verify_not_found.html", context, status=404))
    if canonical != code:
        return redirect("certificates:verify", code=canonical)
    cert = selectors.certificate_public(code=canonical)
    if cert is None:
        ratelimit.record_miss(request)
        context = {"form": VerifyForm(), "mistyped": False}
        return _private(render(request, "certificates/verify_not_found.html", context, status=404))
    return _private(
        render(request, "certificates/verify_result.html", {"certificate": public_view(cert)})
    )


# --------------------------------------------------------------------------- the holder


@require_GET
@verified_login_required
def mine(request: HttpRequest) -> HttpResponse:
    certificates = list(selectors.certificates_of_holder(user=request.user))
    form = InitialsForm(
        initial={"initials_only": bool(certificates and certificates[0].show_initials_only)}
    )
    return render(request, "certificates/mine.html", {"certificates": certificates, "form": form})


@require_POST
@verified_login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = InitialsForm(request.POST)
    form.is_valid()  # a checkbox: absent means "no", there is nothing invalid to report
    initials_only = bool(form.cleaned_data.get("initials_only"))
    services.holder_initials_set(
        certificates=selectors.certificates_of_holder(user=request.user),
        initials_only=initials_only,
    )
    if initials_only:
        messages.success(request, _("The public page now shows only your initials."))
    else:
        messages.success(request, _("The public page now shows your name."))
    return redirect("certificates:mine")


@require_GET
@verified_login_required
def pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The PDF: for its holder, staff, and (activity certificates) the activity's trainers and
    the focal points of the holder's country."""
    cert = selectors.certificate_get_for_user(user=request.user, code=code)
    response = HttpResponse(printing.certificate_pdf(cert=cert), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- staff


@require_GET
@staff_required
def manage_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    certificates = selectors.certificates_search(
        user=request.user,
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        status=data.get("status", ""),
    )
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certificates/manage_list.html", {"form": form, "page": page})


def _render_detail(
    request: HttpRequest, cert: Certificate, form: RevokeForm | None = None
) -> HttpResponse:
    return render(
        request,
        "certificates/manage_detail.html",
        {"certificate": cert, "form": form or RevokeForm()},
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
@staff_required
def manage_detail(request: HttpRequest, code: str) -> HttpResponse:
    cert = selectors.certificate_get_for_user(user=request.user, code=code)
    return _render_detail(request, cert)


@require_POST
@staff_required
def revoke(request: HttpRequest, code: str) -> HttpResponse:
    cert = selectors.certificate_get_for_user(user=request.user, code=code)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, cert, form)
    try:
        services.revoke_certificate(cert, reason=form.cleaned_data["reason"], by=request.user)
    except services.CertificateError as exc:
        form.add_error("reason", str(exc))
        return _render_detail(request, cert, form)
    messages.success(request, _("The certificate is revoked."))
    return redirect("certificates:manage_detail", code=cert.code)


# --------------------------------------------------------------------------- activities


@require_http_methods(["GET", "POST"])
@verified_login_required
def activity_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue attendance certificates to those who attended enough of the activity's sessions."""
    activity = activity_selectors.activity_get_for_user(user=request.user, pk=pk)
    if not activity_selectors.can_manage(request.user, activity):
        raise PermissionDenied
    if request.method == "POST":
        form = ThresholdForm(request.POST)
    else:
        form = ThresholdForm(request.GET if "threshold" in request.GET else None)
    valid = form.is_bound and form.is_valid()
    threshold = form.cleaned_data["threshold"] if valid else DEFAULT_THRESHOLD
    if request.method == "POST" and valid:
        rows = selectors.attendance_rows(activity=activity, threshold=threshold)
        issued = services.activity_attendance_issue(activity=activity, rows=rows, by=request.user)
        if issued:
            messages.success(
                request,
                ngettext(
                    "%(n)d attendance certificate issued.",
                    "%(n)d attendance certificates issued.",
                    len(issued),
                )
                % {"n": len(issued)},
            )
        else:
            messages.info(request, _("Nobody else meets the threshold: no certificate issued."))
        url = reverse("certificates:activity_issue", args=[activity.pk])
        return redirect(f"{url}?threshold={threshold}")
    rows = selectors.attendance_rows(activity=activity, threshold=threshold)
    return render(
        request,
        "certificates/activity_issue.html",
        {
            "activity": activity,
            "form": form if form.is_bound else ThresholdForm(initial={"threshold": threshold}),
            "threshold": threshold,
            "rows": rows,
            "sessions": rows[0].sessions if rows else activity.sessions.count(),
            "to_issue": sum(1 for row in rows if row.eligible and row.certificate is None),
        },
        status=400 if form.is_bound and not valid else 200,
    )
