"""Printable badges (with the badge code as a QR code) and per-session sign-in sheets, as PDF.

WeasyPrint renders the templates in templates/activities/print/ with print.css beside them (a
file read from disk, never served to browsers); Noto fonts cover the Thai, Khmer, Lao, Myanmar and
Vietnamese scripts of participants' names. The QR code holds only the badge code, which a
handheld scanner types into the check-in page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import segno
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from cybercap.activities import selectors
from cybercap.activities.models import Activity, Session
from cybercap.core.gcpause import collection_paused

STYLESHEET = Path(__file__).parent / "templates" / "activities" / "print" / "print.css"


@collection_paused()  # many short-lived objects: see core.gcpause
def _pdf(document: str, title: str) -> bytes:
    fonts = FontConfiguration()
    css = CSS(filename=str(STYLESHEET), font_config=fonts)
    rendered = HTML(string=document).render(stylesheets=[css], font_config=fonts)
    rendered.metadata.title = title
    rendered.metadata.generator = "cybercap"
    pdf = rendered.write_pdf()
    assert pdf is not None
    return bytes(pdf)


def qr_data_uri(code: str) -> str:
    return str(segno.make(code, error="m").svg_data_uri(scale=4, border=2))


def badges_pdf(*, activity: Activity) -> bytes:
    badges: list[dict[str, Any]] = [
        {"registration": registration, "qr": qr_data_uri(registration.badge_code)}
        for registration in selectors.expected_participants(activity=activity)
        if registration.badge_code
    ]
    document = render_to_string(
        "activities/print/badges.html", {"activity": activity, "badges": badges}
    )
    return _pdf(document, f"Badges: {activity.title}")


def sign_in_pdf(*, session: Session) -> bytes:
    activity = session.activity
    zone = ZoneInfo(activity.time_zone)
    document = render_to_string(
        "activities/print/sign_in.html",
        {
            "activity": activity,
            "session": session,
            "rows": selectors.check_in_list(session=session),
            # Formatted here: the template's date filter would convert to the viewer's zone.
            "start": session.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "end": session.ends_at.astimezone(zone).strftime("%H:%M"),
        },
    )
    return _pdf(document, f"Sign-in sheet: {activity.title}, {session.title}")
