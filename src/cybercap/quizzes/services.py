"""Writes to the question bank: items from content, attempts and their scoring."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cybercap.quizzes import scoring
from cybercap.quizzes.models import Attempt, Item, Response, Test


class AttemptLimitReached(Exception):
    """Every allowed attempt at this test has been used."""


def content_hash(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def item_upsert(*, key: str, language: str, fields: dict[str, Any]) -> tuple[Item, str]:
    """Create or update one item; its version goes up only when its content changed.

    Returns the item and what happened: "created", "updated" or "unchanged".
    """
    digest = content_hash(
        {k: v for k, v in fields.items() if k != "topic"} | {"topic": fields["topic"].key}
    )
    item = Item.objects.filter(key=key, language=language).first()
    if item is None:
        item = Item.objects.create(
            key=key, language=language, content_hash=digest, version=1, **fields
        )
        return item, "created"
    if item.content_hash == digest and not item.retired:
        return item, "unchanged"
    for name, value in fields.items():
        setattr(item, name, value)
    if item.content_hash != digest:
        item.version += 1
    item.content_hash = digest
    item.retired = False
    item.save()
    return item, "updated"


def attempts_used(*, user: Any, test: Test) -> int:
    return Attempt.objects.filter(user=user, test=test, submitted_at__isnull=False).count()


def open_attempt(*, user: Any, test: Test) -> Attempt | None:
    return Attempt.objects.filter(user=user, test=test, submitted_at__isnull=True).first()


@transaction.atomic
def attempt_start(*, user: Any, test: Test, rng: random.Random | None = None) -> Attempt:
    """Resume the open attempt, or draw a new one (items in random order from the pool).

    Two starts at once by the same learner (two tabs, a double click) get the same attempt: the
    learner's row is locked first, so the second waits and then finds the first one's attempt
    open (PostgreSQL; SQLite runs one writer at a time)."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).only("pk"))
    current = open_attempt(user=user, test=test)
    if current is not None:
        return current
    used = attempts_used(user=user, test=test)
    if test.max_attempts is not None and used >= test.max_attempts:
        raise AttemptLimitReached
    rng = rng or random.Random()  # noqa: S311 - item order, not security
    keys = list(test.items.filter(retired=False).order_by("key").values_list("key", flat=True))
    if test.draw is not None and test.draw < len(keys):
        keys = rng.sample(keys, test.draw)
    if test.shuffle:
        rng.shuffle(keys)
    number = (
        Attempt.objects.filter(user=user, test=test)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    return Attempt.objects.create(user=user, test=test, number=number, item_keys=keys)


def attempt_items(attempt: Attempt) -> list[Item]:
    """The attempt's items in the order it drew them."""
    items = {i.key: i for i in attempt.test.items.filter(key__in=attempt.item_keys)}
    return [items[key] for key in attempt.item_keys if key in items]


@transaction.atomic
def attempt_submit(
    *,
    attempt: Attempt,
    answers: Mapping[str, Any],
    items: list[Item] | None = None,
    submitted_at: Any = None,
) -> Attempt:
    """Score every item of the attempt (an unanswered item scores 0). Submitting twice is a
    no-op: the first submission stands. ``submitted_at``: when it was submitted, if not now
    (an attempt taken offline and sent later)."""
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.submitted_at is not None:
        return locked
    items = items if items is not None else attempt_items(locked)
    responses = []
    for item in items:
        empty: Any = {} if item.type == "matching" else []
        answer = answers.get(item.key, empty)
        responses.append(
            Response(
                attempt=locked,
                item=item,
                item_version=item.version,
                answer=answer,
                score=scoring.score(item.type, item.correct, answer),
            )
        )
    Response.objects.bulk_create(responses)
    locked.score = sum(r.score for r in responses) / len(responses) if responses else 0.0
    locked.passed = locked.score >= locked.test.pass_mark
    locked.submitted_at = submitted_at or timezone.now()
    locked.save(update_fields=["score", "passed", "submitted_at"])
    return locked
