"""The shared vocabulary: countries, agencies, people and topics."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Country(models.Model):
    """A country by its ISO 3166-1 alpha-2 code; ASEAN membership is data, not code."""

    code = models.CharField(_("ISO code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    asean_joined = models.DateField(
        _("ASEAN member since"),
        null=True,
        blank=True,
        help_text=_("Empty for a country that is not an ASEAN member."),
    )
    is_guest = models.BooleanField(
        _("guest country"),
        default=False,
        help_text=_("A country beyond ASEAN whose participants join programme activities."),
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_is_alpha2"
            ),
            models.CheckConstraint(
                condition=~(Q(is_guest=True) & Q(asean_joined__isnull=False)),
                name="country_member_is_not_guest",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_asean_member(self) -> bool:
        return self.asean_joined is not None


class AgencyKind(models.TextChoices):
    POLICE_CYBER_UNIT = "police_cyber_unit", _("Police cybercrime unit")
    POLICE = "police", _("Police (other)")
    PROSECUTION = "prosecution", _("Prosecutor's office")
    COURT = "court", _("Court or judiciary")
    MINISTRY = "ministry", _("Ministry or government department")
    CERT = "cert", _("CERT / CSIRT")
    REGULATOR = "regulator", _("Regulator")
    ACADEMIA = "academia", _("Academic or research body")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    INTERNATIONAL = "international", _("International organisation")
    OTHER = "other", _("Other")


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("type"), max_length=30, choices=AgencyKind.choices)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("country"),
        help_text=_("The seat of an international organisation."),
    )
    website = models.URLField(_("website"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country__name", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="agency_unique_per_country")
        ]

    def __str__(self) -> str:
        return f"{self.acronym} ({self.name})" if self.acronym else self.name


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class Person(models.Model):
    """A participant, trainer, expert or officer. One person is one record."""

    full_name = models.CharField(
        _("full name"), max_length=200, help_text=_("As the person writes it, in any script.")
    )
    latin_name = models.CharField(
        _("name in Latin script"),
        max_length=200,
        blank=True,
        help_text=_("For badges and lists where the script cannot be shown."),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        verbose_name=_("agency"),
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="people", verbose_name=_("country")
    )
    role_title = models.CharField(_("role or rank"), max_length=150, blank=True)
    gender = models.CharField(
        _("gender"), max_length=20, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["country", "full_name"])]

    def __str__(self) -> str:
        return self.full_name


class Topic(models.Model):
    """One node of the capacity taxonomy (content/taxonomy/topics.yaml)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("broader topic"),
    )
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("No longer in the taxonomy file; kept so that old records still point at it."),
    )
    taxonomy_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name
