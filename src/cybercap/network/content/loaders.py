"""Load the reference content into the database: idempotent upserts, never deletes.

Each load runs inside the caller's transaction (see `cybercap.core.content_service`), parses
and validates its file again, and raises ContentError if it is malformed, so a file that
changed between the check and the load still writes nothing. Writes go through ``save()`` so
that the audit log records every created and changed row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models

from cybercap.core.contentkit import ContentError
from cybercap.network.content.checks import (
    COUNTRIES_FILE,
    TOPICS_FILE,
    parse_countries,
    parse_topics,
    walk_topics,
)
from cybercap.network.models import Country, Topic


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0


def _upsert(
    instance: models.Model | None, model: type[models.Model], values: dict[str, Any], tally: Tally
) -> models.Model:
    """Create the row, or save only the fields whose value differs; count which it was."""
    if instance is None:
        instance = model(**values)
        instance.save()
        tally.created += 1
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
        tally.updated += 1
    else:
        tally.unchanged += 1
    return instance


def countries_load(root: Path) -> str:
    parsed, problems = parse_countries(root)
    if parsed is None:
        raise ContentError(problems)
    existing = {country.code: country for country in Country.objects.all()}
    tally = Tally()
    for spec in parsed.countries:
        _upsert(existing.get(spec.code), Country, spec.model_dump(), tally)
    listed = {spec.code for spec in parsed.countries}
    others = sum(1 for code in existing if code not in listed)
    summary = (
        f"{tally.created} created, {tally.updated} updated, {tally.unchanged} unchanged "
        f"({COUNTRIES_FILE.as_posix()}, version {parsed.version})"
    )
    if others:
        summary += f"; {others} not in the file left as they are"
    return summary


def topics_load(root: Path) -> str:
    parsed, problems = parse_topics(root)
    if parsed is None:
        raise ContentError(problems)
    existing: dict[str, Topic] = {topic.key: topic for topic in Topic.objects.all()}
    tally = Tally()
    listed: set[str] = set()
    for position, (spec, parent_key, _loc) in enumerate(walk_topics(parsed.topics), start=1):
        values = {
            "key": spec.key,
            "name": spec.name,
            "description": spec.description,
            "parent_id": existing[parent_key].pk if parent_key else None,
            "position": position,
            "retired": False,
            "taxonomy_version": parsed.version,
        }
        topic = _upsert(existing.get(spec.key), Topic, values, tally)
        assert isinstance(topic, Topic)
        existing[spec.key] = topic
        listed.add(spec.key)
    for key, topic in existing.items():
        if key not in listed and not topic.retired:
            topic.retired = True
            topic.save(update_fields=["retired"])
            tally.retired += 1
    return (
        f"{tally.created} created, {tally.updated} updated, {tally.retired} retired, "
        f"{tally.unchanged} unchanged ({TOPICS_FILE.as_posix()}, version {parsed.version})"
    )
