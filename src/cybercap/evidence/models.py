"""The evidence register: training and exercise cases, their exhibits, and each upload of the
field CLI's output (manifest and signed custody log) with the server's verification of it.

Real casework never comes here: it stays on the agency's own systems with the field CLI.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class CaseKind(models.TextChoices):
    TRAINING = "training", _("Training case")
    EXERCISE = "exercise", _("Exercise case")


class Case(models.Model):
    """A training or exercise case, owned by an investigator or trainer (or staff)."""

    reference = models.CharField(
        _("case ID"),
        max_length=64,
        help_text=_("The ID given to the field CLI as --case, e.g. TRAIN-TH-2026-01."),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind, default=CaseKind.TRAINING)
    country = models.ForeignKey(
        "network.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evidence_cases_owned",
        verbose_name=_("owner"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="evidence_cases",
        verbose_name=_("named investigators and trainers"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "reference"], name="evidence_case_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(reference__regex=REFERENCE_PATTERN), name="evidence_case_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class Exhibit(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exhibits")
    number = models.CharField(
        _("exhibit ID"),
        max_length=64,
        help_text=_("The ID given to the field CLI as --exhibit, e.g. EX-01."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["number", "pk"]
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="evidence_exhibit_unique"),
            models.CheckConstraint(
                condition=Q(number__regex=REFERENCE_PATTERN), name="evidence_exhibit_number"
            ),
        ]

    def __str__(self) -> str:
        return self.number


def upload_path(instance: Verification, filename: str) -> str:
    # Stored under fixed names chosen by the service; the uploader's names are kept as data.
    return f"evidence/{instance.exhibit.case_id}/{instance.exhibit_id}/{instance.uid}/{filename}"


class VerificationStatus(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Failed")


class Verification(models.Model):
    """One upload of the CLI's output for an exhibit and what the server found.

    The custody chain and its signature are always checked; the manifest's hashes are
    re-checked against an evidence file when one was uploaded with it (the evidence file is
    hashed and discarded, never stored). ``problems`` says where each failure is.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="verifications")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    status = models.CharField(_("result"), max_length=20, choices=VerificationStatus)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    # The uploaded files (fixed names in storage; served only as downloads, never rendered).
    manifest_file = models.FileField(upload_to=upload_path, max_length=300)
    log_file = models.FileField(upload_to=upload_path, max_length=300)
    head_file = models.FileField(upload_to=upload_path, max_length=300)
    signature_file = models.FileField(upload_to=upload_path, max_length=300)
    public_key = models.TextField(_("public key"))
    # What the files say (for lists and the form without re-reading them).
    manifest_sha256 = models.CharField(max_length=64)
    manifest_summary = models.JSONField(default=dict, blank=True)
    log_id = models.CharField(max_length=64, blank=True)
    entries = models.PositiveIntegerField(default=0)
    head_hash = models.CharField(_("signed head hash"), max_length=64, blank=True)
    key_id = models.CharField(_("signing key"), max_length=16, blank=True)
    trusted_comment = models.CharField(max_length=300, blank=True)
    content_checked = models.BooleanField(_("evidence file re-hashed"), default=False)
    content_report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self) -> str:
        return f"{self.exhibit} {self.get_status_display()} {self.uploaded_at:%Y-%m-%d %H:%M}"

    @property
    def verified(self) -> bool:
        return self.status == VerificationStatus.VERIFIED


ACTION_LABELS = {
    "seize": _("Seized"),
    "acquire": _("Acquired"),
    "verify": _("Verified"),
    "transfer": _("Transferred"),
    "access": _("Accessed"),
    "copy": _("Copied"),
    "release": _("Released"),
    "dispose": _("Disposed of"),
}


class CustodyEvent(models.Model):
    """One entry of an uploaded custody log, as the timeline shows it."""

    verification = models.ForeignKey(Verification, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    time = models.DateTimeField(null=True)
    time_text = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=20)
    exhibit_number = models.CharField(max_length=200, blank=True)
    actor = models.CharField(max_length=200, blank=True)
    counterparty = models.CharField(max_length=200, blank=True)
    holder = models.CharField(_("held by after this event"), max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    location = models.CharField(max_length=500, blank=True)
    items = models.PositiveIntegerField(default=0)
    item_bytes = models.PositiveBigIntegerField(default=0)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    line_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["verification_id", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["verification", "seq"], name="evidence_custody_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.action} {self.actor}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class ExportKind(models.TextChoices):
    CASE_GRAPH = "case", _("CASE/UCO graph")
    CUSTODY_FORM = "form", _("Chain-of-custody form (PDF)")
    FILE = "file", _("Uploaded file")


class Export(models.Model):
    """Who took which export of a verification, and when (kept so the audit log shows it)."""

    verification = models.ForeignKey(Verification, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=10, choices=ExportKind)
    detail = models.CharField(max_length=100, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.verification_id}"
