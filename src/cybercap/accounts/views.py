"""Account pages: log-in, two factors, password reset, the profile, and staff user management.

Access policy, the same on every page here:
- anonymous visitors are sent to the log-in page;
- a signed-in user whose role requires two factors and whose session is not yet verified is
  sent to verify (or set up) a second factor first, even on ``/accounts/`` pages;
- staff-only pages answer 403 to a signed-in user without the ``staff`` role (the page exists,
  the user may not use it);
- an object that does not exist, or lies outside the user's scope, is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cybercap.accounts import access, otp, registration, services
from cybercap.accounts.forms import (
    ConfirmDeviceForm,
    FreshCodeForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    RoleAssignmentForm,
    TokenForm,
    UserFilterForm,
)
from cybercap.accounts.middleware import client_ip
from cybercap.accounts.models import RoleAssignment, User

USERS_PER_PAGE = 25
TWO_FACTOR_SESSION_KEY = otp.TWO_FACTOR_SESSION_KEY

ViewFunc = Callable[..., HttpResponse]


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:dashboard")


_owes_second_factor = otp.owes_second_factor


def _second_factor_redirect(request: HttpRequest) -> HttpResponse:
    target = (
        "accounts:otp_verify" if otp.has_confirmed_device(request.user) else "accounts:otp_setup"
    )
    return HttpResponseRedirect(
        reverse(target) + "?" + urlencode({"next": request.get_full_path()})
    )


def verified_login_required(view: ViewFunc) -> ViewFunc:
    """Signed in, and with a verified second factor when the account uses one."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if _owes_second_factor(request):
            return _second_factor_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped


def staff_required(view: ViewFunc) -> ViewFunc:
    """Programme staff only: anonymous → log-in, owing a factor → verify, others → 403."""

    @wraps(view)
    @verified_login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# --- log-in, log-out ------------------------------------------------------------------------------


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if otp.has_confirmed_device(user):
            self.request.session[TWO_FACTOR_SESSION_KEY] = True
            response = HttpResponseRedirect(
                reverse("accounts:otp_verify") + "?" + urlencode({"next": self.get_success_url()})
            )
        if user.language:
            _set_language_cookie(response, user.language)
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("accounts:login")


# --- two factors ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(_next_url(request))
    if not otp.has_confirmed_device(request.user):
        return redirect(
            reverse("accounts:otp_setup") + "?" + urlencode({"next": _next_url(request)})
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.verify_any(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("token", _("That code is not valid. Codes change every 30 seconds."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan, confirm with a code, then see the backup codes once.

    Replacing an existing authenticator needs a session verified with the current one, so a
    password alone cannot take over the second factor.
    """
    replacing = otp.has_confirmed_device(request.user)
    if replacing and not request.user.is_verified():  # type: ignore[union-attr]
        return _second_factor_redirect(request)
    device_id = request.session.get("otp_setup_device")
    device = (
        TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
        if device_id
        else None
    )
    if device is None:
        device = otp.totp_device_create(user=request.user)
        request.session["otp_setup_device"] = device.pk
    form = ConfirmDeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            request.session.pop("otp_setup_device", None)
            otp_login(request, device)
            codes = otp.backup_codes_regenerate(user=request.user)
            services.two_factor_enabled_record(user=request.user, replaced=replacing)  # type: ignore[arg-type]
            messages.success(request, _("Two-factor sign-in is on."))
            return _show_backup_codes(request, codes, _next_url(request))
        form.add_error("token", _("That code does not match. Check the time on your phone."))
    uri = otp.otpauth_uri(device)
    context: dict[str, Any] = {
        "form": form,
        "otpauth_uri": uri,
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5),
        "secret": _base32_secret(device),
        "next": _next_url(request),
        "replacing": replacing,
        "required": access.needs_two_factor(request.user),
    }
    return render(request, "accounts/otp_setup.html", context)


def _base32_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def _show_backup_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    response = render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
    add_never_cache_headers(response)
    return response


@verified_login_required
@require_POST
def backup_codes_view(request: HttpRequest) -> HttpResponse:
    """New backup codes after a fresh code from the app; they are shown once, in this answer."""
    form = FreshCodeForm(request.POST, prefix="codes")
    if form.is_valid():
        try:
            codes = services.backup_codes_replace(
                user=request.user,  # type: ignore[arg-type]
                token=form.cleaned_data["token"],
            )
        except services.AccountsError as exc:
            form.add_error("token", str(exc.message))
        else:
            messages.success(request, _("New backup codes replace the old ones."))
            return _show_backup_codes(request, codes, reverse("accounts:profile"))
    return _render_profile(request, codes_form=form, status=400)


@verified_login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    form = FreshCodeForm(request.POST, prefix="off")
    if form.is_valid():
        try:
            services.two_factor_disable(
                user=request.user,  # type: ignore[arg-type]
                token=form.cleaned_data["token"],
            )
        except services.AccountsError as exc:
            form.add_error("token" if exc.field else None, str(exc.message))
        else:
            request.session.pop(TWO_FACTOR_SESSION_KEY, None)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:profile")
    return _render_profile(request, off_form=form, status=400)


# --- password reset and change -------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The link uses the configured site address, never the Host header of the request.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed_record(user=form.user, by_reset=True)
        # A new password lifts a log-in lock-out for this account.
        axes_reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and _owes_second_factor(request):
            return _second_factor_redirect(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed_record(user=form.user, by_reset=False)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


# --- the profile ---------------------------------------------------------------------------------


def _render_profile(
    request: HttpRequest,
    *,
    form: ProfileForm | None = None,
    codes_form: FreshCodeForm | None = None,
    off_form: FreshCodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    assignments = RoleAssignment.objects.filter(user_id=user.pk).select_related("country")
    context = {
        "form": form or ProfileForm(user=user),
        "codes_form": codes_form or FreshCodeForm(prefix="codes"),
        "off_form": off_form or FreshCodeForm(prefix="off"),
        "assignments": assignments,
        "two_factor_on": otp.has_confirmed_device(user),
        "two_factor_required": access.needs_two_factor(user),
        "backup_codes_left": services.backup_codes_remaining(user=user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@verified_login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_profile(request)
    form = ProfileForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_profile(request, form=form, status=400)
    changed = services.profile_update(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    language = form.cleaned_data["language"] or settings.LANGUAGE_CODE
    if "language" in changed:
        translation.activate(language)
    messages.success(request, _("Your profile is saved.") if changed else _("Nothing to change."))
    response = redirect("accounts:profile")
    if "language" in changed:
        _set_language_cookie(response, language)
    return response


# --- staff: users and their roles ---------------------------------------------------------------


def users_for_staff(*, user: Any) -> QuerySet[User]:
    """Every account, for staff; nobody else manages accounts (their queryset is empty)."""
    if not access.is_staff(user):
        return User.objects.none()
    return User.objects.select_related("person", "person__country").prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("country").order_by(
                "role", "country__name"
            ),
        )
    )


def user_get_for_staff(*, user: Any, pk: int) -> User:
    account: User = access.get_or_404(users_for_staff(user=user), pk=pk)
    return account


def users_filter(queryset: QuerySet[User], form: UserFilterForm) -> QuerySet[User]:
    if not form.is_valid():
        return queryset.none()
    data = form.cleaned_data
    if data["q"]:
        term = data["q"].strip()
        queryset = queryset.filter(
            Q(username__icontains=term)
            | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
        )
    scope: dict[str, Any] = {}
    if data["role"]:
        scope["role_assignments__role"] = data["role"]
    if data["country"] is not None:
        scope["role_assignments__country"] = data["country"]
    if scope:
        queryset = queryset.filter(**scope).distinct()
    if data["active"]:
        queryset = queryset.filter(is_active=data["active"] == "yes")
    return queryset.order_by("last_name", "first_name", "username")


@staff_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET)
    users = users_filter(users_for_staff(user=request.user), form)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _render_user_detail(
    request: HttpRequest, account: User, *, role_form: RoleAssignmentForm | None = None
) -> HttpResponse:
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "assignments": list(account.role_assignments.all()),
            "role_form": role_form or RoleAssignmentForm(),
        },
        status=400 if role_form is not None and role_form.errors else 200,
    )


@staff_required
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_user_detail(request, user_get_for_staff(user=request.user, pk=pk))


@staff_required
@require_POST
def role_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = user_get_for_staff(user=request.user, pk=pk)
    form = RoleAssignmentForm(request.POST)
    if form.is_valid():
        try:
            assignment = services.role_assign(
                user=account,
                role=form.cleaned_data["role"],
                country=form.cleaned_data["country"],
                by=request.user,
            )
        except services.AccountsError as exc:
            form.add_error(exc.field, str(exc.message))
        else:
            messages.success(
                request,
                _("%(user)s now holds the role %(role)s.")
                % {"user": account.display_name, "role": assignment},
            )
            return redirect("accounts:user_detail", pk=account.pk)
    return _render_user_detail(request, account, role_form=form)


@staff_required
@require_POST
def role_remove(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    account = user_get_for_staff(user=request.user, pk=pk)
    assignment = access.get_or_404(
        RoleAssignment.objects.filter(user=account).select_related("country", "user"),
        pk=assignment_pk,
    )
    try:
        services.role_revoke(assignment=assignment, by=request.user)
    except services.AccountsError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(user)s no longer holds the role %(role)s.")
            % {"user": account.display_name, "role": assignment},
        )
    return redirect("accounts:user_detail", pk=account.pk)


@staff_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = user_get_for_staff(user=request.user, pk=pk)
    try:
        services.user_deactivate(user=account, by=request.user)
    except services.AccountsError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(user)s is deactivated: no log-in, no API access. Their history is kept.")
            % {"user": account.display_name},
        )
    return redirect("accounts:user_detail", pk=account.pk)


@staff_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = user_get_for_staff(user=request.user, pk=pk)
    try:
        services.user_reactivate(user=account, by=request.user)
    except services.AccountsError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(user)s can log in again.") % {"user": account.display_name})
    return redirect("accounts:user_detail", pk=account.pk)


# --- self-registration ---------------------------------------------------------------------------


def _signed_in_elsewhere(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        messages.info(request, _("You are logged in already: log out to register a new account."))
        return redirect("core:dashboard")
    return None


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """A learner registers; the page answers the same whether the address was known or not."""
    if (answer := _signed_in_elsewhere(request)) is not None:
        return answer
    ip_address = client_ip(request)
    if request.method == "POST" and registration.rate_limited(ip_address):
        response = render(request, "accounts/register_limited.html", status=429)
        response["Retry-After"] = str(registration.WINDOW)
        return response
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/register.html", {"form": form}, status=400)
        registration.rate_count(ip_address)
        data = form.cleaned_data
        registration.register(
            full_name=data["full_name"],
            email=data["email"],
            country=data["country"],
            agency=data["agency"],
            language=data["language"],
            password=data["password1"],
            ip_address=ip_address,
        )
        return redirect("accounts:register_sent")
    return render(request, "accounts/register.html", {"form": form})


@require_GET
def register_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_sent.html", {"days": registration.LINK_DAYS})


@require_http_methods(["GET", "POST"])
def register_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links activate nothing); POST activates."""
    if (answer := _signed_in_elsewhere(request)) is not None:
        return answer
    try:
        if request.method != "POST":
            user, country, agency = registration.resolve(token)
            context = {"account": user, "country": country, "agency": agency}
            response = render(request, "accounts/register_verify.html", context)
            add_never_cache_headers(response)
            return response
        verified = registration.verify(token=token, ip_address=client_ip(request))
    except registration.LinkError as exc:
        return render(request, "accounts/register_link_error.html", {"error": exc}, status=400)
    login(request, verified.user, backend="django.contrib.auth.backends.ModelBackend")
    language = verified.user.language or settings.LANGUAGE_CODE
    translation.activate(language)
    messages.success(request, _("Welcome! Your account is active: choose a course to begin."))
    response = redirect("elearning:catalogue")
    _set_language_cookie(response, language)
    return response
