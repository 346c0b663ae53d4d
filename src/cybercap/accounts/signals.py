"""Log-in, log-out and failed log-in go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from cybercap.core import audit


def _ip(request: Any) -> str | None:
    if request is None:
        return None
    from cybercap.accounts.middleware import client_ip

    return client_ip(request)


@receiver(user_logged_in, dispatch_uid="cybercap-audit-login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record_event("login", user=user, ip_address=_ip(request))


@receiver(user_logged_out, dispatch_uid="cybercap-audit-logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record_event("logout", user=user, ip_address=_ip(request))


@receiver(user_login_failed, dispatch_uid="cybercap-audit-login-failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit.record_event("login_failed", user=None, label=username, ip_address=_ip(request))
