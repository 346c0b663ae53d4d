"""Check and load everything under `content/`, through the registry in core/contentkit.py.

A load is all-or-nothing: every registered content type is checked first, and any problem
stops the load before anything is written; the loads then run in one transaction, so a failure
part-way through also leaves the database as it was. Loads are audited like any other write.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from cybercap.core import audit
from cybercap.core.contentkit import ContentError, ContentType, Problem, registered

LOAD_ACTOR_LABEL = "content load"


def content_check(root: Path | str) -> list[Problem]:
    """Every problem in every registered content type's files, sorted, each reported once."""
    root = Path(root)
    problems: set[Problem] = set()
    for content_type in registered():
        problems.update(content_type.check(root))
    return sorted(problems)


def content_describe(root: Path | str) -> list[tuple[str, str]]:
    """A one-line description per content type (for a clean check), as (name, text)."""
    root = Path(root)
    return [(ct.name, _describe(ct, root)) for ct in registered()]


def _describe(content_type: ContentType, root: Path) -> str:
    describe = content_type.extras.get("describe")
    return str(describe(root)) if callable(describe) else "ok"


def content_load(root: Path | str) -> list[str]:
    """Load every content type that has a loader; returns one summary line per type.

    Raises ContentError, having written nothing, when any file has a problem.
    """
    root = Path(root)
    problems = content_check(root)
    if problems:
        raise ContentError(problems)
    actor = audit.current_actor() or audit.Actor(user_id=None, label=LOAD_ACTOR_LABEL)
    summaries: list[str] = []
    with audit.acting_as(actor), transaction.atomic():
        for content_type in registered():
            if content_type.load is not None:
                summaries.append(f"{content_type.name}: {content_type.load(root)}")
    return summaries
