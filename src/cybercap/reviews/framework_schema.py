"""The National Cyber Review framework as data: schema, loader and checks.

A framework lives in ``content/frameworks/<id>/v<version>/``: a ``framework.yaml`` (levels,
stakeholder clusters, pillars and areas with weights, an optional mapping to the previous
version) and one YAML file per pillar holding its indicators. The legal instruments that
indicators cite are in ``content/frameworks/instruments.yaml``; topic keys come from
``content/taxonomy/topics.yaml``.

Pure Python (no Django import). :func:`check_frameworks` returns every problem as a
:class:`~cybercap.core.contentkit.Problem` naming file, line, field and indicator;
:func:`load_framework` returns a validated :class:`Framework` or raises ``ContentError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cybercap.core.contentkit import ContentError, Problem

LEVELS = (1, 2, 3, 4, 5)
MIN_DESCRIPTOR_WORDS = 15
FRAMEWORKS_DIR = "frameworks"
INSTRUMENTS_FILE = "frameworks/instruments.yaml"
TOPICS_FILE = "taxonomy/topics.yaml"

Path_ = tuple[str | int, ...]


# --------------------------------------------------------------------------- YAML with lines


@dataclass
class Located:
    """A YAML document as plain Python data plus the 1-based line of every node by path."""

    data: Any
    lines: dict[Path_, int]
    duplicate_keys: list[tuple[Path_, int]]

    def line(self, path: Path_) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


# libyaml when present (about ten times faster); same nodes and marks either way.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_located(text: str) -> Located:
    """Parse one YAML document, recording lines; raises ``yaml.YAMLError`` on bad syntax."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        duplicates: list[tuple[Path_, int]] = []
        data = _convert(loader, node, (), lines, duplicates) if node is not None else None
    finally:
        loader.dispose()
    return Located(data=data, lines=lines, duplicate_keys=duplicates)


def _convert(
    loader: Any,
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    duplicates: list[tuple[Path_, int]],
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            child = (*path, str(key))
            if key in result:
                duplicates.append((child, key_node.start_mark.line + 1))
            result[key] = _convert(loader, value_node, child, lines, duplicates)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, (*path, i), lines, duplicates)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def format_path(data: Any, path: Path_) -> str:
    """``("indicators", 3, "levels", 2)`` -> ``indicators[3].levels.2`` (lists get brackets)."""
    out = ""
    current = data
    for part in path:
        if isinstance(current, list) and isinstance(part, int):
            out += f"[{part}]"
            current = current[part] if 0 <= part < len(current) else None
        else:
            out += f".{part}" if out else str(part)
            if isinstance(current, dict):
                current = next((v for k, v in current.items() if str(k) == str(part)), None)
            else:
                current = None
    return out


def _normalise_loc(data: Any, loc: tuple[str | int, ...]) -> Path_:
    """Turn a pydantic error location into a path of the raw data (keys as str, indexes int)."""
    out: list[str | int] = []
    current = data
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(current, list) and isinstance(part, int):
            out.append(part)
            current = current[part] if 0 <= part < len(current) else None
        elif isinstance(current, dict):
            match = next((k for k in current if str(k) == str(part)), None)
            out.append(str(part))
            current = current[match] if match is not None else None
        else:
            out.append(str(part))
            current = None
    return tuple(out)


# --------------------------------------------------------------------------- conditions

_TOKEN = re.compile(r"\s*(?:(<=|>=|==|!=|<|>|\[|\]|,)|(\d+)|([a-z]+))")


class ConditionError(ValueError):
    pass


@dataclass(frozen=True)
class Condition:
    """A parsed rule condition over ``level``.

    Grammar (no eval)::

        condition := clause (("and" | "or") clause)*      "and" binds tighter than "or"
        clause    := "level" op INT | "level" ["not"] "in" "[" INT ("," INT)* "]"
        op        := "<" | "<=" | "==" | "!=" | ">=" | ">"

    Integers must be levels (1 to 5).
    """

    text: str
    alternatives: tuple[tuple[tuple[str, frozenset[int] | int], ...], ...]

    def matches(self, level: int) -> bool:
        return any(all(_clause(level, op, v) for op, v in conj) for conj in self.alternatives)

    def levels(self) -> frozenset[int]:
        return frozenset(level for level in LEVELS if self.matches(level))


def _clause(level: int, op: str, value: frozenset[int] | int) -> bool:
    if isinstance(value, frozenset):
        return (level in value) if op == "in" else (level not in value)
    return {
        "<": level < value,
        "<=": level <= value,
        "==": level == value,
        "!=": level != value,
        ">=": level >= value,
        ">": level > value,
    }[op]


def parse_condition(text: str) -> Condition:
    tokens: list[str] = []
    pos = 0
    source = text.strip()
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if not m or m.end() == pos:
            raise ConditionError(f"unexpected text at {source[pos:].lstrip()!r}")
        tokens.append(m.group(1) or m.group(2) or m.group(3))
        pos = m.end()
    if not tokens:
        raise ConditionError("empty condition")
    i = 0

    def take() -> str:
        nonlocal i
        if i >= len(tokens):
            raise ConditionError("condition ends too early")
        i += 1
        return tokens[i - 1]

    def level_int(tok: str) -> int:
        if not tok.isdigit():
            raise ConditionError(f"expected a level number, found {tok!r}")
        value = int(tok)
        if value not in LEVELS:
            raise ConditionError(f"level {value} is outside 1 to 5")
        return value

    alternatives: list[tuple[tuple[str, frozenset[int] | int], ...]] = []
    conj: list[tuple[str, frozenset[int] | int]] = []
    while True:
        if take() != "level":
            raise ConditionError("each clause must start with 'level'")
        op = take()
        if op == "not":
            if take() != "in":
                raise ConditionError("expected 'in' after 'not'")
            op = "not in"
        if op in ("in", "not in"):
            if take() != "[":
                raise ConditionError(f"expected '[' after '{op}'")
            values = {level_int(take())}
            while (tok := take()) == ",":
                values.add(level_int(take()))
            if tok != "]":
                raise ConditionError(f"expected ',' or ']', found {tok!r}")
            conj.append(("in" if op == "in" else "not in", frozenset(values)))
        elif op in ("<", "<=", "==", "!=", ">=", ">"):
            conj.append((op, level_int(take())))
        else:
            raise ConditionError(f"unknown operator {op!r}")
        if i == len(tokens):
            alternatives.append(tuple(conj))
            break
        joiner = take()
        if joiner == "or":
            alternatives.append(tuple(conj))
            conj = []
        elif joiner != "and":
            raise ConditionError(f"expected 'and' or 'or', found {joiner!r}")
    return Condition(text=text, alternatives=tuple(alternatives))


# --------------------------------------------------------------------------- models


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Horizon(StrEnum):
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


AGENCY_KINDS = (
    "police_cyber_unit",
    "police",
    "prosecution",
    "court",
    "ministry",
    "cert",
    "regulator",
    "academia",
    "private_sector",
    "international",
    "other",
)
AgencyKindKey = Literal[
    "police_cyber_unit",
    "police",
    "prosecution",
    "court",
    "ministry",
    "cert",
    "regulator",
    "academia",
    "private_sector",
    "international",
    "other",
]
Key = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelName(_Model):
    level: int = Field(ge=1, le=5)
    key: str = Key
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1)


class Cluster(_Model):
    key: str = Key
    name: str = Field(min_length=1)
    agency_kinds: list[AgencyKindKey] = Field(min_length=1)


class Area(_Model):
    key: str = Key
    code: str = Field(pattern=r"^[A-Z]{2,5}$")
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    weight: float = Field(gt=0)


class Pillar(_Model):
    key: str = Key
    code: str = Field(pattern=r"^[A-Z]{3}$")
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    file: str = Field(pattern=r"^[a-z0-9-]+\.yaml$")
    weight: float = Field(gt=0)
    requires_articles: bool = False
    requires_metric: bool = False
    areas: list[Area] = Field(min_length=1)


class MappingEntry(_Model):
    id: str
    previous: list[str] = Field(min_length=1)
    relation: Literal["equivalent", "revised", "merged", "split"]
    note: str = ""


class VersionMapping(_Model):
    previous_version: int = Field(ge=1)
    indicators: list[MappingEntry] = []
    retired: list[str] = []


class FrameworkFile(_Model):
    id: str = Key
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    levels: list[LevelName] = Field(min_length=5, max_length=5)
    stakeholder_clusters: list[Cluster] = Field(min_length=1)
    pillars: list[Pillar] = Field(min_length=1)
    mapping: VersionMapping | None = None


class ArticleRefs(_Model):
    budapest: list[str] = []
    budapest_p2: list[str] = []
    uncc: list[str] = []

    @field_validator("budapest", "budapest_p2", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) else v for v in value]
        return value

    def all(self) -> list[tuple[str, str]]:
        return [
            *(("budapest", r) for r in self.budapest),
            *(("budapest-p2", r) for r in self.budapest_p2),
            *(("uncc", r) for r in self.uncc),
        ]


class Metric(_Model):
    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)


class Evidence(_Model):
    ask_for: list[str] = Field(min_length=1)
    ask: list[str] = Field(min_length=1)  # stakeholder cluster keys


class Rule(_Model):
    when: str = Field(min_length=1)
    priority: Priority
    horizon: Horizon
    responsible: AgencyKindKey
    text: str = Field(min_length=1)
    topics: list[str] = []

    @property
    def condition(self) -> Condition:
        return parse_condition(self.when)


class Indicator(_Model):
    id: str = Field(pattern=r"^[A-Z]{3}-[A-Z]{2,5}-\d{2}$")
    area: str
    title: str = Field(min_length=1)
    question: str = Field(min_length=1)
    weight: float = Field(gt=0)
    topics: list[str] = Field(min_length=1)
    levels: dict[int, str]
    evidence: Evidence
    metric: Metric | None = None
    articles: ArticleRefs | None = None
    recommendations: list[Rule] = Field(min_length=1)

    def recommendations_for(self, level: int) -> list[Rule]:
        return [rule for rule in self.recommendations if rule.condition.matches(level)]


class PillarFile(_Model):
    pillar: str
    indicators: list[Indicator] = Field(min_length=1)


class Provision(_Model):
    ref: str
    title: str = Field(min_length=1)
    group: str = Field(min_length=1)
    chapter: str | None = None
    article: int | None = None
    # Where the article number was checked (required when the instrument's article numbers
    # are "verified-only"); empty for instruments whose numbers are all settled.
    verified: str = ""
    note: str = ""


class Chapter(_Model):
    key: str = Field(min_length=1)  # a roman numeral, as provisions cite it
    title: str = Field(min_length=1)
    # The articles the chapter spans, as far as they are known ("Arts. 35-52", "to Art. 21");
    # empty when unknown.
    articles: str = ""


class Instrument(_Model):
    key: str = Key
    title: str = Field(min_length=1)
    reference: str = Field(min_length=1)
    note: str = ""
    # "all": every provision has its article number. "verified-only": a provision gives an
    # article number only with a ``verified`` source; the others are cited by chapter.
    article_numbers: Literal["all", "verified-only"] = "all"
    chapters: list[Chapter] = Field(default_factory=list)
    provisions: list[Provision] = Field(min_length=1)

    def chapter(self, key: str | None) -> Chapter | None:
        return next((c for c in self.chapters if c.key == key), None)


class InstrumentsFile(_Model):
    instruments: list[Instrument] = Field(min_length=1)


_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class Framework:
    """A validated framework version: its header and its indicators in file order."""

    meta: FrameworkFile
    indicators: tuple[Indicator, ...]
    directory: Path

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> int:
        return self.meta.version

    def pillar_of(self, indicator: Indicator) -> Pillar:
        return next(p for p in self.meta.pillars if any(a.key == indicator.area for a in p.areas))

    def indicators_in(self, pillar_key: str) -> list[Indicator]:
        pillar = next(p for p in self.meta.pillars if p.key == pillar_key)
        areas = {a.key for a in pillar.areas}
        return [i for i in self.indicators if i.area in areas]

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)


# --------------------------------------------------------------------------- checks


def word_count(text: str) -> int:
    return sum(1 for token in text.split() if re.search(r"\w", token))


def _descriptor_key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


# A descriptor must stand alone: it may not lean on another level's wording.
_LEANING = re.compile(
    r"\b(as above|same as|as in level|as level|previous level|level [1-5] plus|"
    r"plus the above|all of the above)\b",
    re.IGNORECASE,
)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, rel: str, located: Located | None, path: Path_, message: str) -> None:
        if located is None:
            self.problems.append(Problem(rel, 0, ".".join(map(str, path)), message))
            return
        self.problems.append(
            Problem(rel, located.line(path), format_path(located.data, path), message)
        )


def _read(root: Path, rel: str, out: _Collector) -> Located | None:
    path = root / rel
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        out.problems.append(Problem(rel, 0, "", "file not found"))
        return None
    except UnicodeDecodeError as exc:
        out.problems.append(Problem(rel, 0, "", f"not UTF-8 text: {exc.reason}"))
        return None
    try:
        located = load_located(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        reason = exc.problem or exc.context or "malformed YAML"
        out.problems.append(Problem(rel, line, "", f"YAML syntax error: {reason}"))
        return None
    except yaml.YAMLError as exc:
        out.problems.append(Problem(rel, 0, "", f"YAML syntax error: {exc}"))
        return None
    for dup_path, line in located.duplicate_keys:
        out.problems.append(
            Problem(rel, line, format_path(located.data, dup_path), "key appears twice")
        )
    return located


def _validate(model: type[_M], rel: str, located: Located, out: _Collector) -> _M | None:
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        for error in exc.errors():
            path = _normalise_loc(located.data, error["loc"])
            message = error["msg"]
            ident = _indicator_id_at(located.data, path)
            if ident:
                message = f"{ident}: {message}"
            out.add(rel, located, path, message)
        return None


def _indicator_id_at(data: Any, path: Path_) -> str | None:
    if len(path) >= 2 and path[0] == "indicators" and isinstance(path[1], int):
        items = data.get("indicators") if isinstance(data, dict) else None
        if isinstance(items, list) and 0 <= path[1] < len(items):
            item = items[path[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return str(item["id"])
    return None


def load_topic_keys(root: Path) -> set[str] | None:
    """Every topic key in content/taxonomy/topics.yaml, or None when the file does not exist."""
    path = root / TOPICS_FILE
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return set()  # the taxonomy's own check reports its syntax error
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("key"), str):
                keys.add(node["key"])
            for name in ("topics", "children", "subtopics", "narrower"):
                walk(node.get(name))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return keys


def _check_instruments(root: Path, out: _Collector) -> dict[str, set[str]]:
    located = _read(root, INSTRUMENTS_FILE, out)
    if located is None:
        return {}
    parsed = _validate(InstrumentsFile, INSTRUMENTS_FILE, located, out)
    if parsed is None:
        return {}
    known: dict[str, set[str]] = {}
    for i, instrument in enumerate(parsed.instruments):
        refs = known.setdefault(instrument.key, set())
        for j, provision in enumerate(instrument.provisions):
            if provision.ref in refs:
                out.add(
                    INSTRUMENTS_FILE,
                    located,
                    ("instruments", i, "provisions", j, "ref"),
                    f"provision {provision.ref!r} of {instrument.key} appears twice",
                )
            refs.add(provision.ref)
            where = ("instruments", i, "provisions", j)
            if instrument.article_numbers == "verified-only":
                if provision.article is not None and not provision.verified.strip():
                    out.add(
                        INSTRUMENTS_FILE,
                        located,
                        (*where, "verified"),
                        f"{instrument.key} {provision.ref!r} gives article {provision.article} "
                        "without saying where the number was verified",
                    )
                if provision.article is None and instrument.chapter(provision.chapter) is None:
                    out.add(
                        INSTRUMENTS_FILE,
                        located,
                        (*where, "chapter"),
                        f"{instrument.key} {provision.ref!r} has no article number, so it needs "
                        "a chapter listed under the instrument's chapters",
                    )
            elif provision.article is None:
                out.add(
                    INSTRUMENTS_FILE,
                    located,
                    (*where, "article"),
                    f"{instrument.key} {provision.ref!r} needs its article number",
                )
    return known


def check_frameworks(root: Path) -> list[Problem]:
    """Check every framework version under ``root/frameworks`` (root is the content/ dir)."""
    out = _Collector()
    instruments = _check_instruments(root, out)
    topics = load_topic_keys(root)
    loaded: dict[tuple[str, int], tuple[Framework, dict[str, str]]] = {}
    pending_mappings = []
    for framework_yaml in sorted((root / FRAMEWORKS_DIR).glob("*/v*/framework.yaml")):
        result = _check_version(root, framework_yaml.parent, instruments, topics, out)
        if result is not None:
            framework, files, located = result
            loaded[(framework.id, framework.version)] = (framework, files)
            if framework.meta.mapping is not None:
                pending_mappings.append((framework, located))
    for framework, located in pending_mappings:
        _check_mapping(root, framework, located, loaded, out)
    return sorted(out.problems)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _check_version(
    root: Path,
    directory: Path,
    instruments: dict[str, set[str]],
    topics: set[str] | None,
    out: _Collector,
) -> tuple[Framework, dict[str, str], Located] | None:
    head_rel = _rel(root, directory / "framework.yaml")
    head_located = _read(root, head_rel, out)
    if head_located is None:
        return None
    meta = _validate(FrameworkFile, head_rel, head_located, out)
    if meta is None:
        return None
    start = len(out.problems)
    if directory.name != f"v{meta.version}":
        out.add(
            head_rel,
            head_located,
            ("version",),
            f"is {meta.version} but the folder is named {directory.name}",
        )
    if directory.parent.name != meta.id:
        out.add(
            head_rel,
            head_located,
            ("id",),
            f"is {meta.id!r} but the folder is named {directory.parent.name!r}",
        )
    if sorted(lv.level for lv in meta.levels) != list(LEVELS):
        out.add(head_rel, head_located, ("levels",), "must name levels 1 to 5, each once")
    clusters = {c.key for c in meta.stakeholder_clusters}
    area_of: dict[str, tuple[Pillar, Area]] = {}
    seen_codes: dict[str, str] = {}
    for p, pillar in enumerate(meta.pillars):
        if pillar.code in seen_codes:
            out.add(
                head_rel, head_located, ("pillars", p, "code"), f"code {pillar.code} is used twice"
            )
        seen_codes[pillar.code] = pillar.key
        for a, area in enumerate(pillar.areas):
            if area.key in area_of:
                out.add(
                    head_rel,
                    head_located,
                    ("pillars", p, "areas", a, "key"),
                    f"area {area.key!r} is defined twice",
                )
            area_of[area.key] = (pillar, area)
    if len(out.problems) > start:
        return None

    indicators: list[Indicator] = []
    files: dict[str, str] = {}  # indicator id -> file
    descriptors: dict[str, tuple[str, str]] = {}  # normalised text -> (indicator id, field)
    for pillar in meta.pillars:
        rel = _rel(root, directory / pillar.file)
        located = _read(root, rel, out)
        if located is None:
            continue
        parsed = _validate(PillarFile, rel, located, out)
        if parsed is None:
            continue
        if parsed.pillar != pillar.key:
            out.add(
                rel,
                located,
                ("pillar",),
                f"is {parsed.pillar!r} but framework.yaml lists this file for {pillar.key!r}",
            )
        for n, ind in enumerate(parsed.indicators):
            base: Path_ = ("indicators", n)

            def say(
                path: Path_,
                message: str,
                _ind: Indicator = ind,
                _base: Path_ = base,
                _rel: str = rel,
                _located: Located = located,
            ) -> None:
                out.add(_rel, _located, (*_base, *path), f"{_ind.id}: {message}")

            if ind.id in files:
                say(("id",), f"id is already used in {files[ind.id]}")
            else:
                files[ind.id] = rel
            owner = area_of.get(ind.area)
            if owner is None:
                say(("area",), f"unknown area {ind.area!r}")
            elif owner[0].key != pillar.key:
                say(
                    ("area",),
                    f"area {ind.area!r} belongs to pillar {owner[0].key!r}, not {pillar.key!r}",
                )
            elif not ind.id.startswith(f"{pillar.code}-{owner[1].code}-"):
                say(("id",), f"id must start with {pillar.code}-{owner[1].code}-")
            _check_levels(ind, say, descriptors)
            for c, cluster in enumerate(ind.evidence.ask):
                if cluster not in clusters:
                    say(("evidence", "ask", c), f"unknown stakeholder cluster {cluster!r}")
            if topics is not None:
                for t, topic in enumerate(ind.topics):
                    if topic not in topics:
                        say(("topics", t), f"unknown topic {topic!r} (not in {TOPICS_FILE})")
            if pillar.requires_articles and (ind.articles is None or not ind.articles.all()):
                say(("articles",), "a legal indicator must cite at least one article it tests")
            if pillar.requires_metric and ind.metric is None:
                say(("metric",), "an operational indicator must name the figure it measures")
            if ind.articles is not None:
                _check_articles(ind.articles, instruments, say)
            covered: set[int] = set()
            for r, rule in enumerate(ind.recommendations):
                try:
                    covered |= parse_condition(rule.when).levels()
                except ConditionError as exc:
                    say(("recommendations", r, "when"), f"cannot parse {rule.when!r}: {exc}")
                    covered = set(LEVELS)
                if topics is not None:
                    for t, topic in enumerate(rule.topics):
                        if topic not in topics:
                            say(
                                ("recommendations", r, "topics", t),
                                f"unknown topic {topic!r} (not in {TOPICS_FILE})",
                            )
            missing = [lv for lv in (1, 2) if lv not in covered]
            if missing:
                say(("recommendations",), f"no rule gives a recommendation at level {missing[0]}")
            indicators.append(ind)
    framework = Framework(meta=meta, indicators=tuple(indicators), directory=directory)
    return framework, files, head_located


def _check_levels(ind: Indicator, say: Any, descriptors: dict[str, tuple[str, str]]) -> None:
    keys = set(ind.levels)
    for lv in LEVELS:
        if lv not in keys:
            say(("levels",), f"level {lv} has no descriptor")
    for lv in sorted(keys - set(LEVELS)):
        say(("levels", str(lv)), f"level {lv} is not a level (1 to 5)")
    for lv in sorted(keys & set(LEVELS)):
        text = ind.levels[lv]
        words = word_count(text)
        if words < MIN_DESCRIPTOR_WORDS:
            say(
                ("levels", str(lv)),
                f"descriptor has {words} words; at least {MIN_DESCRIPTOR_WORDS} are required",
            )
        if _LEANING.search(text):
            say(("levels", str(lv)), "descriptor must stand alone, not refer to another level")
        key = _descriptor_key(text)
        here = f"levels.{lv}"
        if key in descriptors:
            other_id, other_field = descriptors[key]
            say(("levels", str(lv)), f"descriptor repeats {other_id} {other_field}")
        else:
            descriptors[key] = (ind.id, here)


def _check_articles(refs: ArticleRefs, instruments: dict[str, set[str]], say: Any) -> None:
    fields = {"budapest": "budapest", "budapest-p2": "budapest_p2", "uncc": "uncc"}
    counters: dict[str, int] = {}
    for instrument, ref in refs.all():
        index = counters.get(instrument, 0)
        counters[instrument] = index + 1
        known = instruments.get(instrument)
        if known is None:
            say(
                ("articles", fields[instrument], index),
                f"instrument {instrument!r} is not in {INSTRUMENTS_FILE}",
            )
        elif ref not in known:
            say(
                ("articles", fields[instrument], index),
                f"{instrument} has no provision {ref!r} in {INSTRUMENTS_FILE}",
            )


def _check_mapping(
    root: Path,
    framework: Framework,
    located: Located,
    loaded: dict[tuple[str, int], tuple[Framework, dict[str, str]]],
    out: _Collector,
) -> None:
    mapping = framework.meta.mapping
    assert mapping is not None
    rel = _rel(root, framework.directory / "framework.yaml")
    if mapping.previous_version >= framework.version:
        out.add(rel, located, ("mapping", "previous_version"), "must be lower than this version")
        return
    previous = loaded.get((framework.id, mapping.previous_version))
    if previous is None:
        out.add(
            rel,
            located,
            ("mapping", "previous_version"),
            f"version {mapping.previous_version} of {framework.id!r} is missing or not clean",
        )
        return
    current_ids = {i.id for i in framework.indicators}
    previous_ids = {i.id for i in previous[0].indicators}
    accounted: set[str] = set()
    for e, entry in enumerate(mapping.indicators):
        if entry.id not in current_ids:
            out.add(
                rel,
                located,
                ("mapping", "indicators", e, "id"),
                f"{entry.id} is not an indicator of version {framework.version}",
            )
        for k, old in enumerate(entry.previous):
            if old not in previous_ids:
                out.add(
                    rel,
                    located,
                    ("mapping", "indicators", e, "previous", k),
                    f"{old} is not an indicator of version {mapping.previous_version}",
                )
            accounted.add(old)
    for r, old in enumerate(mapping.retired):
        if old not in previous_ids:
            out.add(
                rel,
                located,
                ("mapping", "retired", r),
                f"{old} is not an indicator of version {mapping.previous_version}",
            )
        accounted.add(old)
    for old in sorted(previous_ids - accounted - current_ids):
        out.add(
            rel,
            located,
            ("mapping",),
            f"{old} of version {mapping.previous_version} is neither kept, mapped nor retired",
        )


# --------------------------------------------------------------------------- loading


def load_framework(path: Path, *, content_root: Path | None = None) -> Framework:
    """Load one framework version (its folder or its framework.yaml); raise ContentError."""
    directory = path.parent if path.name == "framework.yaml" else path
    root = content_root or directory.parent.parent.parent
    out = _Collector()
    instruments = _check_instruments(root, out)
    result = _check_version(root, directory, instruments, load_topic_keys(root), out)
    if result is not None and result[0].meta.mapping is not None:
        framework = result[0]
        mapping = framework.meta.mapping
        assert mapping is not None
        previous_dir = directory.parent / f"v{mapping.previous_version}"
        loaded: dict[tuple[str, int], tuple[Framework, dict[str, str]]] = {}
        if previous_dir.is_dir() and mapping.previous_version < framework.version:
            prev = _check_version(root, previous_dir, instruments, load_topic_keys(root), out)
            if prev is not None:
                loaded[(prev[0].id, prev[0].version)] = (prev[0], prev[1])
        _check_mapping(root, framework, result[2], loaded, out)
    if out.problems or result is None:
        raise ContentError(out.problems)
    return result[0]


def frameworks_in(root: Path) -> Iterator[Path]:
    """The folder of every framework version under ``root/frameworks``."""
    for framework_yaml in sorted((root / FRAMEWORKS_DIR).glob("*/v*/framework.yaml")):
        yield framework_yaml.parent


def pillar_counts(framework: Framework) -> list[tuple[str, int, int]]:
    """(pillar key, indicators, descriptor words) for each pillar, in framework order."""
    counts = []
    for pillar in framework.meta.pillars:
        items = framework.indicators_in(pillar.key)
        words = sum(word_count(text) for i in items for text in i.levels.values())
        counts.append((pillar.key, len(items), words))
    return counts


def summarise(framework: Framework) -> list[str]:
    """One line per pillar: indicators and descriptor words (for `cybercap content check`)."""
    return [
        f"{framework.id} v{framework.version} {key}: {n} indicators, {words} descriptor words"
        for key, n, words in pillar_counts(framework)
    ]


def describe_frameworks(root: Path) -> str:
    """One line for `cybercap content check`: indicators and descriptor words per pillar."""
    parts = []
    for directory in frameworks_in(root):
        try:
            framework = load_framework(directory, content_root=root)
        except ContentError:
            parts.append(f"{directory.parent.name} {directory.name}: not valid")
            continue
        pillars = ", ".join(
            f"{key} {n} indicators / {words} words" for key, n, words in pillar_counts(framework)
        )
        parts.append(
            f"{framework.id} v{framework.version}: {len(framework.indicators)} indicators "
            f"({pillars})"
        )
    return "; ".join(parts) if parts else "no frameworks"
