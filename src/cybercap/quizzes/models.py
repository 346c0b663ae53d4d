"""The platform's one question bank: items, tests, attempts and responses.

An item keeps a stable ``key`` (the id in its content file) and a ``version`` that goes up each
time its content changes; a response records the version it answered, so that item analysis
can tell old answers from new ones.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    ORDERING = "ordering", _("Ordering")
    MATCHING = "matching", _("Matching")


class Item(models.Model):
    key = models.SlugField(_("key"), max_length=80)
    language = models.CharField(_("language"), max_length=10, default="en")
    version = models.PositiveIntegerField(_("version"), default=1)
    content_hash = models.CharField(max_length=64)
    type = models.CharField(_("type"), max_length=20, choices=ItemType.choices)
    topic = models.ForeignKey(
        "network.Topic", on_delete=models.PROTECT, related_name="items", verbose_name=_("topic")
    )
    source = models.CharField(
        _("source"), max_length=120, blank=True, help_text=_("Course and module it comes from.")
    )
    stem = models.TextField(_("stem"))
    # [{"id", "text", "explanation"}]; matching items also have targets [{"id", "text"}].
    options = models.JSONField(_("options"), default=list)
    targets = models.JSONField(_("targets"), default=list, blank=True)
    # A list of option ids (in order, for ordering) or, for matching, {option id: target id}.
    correct = models.JSONField(_("correct answer"))
    pools = models.JSONField(_("pools"), default=list)
    retired = models.BooleanField(_("retired"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="quizzes_item_key_language")
        ]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    def option_text(self, option_id: str) -> str:
        return next((o["text"] for o in self.options if o["id"] == option_id), option_id)

    def target_text(self, target_id: str) -> str:
        return next((t["text"] for t in self.targets if t["id"] == target_id), target_id)


class Test(models.Model):
    """A set of items, or a random draw of ``draw`` items from them, with a pass mark."""

    key = models.CharField(_("key"), max_length=160, unique=True)
    title = models.CharField(_("title"), max_length=200)
    items = models.ManyToManyField(Item, related_name="tests", verbose_name=_("items"))
    draw = models.PositiveIntegerField(
        _("items per attempt"), null=True, blank=True, help_text=_("Empty: every item.")
    )
    pass_mark = models.FloatField(_("pass mark"), default=0.0, help_text=_("0 to 1."))
    max_attempts = models.PositiveIntegerField(
        _("attempts allowed"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    shuffle = models.BooleanField(_("random order"), default=True)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)

    class Meta:
        ordering = ["key"]
        verbose_name = _("test")
        verbose_name_plural = _("tests")

    def __str__(self) -> str:
        return self.title


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    test = models.ForeignKey(Test, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt number"), default=1)
    item_keys = models.JSONField(_("items drawn, in order"), default=list)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True, help_text=_("0 to 1."))
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # Set by the device for an attempt taken offline: syncing the same submission again finds
    # this attempt instead of recording a second one.
    client_id = models.UUIDField(_("client id"), null=True, blank=True, unique=True)
    # What a reviewer should look at: "overtime" (more time than the test allows, by the
    # device's clock), "device_clock" (the device's times could not be trusted).
    flags = models.JSONField(_("flags"), default=list, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "test", "number"], name="quizzes_attempt_number"
            )
        ]
        indexes = [models.Index(fields=["user", "test"])]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"{self.test} #{self.number} ({self.user})"

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="responses")
    item_version = models.PositiveIntegerField()
    answer = models.JSONField(default=list)
    score = models.FloatField(default=0.0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item"], name="quizzes_response_once")
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.item_id}: {self.score}"

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item.key, "answer": self.answer, "score": self.score}
