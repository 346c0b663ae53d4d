"""Users, role assignments, API tokens."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Role(models.TextChoices):
    STAFF = "staff", _("Programme staff")
    REVIEWER = "reviewer", _("Reviewer")
    FOCAL_POINT = "focal_point", _("Country focal point")
    TRAINER = "trainer", _("Trainer")
    INVESTIGATOR = "investigator", _("Investigator")
    LEARNER = "learner", _("Learner")


# Roles whose scope is one country; the others are scoped by assignment or by self.
COUNTRY_ROLES = frozenset({Role.FOCAL_POINT, Role.INVESTIGATOR})
# Roles for which two factors are required at login.
TWO_FACTOR_ROLES = frozenset({Role.STAFF, Role.REVIEWER})


class User(AbstractUser):
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Times are shown in this zone. Empty: the programme's default."),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False, db_index=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """One role a user holds, with its scope: a country for focal points and investigators."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = models.ForeignKey(
        "network.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("country"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(COUNTRY_ROLES), country__isnull=False)
                    | (~Q(role__in=sorted(COUNTRY_ROLES)) & Q(country__isnull=True))
                ),
                name="role_country_scope",
                violation_error_message=_(
                    "Focal points and investigators need a country; other roles take none."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "country"], name="role_assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(country__isnull=True),
                name="role_assignment_unique_unscoped",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_role_display()
        return f"{label} ({self.country})" if self.country_id else str(label)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: object | None = None) -> bool:
        moment = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > moment  # type: ignore[operator]
