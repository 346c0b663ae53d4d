"""The evidence register in the API: list cases, read one, upload the field CLI's output for an
exhibit and read the verification. Scoped exactly like the web pages (``selectors``): a case
out of scope is a 404; a role that does not use the register gets 403."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError

from cybercap.api.base import MAX_ID, Page, PageQuery, caller, paginate, responses
from cybercap.evidence import permissions, selectors, services
from cybercap.evidence.models import Case, CaseKind, Verification, VerificationStatus

router = Router()

CaseId = Annotated[int, Field(ge=1, le=MAX_ID, description="The case's id.")]
ExhibitId = Annotated[int, Field(ge=1, le=MAX_ID, description="The exhibit's id.")]
VerificationId = Annotated[int, Field(ge=1, le=MAX_ID, description="The verification's id.")]


class CaseOut(Schema):
    id: int
    reference: str = Field(description="The case ID given to the field CLI as --case.")
    title: str
    kind: CaseKind = Field(description="Training or exercise: the register holds no real case.")
    country: str = Field(alias="country.code", description="ISO code of the case's country.")
    owner: str = Field(alias="owner.username")
    exhibits: int = Field(alias="exhibit_count", description="Number of exhibits.")
    last_upload: dt.datetime | None = Field(description="When something was last uploaded.")
    is_demo: bool = Field(description="Synthetic demo data.")
    created_at: dt.datetime


class ExhibitOut(Schema):
    id: int
    number: str = Field(description="The exhibit ID given to the field CLI as --exhibit.")
    description: str
    uploads: int
    latest_status: VerificationStatus | None = Field(
        description="The result of the latest upload; null if nothing was uploaded."
    )
    latest_verification: int | None = Field(alias="latest_pk")


class CaseDetailOut(Schema):
    id: int
    reference: str
    title: str
    kind: CaseKind
    country: str
    owner: str
    members: list[str] = Field(description="Usernames of the investigators and trainers named.")
    is_demo: bool
    exhibits: list[ExhibitOut]


class EventOut(Schema):
    seq: int = Field(description="The entry's line number in the custody log.")
    time: dt.datetime | None
    action: str
    exhibit: str = Field(alias="exhibit_number")
    actor: str
    counterparty: str
    holder: str = Field(description="Who held the exhibit after this event.")
    reason: str
    location: str
    items: int
    line_hash: str = Field(description="SHA-256 of the entry's line.")


class VerificationOut(Schema):
    id: int
    case: int
    exhibit: int
    status: VerificationStatus
    problems: list[str] = Field(description="Each failure, saying where (line, entry or file).")
    notes: list[str]
    uploaded_at: dt.datetime
    uploaded_by: str | None
    manifest_sha256: str
    entries: int = Field(description="Entries in the custody log.")
    head_hash: str = Field(description="The signed head hash (empty unless verified).")
    key_id: str = Field(description="The minisign key id that signed the checkpoint.")
    content_checked: bool = Field(description="An evidence file was re-hashed.")
    events: list[EventOut] = Field(description="The chain of custody (verified uploads only).")


def _register_user(request: HttpRequest) -> Any:
    user = caller(request)
    if not permissions.can_use_register(user):
        raise PermissionDenied("Only staff, investigators and trainers use the evidence register.")
    return user


def _case(request: HttpRequest, pk: int) -> Case:
    return selectors.case_get_for_user(user=_register_user(request), pk=pk)


def _verification(verification: Verification) -> dict[str, Any]:
    return {
        "id": verification.pk,
        "case": verification.exhibit.case_id,
        "exhibit": verification.exhibit_id,
        "status": verification.status,
        "problems": verification.problems,
        "notes": verification.notes,
        "uploaded_at": verification.uploaded_at,
        "uploaded_by": verification.uploaded_by.username if verification.uploaded_by else None,
        "manifest_sha256": verification.manifest_sha256,
        "entries": verification.entries,
        "head_hash": verification.head_hash,
        "key_id": verification.key_id,
        "content_checked": verification.content_checked,
        "events": selectors.events_for(verification),
    }


@router.get("/evidence/cases", response=responses(Page[CaseOut], parses=True))
def case_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """The training and exercise cases the caller may see, newest first."""
    user = _register_user(request)
    return paginate(selectors.case_list_for_user(user=user), query)


@router.get("/evidence/cases/{id}", response=responses(CaseDetailOut, lookup=True, parses=True))
def case_detail(request: HttpRequest, id: Path[CaseId]) -> dict[str, Any]:
    """One case with its exhibits and the result of each exhibit's latest upload."""
    case = _case(request, id)
    return {
        "id": case.pk,
        "reference": case.reference,
        "title": case.title,
        "kind": case.kind,
        "country": case.country.code,
        "owner": case.owner.username,
        "members": [user.username for user in selectors.members_of(case)],
        "is_demo": case.is_demo,
        "exhibits": list(selectors.exhibits_for_case(case)),
    }


_FILE = {"type": "string", "format": "binary"}
_UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "manifest": {**_FILE, "description": "manifest.json written by `acquire`."},
        "custody_log": {**_FILE, "description": "The custody log (JSON lines)."},
        "head": {**_FILE, "description": "The signed checkpoint, LOG.head."},
        "signature": {**_FILE, "description": "Its signature, LOG.head.minisig."},
        "public_key": {**_FILE, "description": "The minisign public key (KEYFILE.pub)."},
        "evidence": {**_FILE, "description": "Optional: a copy of the evidence to re-hash."},
        "evidence_path": {
            "type": "string",
            "maxLength": 1000,
            "description": "Optional: the evidence file's path in the manifest.",
        },
    },
    "required": ["manifest", "custody_log", "head", "signature", "public_key"],
}


@router.post(
    "/evidence/cases/{id}/exhibits/{exhibit_id}/verifications",
    response=responses(VerificationOut, lookup=True, parses=True),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": _UPLOAD_SCHEMA}},
        }
    },
)
def verification_create(
    request: HttpRequest, id: Path[CaseId], exhibit_id: Path[ExhibitId]
) -> dict[str, Any]:
    """Upload the field CLI's output for an exhibit (multipart form) and verify it: the
    custody chain and its signature always, the manifest against the log, and the evidence
    file against the manifest when one is sent. A well-formed upload that fails verification
    is kept and answered with status ``failed`` and its problems; a missing file, a file too
    large or of the wrong type is a 422 and nothing is kept."""
    case = _case(request, id)
    exhibit = selectors.exhibit_get(case, exhibit_id)
    # Read here, after the scope check, so that a case out of scope is a 404 whatever is sent.
    evidence_path = request.POST.get("evidence_path", "")
    if len(evidence_path) > 1000 or "\x00" in evidence_path:
        raise ValidationError(
            [{"loc": ["body", "evidence_path"], "msg": "Too long or not text.", "type": "invalid"}]
        )
    try:
        verification = services.verification_upload(
            by=caller(request),
            exhibit=exhibit,
            files={name: request.FILES.get(name) for name, _s, _l in services.UPLOADS},
            evidence=request.FILES.get("evidence"),
            evidence_path=evidence_path,
        )
    except services.EvidenceError as exc:
        errors = [
            {"loc": ["body", name], "msg": str(message), "type": "invalid_upload"}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
        raise ValidationError(errors) from None
    verification.exhibit = exhibit
    return _verification(verification)


@router.get(
    "/evidence/cases/{id}/verifications/{verification_id}",
    response=responses(VerificationOut, lookup=True, parses=True),
)
def verification_detail(
    request: HttpRequest, id: Path[CaseId], verification_id: Path[VerificationId]
) -> dict[str, Any]:
    """One upload's verification: the result, where it failed, and the custody timeline."""
    case = _case(request, id)
    return _verification(selectors.verification_get(case, verification_id))
