"""National Cyber Reviews: the framework as loaded from content, reviews, answers, evidence,
consultations, validation comments and recommendations.

Models stay thin: fields, constraints and trivial properties. Writes are in ``services``,
reads in ``selectors``, access rules in ``permissions`` and scores in ``scoring`` (pure).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cybercap.network.models import AgencyKind
from cybercap.network.tlp import TLP

DEFAULT_TARGET_LEVEL = 3


class Level(models.IntegerChoices):
    START_UP = 1, _("1 · Start-up")
    FORMATIVE = 2, _("2 · Formative")
    ESTABLISHED = 3, _("3 · Established")
    STRATEGIC = 4, _("4 · Strategic")
    DYNAMIC = 5, _("5 · Dynamic")


# --------------------------------------------------------------------------- the framework


class FrameworkVersion(models.Model):
    """One version of a framework, loaded from content/frameworks/<key>/v<version>/."""

    key = models.SlugField(_("framework"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    levels = models.JSONField(_("level names"), default=list)
    stakeholder_clusters = models.JSONField(_("stakeholder clusters"), default=list)
    mapping = models.JSONField(_("mapping to the previous version"), null=True, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="framework_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="framework_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def cluster_name(self, key: str) -> str:
        for cluster in self.stakeholder_clusters or []:
            if cluster.get("key") == key:
                return str(cluster.get("name", key))
        return key


class Pillar(models.Model):
    framework = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="pillars"
    )
    key = models.SlugField(_("key"), max_length=40)
    code = models.CharField(_("code"), max_length=3)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.FloatField(_("weight"), default=1.0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="pillar_unique_key"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="pillar_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="areas")
    key = models.SlugField(_("key"), max_length=40)
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.FloatField(_("weight"), default=1.0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pillar", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pillar", "key"], name="area_unique_key"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="area_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One question of a framework version; ``code`` is its stable id (e.g. LEG-PROC-02)."""

    framework = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="indicators"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField(_("id"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"))
    levels = models.JSONField(_("level descriptors"), default=dict)
    weight = models.FloatField(_("weight"), default=1.0)
    topics = models.ManyToManyField(
        "network.Topic", related_name="indicators", blank=True, verbose_name=_("topics")
    )
    articles = models.JSONField(_("article references"), default=list, blank=True)
    evidence_guidance = models.JSONField(_("evidence guidance"), default=dict, blank=True)
    metric = models.JSONField(_("metric"), null=True, blank=True)
    rules = models.JSONField(_("recommendation rules"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("Gone from the content files; kept for reviews."),
    )

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def descriptor(self, level: int | None) -> str:
        if level is None:
            return ""
        return str(self.levels.get(str(level), ""))

    @property
    def descriptors(self) -> list[tuple[int, str]]:
        return [(lv, str(self.levels.get(str(lv), ""))) for lv in range(1, 6)]


# --------------------------------------------------------------------------- targets


class TargetLevel(models.Model):
    """The level a country aims for: for one indicator id, or for all (``indicator_code`` "")."""

    country = models.ForeignKey(
        "network.Country", on_delete=models.CASCADE, related_name="review_targets"
    )
    indicator_code = models.CharField(_("indicator id"), max_length=20, blank=True)
    level = models.PositiveSmallIntegerField(_("target level"), choices=Level.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country", "indicator_code"], name="target_unique_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="target_level_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.indicator_code or '*'} → {self.level}"


# --------------------------------------------------------------------------- reviews


class ReviewState(models.TextChoices):
    PREPARATION = "preparation", _("Preparation")
    CONSULTATIONS = "consultations", _("Consultations")
    SCORING = "scoring", _("Scoring")
    PEER_CHECK = "peer_check", _("Peer check")
    COUNTRY_VALIDATION = "country_validation", _("Country validation")
    FINAL = "final", _("Final")


REVIEWER_WORKING_STATES = frozenset(
    {
        ReviewState.PREPARATION,
        ReviewState.CONSULTATIONS,
        ReviewState.SCORING,
        ReviewState.PEER_CHECK,
    }
)
RELEASED_STATES = frozenset({ReviewState.COUNTRY_VALIDATION, ReviewState.FINAL})


class Review(models.Model):
    country = models.ForeignKey("network.Country", on_delete=models.PROTECT, related_name="reviews")
    cycle = models.PositiveSmallIntegerField(_("cycle year"))
    framework = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="reviews"
    )
    tlp = models.CharField(_("TLP label"), max_length=12, choices=TLP.choices, default=TLP.AMBER)
    state = models.CharField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.PREPARATION
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="assigned_reviews",
        blank=True,
        verbose_name=_("reviewers"),
    )
    named_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="named_reviews",
        blank=True,
        verbose_name=_("named users (TLP:RED)"),
        help_text=_("Under TLP:RED only these users may see the review."),
    )
    summary = models.TextField(_("executive summary"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-cycle", "country__name"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["country", "cycle"], name="review_one_per_cycle"),
            models.CheckConstraint(
                condition=Q(cycle__gte=2000, cycle__lte=2100), name="review_cycle_plausible"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReviewState.values), name="review_state_known"
            ),
            models.CheckConstraint(condition=Q(tlp__in=TLP.values), name="review_tlp_known"),
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.country} {self.cycle}"


class ReviewTransition(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=ReviewState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ReviewState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_state=models.F("to_state")), name="transition_changes_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"


class Consultation(models.Model):
    """A meeting with one stakeholder cluster; notes are kept without attribution."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="consultations")
    date = models.DateField(_("date"))
    cluster = models.CharField(_("stakeholder cluster"), max_length=40)
    agencies = models.ManyToManyField(
        "network.Agency", related_name="consultations", blank=True, verbose_name=_("attendees")
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Without attribution: no names of who said what.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.cluster} {self.date}"


class Confidence(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Answer(models.Model):
    """One indicator of one review: a level (or not applicable, or nothing yet) and evidence."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, null=True, blank=True
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, blank=True
    )
    evidence = models.TextField(_("evidence"), blank=True)
    references = models.TextField(
        _("references"), blank=True, help_text=_("Laws, documents and figures, one per line.")
    )
    comments = models.TextField(_("comments"), blank=True)
    needs_discussion = models.BooleanField(_("needs discussion"), default=False)
    second_level = models.PositiveSmallIntegerField(
        _("second reviewer's level"), choices=Level.choices, null=True, blank=True
    )
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "indicator__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "indicator"], name="answer_one_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5),
                name="answer_level_in_range",
            ),
            models.CheckConstraint(
                condition=Q(second_level__isnull=True)
                | Q(second_level__gte=1, second_level__lte=5),
                name="answer_second_level_in_range",
            ),
            models.CheckConstraint(
                condition=~(Q(not_applicable=True) & Q(level__isnull=False)),
                name="answer_not_applicable_has_no_level",
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=["", *Confidence.values]),
                name="answer_confidence_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.indicator.code}"

    @property
    def status(self) -> str:
        if self.not_applicable:
            return "not_applicable"
        return "answered" if self.level is not None else "unanswered"

    @property
    def agreement(self) -> int | None:
        """Difference between the two reviewers' levels (0 is agreement); None without both."""
        if self.level is None or self.second_level is None:
            return None
        return abs(self.level - self.second_level)


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"reviews/{instance.answer.review_id}/{instance.answer.indicator.code}/{filename}"


class Evidence(models.Model):
    """A file behind an answer; type and size are checked in ``services.evidence_attach``."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name


class ValidationComment(models.Model):
    """A focal point's comment on the draft (on one indicator or the whole), and replies."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_not_empty"),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Horizon(models.TextChoices):
    SHORT = "short", _("Short term")
    MEDIUM = "medium", _("Medium term")
    LONG = "long", _("Long term")


PRIORITY_ORDER = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


class Recommendation(models.Model):
    """Generated from a framework rule for a gap (``source_key``), then edited by reviewers."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    source_key = models.CharField(
        _("source rule"),
        max_length=60,
        blank=True,
        help_text=_("<indicator id>#<rule number>; empty when added by hand."),
    )
    text = models.TextField(_("recommendation"))
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices)
    horizon = models.CharField(_("horizon"), max_length=6, choices=Horizon.choices)
    responsible = models.CharField(
        _("responsible agency type"), max_length=30, choices=AgencyKind.choices
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="recommendations", blank=True, verbose_name=_("indicators")
    )
    topics = models.ManyToManyField(
        "network.Topic", related_name="recommendations", blank=True, verbose_name=_("topics")
    )
    evidence_trace = models.TextField(_("evidence trace"), blank=True)
    edited = models.BooleanField(_("edited by a reviewer"), default=False)
    obsolete = models.BooleanField(
        _("no longer matches a gap"),
        default=False,
        help_text=_("The gap closed; kept because a reviewer edited it."),
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "source_key"],
                condition=~Q(source_key=""),
                name="recommendation_one_per_rule",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="recommendation_priority_known"
            ),
            models.CheckConstraint(
                condition=Q(horizon__in=Horizon.values), name="recommendation_horizon_known"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="recommendation_has_text"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
