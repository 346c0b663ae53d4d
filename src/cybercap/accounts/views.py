from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cybercap.accounts import otp
from cybercap.accounts.forms import ConfirmDeviceForm, LoginForm, TokenForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:dashboard")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(_next_url(request))
    if not otp.has_confirmed_device(request.user):
        return redirect(reverse("accounts:otp_setup") + "?next=" + _next_url(request))
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
    """Enrol an authenticator app: scan, confirm with a code, then see the backup codes once."""
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
            messages.success(request, _("Two-factor sign-in is on."))
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("token", _("That code does not match. Check the time on your phone."))
    uri = otp.otpauth_uri(device)
    context: dict[str, Any] = {
        "form": form,
        "otpauth_uri": uri,
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5),
        "secret": _base32_secret(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


def _base32_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii").rstrip("=")
