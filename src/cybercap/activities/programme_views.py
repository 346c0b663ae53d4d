"""Pages of letters, confirmation links, the programme dashboard and the donor report.

- Letters (invitation, visa support): staff, the participant, and the focal points of the
  participant's country; a trainer in the activity's scope gets 403, anyone else 404.
- The confirmation link is public (no log-in): the signed token is the credential.
- The dashboard and the donor report: staff (everything) and focal points (their country's
  slice); other roles 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.accounts import access
from cybercap.accounts.middleware import client_ip
from cybercap.accounts.models import Role
from cybercap.accounts.views import staff_required, verified_login_required
from cybercap.activities import confirmation, donor_report, letters, programme, selectors
from cybercap.activities.models import Activity, Registration
from cybercap.activities.programme_forms import AccountForm, PassportForm, PhaseForm, RespondForm
from cybercap.core import audit


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _actor(request: HttpRequest) -> audit.Actor:
    return audit.current_actor() or audit.actor_for_user(request.user, client_ip(request))


# --- letters (signed-in) --------------------------------------------------------------------------


def _as(request: HttpRequest, registration: Registration) -> str:
    """In which capacity the user reached the letter, for the audit log."""
    if access.is_staff(request.user):
        return "staff"
    if registration.person.user_id == request.user.pk:
        return "participant"
    return "focal point"


def _letter_registrations(user: Any, activity: Activity) -> Any:
    """The registrations of this activity whose letters the user may download."""
    queryset = (
        selectors.registrations_for_user(user=user)
        .filter(activity=activity)
        .select_related("activity__host_country", "activity__host_agency")
    )
    if access.is_staff(user):
        return queryset
    return queryset.filter(
        Q(person__user_id=user.pk) | Q(country_id__in=access.countries(user, Role.FOCAL_POINT))
    )


def _letter_registration(request: HttpRequest, pk: int, registration_pk: int) -> Registration:
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    registration: Registration = access.get_or_404(
        selectors.registrations_for_user(user=user)
        .filter(activity=activity)
        .select_related("activity__host_country", "activity__host_agency"),
        pk=registration_pk,
    )
    if not letters.may_download(user, registration):
        raise PermissionDenied
    return registration


@verified_login_required
@require_GET
def activity_letters(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    registrations = list(
        _letter_registrations(user, activity).order_by("country__name", "person__full_name", "pk")
    )
    is_staff = access.is_staff(user)
    if not (is_staff or access.has_role(user, Role.FOCAL_POINT) or registrations):
        raise PermissionDenied
    context = {
        "activity": activity,
        "registrations": registrations,
        "letter_statuses": set(letters.LETTER_STATUSES),
        "is_staff": is_staff,
        "link_days": confirmation.LINK_DAYS,
    }
    return render(request, "activities/activity_letters.html", context)


@verified_login_required
@require_GET
def invitation_letter(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    registration = _letter_registration(request, pk, registration_pk)
    try:
        body = letters.invitation_pdf(registration=registration)
    except letters.LetterError as exc:
        messages.error(request, str(exc))
        return redirect("activities:activity_letters", pk=pk)
    confirmation.record(
        registration, "invitation_letter", actor=_actor(request), by=_as(request, registration)
    )
    return _attachment(body, "application/pdf", f"invitation-{pk}-{registration.pk}.pdf")


@never_cache
@verified_login_required
@require_http_methods(["GET", "POST"])
def visa_letter(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """Type the passport details, get the letter; the details are not stored (letters.py)."""
    registration = _letter_registration(request, pk, registration_pk)
    if not letters.letters_allowed(registration):
        messages.error(request, _("Only approved participants receive a visa support letter."))
        return redirect("activities:activity_letters", pk=pk)
    form = PassportForm(request.POST or None, activity=registration.activity)
    if request.method == "POST" and form.is_valid():
        body = letters.visa_letter_pdf(registration=registration, passport=form.details())
        confirmation.visa_request_record(
            registration=registration,
            actor=_actor(request),
            on_behalf=registration.person.user_id != request.user.pk,
        )
        return _attachment(body, "application/pdf", f"visa-letter-{pk}-{registration.pk}.pdf")
    context = {"activity": registration.activity, "registration": registration, "form": form}
    return render(request, "activities/visa_letter.html", context)


@staff_required
@require_POST
def confirmation_send(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    registration = _letter_registration(request, pk, registration_pk)
    try:
        confirmation.link_send(
            registration=registration,
            url_for=lambda token: request.build_absolute_uri(
                reverse("activities:confirmation", args=[token])
            ),
            by=request.user,
        )
        messages.success(
            request,
            _("Confirmation link sent to %(name)s.") % {"name": registration.person.full_name},
        )
    except confirmation.LinkError as exc:
        messages.error(request, str(exc))
    return redirect("activities:activity_letters", pk=pk)


# --- the confirmation link (public) ---------------------------------------------------------------


def _link_refused(request: HttpRequest, exc: confirmation.LinkError) -> HttpResponse:
    return render(
        request, "activities/confirmation_refused.html", {"message": str(exc)}, status=410
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirmation_page(request: HttpRequest, token: str) -> HttpResponse:
    ip = client_ip(request)
    try:
        state = confirmation.resolve(token, ip_address=ip)
    except confirmation.LinkError as exc:
        return _link_refused(request, exc)
    registration = state.registration
    actor = confirmation.link_actor(registration, ip)
    action = request.POST.get("action") if request.method == "POST" else None
    respond_form = RespondForm(request.POST if action == "respond" else None)
    passport_form = PassportForm(
        request.POST if action == "visa" else None, activity=registration.activity
    )
    account_form = AccountForm(request.POST if action == "account" else None)
    try:
        if action == "respond" and respond_form.is_valid():
            attend = respond_form.cleaned_data["attend"]
            confirmation.link_respond(state=state, attend=attend, actor=actor)
            if not attend:
                return render(
                    request, "activities/confirmation_declined.html", {"registration": registration}
                )
            messages.success(request, _("Thank you: your attendance is confirmed."))
            return redirect("activities:confirmation", token=token)
        if action == "visa" and state.answered and passport_form.is_valid():
            body = letters.visa_letter_pdf(
                registration=registration, passport=passport_form.details()
            )
            confirmation.visa_request_record(
                registration=registration, actor=actor, on_behalf=False
            )
            return _attachment(body, "application/pdf", f"visa-letter-{registration.pk}.pdf")
        if action == "account" and state.answered and account_form.is_valid():
            user = confirmation.account_create(
                state=state, password=account_form.cleaned_data["password1"], actor=actor
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Your account is ready; your user name is %(name)s.") % {"name": user.username},
            )
            return redirect("activities:my_registrations")
    except confirmation.LinkError as exc:
        messages.error(request, str(exc))
    if request.method == "GET":
        confirmation.record(registration, "link_opened", actor=actor, answered=state.answered)
    context = {
        "token": token,
        "state": state,
        "registration": registration,
        "activity": registration.activity,
        "respond_form": respond_form,
        "passport_form": passport_form,
        "account_form": account_form,
        "account_available": confirmation.account_available(registration),
    }
    return render(request, "activities/confirmation_page.html", context)


@never_cache
@require_GET
def confirmation_invitation(request: HttpRequest, token: str) -> HttpResponse:
    ip = client_ip(request)
    try:
        state = confirmation.resolve(token, ip_address=ip)
    except confirmation.LinkError as exc:
        return _link_refused(request, exc)
    registration = state.registration
    body = letters.invitation_pdf(registration=registration)
    confirmation.record(
        registration,
        "invitation_letter",
        actor=confirmation.link_actor(registration, ip),
        by="confirmation link",
    )
    return _attachment(body, "application/pdf", f"invitation-{registration.pk}.pdf")


# --- the dashboard and the donor report -----------------------------------------------------------


def _indicators(request: HttpRequest) -> tuple[programme.Indicators, PhaseForm]:
    user = request.user
    if not programme.may_view(user):
        raise PermissionDenied
    base = programme.scope_for_user(user=user)
    form = PhaseForm(request.GET or None, phases=programme.phases_for(base.activities))
    phase = form.cleaned_data["phase"] if form.is_valid() else None
    scope = base if phase is None else programme.scope_for_user(user=user, phase=phase)
    return programme.indicators(scope), form


@verified_login_required
@require_GET
def programme_dashboard(request: HttpRequest) -> HttpResponse:
    ind, form = _indicators(request)
    context = {
        "ind": ind,
        "form": form,
        "scope": donor_report.scope_label(ind),
        "charts": donor_report.charts(ind),
    }
    return render(request, "activities/programme_dashboard.html", context)


def _donor_report(request: HttpRequest, fmt: str) -> HttpResponse:
    ind, _form = _indicators(request)
    body = donor_report.render(ind, fmt)
    return _attachment(body, donor_report.CONTENT_TYPES[fmt], donor_report.filename(ind, fmt))


@verified_login_required
@require_GET
def donor_report_xlsx(request: HttpRequest) -> HttpResponse:
    return _donor_report(request, "xlsx")


@verified_login_required
@require_GET
def donor_report_pdf(request: HttpRequest) -> HttpResponse:
    return _donor_report(request, "pdf")
