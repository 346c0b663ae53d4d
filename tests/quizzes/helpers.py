"""Shared helpers for the question-bank and course-engine tests: the real course, loaded.

``loaded_course`` loads the taxonomy and the real course once per test module (committed to
the test database, outside each test's rolled-back transaction) and removes every row it made
at the end of the module, so that loading ~100 items and 23 lessons is not paid per test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from cybercap.elearning.content import load_courses
from cybercap.elearning.models import Course
from cybercap.network.content.loaders import topics_load

COURSE_KEY = "first-responder"


def load_course() -> Course:
    """Load the taxonomy and the real first-responder course from content/."""
    topics_load(settings.CONTENT_DIR)
    load_courses(settings.CONTENT_DIR)
    return Course.objects.get(key=COURSE_KEY)


@pytest.fixture(scope="module")
def loaded_course(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from cybercap.core.models import AuditEntry
    from cybercap.network.models import Topic
    from cybercap.quizzes.models import Item, Test

    with django_db_blocker.unblock():
        assert not Course.objects.exists(), "a course was left in the test database"
        last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        load_course()
    yield
    with django_db_blocker.unblock():
        Course.objects.all().delete()
        Test.objects.all().delete()
        Item.objects.all().delete()
        Topic.objects.update(parent=None)
        Topic.objects.all().delete()
        AuditEntry.objects.filter(pk__gt=last_audit).delete()
