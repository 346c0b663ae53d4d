"""Fixtures for the reviews app: the real framework loaded from content/, and reviews."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cybercap.network.content.loaders import topics_load
from cybercap.reviews import services
from cybercap.reviews.content import frameworks_load
from cybercap.reviews.models import FrameworkVersion, Review, ReviewState
from tests.factories import RoleFactory, UserFactory

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def framework(db: Any) -> FrameworkVersion:
    topics_load(CONTENT)
    frameworks_load(CONTENT)
    return FrameworkVersion.objects.get(key="ncr", version=1)


@pytest.fixture
def staff_user(make_user: Callable[..., Any]) -> Any:
    return make_user("staff", username="staff-opener")


@pytest.fixture
def make_review(framework: FrameworkVersion, staff_user: Any) -> Callable[..., Review]:
    def make(
        country: Any,
        *,
        cycle: int = 2024,
        state: str = ReviewState.PREPARATION,
        reviewers: tuple[Any, ...] = (),
        tlp: str = "AMBER",
        named: tuple[Any, ...] = (),
    ) -> Review:
        review = services.review_open(
            by=staff_user,
            country=country,
            cycle=cycle,
            framework=framework,
            reviewers=reviewers,
            tlp=tlp,
            named_users=named,
        )
        if state != ReviewState.PREPARATION:
            Review.objects.filter(pk=review.pk).update(state=state)
            review.refresh_from_db()
        return review

    return make


def reviewer(username: str = "") -> Any:
    user = UserFactory(**({"username": username} if username else {}))
    RoleFactory(user=user, role="reviewer")
    return user
