"""Offline use: what a module needs on the device, and recording what was done there.

A learner saves a module for offline use; the page script (static/elearning/offline.js) puts
the module's pages and files in the browser's cache, and the service worker (sw.js) serves them
when the server cannot be reached. While offline, the service worker keeps "lesson read" and
quiz submissions in IndexedDB; when the learner is next online the page script sends them to
the sync endpoint, which records each through the functions here.

No attempt is lost or counted twice: the device gives each quiz submission a UUID when it
queues it and sends it again until the server answers; the server keeps it on the attempt
(``Attempt.client_id``, unique), so a submission sent twice, or by two tabs at once, is
recorded once. A lesson marked read twice is still one read.

A quiz taken offline answers the items the server drew when the page was saved: the draw is
signed (user, test, item keys, time), so the device cannot choose its own items.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cybercap.elearning import selectors, services
from cybercap.elearning.models import Course, LessonProgress, Module
from cybercap.quizzes import services as quiz_services
from cybercap.quizzes.forms import AttemptForm
from cybercap.quizzes.models import Attempt, Item, Test

DRAW_SALT = "cybercap.elearning.offline.draw"
# A saved quiz may be taken offline for up to this long after it was saved.
DRAW_MAX_AGE = timedelta(days=30)
MAX_RECORDS = 200
# An offline attempt's time is measured by the device: it may take this much longer than the
# test allows (reading the instructions, a slow page) before it is flagged as overtime...
TIME_TOLERANCE = timedelta(minutes=3)
# ...and its clock may be this far from the server's before its times are flagged as untrusted.
CLOCK_TOLERANCE = timedelta(minutes=10)
FIGURE = re.compile(r'src="(/learn/[^"]+/figures/[^"]+)"')


class OfflineRejected(Exception):
    """The record cannot be recorded, ever (tampered, unknown, out of attempts)."""


class OfflineRetry(Exception):
    """Not recorded this time; the device keeps it and sends it again."""


# --------------------------------------------------------------------------- the package


def module_package(*, user: Any, course: Course, module: Module) -> dict[str, Any]:
    """The URLs to cache for one module: its pages, figures and the pages offline use needs.

    The page script also caches the static files each page links to (stylesheet, scripts).
    """
    lessons = list(module.lessons.order_by("position"))
    urls = [
        reverse("elearning:catalogue"),
        reverse("elearning:course", kwargs={"course": course.key}),
        reverse("elearning:offline"),
        reverse("elearning:offline_saved"),
    ]
    figures: list[str] = []
    for lesson in lessons:
        urls.append(
            reverse("elearning:lesson", kwargs={"course": course.key, "lesson": lesson.key})
        )
        for html in (lesson.html, lesson.html_after_slot):
            figures += [url for url in FIGURE.findall(html) if url not in figures]
    if module.quiz_id is not None:
        urls.append(
            reverse("elearning:offline_quiz", kwargs={"course": course.key, "module": module.key})
        )
    if module.kind == "capstone" and course.final_test_id is not None:
        # The capstone module carries the course's final test.
        urls.append(reverse("elearning:offline_final_test", kwargs={"course": course.key}))
    return {
        "key": f"{course.key}/{module.key}",
        "course": course.key,
        "module": module.key,
        "title": module.title,
        "course_title": course.title,
        "learner": user.pk,
        "urls": urls + figures,
    }


# --------------------------------------------------------------------------- quiz draws


def draw_sign(*, user: Any, test: Test, keys: list[str]) -> str:
    payload = {"u": user.pk, "t": test.pk, "k": keys, "at": timezone.now().isoformat()}
    return signing.dumps(payload, salt=DRAW_SALT, compress=True)


@dataclass(frozen=True)
class Draw:
    test: Test
    keys: list[str]
    issued_at: datetime


def draw_check(*, user: Any, token: str, test: Test | None = None) -> Draw:
    try:
        payload = signing.loads(token, salt=DRAW_SALT, max_age=DRAW_MAX_AGE)
    except signing.SignatureExpired:
        raise OfflineRejected(_("This quiz was saved too long ago; take it again.")) from None
    except signing.BadSignature:
        raise OfflineRejected(_("This quiz page was changed; it cannot be recorded.")) from None
    if payload.get("u") != user.pk:
        raise OfflineRejected(_("This quiz was saved by another account."))
    if test is not None and payload.get("t") != test.pk:
        raise OfflineRejected(_("This quiz page was changed; it cannot be recorded."))
    found = test or Test.objects.filter(pk=payload.get("t")).first()
    if found is None:
        raise OfflineRejected(_("This quiz no longer exists."))
    issued = parse_datetime(str(payload.get("at")))
    if issued is None:
        raise OfflineRejected(_("This quiz page was changed; it cannot be recorded."))
    return Draw(test=found, keys=list(payload["k"]), issued_at=issued)


def draw_new(*, test: Test) -> list[str]:
    """Item keys for a new attempt, drawn and ordered as an online attempt would be."""
    import random

    rng = random.Random()  # noqa: S311 - item order, not security
    keys = list(test.items.filter(retired=False).order_by("key").values_list("key", flat=True))
    if test.draw is not None and test.draw < len(keys):
        keys = rng.sample(keys, test.draw)
    if test.shuffle:
        rng.shuffle(keys)
    return keys


def draw_items(test: Test, keys: list[str]) -> list[Item]:
    items = {i.key: i for i in test.items.filter(key__in=keys)}
    return [items[key] for key in keys if key in items]


def answers_lenient(form: AttemptForm) -> dict[str, Any]:
    """The answers of a submission that can no longer be sent back to its author: each item
    whose fields are missing or invalid counts as unanswered (it scores 0); the rest stand."""
    form.is_valid()
    data = form.cleaned_data
    out: dict[str, Any] = {}
    for item in form.items:
        name = f"i-{item.key}"
        ids = [o["id"] for o in item.options]
        try:
            if item.type in ("single", "true_false"):
                out[item.key] = [data[name]]
            elif item.type == "multiple":
                out[item.key] = sorted(data.get(name) or [])
            elif item.type == "ordering":
                positions = {o: data[f"{name}-{o}"] for o in ids}
                out[item.key] = sorted(ids, key=lambda o: positions[o])
            else:
                out[item.key] = {o: data[f"{name}-{o}"] for o in ids}
        except KeyError:
            out[item.key] = {} if item.type == "matching" else []
    return out


def _clamp(value: datetime | None, low: datetime, high: datetime) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return max(low, min(high, value))


@dataclass(frozen=True)
class Recorded:
    attempt: Attempt
    created: bool


def time_limit(test: Test) -> timedelta | None:
    """The time allowed for one attempt: a course's final test has one (its minutes); the
    minutes of a module quiz are an estimate for planning, not a limit."""
    if not test.minutes or not Course.objects.filter(final_test=test).exists():
        return None
    return timedelta(minutes=test.minutes)


def timing_flags(
    *,
    draw: Draw,
    limit: timedelta | None,
    started_at: datetime | None,
    submitted_at: datetime | None,
    now: datetime,
) -> list[str]:
    """What a reviewer should look at in an attempt timed by the device's own clock.

    ``device_clock``: a time is missing, the end comes before the start, or the device claims
    the page was opened before the server drew it or submitted after the server received it
    (beyond ``CLOCK_TOLERANCE``). ``overtime``: the attempt took longer than ``limit`` plus
    ``TIME_TOLERANCE``. The device's times cannot prove anything: a flag asks a person to
    look, it does not fail the attempt."""
    flags = []
    start, end = (_aware(started_at), _aware(submitted_at))
    if (
        start is None
        or end is None
        or end < start
        or start < draw.issued_at - CLOCK_TOLERANCE
        or end > now + CLOCK_TOLERANCE
    ):
        flags.append("device_clock")
    if (
        limit is not None
        and start is not None
        and end is not None
        and end - start > limit + TIME_TOLERANCE
    ):
        flags.append("overtime")
    return flags


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


def attempt_record(
    *,
    user: Any,
    draw: Draw,
    answers: dict[str, Any],
    client_id: uuid.UUID,
    started_at: datetime | None = None,
    submitted_at: datetime | None = None,
    timed: bool = False,
) -> Recorded:
    """Record a submission made on the device, once: a client id already recorded returns its
    attempt. Times come from the device, kept between the draw and now; ``timed``: the
    submission was made offline, so the device's times are checked against the test's time
    limit (:func:`timing_flags`). Scored, limited and recorded by the one submission service
    (:func:`services.attempt_submit`), as an attempt made online."""
    existing = Attempt.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise OfflineRejected(_("This submission belongs to another account."))
        return Recorded(existing, False)
    now = timezone.now()
    flags = (
        timing_flags(
            draw=draw,
            limit=time_limit(draw.test),
            started_at=started_at,
            submitted_at=submitted_at,
            now=now,
        )
        if timed
        else []
    )
    submitted = _clamp(submitted_at, draw.issued_at, now) or now
    started = _clamp(started_at, draw.issued_at, submitted) or submitted
    for _retry in range(3):
        try:
            attempt = _attempt_create(user, draw, answers, client_id, started, submitted, flags)
            return Recorded(attempt, True)
        except IntegrityError:
            # The same submission arriving twice at once: the other request recorded it. (Or
            # another submission took the attempt number: try the next one.)
            existing = Attempt.objects.filter(client_id=client_id).first()
            if existing is not None:
                if existing.user_id != user.pk:
                    raise OfflineRejected(
                        _("This submission belongs to another account.")
                    ) from None
                return Recorded(existing, False)
    raise OfflineRetry(_("The server is busy; the submission will be sent again."))


@transaction.atomic
def _attempt_create(
    user: Any,
    draw: Draw,
    answers: dict[str, Any],
    client_id: uuid.UUID,
    started: datetime,
    submitted: datetime,
    flags: list[str],
) -> Attempt:
    test = draw.test
    used = Attempt.objects.filter(user_id=user.pk, test=test)
    number = (used.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    attempt = Attempt.objects.create(
        user=user,
        test=test,
        number=number,
        item_keys=draw.keys,
        started_at=started,
        client_id=client_id,
    )
    try:
        return services.attempt_submit(
            attempt=attempt,
            answers=answers,
            items=draw_items(test, draw.keys),
            submitted_at=submitted,
            flags=flags,
        )
    except quiz_services.AttemptLimitReached:
        # The transaction is rolled back: the attempt made above is not kept.
        raise OfflineRejected(
            _(
                "Not recorded: every attempt allowed at “%(test)s” (%(n)d) had been used "
                "when these answers arrived, so they do not count."
            )
            % {"test": test.title, "n": test.max_attempts}
        ) from None


def lesson_record(
    *,
    user: Any,
    course_key: str,
    lesson_key: str,
    completed_at: datetime | None,
    opened_at: datetime | None = None,
) -> bool:
    """Mark a lesson read as on the device; True when it was not read before. The earliest
    times stand (a lesson read online first keeps that time)."""
    try:
        course = selectors.course_get_for_user(user=user, key=course_key)
        lesson = selectors.lesson_get_for_user(user=user, course=course, key=lesson_key)
    except Http404:
        raise OfflineRejected(_("This lesson no longer exists.")) from None
    lesson.module.course = course
    now = timezone.now()
    low = user.date_joined
    done = _clamp(completed_at, low, now) or now
    opened = _clamp(opened_at, low, done) or done
    with transaction.atomic():
        before = LessonProgress.objects.filter(
            user_id=user.pk, lesson=lesson, completed_at__isnull=False
        ).exists()
        progress = services.lesson_complete(user=user, lesson=lesson)
        fields = []
        if progress.completed_at is not None and done < progress.completed_at:
            progress.completed_at = done
            fields.append("completed_at")
        if opened < progress.first_seen_at:
            progress.first_seen_at = opened
            fields.append("first_seen_at")
        if fields:
            progress.save(update_fields=fields)
    return not before


# --------------------------------------------------------------------------- sync


def parse_when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _fields(pairs: Any) -> QueryDict:
    data = QueryDict(mutable=True)
    if not isinstance(pairs, list):
        raise OfflineRejected(_("The submission is malformed."))
    for pair in pairs[:2000]:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(part, str) and len(part) <= 2000 for part in pair)
        ):
            raise OfflineRejected(_("The submission is malformed."))
        data.appendlist(pair[0], pair[1])
    return data


def sync_one(*, user: Any, record: dict[str, Any]) -> dict[str, Any]:
    """Record one queued record; the answer tells the device whether to drop it."""
    kind = record.get("kind")
    result: dict[str, Any] = {"id": record.get("id"), "kind": kind}
    learner = record.get("learner")
    if learner not in (None, "", user.pk, str(user.pk)):
        # Queued by another account on this device: it waits for that learner.
        return result | {"status": "kept", "message": _("Saved by another account.")}
    try:
        if kind == "lesson":
            created = lesson_record(
                user=user,
                course_key=str(record.get("course", "")),
                lesson_key=str(record.get("lesson", "")),
                completed_at=parse_when(record.get("completed_at")),
                opened_at=parse_when(record.get("opened_at")),
            )
            return result | {"status": "recorded" if created else "duplicate"}
        if kind == "attempt":
            try:
                client_id = uuid.UUID(str(record.get("client_id")))
            except ValueError:
                raise OfflineRejected(_("The submission is malformed.")) from None
            fields = _fields(record.get("fields"))
            draw = draw_check(user=user, token=fields.get("draw", ""))
            form = AttemptForm(fields, items=draw_items(draw.test, draw.keys), seed=str(client_id))
            recorded = attempt_record(
                user=user,
                draw=draw,
                answers=answers_lenient(form),
                client_id=client_id,
                started_at=parse_when(fields.get("started")),
                submitted_at=parse_when(record.get("submitted_at")),
                timed=True,
            )
            attempt = recorded.attempt
            return result | {
                "status": "recorded" if recorded.created else "duplicate",
                "attempt": attempt.pk,
                "percent": attempt.percent,
                "passed": attempt.passed,
                "flags": attempt.flags,
                "url": reverse("elearning:attempt", kwargs={"pk": attempt.pk}),
            }
        raise OfflineRejected(_("The submission is malformed."))
    except OfflineRejected as exc:
        return result | {"status": "rejected", "message": str(exc)}
    except OfflineRetry as exc:
        return result | {"status": "retry", "message": str(exc)}


def sync(*, user: Any, payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
        raise ValueError(_("Send a JSON object with a list of records."))
    records = payload["records"]
    if len(records) > MAX_RECORDS:
        raise ValueError(_("Send at most %(n)d records at a time.") % {"n": MAX_RECORDS})
    if not all(isinstance(r, dict) for r in records):
        raise ValueError(_("Each record is a JSON object."))
    return [sync_one(user=user, record=record) for record in records]
