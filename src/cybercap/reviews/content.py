"""Loading the framework files into the database (the "frameworks" content type).

Idempotent upserts inside the caller's transaction: a second load changes nothing. Versions
are kept side by side; an indicator that disappears from the files of its version is marked
``retired``, never deleted, because reviews may point at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import models

from cybercap.core import contentkit
from cybercap.network.models import Topic
from cybercap.reviews import framework_schema
from cybercap.reviews.framework_schema import Framework


def _upsert(
    model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any], tally: dict[str, int]
) -> Any:
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model._default_manager.create(**lookup, **values)
        tally["created"] += 1
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
        tally["updated"] += 1
    return instance


def framework_store(framework: Framework, tally: dict[str, int]) -> Any:
    """Write one validated framework version; returns its FrameworkVersion."""
    from cybercap.reviews.models import Area, FrameworkVersion, Indicator, Pillar

    meta = framework.meta
    version = _upsert(
        FrameworkVersion,
        {"key": meta.id, "version": meta.version},
        {
            "title": meta.title,
            "description": meta.description,
            "levels": [lv.model_dump() for lv in meta.levels],
            "stakeholder_clusters": [c.model_dump() for c in meta.stakeholder_clusters],
            "mapping": meta.mapping.model_dump() if meta.mapping else None,
        },
        tally,
    )
    areas: dict[str, Any] = {}
    for p, spec in enumerate(meta.pillars):
        pillar = _upsert(
            Pillar,
            {"framework": version, "key": spec.key},
            {
                "code": spec.code,
                "name": spec.name,
                "description": spec.description,
                "weight": spec.weight,
                "position": p,
            },
            tally,
        )
        for a, area_spec in enumerate(spec.areas):
            areas[area_spec.key] = _upsert(
                Area,
                {"pillar": pillar, "key": area_spec.key},
                {
                    "code": area_spec.code,
                    "name": area_spec.name,
                    "description": area_spec.description,
                    "weight": area_spec.weight,
                    "position": a,
                },
                tally,
            )
    topics = {t.key: t for t in Topic.objects.all()}
    seen: set[str] = set()
    for n, ind in enumerate(framework.indicators):
        seen.add(ind.id)
        indicator = _upsert(
            Indicator,
            {"framework": version, "code": ind.id},
            {
                "area": areas[ind.area],
                "title": ind.title,
                "question": ind.question,
                "levels": {str(k): v for k, v in sorted(ind.levels.items())},
                "weight": ind.weight,
                "articles": [list(ref) for ref in ind.articles.all()] if ind.articles else [],
                "evidence_guidance": ind.evidence.model_dump(),
                "metric": ind.metric.model_dump() if ind.metric else None,
                "rules": [rule.model_dump(mode="json") for rule in ind.recommendations],
                "position": n,
                "retired": False,
            },
            tally,
        )
        wanted = {topics[key].pk for key in ind.topics if key in topics}
        have = set(indicator.topics.values_list("pk", flat=True))
        if wanted != have:
            indicator.topics.set(wanted)
    for gone in Indicator.objects.filter(framework=version, retired=False).exclude(code__in=seen):
        gone.retired = True
        gone.save(update_fields=["retired"])
        tally["retired"] += 1
    return version


def frameworks_load(root: Path) -> str:
    tally = {"created": 0, "updated": 0, "retired": 0}
    versions = []
    for directory in framework_schema.frameworks_in(root):
        framework = framework_schema.load_framework(directory, content_root=root)
        framework_store(framework, tally)
        versions.append(f"{framework.id} v{framework.version} ({len(framework.indicators)})")
    return (
        f"{', '.join(versions) or 'no frameworks'}: {tally['created']} rows created, "
        f"{tally['updated']} updated, {tally['retired']} indicators retired"
    )


def register_content_type() -> None:
    contentkit.register(
        contentkit.ContentType(
            name="frameworks",
            check=framework_schema.check_frameworks,
            load=frameworks_load,
            order=30,
            extras={"describe": framework_schema.describe_frameworks},
        )
    )
