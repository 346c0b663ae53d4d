"""Every write to the evidence register: validated, in a transaction, audited (core.audit).

Uploads are size-checked before anything is read, streamed chunk by chunk into a private
temporary directory (never held whole in memory), type-checked, verified with the field
package's code (``checking``), then streamed into storage under fixed names. An upload that
is too large or not what it should be leaves nothing behind; one that is well-formed but fails
verification is kept, marked failed, with the problems saying where.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.core import audit
from cybercap.core.models import AuditAction, AuditEntry
from cybercap.evidence import checking, permissions, timeline
from cybercap.evidence.models import (
    Case,
    CustodyEvent,
    Exhibit,
    Export,
    Verification,
    VerificationStatus,
)
from cybercap.network.models import Country

KiB = 1024
MiB = 1024 * KiB
# (form field, stored name, largest size accepted)
UPLOADS = (
    ("manifest", checking.MANIFEST, 16 * MiB),
    ("custody_log", checking.LOG, 4 * MiB),
    ("head", checking.HEAD, 1 * KiB),
    ("signature", checking.SIGNATURE, 4 * KiB),
    ("public_key", checking.PUBKEY, 1 * KiB),
)
STORED = {
    "manifest": "manifest_file",
    "custody_log": "log_file",
    "head": "head_file",
    "signature": "signature_file",
}


def evidence_file_limit() -> int:
    return int(settings.MAX_UPLOAD_BYTES)


class EvidenceError(ValidationError):
    """A write the register's rules do not allow, or an upload it cannot accept."""


# --------------------------------------------------------------------------- cases


@transaction.atomic
def case_create(
    *,
    by: Any,
    reference: str,
    title: str,
    kind: str,
    country: Country,
    description: str = "",
    members: Iterable[Any] = (),
    is_demo: bool = False,
) -> Case:
    if not permissions.can_use_register(by):
        raise PermissionDenied
    allowed = permissions.country_ids_for_new_cases(by)
    if allowed is not None and country.pk not in allowed:
        raise EvidenceError({"country": _("You may open cases only in your own country.")})
    if Case.objects.filter(country=country, reference=reference).exists():
        raise EvidenceError({"reference": _("This country already has a case with this ID.")})
    case = Case(
        reference=reference,
        title=title,
        kind=kind,
        country=country,
        description=description,
        owner=by,
        is_demo=is_demo,
    )
    case.full_clean()
    case.save()
    case_members_set(by=by, case=case, members=members)
    return case


@transaction.atomic
def case_members_set(*, by: Any, case: Case, members: Iterable[Any]) -> None:
    """Name the investigators (of the case's country) and trainers who share the case."""
    if not (access.is_staff(by) or case.owner_id == by.pk):
        raise PermissionDenied
    chosen = [user for user in members if user.pk != case.owner_id]
    for user in chosen:
        held = access.roles(user)
        reach = access.countries(user, Role.INVESTIGATOR)
        if not permissions.may_be_named(held, reach, case.country_id):
            raise EvidenceError(
                {
                    "members": _(
                        "%(user)s is neither a trainer nor an investigator of %(country)s."
                    )
                    % {"user": user, "country": case.country}
                }
            )
    before = sorted(case.members.values_list("username", flat=True))
    case.members.set(chosen)
    after = sorted(user.username for user in chosen)
    if before != after:
        # core.audit records field writes; a many-to-many change is recorded here.
        actor = audit.current_actor()
        AuditEntry.objects.create(
            actor_id=actor.user_id if actor else None,
            actor_label=(actor.label if actor else "system")[:150],
            action=AuditAction.UPDATE,
            model=Case._meta.label,
            object_id=str(case.pk),
            object_repr=str(case)[:200],
            changes={"members": [before, after]},
            ip_address=actor.ip_address if actor else None,
        )


@transaction.atomic
def exhibit_create(*, by: Any, case: Case, number: str, description: str = "") -> Exhibit:
    if case.exhibits.filter(number=number).exists():
        raise EvidenceError({"number": _("This case already has an exhibit with this ID.")})
    exhibit = Exhibit(case=case, number=number, description=description, created_by=by)
    exhibit.full_clean()
    exhibit.save()
    return exhibit


# --------------------------------------------------------------------------- uploads


def _size_check(name: str, upload: UploadedFile | None, limit: int) -> UploadedFile:
    if upload is None:
        raise EvidenceError({name: _("This file is required.")})
    size = upload.size or 0
    if size == 0:
        raise EvidenceError({name: _("%(file)s is empty.") % {"file": upload.name}})
    if size > limit:
        raise EvidenceError(
            {
                name: _("%(file)s is larger than %(limit)s bytes, the most accepted here.")
                % {"file": upload.name, "limit": f"{limit:,}"}
            }
        )
    return upload


def _stream_to(upload: UploadedFile, path: str, limit: int, name: str) -> None:
    """Copy the upload chunk by chunk; refuse one that turns out larger than it said."""
    written = 0
    upload.seek(0)
    with open(path, "xb") as out:
        for chunk in upload.chunks(MiB):
            written += len(chunk)
            if written > limit:
                raise EvidenceError({name: _("%(file)s is too large.") % {"file": upload.name}})
            out.write(chunk)


@contextlib.contextmanager
def _workspace() -> Iterator[str]:
    directory = tempfile.mkdtemp(prefix="cybercap-evidence-")
    try:
        os.chmod(directory, 0o700)
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _type_checks(directory: str) -> None:
    checks = (
        ("custody_log", checking.json_lines_ok(os.path.join(directory, checking.LOG))),
        (
            "head",
            checking.first_line_ok(
                os.path.join(directory, checking.HEAD),
                b"cybercap-custody-checkpoint v1\n",
                "checkpoint",
            ),
        ),
        (
            "signature",
            checking.first_line_ok(
                os.path.join(directory, checking.SIGNATURE),
                b"untrusted comment:",
                "minisign signature",
            ),
        ),
    )
    for name, problem in checks:
        if problem:
            raise EvidenceError({name: problem})


def verification_upload(
    *,
    by: Any,
    exhibit: Exhibit,
    files: dict[str, UploadedFile | None],
    evidence: UploadedFile | None = None,
    evidence_path: str = "",
) -> Verification:
    """Check and keep one upload of the CLI's output for ``exhibit``; see the module's doc."""
    case = exhibit.case
    for name, _stored, limit in UPLOADS:
        _size_check(name, files.get(name), limit)
    if evidence is not None:
        _size_check("evidence", evidence, evidence_file_limit())
    with _workspace() as directory:
        for name, stored, limit in UPLOADS:
            upload = files[name]
            assert upload is not None
            _stream_to(upload, os.path.join(directory, stored), limit, name)
        if evidence is not None:
            _stream_to(
                evidence,
                os.path.join(directory, checking.EVIDENCE),
                evidence_file_limit(),
                "evidence",
            )
        _type_checks(directory)
        try:
            result = checking.check_upload(
                directory,
                case_ref=case.reference,
                exhibit=exhibit.number,
                evidence_name=os.path.basename(evidence.name or "") if evidence else "",
                evidence_path=evidence_path,
            )
        except checking.UploadInvalid as exc:
            raise EvidenceError({exc.field_name: exc.message}) from None
        return _keep(by=by, exhibit=exhibit, directory=directory, result=result)


def _keep(
    *, by: Any, exhibit: Exhibit, directory: str, result: checking.CheckResult
) -> Verification:
    with open(os.path.join(directory, checking.PUBKEY), encoding="ascii") as handle:
        public_key = handle.read()
    verification = Verification(
        exhibit=exhibit,
        uploaded_by=by,
        status=VerificationStatus.VERIFIED if result.ok else VerificationStatus.FAILED,
        problems=result.problems[:200],
        notes=result.notes,
        public_key=public_key,
        manifest_sha256=result.manifest_sha256,
        manifest_summary=checking.summary_of(result.manifest),
        log_id=result.log_id,
        entries=result.entries,
        head_hash=result.head if result.ok else "",
        key_id=result.key_id,
        trusted_comment=result.trusted_comment,
        content_checked=result.content_checked,
        content_report=result.content_report,
    )
    saved: list[str] = []
    try:
        with transaction.atomic():
            stored_names = dict((name, stored) for name, stored, _limit in UPLOADS)
            for name, attribute in STORED.items():
                with open(os.path.join(directory, stored_names[name]), "rb") as handle:
                    field = getattr(verification, attribute)
                    field.save(stored_names[name], File(handle), save=False)
                    saved.append(field.name)
            verification.save()
            if result.ok:
                CustodyEvent.objects.bulk_create(
                    _event_rows(verification, result.events, result.line_hashes)
                )
    except BaseException:
        storage = verification.manifest_file.storage
        for name in saved:
            storage.delete(name)
        raise
    return verification


def _event_rows(
    verification: Verification, events: list[dict[str, Any]], line_hashes: list[str]
) -> list[CustodyEvent]:
    return [
        CustodyEvent(
            verification=verification,
            seq=step.seq,
            time=step.time,
            time_text=step.time_text,
            action=step.action,
            exhibit_number=step.exhibit,
            actor=step.actor,
            counterparty=step.counterparty,
            holder=step.holder,
            reason=step.reason,
            location=step.location,
            items=step.items,
            item_bytes=step.item_bytes,
            manifest_sha256=step.manifest_sha256,
            line_hash=line_hashes[index] if index < len(line_hashes) else "",
        )
        for index, step in enumerate(timeline.steps(events))
    ]


def export_record(*, by: Any, verification: Verification, kind: str, detail: str = "") -> Export:
    """Note who took an export (audited like every write)."""
    return Export.objects.create(verification=verification, kind=kind, detail=detail, by=by)
