"""Who may do what with a review, by role, review state and TLP label.

- preparation, consultations, scoring, peer check: staff all; assigned reviewers read and
  write; the country's focal points nothing.
- country validation: staff all; assigned reviewers read and answer comments; the country's
  focal points read the draft and comment.
- final: staff all; assigned reviewers read; the country's focal points read and download the
  report.
- anyone else: nothing.

TLP:AMBER and AMBER+STRICT keep to this. TLP:RED narrows it further: only users named on the
review (staff included; whoever opens a RED review is named). TLP:GREEN and CLEAR mark a
report the country agreed to publish: once final, every signed-in user may read it.

"Nothing" is a 404 (see ``selectors``); these predicates decide what a user who can see the
review may do with it. The scoped queryset in ``selectors.reviews_for_user`` is the same rule
as :func:`can_read`, written as a query.
"""

from __future__ import annotations

from typing import Any

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.network.tlp import TLP
from cybercap.reviews.models import (
    REVIEWER_WORKING_STATES,
    Review,
    ReviewState,
)

PUBLISHED_LABELS = frozenset({TLP.GREEN, TLP.CLEAR})


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _assigned_ids(review: Review) -> set[int]:
    cached = getattr(review, "_reviewer_ids", None)
    if cached is None:
        cached = {u.pk for u in review.reviewers.all()}
        review._reviewer_ids = cached  # type: ignore[attr-defined]
    return cached


def _named_ids(review: Review) -> set[int]:
    cached = getattr(review, "_named_ids", None)
    if cached is None:
        cached = {u.pk for u in review.named_users.all()}
        review._named_ids = cached  # type: ignore[attr-defined]
    return cached


def _red_allows(user: Any, review: Review) -> bool:
    return review.tlp != TLP.RED or user.pk in _named_ids(review)


def is_assigned_reviewer(user: Any, review: Review) -> bool:
    return (
        _signed_in(user)
        and access.has_role(user, Role.REVIEWER)
        and user.pk in _assigned_ids(review)
        and _red_allows(user, review)
    )


def is_country_focal_point(user: Any, review: Review) -> bool:
    return (
        _signed_in(user)
        and review.country_id in access.countries(user, Role.FOCAL_POINT)
        and _red_allows(user, review)
    )


def is_review_staff(user: Any, review: Review) -> bool:
    return _signed_in(user) and access.is_staff(user) and _red_allows(user, review)


def can_read(user: Any, review: Review) -> bool:
    if not _signed_in(user):
        return False
    if is_review_staff(user, review) or is_assigned_reviewer(user, review):
        return True
    released = review.state in (ReviewState.COUNTRY_VALIDATION, ReviewState.FINAL)
    if released and is_country_focal_point(user, review):
        return True
    return review.state == ReviewState.FINAL and review.tlp in PUBLISHED_LABELS


def can_write(user: Any, review: Review) -> bool:
    """Answers, evidence, consultations and recommendations."""
    if is_review_staff(user, review):
        return review.state != ReviewState.FINAL
    return review.state in REVIEWER_WORKING_STATES and is_assigned_reviewer(user, review)


def can_comment(user: Any, review: Review) -> bool:
    """Leave a validation comment: the country's focal points (and staff) in validation."""
    if review.state != ReviewState.COUNTRY_VALIDATION:
        return False
    return is_country_focal_point(user, review) or is_review_staff(user, review)


def can_reply(user: Any, review: Review) -> bool:
    """Answer a validation comment: reviewers and staff in validation."""
    if review.state != ReviewState.COUNTRY_VALIDATION:
        return False
    return is_assigned_reviewer(user, review) or is_review_staff(user, review)


def can_download(user: Any, review: Review) -> bool:
    """Download the report: staff always; the country's focal points once final."""
    if is_review_staff(user, review):
        return True
    return review.state == ReviewState.FINAL and is_country_focal_point(user, review)


def can_set_second_level(user: Any, review: Review) -> bool:
    return can_write(user, review)


# Transitions: (from, to) -> who may make it. "reviewer" means an assigned reviewer.
STAFF = "staff"
REVIEWER = "reviewer"
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ReviewState.PREPARATION, ReviewState.CONSULTATIONS): frozenset({STAFF, REVIEWER}),
    (ReviewState.CONSULTATIONS, ReviewState.SCORING): frozenset({STAFF, REVIEWER}),
    (ReviewState.SCORING, ReviewState.PEER_CHECK): frozenset({STAFF, REVIEWER}),
    (ReviewState.PEER_CHECK, ReviewState.SCORING): frozenset({STAFF, REVIEWER}),
    (ReviewState.SCORING, ReviewState.CONSULTATIONS): frozenset({STAFF, REVIEWER}),
    (ReviewState.PEER_CHECK, ReviewState.COUNTRY_VALIDATION): frozenset({STAFF}),
    (ReviewState.COUNTRY_VALIDATION, ReviewState.SCORING): frozenset({STAFF}),
    (ReviewState.COUNTRY_VALIDATION, ReviewState.FINAL): frozenset({STAFF}),
}


def allowed_transitions(user: Any, review: Review) -> list[str]:
    """The states this user may move the review to from where it is, in workflow order."""
    mine: set[str] = set()
    if is_review_staff(user, review):
        mine.add(STAFF)
    if is_assigned_reviewer(user, review):
        mine.add(REVIEWER)
    order = list(ReviewState.values)
    targets = [to for (frm, to), who in TRANSITIONS.items() if frm == review.state and who & mine]
    return sorted(targets, key=order.index)
