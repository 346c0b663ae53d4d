"""Fixtures for the reviews app: the real framework loaded from content/, and reviews."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cybercap.core import audit
from cybercap.network.content.loaders import topics_load
from cybercap.reviews import services
from cybercap.reviews.content import framework_store
from cybercap.reviews.framework_schema import Framework, load_framework
from cybercap.reviews.models import FrameworkVersion, Review, ReviewState
from tests.factories import RoleFactory, UserFactory

CONTENT = Path(__file__).resolve().parents[2] / "content"


@functools.cache
def parsed_framework() -> Framework:
    return load_framework(CONTENT / "frameworks" / "ncr" / "v1", content_root=CONTENT)


@pytest.fixture
def framework(db: Any) -> FrameworkVersion:
    """The real framework (version 1), stored as the content loader stores it."""
    with audit.suspended():
        topics_load(CONTENT)
        return framework_store(parsed_framework(), {"created": 0, "updated": 0, "retired": 0})


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
