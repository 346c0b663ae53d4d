"""Reads of the question bank, scoped by user: a learner's attempts are their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cybercap.accounts import access
from cybercap.quizzes.models import Attempt


def attempts_for_user(*, user: Any) -> QuerySet[Attempt]:
    """Only the user's own attempts (staff included: an attempt is personal)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Attempt.objects.none()
    return Attempt.objects.filter(user_id=user.pk).select_related("test")


def attempt_get_for_user(*, user: Any, pk: int) -> Attempt:
    return access.get_or_404(attempts_for_user(user=user), pk=pk)
