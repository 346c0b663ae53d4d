"""Background tasks shared by every app (run by `cybercap worker`)."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task(queue_name="email")
def send_email(*, subject: str, body: str, to: list[str], html: str | None = None) -> int:
    """Send one e-mail outside the request, so a slow SMTP server never slows a page."""
    return send_mail(subject, body, None, to, html_message=html, fail_silently=False)
