"""Shared helpers for the question-bank and course-engine tests: the real course, loaded."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from cybercap.elearning.content import load_courses
from cybercap.elearning.models import Course
from cybercap.network.content.loaders import topics_load


def load_course() -> Course:
    """Load the taxonomy and the real first-responder course from content/."""
    topics_load(settings.CONTENT_DIR)
    load_courses(settings.CONTENT_DIR)
    return Course.objects.get(key="first-responder")


def right_answer(item: Any) -> Any:
    return item.correct
