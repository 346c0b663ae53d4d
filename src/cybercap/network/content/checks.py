"""Checks of the content files: every problem names file, line and field.

Pure Python (no Django import): `cybercap content check` needs no database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cybercap.core.contentkit import Problem
from cybercap.network.content.reader import YamlDocument, read_text, read_yaml, relative
from cybercap.network.content.schemas import CountriesFile, TopicsFile, TopicSpec, validate

COUNTRIES_FILE = Path("reference/countries.yaml")
TOPICS_FILE = Path("taxonomy/topics.yaml")

YAML_SUFFIXES = {".yaml", ".yml"}
TEXT_SUFFIXES = {".md"}


# Every file --------------------------------------------------------------------------------


def content_files(root: Path) -> Iterator[Path]:
    """Every YAML and Markdown file under ``root``, in a stable order, skipping hidden ones."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.suffix.lower() in YAML_SUFFIXES | TEXT_SUFFIXES:
            yield path


def check_files(root: Path) -> list[Problem]:
    """Every YAML file parses and every Markdown file is UTF-8, whatever its content type."""
    if not root.is_dir():
        return [Problem(root.as_posix(), 0, "", "content directory does not exist")]
    problems: list[Problem] = []
    for path in content_files(root):
        if path.suffix.lower() in YAML_SUFFIXES:
            problems += read_yaml(root, path)[1]
        else:
            problems += read_text(root, path)[1]
    return problems


def describe_files(root: Path) -> str:
    files = list(content_files(root))
    yaml_count = sum(1 for p in files if p.suffix.lower() in YAML_SUFFIXES)
    return f"{yaml_count} YAML and {len(files) - yaml_count} Markdown files read"


# Countries ---------------------------------------------------------------------------------


def parse_countries(root: Path) -> tuple[CountriesFile | None, list[Problem]]:
    doc, problems = read_yaml(root, root / COUNTRIES_FILE)
    if doc is None:
        return None, problems
    parsed, problems = validate(CountriesFile, doc)
    problems += _country_rules(doc)
    return (None if problems else parsed), problems


def _items(data: Any, key: str) -> list[Any]:
    """``data[key]`` when it is a list (the schema reports it otherwise)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _country_rules(doc: YamlDocument) -> list[Problem]:
    """Rules across rows, run on the raw data so they are reported with the schema's errors."""
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for index, country in enumerate(_items(doc.data, "countries")):
        if not isinstance(country, dict):
            continue
        here = ("countries", index)
        code = country.get("code")
        if isinstance(code, str) and code in first_line:
            problems.append(
                doc.problem(
                    (*here, "code"), f"duplicate code {code!r} (first at line {first_line[code]})"
                )
            )
        elif isinstance(code, str):
            first_line[code] = doc.line_of((*here, "code"))
        if country.get("is_guest") is True and country.get("asean_joined") is not None:
            problems.append(
                doc.problem(
                    (*here, "is_guest"),
                    "an ASEAN member (with asean_joined) cannot also be a guest country",
                )
            )
    return problems


def check_countries(root: Path) -> list[Problem]:
    return parse_countries(root)[1]


def describe_countries(root: Path) -> str:
    parsed, _ = parse_countries(root)
    if parsed is None:
        return "not valid"
    members = sum(1 for c in parsed.countries if c.asean_joined is not None)
    guests = sum(1 for c in parsed.countries if c.is_guest)
    return (
        f"{len(parsed.countries)} countries ({members} ASEAN members, {guests} guests), "
        f"version {parsed.version}"
    )


# Topics ------------------------------------------------------------------------------------


MAX_DEPTH = 2


def walk_topics(
    topics: list[TopicSpec], parent: str | None = None, loc: tuple[str | int, ...] = ("topics",)
) -> Iterator[tuple[TopicSpec, str | None, tuple[str | int, ...]]]:
    """Each topic with its parent's key and its place in the file, depth first (file order)."""
    for index, topic in enumerate(topics):
        here = (*loc, index)
        yield topic, parent, here
        yield from walk_topics(topic.children, topic.key, (*here, "children"))


def parse_topics(root: Path) -> tuple[TopicsFile | None, list[Problem]]:
    doc, problems = read_yaml(root, root / TOPICS_FILE)
    if doc is None:
        return None, problems
    parsed, problems = validate(TopicsFile, doc)
    problems += _topic_rules(doc)
    return (None if problems else parsed), problems


def _raw_topics(
    data: Any, parent: str | None = None, loc: tuple[str | int, ...] = ("topics",)
) -> Iterator[tuple[dict[Any, Any], str | None, tuple[str | int, ...]]]:
    """Like walk_topics, over the raw data, skipping what is not a mapping."""
    for index, topic in enumerate(_items(data, str(loc[-1]))):
        if isinstance(topic, dict):
            here = (*loc, index)
            yield topic, parent, here
            key = topic.get("key")
            yield from _raw_topics(
                topic, key if isinstance(key, str) else None, (*here, "children")
            )


def _topic_rules(doc: YamlDocument) -> list[Problem]:
    """Rules across topics, run on the raw data so they are reported with the schema's errors."""
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for topic, parent, here in _raw_topics(doc.data):
        key = topic.get("key")
        if isinstance(key, str) and key in first_line:
            problems.append(
                doc.problem(
                    (*here, "key"), f"duplicate key {key!r} (first at line {first_line[key]})"
                )
            )
        elif isinstance(key, str):
            first_line[key] = doc.line_of((*here, "key"))
        depth = sum(1 for part in here if part == "children") + 1
        if depth == MAX_DEPTH and _items(topic, "children"):
            problems.append(
                doc.problem(
                    (*here, "children"),
                    f"the taxonomy has {MAX_DEPTH} levels: a topic under {parent!r} "
                    "cannot have children",
                )
            )
    return problems


def check_topics(root: Path) -> list[Problem]:
    return parse_topics(root)[1]


def describe_topics(root: Path) -> str:
    parsed, _ = parse_topics(root)
    if parsed is None:
        return "not valid"
    total = sum(1 for _ in walk_topics(parsed.topics))
    areas = len(parsed.topics)
    return f"{areas} areas and {total - areas} topics within them, version {parsed.version}"


def known_topic_keys(root: Path) -> frozenset[str] | None:
    """The topic keys in the taxonomy file, for other content types to check references.

    None when the taxonomy file is missing or has problems: its own check reports them, and a
    reference check should then be skipped rather than flag every reference as unknown.
    """
    parsed, _ = parse_topics(root)
    if parsed is None:
        return None
    return frozenset(topic.key for topic, _parent, _loc in walk_topics(parsed.topics))


__all__ = [
    "COUNTRIES_FILE",
    "TOPICS_FILE",
    "check_countries",
    "check_files",
    "check_topics",
    "known_topic_keys",
    "parse_countries",
    "parse_topics",
    "relative",
]
