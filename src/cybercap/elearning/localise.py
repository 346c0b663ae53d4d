"""Courses in the learner's language, with English visibly standing in for what is missing.

The learner's language for a course is the page's language (set by the language switch, and at
sign-in from the language chosen at registration or in the profile) when the course has it,
else the user's profile language when the course has it, else the course's own language.

A loaded course keeps each other language's strings beside its own (``translations`` on
Course, Module, Lesson, Scenario and Figure; translated items are in the question bank under
the same keys). :func:`localise` puts the learner's language on an object in memory (never
saved) and sets ``untranslated`` when the language lacks that piece, so that the page can say
so ("This part is not yet translated and is shown in English") instead of silently mixing.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import get_language

from cybercap.quizzes.models import Item

FIELDS = {
    "Course": (
        "title",
        "description",
        "audience",
        "objectives",
        "legal_basis_heading",
        "legal_basis_empty",
    ),
    "Module": ("title", "summary"),
    "Lesson": ("title", "objectives"),
    "Scenario": ("title", "setting"),
}


def course_language(user: Any, course: Any) -> str:
    """The language the learner reads ``course`` in (see the module docstring)."""
    languages = course.languages or [course.language]
    page = (get_language() or "").split("-")[0]
    if page in languages:
        return page
    own = getattr(user, "language", "") or ""
    if own in languages:
        return str(own)
    return str(course.language)


def localise(obj: Any, language: str, source: str | None = None) -> Any:
    """``obj`` with its strings in ``language`` (in memory only); ``untranslated`` says
    whether the language lacks this piece (shown in ``source``, the course's own language:
    pass it, so that lists cost no query per object)."""
    if obj is None:
        return obj
    obj.language_shown = language
    source = source or _source_language(obj)
    if language == source:
        obj.untranslated = False
        return obj
    deferred = obj.get_deferred_fields()
    data = {} if "translations" in deferred else (obj.translations or {}).get(language)
    if not data:
        obj.untranslated = True
        return obj
    for name in FIELDS.get(type(obj).__name__, ()):
        if name in data:
            setattr(obj, name, data[name])
    obj.untranslated = bool(data.get("fallback"))
    if type(obj).__name__ == "Lesson" and "html_translations" not in deferred:
        html = (obj.html_translations or {}).get(language) or {}
        if html:
            obj.html = html["html"]
            obj.html_after_slot = html["html_after_slot"]
    if type(obj).__name__ == "Scenario" and "graph_translations" not in deferred:
        graph = (obj.graph_translations or {}).get(language)
        obj.graph_shown = graph or obj.graph
    return obj


def _source_language(obj: Any) -> str:
    name = type(obj).__name__
    if name == "Course":
        return str(obj.language)
    if name == "Module":
        return str(obj.course.language) if obj.course_id else "en"
    if name == "Lesson":
        return str(obj.module.course.language)
    if name == "Scenario":
        return str(obj.course.language)
    return "en"


def draft_notice(course: Any, language: str) -> bool:
    """Whether pages in ``language`` carry the draft-translation notice."""
    if language == course.language:
        return False
    return (course.translations or {}).get(language, {}).get("state", "draft") != "reviewed"


def scenario_graph(scenario: Any, language: str) -> dict[str, Any]:
    """The scenario's graph in ``language`` (same ids as the source), or the source's."""
    if language != scenario.course.language:
        graph = (scenario.graph_translations or {}).get(language)
        if graph:
            return dict(graph)
    return dict(scenario.graph)


def items_in(items: list[Item], language: str) -> tuple[list[Item], set[str]]:
    """Copies of ``items`` with stems, options and targets in ``language`` (same keys and
    option ids, so answers and scores are the source items'), and the keys still in English."""
    if not items or all(i.language == language for i in items):
        return items, set()
    found = {
        i.key: i
        for i in Item.objects.filter(
            key__in=[i.key for i in items], language=language, retired=False
        )
    }
    shown, untranslated = [], set()
    for item in items:
        other = found.get(item.key)
        if other is None or [o["id"] for o in other.options] != [o["id"] for o in item.options]:
            untranslated.add(item.key)
            shown.append(item)
            continue
        copy_ = copy.copy(item)
        copy_.stem, copy_.options, copy_.targets = other.stem, other.options, other.targets
        shown.append(copy_)
    return shown, untranslated
