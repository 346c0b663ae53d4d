"""Invitation letters and visa support letters, as PDF on the programme's letterhead.

An approved (or confirmed, or attended) participant gets an invitation letter; a visa support
letter is made on request, from passport details typed for that one letter.

Passport details are NOT stored. They are typed into the form, rendered into the PDF of that
response and forgotten: a passport number is the kind of personal data a breach would expose
first, the programme needs it only on the one letter an embassy reads, and storing it encrypted
would still leave the key on the same server that serves the pages. What is stored is that a
letter was requested (``Registration.visa_letter_requested_at``) and, in the audit log, who made
one and when. Anyone who may download the letter (staff, the participant, the focal points of
the participant's country) types the details again, from the passport, when they need it.

WeasyPrint renders the templates in templates/activities/print/ with letters.css; names appear
in their own script (Noto fonts from fonts-noto-core), with the Latin form beside them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.activities.models import Registration, RegistrationStatus
from cybercap.core.gcpause import collection_paused

PRINT_DIR = Path(__file__).parent / "templates" / "activities" / "print"
STYLESHEET = PRINT_DIR / "letters.css"
PROGRAMME_NAME = _("ASEAN Cyber Capacity Development Project")
PROGRAMME_TAGLINE = _("Fostering regional cooperation against cybercrime in Southeast Asia")

# Who is invited: the approved, and those who have since confirmed or attended.
LETTER_STATUSES = (
    RegistrationStatus.APPROVED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
)


class LetterError(Exception):
    """A letter that cannot be made; the message is shown to the user."""


@dataclass(frozen=True)
class PassportDetails:
    """Typed for one visa letter and never saved."""

    name_in_passport: str
    passport_number: str
    nationality: str
    date_of_birth: dt.date
    expiry_date: dt.date


def letters_allowed(registration: Registration) -> bool:
    return registration.status in LETTER_STATUSES


def may_download(user: Any, registration: Registration) -> bool:
    """Staff, the participant, and the focal points of the participant's country."""
    if access.is_staff(user):
        return True
    if registration.person.user_id is not None and registration.person.user_id == user.pk:
        return True
    return registration.country_id in access.countries(user, Role.FOCAL_POINT)


def reference(registration: Registration, kind: str) -> str:
    """The letter's reference: activity, registration and kind, so a reader can check it."""
    return f"CCDP/{registration.activity_id}/{registration.pk}/{kind.upper()}"


@collection_paused()  # many short-lived objects: see core.gcpause
def _pdf(document: str, title: str) -> bytes:
    fonts = FontConfiguration()
    css = CSS(filename=str(STYLESHEET), font_config=fonts)
    rendered = HTML(string=document, base_url=str(PRINT_DIR)).render(
        stylesheets=[css], font_config=fonts
    )
    rendered.metadata.title = title
    rendered.metadata.authors = [str(PROGRAMME_NAME)]
    rendered.metadata.generator = "cybercap"
    pdf = rendered.write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _context(registration: Registration, kind: str, today: dt.date | None) -> dict[str, Any]:
    activity = registration.activity
    person = registration.person
    return {
        "programme_name": PROGRAMME_NAME,
        "programme_tagline": PROGRAMME_TAGLINE,
        "registration": registration,
        "activity": activity,
        "person": person,
        "latin_name": person.latin_name
        if person.latin_name and person.latin_name != person.full_name
        else "",
        "reference": reference(registration, kind),
        "today": today or timezone.localdate(),
        "topics": [t.name for t in activity.topics.all()],
    }


def invitation_pdf(*, registration: Registration, today: dt.date | None = None) -> bytes:
    if not letters_allowed(registration):
        raise LetterError(_("Only approved participants receive an invitation letter."))
    context = _context(registration, "inv", today)
    document = render_to_string("activities/print/letter_invitation.html", context)
    return _pdf(document, f"Invitation: {registration.person.full_name}")


def visa_letter_pdf(
    *, registration: Registration, passport: PassportDetails, today: dt.date | None = None
) -> bytes:
    if not letters_allowed(registration):
        raise LetterError(_("Only approved participants receive a visa support letter."))
    context = _context(registration, "visa", today)
    context["passport"] = passport
    document = render_to_string("activities/print/letter_visa.html", context)
    return _pdf(document, f"Visa support letter: {registration.person.full_name}")
