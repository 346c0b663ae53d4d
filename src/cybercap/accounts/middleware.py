"""Per-request account handling: audit actor, time zone, idle timeout, required two factors."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cybercap.accounts import otp
from cybercap.core import audit

# Paths a user who still owes a second factor may reach.
_TWO_FACTOR_EXEMPT = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/accounts/password-reset/",
    "/static/",
    "/i18n/",
    "/verify/",
    "/api/",
    "/healthz",
)


def client_ip(request: HttpRequest) -> str | None:
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AccountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            expired = self._idle_expired(request)
            if expired is not None:
                return expired
            zone_name = user.time_zone or settings.DISPLAY_TIME_ZONE
        else:
            zone_name = settings.DISPLAY_TIME_ZONE
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE))

        if user.is_authenticated and self._owes_second_factor(request):
            target = "accounts:otp_verify" if self._has_device(user) else "accounts:otp_setup"
            url = reverse(target) + "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(url)

        with audit.acting_as(audit.actor_for_user(user, client_ip(request))):
            response = self.get_response(request)
        timezone.deactivate()
        return response

    @staticmethod
    def _idle_expired(request: HttpRequest) -> HttpResponse | None:
        now = int(time.time())
        last = request.session.get("last_seen")
        if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
            logout(request)
            messages.info(request, _("Your session expired after a period of inactivity."))
            return HttpResponseRedirect(
                reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()})
            )
        if last is None or now - int(last) > 60:
            request.session["last_seen"] = now
        return None

    @staticmethod
    def _has_device(user: object) -> bool:
        from django_otp import devices_for_user

        return any(True for _ in devices_for_user(user, confirmed=True))

    @staticmethod
    def _owes_second_factor(request: HttpRequest) -> bool:
        if request.path.startswith(_TWO_FACTOR_EXEMPT):
            return False
        return otp.owes_second_factor(request)
