"""Invitations to a course (elearning/invitations.py): the inviter's list and form under
/learn/<course>/invitations/, and the invitee's page under /learn/join/<token>/."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cybercap.accounts import access, registration
from cybercap.accounts.middleware import client_ip
from cybercap.accounts.views import _set_language_cookie, verified_login_required
from cybercap.elearning import invitations
from cybercap.elearning.forms import InvitationAcceptForm, InviteForm
from cybercap.elearning.models import Course

PER_PAGE = 100


def _course_for_inviter(request: HttpRequest, key: str) -> Course:
    if not invitations.can_invite(request.user):
        raise PermissionDenied
    course: Course = access.get_or_404(Course.objects.all(), key=key)
    return course


@require_http_methods(["GET", "POST"])
@verified_login_required
def invitation_list(request: HttpRequest, course: str) -> HttpResponse:
    """The invitations the user may see, and the form to invite more (all or nothing)."""
    obj = _course_for_inviter(request, course)
    form = InviteForm(request.POST or None, request.FILES or None, user=request.user)
    problems: list[invitations.Problem] = []
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("upload"):
                rows = invitations.rows_from_upload(data["upload"])
            else:
                rows = invitations.rows_from_text(data["emails"])
            sent = invitations.invitations_send(
                by=request.user,
                course=obj,
                agency=data["agency"],
                rows=rows,
                ip_address=client_ip(request),
            )
        except invitations.ListRefused as exc:
            problems, error = exc.problems, str(exc)
        except invitations.InvitationError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", len(sent))
                % {"n": len(sent)},
            )
            return redirect("elearning:invitations", course=obj.key)
    rows_qs = invitations.invitations_for_user(user=request.user, course=obj)
    page = Paginator(rows_qs, PER_PAGE).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "elearning/invitation_list.html",
        {
            "course": obj,
            "form": form,
            "page": page,
            "now": timezone.now(),
            "problems": problems,
            "error": error,
            "days": invitations.LINK_DAYS,
        },
        status=status,
    )


def _act(request: HttpRequest, course: str, pk: int, action: str) -> HttpResponse:
    obj = _course_for_inviter(request, course)
    invitation = invitations.invitation_get_for_user(user=request.user, course=obj, pk=pk)
    try:
        if action == "resend":
            invitations.invitation_resend(
                by=request.user, invitation=invitation, ip_address=client_ip(request)
            )
            messages.success(
                request, _("Invitation sent again to %(a)s.") % {"a": invitation.email}
            )
        else:
            invitations.invitation_revoke(
                by=request.user, invitation=invitation, ip_address=client_ip(request)
            )
            messages.success(request, _("Invitation to %(a)s revoked.") % {"a": invitation.email})
    except invitations.InvitationError as exc:
        messages.error(request, str(exc))
    return redirect("elearning:invitations", course=obj.key)


@require_POST
@verified_login_required
def invitation_resend(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    return _act(request, course, pk, "resend")


@require_POST
@verified_login_required
def invitation_revoke(request: HttpRequest, course: str, pk: int) -> HttpResponse:
    return _act(request, course, pk, "revoke")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee sets name, password and language; opening the link changes nothing."""
    if request.user.is_authenticated:
        messages.info(request, _("You are logged in already: log out to accept an invitation."))
        return redirect("core:dashboard")
    ip_address = client_ip(request)
    if request.method == "POST" and registration.rate_limited(ip_address):
        response = render(request, "accounts/register_limited.html", status=429)
        response["Retry-After"] = str(registration.WINDOW)
        return response
    try:
        invitation = invitations.resolve(token)
    except registration.LinkError as exc:
        invitations.invitation_refused(ip_address=ip_address)
        return render(request, "elearning/invitation_error.html", {"error": exc}, status=400)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        registration.rate_count(ip_address)
        data: dict[str, Any] = form.cleaned_data
        try:
            verified = invitations.invitation_accept(
                token=token,
                full_name=data["full_name"],
                language=data["language"],
                password=data["password1"],
                ip_address=ip_address,
            )
        except registration.LinkError as exc:
            invitations.invitation_refused(ip_address=ip_address)
            return render(request, "elearning/invitation_error.html", {"error": exc}, status=400)
        login(request, verified.user, backend="django.contrib.auth.backends.ModelBackend")
        language = verified.user.language or settings.LANGUAGE_CODE
        translation.activate(language)
        messages.success(request, _("Welcome! Your account is active and you are enrolled."))
        response = redirect("elearning:course", course=invitation.course.key)
        _set_language_cookie(response, language)
        return response
    response = render(
        request,
        "elearning/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.is_bound else 200,
    )
    add_never_cache_headers(response)
    return response
