"""The question bank has no pages of its own yet: attempts are taken under /learn/ (see
elearning.py). Its URLs, when it has some, are classified here."""

from __future__ import annotations

from tests.access import Rule

RULES: list[Rule] = []
