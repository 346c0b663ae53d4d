from __future__ import annotations

from django.http import HttpRequest
from django_otp.admin import OTPAdminSite

from cybercap.accounts import access


class CybercapAdminSite(OTPAdminSite):
    """Django admin for programme staff only: the `staff` role and a verified second factor."""

    site_header = "cybercap administration"
    site_title = "cybercap"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and access.is_staff(user)
            and getattr(user, "is_verified", lambda: False)()
        )
