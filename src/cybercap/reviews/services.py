"""Every write to reviews: validated, in a transaction, checked against ``permissions``.

Domain errors are :class:`ReviewError` (a ``ValidationError``, so forms and the API show
them); a user who may see a review but not do the thing gets ``PermissionDenied``.
History is kept by the audit log (every model here is registered in ReviewsConfig.ready()).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.network.models import Agency, AgencyKind, Country, Topic
from cybercap.network.tlp import TLP
from cybercap.reviews import permissions
from cybercap.reviews.framework_schema import parse_condition
from cybercap.reviews.models import (
    DEFAULT_TARGET_LEVEL,
    Answer,
    Confidence,
    Consultation,
    Evidence,
    FrameworkVersion,
    Horizon,
    Indicator,
    Priority,
    Recommendation,
    Review,
    ReviewState,
    ReviewTransition,
    TargetLevel,
    ValidationComment,
)


class ReviewError(ValidationError):
    """A write that the rules of the review workflow do not allow."""


# --------------------------------------------------------------------------- opening


@transaction.atomic
def review_open(
    *,
    by: Any,
    country: Country,
    cycle: int,
    framework: FrameworkVersion,
    reviewers: Iterable[Any] = (),
    tlp: str = TLP.AMBER,
    named_users: Iterable[Any] = (),
    is_demo: bool = False,
) -> Review:
    """Programme staff open a review; it starts in preparation and the opening is recorded."""
    if not access.is_staff(by):
        raise PermissionDenied(_("Only programme staff open reviews."))
    if tlp not in TLP.values:
        raise ReviewError(_("Unknown TLP label."))
    if Review.objects.filter(country=country, cycle=cycle).exists():
        raise ReviewError(
            _("%(country)s already has a review for %(cycle)s.")
            % {"country": country.name, "cycle": cycle}
        )
    reviewer_list = list(reviewers)
    for user in reviewer_list:
        if not access.has_role(user, Role.REVIEWER) and not access.is_staff(user):
            raise ReviewError(_("%(user)s is not a reviewer.") % {"user": user})
    review = Review.objects.create(
        country=country, cycle=cycle, framework=framework, tlp=tlp, is_demo=is_demo
    )
    review.reviewers.set(reviewer_list)
    named = list(named_users)
    if tlp == TLP.RED:
        named = [*named, by, *reviewer_list]
    review.named_users.set({u.pk for u in named})
    ReviewTransition.objects.create(
        review=review, from_state="", to_state=ReviewState.PREPARATION, by=by, at=timezone.now()
    )
    return review


@transaction.atomic
def review_update_people(
    *, by: Any, review: Review, reviewers: Iterable[Any], named_users: Iterable[Any], tlp: str
) -> Review:
    if not permissions.is_review_staff(by, review):
        raise PermissionDenied
    if tlp not in TLP.values:
        raise ReviewError(_("Unknown TLP label."))
    review.reviewers.set(list(reviewers))
    review.named_users.set(list(named_users))
    if review.tlp != tlp:
        review.tlp = tlp
        review.save(update_fields=["tlp", "updated_at"])
    for cached in ("_reviewer_ids", "_named_ids"):
        if hasattr(review, cached):
            delattr(review, cached)
    return review


@transaction.atomic
def target_set(*, by: Any, country: Country, level: int, indicator_code: str = "") -> TargetLevel:
    """Staff set a country's target level (for one indicator id, or for all with "")."""
    if not access.is_staff(by):
        raise PermissionDenied
    if not 1 <= level <= 5:
        raise ReviewError(_("A target is a level from 1 to 5."))
    target, created = TargetLevel.objects.get_or_create(
        country=country, indicator_code=indicator_code, defaults={"level": level}
    )
    if not created and target.level != level:
        target.level = level
        target.save(update_fields=["level"])
    return target


# --------------------------------------------------------------------------- workflow


@transaction.atomic
def review_transition(*, by: Any, review: Review, to: str, note: str = "") -> ReviewTransition:
    """Move the review to ``to`` if the workflow and the user's part in it allow it."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    review.state = locked.state
    if (locked.state, to) not in permissions.TRANSITIONS:
        raise ReviewError(
            _("A review cannot go from %(from)s to %(to)s.")
            % {"from": ReviewState(locked.state).label, "to": to}
        )
    if to not in permissions.allowed_transitions(by, review):
        raise PermissionDenied(_("You may not make this transition."))
    transition = ReviewTransition.objects.create(
        review=review, from_state=locked.state, to_state=to, by=by, at=timezone.now(), note=note
    )
    review.state = to
    review.save(update_fields=["state", "updated_at"])
    return transition


# --------------------------------------------------------------------------- answers


def _require_write(by: Any, review: Review) -> None:
    if not permissions.can_write(by, review):
        raise PermissionDenied(_("This review cannot be changed by you in its current state."))


UNSET: Any = object()


@transaction.atomic
def answer_save(
    *,
    by: Any,
    review: Review,
    indicator: Indicator,
    level: int | None = UNSET,
    not_applicable: bool = UNSET,
    confidence: str = UNSET,
    evidence: str = UNSET,
    references: str = UNSET,
    comments: str = UNSET,
    needs_discussion: bool = UNSET,
    second_level: int | None = UNSET,
) -> Answer:
    """Create or change one answer; only the fields given change (the audit log keeps history)."""
    _require_write(by, review)
    if indicator.framework_id != review.framework_id:
        raise ReviewError(_("This indicator is not in the review's framework."))
    answer = Answer.objects.select_for_update().filter(review=review, indicator=indicator).first()
    values = {
        name: value
        for name, value in {
            "level": level,
            "not_applicable": not_applicable,
            "confidence": confidence,
            "evidence": evidence,
            "references": references,
            "comments": comments,
            "needs_discussion": needs_discussion,
            "second_level": second_level,
        }.items()
        if value is not UNSET
    }
    for name in ("level", "second_level"):
        value = values.get(name)
        if value is not None and not (isinstance(value, int) and 1 <= value <= 5):
            raise ReviewError({name: _("A level is a whole number from 1 to 5.")})
    if values.get("confidence") not in (None, "", *Confidence.values):
        raise ReviewError({"confidence": _("Confidence is low, medium or high.")})
    current_level = values.get("level", answer.level if answer else None)
    current_na = values.get("not_applicable", answer.not_applicable if answer else False)
    if current_na and current_level is not None:
        if values.get("not_applicable"):
            values["level"] = None
        else:
            values["not_applicable"] = False
    if "second_level" in values:
        values["second_reviewer"] = by if values["second_level"] is not None else None
    values["updated_by"] = by
    if answer is None:
        return Answer.objects.create(review=review, indicator=indicator, **values)
    changed = [name for name, value in values.items() if getattr(answer, name) != value]
    if changed == ["updated_by"] or not changed:
        return answer
    for name in changed:
        setattr(answer, name, values[name])
    answer.save(update_fields=[*changed, "updated_at"])
    return answer


ALLOWED_UPLOADS: dict[str, tuple[str, bytes | None]] = {
    # extension: (content type, magic prefix or None for text)
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".gif": ("image/gif", b"GIF8"),
    ".webp": ("image/webp", b"RIFF"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        b"PK\x03\x04",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", b"PK\x03\x04"),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".md": ("text/markdown", None),
}


def _check_upload(upload: UploadedFile) -> str:
    """The content type of an acceptable upload; ReviewError naming the problem otherwise."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_UPLOADS:
        raise ReviewError(
            {
                "file": _(
                    "%(name)s: files of this type are not accepted (PDF, images, office "
                    "documents or text)."
                )
                % {"name": name}
            }
        )
    size = upload.size or 0
    if size == 0:
        raise ReviewError({"file": _("%(name)s is empty.") % {"name": name}})
    if size > settings.MAX_UPLOAD_BYTES:
        raise ReviewError(
            {
                "file": _("%(name)s is larger than %(limit)d MB.")
                % {"name": name, "limit": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
            }
        )
    content_type, magic = ALLOWED_UPLOADS[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magic is None:
        if b"\x00" in head:
            raise ReviewError({"file": _("%(name)s is not a text file.") % {"name": name}})
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut at the end of the sample is fine
                raise ReviewError(
                    {"file": _("%(name)s is not UTF-8 text.") % {"name": name}}
                ) from None
    elif not head.startswith(magic) or (extension == ".webp" and head[8:12] != b"WEBP"):
        raise ReviewError({"file": _("%(name)s is not what its name says it is.") % {"name": name}})
    return content_type


@transaction.atomic
def evidence_attach(
    *, by: Any, review: Review, indicator: Indicator, upload: UploadedFile, description: str = ""
) -> Evidence:
    """Attach a type- and size-checked file to the answer of one indicator."""
    _require_write(by, review)
    content_type = _check_upload(upload)
    answer = Answer.objects.filter(review=review, indicator=indicator).first()
    if answer is None:
        answer = answer_save(by=by, review=review, indicator=indicator)
    name = PurePath(upload.name or "evidence").name[:200]
    evidence = Evidence(
        answer=answer,
        original_name=name,
        content_type=content_type,
        size=upload.size or 0,
        description=description[:300],
        uploaded_by=by,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence


# --------------------------------------------------------------------------- consultations


@transaction.atomic
def consultation_add(
    *,
    by: Any,
    review: Review,
    date: dt.date,
    cluster: str,
    agencies: Iterable[Agency] = (),
    notes: str = "",
) -> Consultation:
    _require_write(by, review)
    clusters = {c.get("key") for c in review.framework.stakeholder_clusters or []}
    if cluster not in clusters:
        raise ReviewError({"cluster": _("Unknown stakeholder cluster.")})
    agency_list = list(agencies)
    if any(a.country_id != review.country_id for a in agency_list):
        raise ReviewError({"agencies": _("Attendees must be agencies of the reviewed country.")})
    consultation = Consultation.objects.create(
        review=review, date=date, cluster=cluster, notes=notes
    )
    consultation.agencies.set(agency_list)
    return consultation


# --------------------------------------------------------------------------- recommendations


def _evidence_trace(answer: Answer) -> str:
    parts = [f"{answer.indicator.code} at level {answer.level}"]
    if answer.confidence:
        parts.append(f"confidence {answer.confidence}")
    text = answer.evidence.strip()
    if text:
        parts.append(text if len(text) <= 400 else text[:397] + "...")
    return "; ".join(parts)


@transaction.atomic
def recommendations_generate(
    *, by: Any, review: Review, targets: dict[str, int] | None = None
) -> tuple[int, int, int]:
    """One recommendation per framework rule that matches each answered indicator below its
    target. Idempotent: an existing one is updated only while no reviewer has edited it;
    one whose gap closed is deleted if unedited, else marked obsolete. Returns
    (created, updated, retired)."""
    _require_write(by, review)
    from cybercap.reviews.selectors import targets_for

    targets = targets if targets is not None else targets_for(review)
    answers = list(
        Answer.objects.filter(review=review, level__isnull=False)
        .select_related("indicator")
        .prefetch_related("indicator__topics")
        .order_by("indicator__position")
    )
    topics = {t.key: t for t in Topic.objects.all()}
    existing = {
        r.source_key: r for r in Recommendation.objects.filter(review=review).exclude(source_key="")
    }
    wanted: set[str] = set()
    created = updated = 0
    for answer in answers:
        indicator = answer.indicator
        assert answer.level is not None
        if answer.level >= targets.get(indicator.code, DEFAULT_TARGET_LEVEL):
            continue
        for number, rule in enumerate(indicator.rules or []):
            if not parse_condition(str(rule["when"])).matches(answer.level):
                continue
            key = f"{indicator.code}#{number + 1}"
            wanted.add(key)
            values = {
                "text": str(rule["text"]).strip(),
                "priority": str(rule["priority"]),
                "horizon": str(rule["horizon"]),
                "responsible": str(rule["responsible"]),
                "evidence_trace": _evidence_trace(answer),
                "position": indicator.position * 10 + number,
                "obsolete": False,
            }
            rule_topics = [topics[k] for k in rule.get("topics") or [] if k in topics] or list(
                indicator.topics.all()
            )
            rec = existing.get(key)
            if rec is None:
                rec = Recommendation.objects.create(review=review, source_key=key, **values)
                rec.indicators.set([indicator])
                rec.topics.set(rule_topics)
                created += 1
            elif rec.edited:
                if rec.obsolete:
                    rec.obsolete = False
                    rec.save(update_fields=["obsolete", "updated_at"])
            else:
                changed = [n for n, v in values.items() if getattr(rec, n) != v]
                if changed:
                    for n in changed:
                        setattr(rec, n, values[n])
                    rec.save(update_fields=[*changed, "updated_at"])
                    updated += 1
    retired = 0
    for key, rec in existing.items():
        if key in wanted:
            continue
        if rec.edited:
            if not rec.obsolete:
                rec.obsolete = True
                rec.save(update_fields=["obsolete", "updated_at"])
                retired += 1
        else:
            rec.delete()
            retired += 1
    return created, updated, retired


@transaction.atomic
def recommendation_update(
    *,
    by: Any,
    review: Review,
    recommendation: Recommendation,
    text: str,
    priority: str,
    horizon: str,
    responsible: str,
    indicators: Iterable[Indicator] | None = None,
    topics: Iterable[Topic] | None = None,
    evidence_trace: str | None = None,
) -> Recommendation:
    _require_write(by, review)
    if recommendation.review_id != review.pk:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("A recommendation needs a text.")
    if priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    if horizon not in Horizon.values:
        errors["horizon"] = _("Unknown horizon.")
    if responsible not in AgencyKind.values:
        errors["responsible"] = _("Unknown agency type.")
    indicator_list = list(indicators) if indicators is not None else None
    if indicator_list and any(i.framework_id != review.framework_id for i in indicator_list):
        errors["indicators"] = _("Indicators must be of the review's framework.")
    if errors:
        raise ReviewError(errors)
    values: dict[str, Any] = {
        "text": text.strip(),
        "priority": priority,
        "horizon": horizon,
        "responsible": responsible,
        "edited": True,
    }
    if evidence_trace is not None:
        values["evidence_trace"] = evidence_trace
    changed = [n for n, v in values.items() if getattr(recommendation, n) != v]
    for n in changed:
        setattr(recommendation, n, values[n])
    if changed:
        recommendation.save(update_fields=[*changed, "updated_at"])
    if indicator_list is not None:
        recommendation.indicators.set(indicator_list)
    if topics is not None:
        recommendation.topics.set(list(topics))
    return recommendation


# --------------------------------------------------------------------------- validation


@transaction.atomic
def comment_add(
    *, by: Any, review: Review, body: str, indicator: Indicator | None = None
) -> ValidationComment:
    """A focal point (or staff) comments on the draft during country validation."""
    if not permissions.can_comment(by, review):
        raise PermissionDenied(_("Comments are open to the country during validation only."))
    if not body.strip():
        raise ReviewError({"body": _("Write a comment.")})
    if indicator is not None and indicator.framework_id != review.framework_id:
        raise ReviewError({"indicator": _("This indicator is not in the review's framework.")})
    return ValidationComment.objects.create(
        review=review, indicator=indicator, author=by, body=body.strip()
    )


@transaction.atomic
def comment_reply(*, by: Any, comment: ValidationComment, body: str) -> ValidationComment:
    """A reviewer (or staff) answers a validation comment."""
    review = comment.review
    if not permissions.can_reply(by, review):
        raise PermissionDenied(_("Reviewers answer comments during validation only."))
    if comment.parent_id is not None:
        raise ReviewError(_("Answer the comment itself, not a reply."))
    if not body.strip():
        raise ReviewError({"body": _("Write an answer.")})
    return ValidationComment.objects.create(
        review=review, indicator=comment.indicator, parent=comment, author=by, body=body.strip()
    )
