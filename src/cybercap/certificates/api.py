"""Certificates in the API: one's own, and the public verification of a code.

``GET /certificates/verify/{code}`` needs no authentication and answers with exactly what the
public page shows (the name or initials, the title, the dates, valid or revoked); failed
look-ups count towards the same per-address limit as the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from cybercap.api.base import Error, Page, PageQuery, caller, paginate, responses
from cybercap.certificates import codes, printing, ratelimit, selectors
from cybercap.certificates.models import CertificateKind
from cybercap.certificates.views import public_view

router = Router()

TypedCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="A verification code as printed (XXXX-XXXX-XXXX); case, spaces and hyphens "
        "do not matter.",
    ),
]


class CertificateOut(Schema):
    code: str = Field(description="The verification code.")
    kind: CertificateKind
    title: str = Field(description="The activity's or course's title, as on the certificate.")
    starts: dt.date
    ends: dt.date
    activity: int | None = Field(description="The activity's id, for an activity certificate.")
    course: str = Field(description="The course key, for a course certificate; else empty.")
    holder_name: str = Field(description="The holder's name as printed, in its script.")
    language: str
    issued_at: dt.datetime
    status: Literal["valid", "revoked"]
    show_initials_only: bool = Field(description="The public page shows initials only.")
    pdf_url: str | None = Field(description="Path of the PDF; null once revoked.")
    verify_url: str = Field(description="The public verification page.")

    @staticmethod
    def resolve_activity(obj: Any) -> int | None:
        return obj.activity_id

    @staticmethod
    def resolve_course(obj: Any) -> str:
        return obj.course_key

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return "valid" if obj.revoked_at is None else "revoked"

    @staticmethod
    def resolve_pdf_url(obj: Any) -> str | None:
        from django.urls import reverse

        return None if obj.revoked_at else reverse("certificates:pdf", args=[obj.code])

    @staticmethod
    def resolve_verify_url(obj: Any) -> str:
        return printing.verify_url(obj.code)


class VerificationOut(Schema):
    code: str = Field(description="The code, in its canonical form.")
    holder: str = Field(description="The holder's name, or initials if the holder chose so.")
    title: str = Field(description="The activity's or course's title.")
    starts: dt.date
    ends: dt.date
    status: Literal["valid", "revoked"]


@router.get(
    "/certificates/mine",
    response=responses(Page[CertificateOut], parses=True),
    url_name="certificate_mine",
)
def certificate_mine(request: HttpRequest, page: Query[PageQuery]) -> Any:
    """The caller's own certificates, newest first."""
    return paginate(selectors.certificates_of_holder(user=caller(request)), page)


@router.get(
    "/certificates/verify/{code}",
    auth=None,
    response={200: VerificationOut, 404: Error, 422: Error, 429: Error},
    url_name="certificate_verify",
)
def certificate_verify(request: HttpRequest, code: Path[TypedCode], response: HttpResponse) -> Any:
    """Public: whether a certificate with this code exists and is valid (no token needed)."""
    response["Cache-Control"] = "no-store"
    if ratelimit.blocked(request):
        response["Retry-After"] = str(ratelimit.WINDOW)
        return Status(
            429,
            {
                "detail": _("Too many unknown codes were looked up from this address; try later."),
                "code": "rate_limited",
                "errors": [],
            },
        )
    try:
        canonical = codes.normalise(code)
    except codes.InvalidCode:
        return Status(
            404,
            {
                "detail": _("This is not a valid certificate code: check it for typing mistakes."),
                "code": "not_found",
                "errors": [],
            },
        )
    cert = selectors.certificate_public(code=canonical)
    if cert is None:
        ratelimit.record_miss(request)
        return Status(
            404, {"detail": _("No certificate has this code."), "code": "not_found", "errors": []}
        )
    return Status(200, public_view(cert))
