"""Certificates of attendance and achievement, for activities and e-learning courses.

A certificate keeps what it certified as it was on the day of issue (the holder's name in its
script, the title, the dates), so that it reads the same if the activity or the person changes
later. The database holds the rules it can: a known kind, dates in order, a holder, something
certified, and at most one valid certificate per holder, subject and kind (so that issuing is
idempotent even when two requests race).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cybercap.certificates import codes


class CertificateKind(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance")
    ACHIEVEMENT = "achievement", _("Achievement")


class Certificate(models.Model):
    code = models.CharField(
        _("verification code"), max_length=codes.DISPLAY_LENGTH, unique=True, editable=False
    )
    kind = models.CharField(_("type"), max_length=20, choices=CertificateKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts = models.DateField(_("first day"))
    ends = models.DateField(_("last day"))
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("activity"),
    )
    course_key = models.SlugField(_("course"), max_length=80, blank=True)
    # A certificate never loses its holder: deleting a holder with certificates is refused
    # (accounts are deactivated, not deleted).
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("holder (user)"),
    )
    holder_person = models.ForeignKey(
        "network.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("holder (person)"),
    )
    holder_name = models.CharField(
        _("holder's name"), max_length=200, help_text=_("As the holder writes it, in any script.")
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)
    show_initials_only = models.BooleanField(
        _("show initials only"),
        default=False,
        help_text=_("The public verification page shows the holder's initials, not the name."),
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in CertificateKind]),
                name="certificate_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(ends__gte=F("starts")), name="certificate_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(holder_user__isnull=False) | Q(holder_person__isnull=False),
                name="certificate_has_holder",
            ),
            models.CheckConstraint(
                condition=Q(activity__isnull=True) | Q(course_key=""),
                name="certificate_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="certificate_revoked_with_reason",
            ),
            # One valid certificate per holder, subject and kind (a revoked one may be reissued).
            models.UniqueConstraint(
                fields=["holder_person", "activity", "kind"],
                condition=Q(
                    revoked_at__isnull=True,
                    holder_person__isnull=False,
                    activity__isnull=False,
                ),
                name="certificate_once_per_person_activity",
            ),
            models.UniqueConstraint(
                fields=["holder_user", "activity", "kind"],
                condition=Q(
                    revoked_at__isnull=True,
                    holder_person__isnull=True,
                    activity__isnull=False,
                ),
                name="certificate_once_per_user_activity",
            ),
            models.UniqueConstraint(
                fields=["holder_user", "course_key", "kind"],
                condition=Q(revoked_at__isnull=True, holder_user__isnull=False) & ~Q(course_key=""),
                name="certificate_once_per_user_course",
            ),
        ]
        indexes = [
            models.Index(fields=["course_key"]),
            models.Index(fields=["holder_name"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_kind_display()})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
