"""Courses as loaded from content/courses/, and each learner's progress through them."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    version = models.CharField(_("version"), max_length=20)
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("Goes up each time a load changes the course.")
    )
    content_hash = models.CharField(max_length=64)
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    audience = models.TextField(_("audience"))
    objectives = models.JSONField(_("objectives"), default=list)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    legal_basis_heading = models.CharField(max_length=200)
    legal_basis_empty = models.TextField()
    pre_test = models.ForeignKey(
        "quizzes.Test", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    final_test = models.ForeignKey(
        "quizzes.Test", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(default=timezone.now)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Other languages: {language: {field: text, ..., "fallback": bool}} (elearning/localise.py).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    quiz = models.ForeignKey(
        "quizzes.Test", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mastery = models.FloatField(_("mastery score"), default=0.0)
    # Other languages: {language: {field: text, ..., "fallback": bool}} (elearning/localise.py).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="elearning_module_key")
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    objectives = models.JSONField(default=list)
    topics = models.JSONField(default=list)
    words = models.PositiveIntegerField(default=0)
    # Sanitised HTML. A lesson with the legal-basis slot is split around it.
    html = models.TextField()
    html_after_slot = models.TextField(blank=True)
    has_legal_slot = models.BooleanField(default=False)
    # Other languages: {language: {field: text, ..., "fallback": bool}} (elearning/localise.py).
    translations = models.JSONField(default=dict, blank=True)
    # {language: {"html", "html_after_slot"}}: apart, so that lists can defer it.
    html_translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["module__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "key"], name="elearning_lesson_key")
        ]

    def __str__(self) -> str:
        return self.title


class Figure(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="figures")
    name = models.CharField(max_length=120)
    svg = models.TextField()
    # {language: svg}: the figure's translated SVG, when the language has it.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="elearning_figure_name")
        ]

    def __str__(self) -> str:
        return self.name


class LegalBasis(models.Model):
    """One country's legal basis for the legal-authority lesson; filled in by staff."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="legal_bases")
    country_code = models.CharField(max_length=2)
    status = models.CharField(max_length=20)
    html = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "country_code"], name="elearning_legal_cc")
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.country_code}"


class Scenario(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="scenarios")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="scenarios")
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    setting = models.TextField(_("setting"))
    max_score = models.PositiveIntegerField()
    pass_score = models.PositiveIntegerField()
    graph = models.JSONField(help_text=_("The scenario as in its content file."))
    # Other languages: {language: {field: text, ..., "fallback": bool}} (elearning/localise.py).
    translations = models.JSONField(default=dict, blank=True)
    # {language: graph}: the translated scenario file (same ids, so runs switch language).
    graph_translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["module__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="elearning_scenario_key")
        ]

    def __str__(self) -> str:
        return self.title

    def node(self, node_id: str) -> dict[str, Any]:
        return next(n for n in self.graph["nodes"] if n["id"] == node_id)


class Enrolment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_at = models.DateTimeField(default=timezone.now)
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(default=False)
    # The xAPI/cmi5 registration: every statement about this enrolment carries it.
    registration = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="elearning_enrolment_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id}"


class LessonProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    first_seen_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="elearning_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.lesson_id}"


class ScenarioRun(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scenario_runs"
    )
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    node = models.CharField(max_length=80)
    # [{"node", "choice", "score", "feedback"}] in the order played
    path = models.JSONField(default=list)
    # {"variables": {name: value}, "flags": [name, ...]}
    state = models.JSONField(default=dict)
    score = models.IntegerField(default=0)
    outcome = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["user", "scenario"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.scenario_id} {self.node}"

    @property
    def passed(self) -> bool:
        return self.finished_at is not None and self.score >= self.scenario.pass_score


# --------------------------------------------------------------------------- xAPI


class LearnerAccount(models.Model):
    """The learner's opaque xAPI account name (never the e-mail or the username): a random
    UUID made on the first statement and kept, so that the actor stays the same."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_account"
    )
    name = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)

    def __str__(self) -> str:
        return str(self.name)


class Statement(models.Model):
    """One xAPI 1.0.3 statement about a learner event, stored with the event it describes.

    ``data`` is the whole statement as an LRS would return it (``stored`` included); the other
    columns copy what queries and reports filter on.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_statements"
    )
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements"
    )
    registration = models.UUIDField(null=True, blank=True)
    verb = models.CharField(_("verb"), max_length=40)
    object_id = models.CharField(_("activity"), max_length=500)
    timestamp = models.DateTimeField(_("timestamp"))
    stored = models.DateTimeField(_("stored"), default=timezone.now)
    data = models.JSONField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["stored", "id"]
        indexes = [
            models.Index(fields=["stored", "id"], name="elearning_stmt_stored"),
            models.Index(fields=["user", "timestamp"], name="elearning_stmt_user"),
            models.Index(fields=["course", "verb"], name="elearning_stmt_course_verb"),
        ]
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")

    def __str__(self) -> str:
        return f"{self.user_id} {self.verb} {self.object_id}"


# --------------------------------------------------------------------------- invitations


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(models.Model):
    """An agency's invitation of one person (by e-mail) to a course.

    The link mailed is signed and names this row and its ``nonce``; resending makes a new nonce
    (older links fail) and a new expiry; accepting or revoking ends it. At most one open
    invitation (neither accepted nor revoked) per course and address."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(
        "network.Agency",
        on_delete=models.PROTECT,
        related_name="course_invitations",
        verbose_name=_("agency"),
    )
    email = models.EmailField(_("e-mail"), max_length=150)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    sent_at = models.DateTimeField(_("last sent"), default=timezone.now)
    times_sent = models.PositiveIntegerField(_("times sent"), default=1)
    expires_at = models.DateTimeField(_("expires"))
    nonce = models.CharField(max_length=32)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
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

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="elearning_invitation_open_once",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="elearning_invitation_email_lower",
            ),
        ]
        indexes = [models.Index(fields=["course", "created_at"], name="elearning_inv_course")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.course_id}"

    def status_at(self, now: Any = None) -> str:
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.expires_at <= (now or timezone.now()):
            return InvitationStatus.EXPIRED
        return InvitationStatus.SENT

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return str(InvitationStatus(self.status).label)
