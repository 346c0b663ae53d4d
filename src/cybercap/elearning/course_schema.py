"""Schema and checks for e-learning courses under ``content/courses/<id>/``.

Pure Python (no Django import). A course is a directory::

    course.yaml                      language-neutral structure: ids, minutes, modules, pools,
                                     the translation layout and the countries of the legal slot
    <lang>/course.yaml               every learner-visible course string (title, audience, ...)
    <lang>/modules/<module>/<lesson>.md   lessons: YAML front matter + Markdown
    <lang>/figures/*.svg             hand-written accessible SVG figures
    <lang>/items/*.yaml              assessment items
    <lang>/scenarios/*.yaml          branching scenarios
    <lang>/checklist.yaml            the pocket checklist source
    <lang>/legal-basis/<CC>.md       one file per country, filled in by staff

Every topic a lesson, item or scenario carries must be a key of ``content/taxonomy/topics.yaml``
(the platform counts trainings and gaps per taxonomy topic).

Every check returns :class:`~cybercap.core.contentkit.Problem` objects that name the file
(relative to the content root), the line and the field.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from cybercap.core.contentkit import Problem
from cybercap.reviews.framework_schema import TOPICS_FILE, load_topic_keys

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
# A topic key of content/taxonomy/topics.yaml; membership is checked against the file.
Topic = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Pool = Literal["pre-test", "module-quiz", "final-test"]
ItemType = Literal["single", "multiple", "true_false", "ordering", "matching"]
ITEM_TYPES: tuple[str, ...] = ("single", "multiple", "true_false", "ordering", "matching")
REQUIRED_SECTIONS = ("Key points", "Summary")
LEGAL_SLOT = "<!-- slot: legal-basis -->"
MIN_LESSON_WORDS = 200
MAX_SCENARIO_PATHS = 200_000
CHECKLIST_PAGES = ("computers", "phones", "packaging")
CHECKLIST_MAX_LINE = 90
CHECKLIST_MAX_LINES = 32

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- translations


class TranslationStatus(_Model):
    """The status block every translated file carries (see docs/translations.md)."""

    status: Literal["draft", "reviewed"]
    translator: Text
    reviewer: str | None = None
    reviewed_on: dt.date | None = None
    source: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12}$")]

    @model_validator(mode="after")
    def _reviewed_named(self) -> TranslationStatus:
        if self.status == "reviewed" and not (self.reviewer and self.reviewed_on):
            raise ValueError("a reviewed translation names its reviewer and reviewed_on date")
        if self.status == "draft" and (self.reviewer or self.reviewed_on):
            raise ValueError("a draft has no reviewer yet (set status: reviewed)")
        return self


class Sections(_Model):
    """The titles of a lesson's last two H2 sections, in the course's language."""

    key_points: Text = "Key points"
    summary: Text = "Summary"


# --------------------------------------------------------------------------- course.yaml


class Layout(_Model):
    strings: str
    lessons: str
    figures: str
    items: str
    scenarios: str
    checklist: str
    legal_basis: str


class QuizRule(_Model):
    pool: Pool
    items: int = Field(ge=1)
    mastery: float = Field(ge=0, le=1)
    minutes: int = Field(ge=0)


class ModuleSpec(_Model):
    id: Ident
    kind: Literal["orientation", "module", "capstone"]
    minutes: int = Field(ge=1)
    lessons: list[Ident] = Field(min_length=1)
    quiz: QuizRule | None = None
    scenarios: list[Ident] = []


class FinalTest(_Model):
    items: int = Field(ge=1)
    pass_mark: float = Field(gt=0, le=1)
    attempts: int = Field(ge=1)
    minutes: int = Field(ge=1)


class CourseManifest(_Model):
    id: Ident
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    language: str
    languages: list[str] = Field(min_length=1)
    layout: Layout
    countries: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]]
    min_lesson_words: int = Field(ge=0)
    modules: list[ModuleSpec] = Field(min_length=1)
    final_test: FinalTest


class ModuleStrings(_Model):
    title: Text
    summary: Text


class CourseStrings(_Model):
    language: str
    title: Text
    description: Text
    audience: Text
    objectives: list[Text] = Field(min_length=1)
    modules: dict[str, ModuleStrings]
    legal_basis_empty: Text
    legal_basis_heading: Text
    sections: Sections = Sections()
    translation: TranslationStatus | None = None


# --------------------------------------------------------------------------- lessons


class LessonFront(_Model):
    id: Ident
    title: Text
    minutes: int = Field(ge=1, le=60)
    objectives: list[Text] = Field(min_length=1)
    topics: list[Topic] = Field(min_length=1)
    language: str | None = None
    translation: TranslationStatus | None = None


class LegalBasisFront(_Model):
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    status: Literal["empty", "draft", "published"]
    updated: str | None = None
    reviewed_by: str | None = None
    translation: TranslationStatus | None = None


# --------------------------------------------------------------------------- items


class Option(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    text: Text
    explanation: Text


class Target(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    text: Text


class Item(_Model):
    id: Ident
    module: Ident
    topic: Topic
    type: ItemType
    pools: list[Pool] = Field(min_length=1)
    stem: Text
    options: list[Option] = Field(min_length=2)
    targets: list[Target] | None = None
    correct: list[str] | dict[str, str]


class ItemFile(_Model):
    translation: TranslationStatus | None = None
    items: list[Item] = Field(min_length=1)


# --------------------------------------------------------------------------- scenarios


class Condition(_Model):
    flag: str | None = None
    not_flag: str | None = None
    variable: str | None = None
    below: int | None = None
    at_least: int | None = None


class Route(_Model):
    when: Condition | None = None
    to: Ident


class Choice(_Model):
    id: Ident
    text: Text
    feedback: Text
    score: int = 0
    effects: dict[str, int] = {}
    set_flags: list[str] = []
    next: Ident | list[Route]


class Node(_Model):
    id: Ident
    text: Text
    choices: list[Choice] = []
    end: bool = False
    outcome: Literal["success", "partial", "failure"] | None = None
    debrief: str | None = None


class Variable(_Model):
    label: Text
    initial: int
    min: int
    max: int


class Scenario(_Model):
    id: Ident
    title: Text
    module: Ident
    topics: list[Topic] = Field(min_length=1)
    objectives: list[Text] = Field(min_length=1)
    setting: Text
    variables: dict[str, Variable] = {}
    flags: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]] = []
    start: Ident
    max_score: int = Field(ge=1)
    pass_score: int = Field(ge=0)
    nodes: list[Node] = Field(min_length=2)
    debrief: list[Text] = Field(min_length=1)
    translation: TranslationStatus | None = None


# --------------------------------------------------------------------------- checklist


class ChecklistSection(_Model):
    heading: Text
    lines: list[Text] = Field(min_length=1)


class ChecklistPage(_Model):
    id: Ident
    title: Text
    sections: list[ChecklistSection] = Field(min_length=1)


class Checklist(_Model):
    translation: TranslationStatus | None = None
    title: Text
    footer: Text
    pages: list[ChecklistPage] = Field(min_length=1)


# =========================================================================== YAML with lines


class Source:
    """A parsed YAML document (or front matter) that remembers the line of every field."""

    def __init__(self, rel: str, data: Any, lines: dict[Loc, int]) -> None:
        self.rel = rel
        self.data = data
        self.lines = lines

    def line(self, loc: Iterable[str | int]) -> int:
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def problem(self, loc: Iterable[str | int], message: str) -> Problem:
        loc = tuple(loc)
        return Problem(self.rel, self.line(loc), field_name(loc), message)


def field_name(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _line_map(text: str, offset: int) -> dict[Loc, int]:
    lines: dict[Loc, int] = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)

    def walk(node: yaml.Node, path: Loc) -> None:
        lines.setdefault(path, node.start_mark.line + 1 + offset)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*path, str(key.value))] = key.start_mark.line + 1 + offset
                walk(value, (*path, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                walk(value, (*path, index))

    if root is not None:
        walk(root, ())
    return lines


def parse_yaml(text: str, rel: str, offset: int = 0) -> tuple[Source | None, list[Problem]]:
    try:
        data = yaml.safe_load(text)
        lines = _line_map(text, offset)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1 + offset) if mark is not None else 0
        return None, [Problem(rel, line, "", f"invalid YAML: {exc}")]
    return Source(rel, data, lines), []


_UNION_TAG = re.compile(r"^(str|int|constrained-str|function-\w+|.*\[.*\])$")


def _clean_loc(loc: Iterable[str | int]) -> Loc:
    """Drop the union-member tags pydantic puts in a location (``list[str]``, ``str``)."""
    return tuple(p for p in loc if isinstance(p, int) or not _UNION_TAG.match(p))


def validate(model: type[M], source: Source, base: Loc = ()) -> tuple[M | None, list[Problem]]:
    data = source.data
    for part in base:
        data = data[part]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = [
            source.problem((*base, *_clean_loc(err["loc"])), err["msg"]) for err in exc.errors()
        ]
        return None, problems


# =========================================================================== Markdown


FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
COMMENT = re.compile(r"<!--.*?-->", re.S)
WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['\u2019.-][A-Za-z0-9\u00C0-\u024F]+)*")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$", re.M)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter, body, line number of the body's first line)."""
    match = FRONT.match(text)
    if not match:
        return None, text, 1
    front = match.group(1)
    return front, text[match.end() :], front.count("\n") + 3


def count_words(markdown: str) -> int:
    """Words a learner reads: Markdown syntax, image paths and comments are not counted."""
    text = COMMENT.sub(" ", markdown)
    text = IMAGE.sub(lambda m: " " + m.group(1) + " ", text)
    text = re.sub(r"\]\([^)]*\)", "] ", text)  # link targets
    return len(WORD.findall(text))


class Lesson:
    def __init__(self, rel: str, front: LessonFront, body: str, body_line: int) -> None:
        self.rel = rel
        self.front = front
        self.body = body
        self.body_line = body_line
        self.words = count_words(body)


# =========================================================================== the checker


class CourseCheck:
    """Checks one course directory; ``problems`` and the parsed parts are kept for stats."""

    def __init__(self, course_dir: Path, content_root: Path, language: str | None = None) -> None:
        self.dir = course_dir
        self.root = content_root
        # None: the course's own language. Another language reads each file from its folder
        # when present, else from the course's language (recorded in ``fallbacks``).
        self.language = language
        self.fallbacks: set[str] = set()
        self.translated: dict[str, TranslationStatus | None] = {}
        self.problems: list[Problem] = []
        self.manifest: CourseManifest | None = None
        self.strings: CourseStrings | None = None
        self.lessons: dict[str, list[Lesson]] = {}
        self.items: list[Item] = []
        self.scenarios: list[Scenario] = []
        self.scenario_paths: dict[str, int] = {}
        self.topic_keys: set[str] | None = None
        self.source_sections = Sections()
        self.item_files: dict[str, str] = {}
        self.scenario_files: dict[str, str] = {}

    # ---------------------------------------------------------------- helpers
    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def read(self, path: Path) -> str | None:
        if not path.is_file():
            self.problems.append(Problem(self.rel(path), 0, "", "file is missing"))
            return None
        return path.read_text(encoding="utf-8")

    def load(self, path: Path) -> Source | None:
        text = self.read(path)
        if text is None:
            return None
        source, problems = parse_yaml(text, self.rel(path))
        self.problems += problems
        return source

    @property
    def lang(self) -> str:
        assert self.manifest is not None
        return self.language or self.manifest.language

    @property
    def is_translation(self) -> bool:
        return self.manifest is not None and self.lang != self.manifest.language

    def path(self, template: str, **values: str) -> Path:
        """The file in this check's language, or the source language's when it has none."""
        assert self.manifest is not None
        own = self.dir / template.format(lang=self.lang, **values)
        if not self.is_translation or own.exists():
            return own
        source = self.dir / template.format(lang=self.manifest.language, **values)
        if source.is_file():
            self.fallbacks.add(self.rel(source))
        return source

    def files(self, template: str, pattern: str) -> list[Path]:
        """Files matching ``pattern`` in a folder: the source language's names, each read from
        this check's language when translated (the translation adds no files of its own)."""
        assert self.manifest is not None
        source = self.dir / template.format(lang=self.manifest.language)
        names = sorted(p.name for p in source.glob(pattern))
        if not self.is_translation:
            return [source / name for name in names]
        own = self.dir / template.format(lang=self.lang)
        out = []
        for name in names:
            if (own / name).is_file():
                out.append(own / name)
            else:
                self.fallbacks.add(self.rel(source / name))
                out.append(source / name)
        return out

    def fallback_figure(self, lesson: Path, target: str) -> Path:
        """A translated lesson's figure that its language lacks: the source language's."""
        assert self.manifest is not None
        own = (self.dir / self.lang).resolve()
        wanted = (lesson.parent / target).resolve()
        try:
            inside = wanted.relative_to(own)
        except ValueError:
            return wanted
        return self.dir / self.manifest.language / inside

    def sections_for(self, rel: str) -> Sections:
        """The section titles a lesson file must use: its own language's."""
        if self.is_translation and rel not in self.fallbacks and self.strings is not None:
            return self.strings.sections
        return self.source_sections

    def check_topics(self, source: Source, topics: Iterable[tuple[Loc, str]]) -> None:
        """Report every topic key that is not a key of the taxonomy."""
        if not self.topic_keys:  # missing (reported in run) or broken (its own check reports)
            return
        for loc, topic in topics:
            if topic not in self.topic_keys:
                self.problems.append(
                    source.problem(loc, f"unknown topic {topic!r}: not in {TOPICS_FILE}")
                )

    # ---------------------------------------------------------------- run
    def run(self) -> CourseCheck:
        self.topic_keys = load_topic_keys(self.root)
        if self.topic_keys is None:
            self.problems.append(
                Problem(
                    TOPICS_FILE,
                    0,
                    "",
                    f"file is missing: the topics of {self.rel(self.dir)} cannot be checked",
                )
            )
        source = self.load(self.dir / "course.yaml")
        if source is None:
            return self
        self.manifest, problems = validate(CourseManifest, source)
        self.problems += problems
        if self.manifest is None:
            return self
        self.check_manifest(source, self.manifest)
        if self.is_translation:
            self.source_sections = _source_sections(
                self.dir / self.manifest.layout.strings.format(lang=self.manifest.language)
            )
        self.check_strings()
        if not self.is_translation and self.strings is not None:
            self.source_sections = self.strings.sections
        self.check_lessons()
        self.check_figures()
        self.check_items()
        self.check_scenarios()
        self.check_checklist()
        self.check_legal_basis()
        return self

    def check_manifest(self, source: Source, manifest: CourseManifest) -> None:
        if manifest.language not in manifest.languages:
            self.problems.append(source.problem(("language",), "not among languages"))
        seen: set[str] = set()
        for index, module in enumerate(manifest.modules):
            if module.id in seen:
                self.problems.append(
                    source.problem(("modules", index, "id"), f"duplicate module id {module.id!r}")
                )
            seen.add(module.id)
        kinds = [m.kind for m in manifest.modules]
        if kinds[0] != "orientation" or kinds.count("orientation") != 1:
            self.problems.append(
                source.problem(("modules",), "exactly one orientation, and it comes first")
            )
        if kinds[-1] != "capstone" or kinds.count("capstone") != 1:
            self.problems.append(
                source.problem(("modules",), "exactly one capstone, and it comes last")
            )

    def check_strings(self) -> None:
        assert self.manifest is not None
        source = self.load(self.path(self.manifest.layout.strings))
        if source is None:
            return
        self.strings, problems = validate(CourseStrings, source)
        self.problems += problems
        if self.strings is None:
            return
        path = self.path(self.manifest.layout.strings)
        expected = self.manifest.language if self.rel(path) in self.fallbacks else self.lang
        if self.strings.language != expected:
            self.problems.append(source.problem(("language",), "does not match course.yaml"))
        ids = [m.id for m in self.manifest.modules]
        for module_id in ids:
            if module_id not in self.strings.modules:
                self.problems.append(source.problem(("modules",), f"no strings for {module_id!r}"))
        for module_id in self.strings.modules:
            if module_id not in ids:
                self.problems.append(
                    source.problem(("modules", module_id), "module not in course.yaml")
                )

    # ---------------------------------------------------------------- lessons
    def check_lessons(self) -> None:
        assert self.manifest is not None
        lesson_ids: set[str] = set()
        slots: list[str] = []
        broken = False  # a lesson that did not parse: course-wide totals would mislead
        for module in self.manifest.modules:
            lessons: list[Lesson] = []
            for lesson_id in module.lessons:
                path = self.path(self.manifest.layout.lessons, module=module.id, lesson=lesson_id)
                lesson = self.check_lesson(path, lesson_id)
                if lesson is None:
                    broken = True
                    continue
                if lesson_id in lesson_ids:
                    self.problems.append(
                        Problem(lesson.rel, 2, "id", f"duplicate lesson id {lesson_id!r}")
                    )
                lesson_ids.add(lesson_id)
                if LEGAL_SLOT in lesson.body:
                    slots.append(lesson.rel)
                lessons.append(lesson)
            self.lessons[module.id] = lessons
            lesson_minutes = sum(lesson.front.minutes for lesson in lessons)
            other = (module.quiz.minutes if module.quiz else 0) + 15 * len(module.scenarios)
            if lessons and module.minutes < lesson_minutes + other:
                self.problems.append(
                    Problem(
                        self.rel(self.dir / "course.yaml"),
                        0,
                        f"modules.{module.id}.minutes",
                        f"{module.minutes} is less than lessons ({lesson_minutes}), quiz and "
                        f"scenarios ({other})",
                    )
                )
        if broken:
            return
        if self.is_translation:
            return  # word counts and the slot are the source language's checks
        if self.manifest.countries and len(slots) != 1:
            self.problems.append(
                Problem(
                    self.rel(self.dir / "course.yaml"),
                    0,
                    "countries",
                    f"exactly one lesson must hold {LEGAL_SLOT} (found {len(slots)})",
                )
            )
        total = sum(lesson.words for lessons in self.lessons.values() for lesson in lessons)
        if total < self.manifest.min_lesson_words:
            self.problems.append(
                Problem(
                    self.rel(self.dir / "course.yaml"),
                    0,
                    "min_lesson_words",
                    f"lessons hold {total} words, fewer than {self.manifest.min_lesson_words}",
                )
            )

    def check_lesson(self, path: Path, lesson_id: str) -> Lesson | None:
        text = self.read(path)
        if text is None:
            return None
        rel = self.rel(path)
        front_text, body, body_line = split_front_matter(text)
        if front_text is None:
            self.problems.append(Problem(rel, 1, "front matter", "missing (--- ... ---)"))
            return None
        source, problems = parse_yaml(front_text, rel, offset=1)
        self.problems += problems
        if source is None:
            return None
        if not isinstance(source.data, dict):
            self.problems.append(Problem(rel, 2, "front matter", "must be a mapping"))
            return None
        front, problems = validate(LessonFront, source)
        self.problems += problems
        if front is None:
            return None
        if front.id != lesson_id:
            self.problems.append(source.problem(("id",), f"must be {lesson_id!r}, the file name"))
        self.check_topics(source, ((("topics", t), topic) for t, topic in enumerate(front.topics)))
        headings = [m.group(2) for m in HEADING.finditer(body)]
        sections = self.sections_for(rel)
        for section in (sections.key_points, sections.summary):
            if section not in headings:
                self.problems.append(
                    Problem(rel, body_line, f"sections.{section}", f"no '## {section}' heading")
                )
        lesson = Lesson(rel, front, body, body_line)
        if not self.is_translation and lesson.words < MIN_LESSON_WORDS:
            self.problems.append(
                Problem(rel, body_line, "body", f"{lesson.words} words, fewer than 200")
            )
        for number, line in enumerate(body.splitlines(), start=body_line):
            for match in IMAGE.finditer(line):
                alt, target = match.group(1).strip(), match.group(2)
                if not alt:
                    self.problems.append(Problem(rel, number, "figure.alt", "alt text is empty"))
                figure = (path.parent / target).resolve()
                if not figure.is_file() and self.is_translation:
                    figure = self.fallback_figure(path, target)
                if not figure.is_file():
                    self.problems.append(
                        Problem(rel, number, "figure.src", f"{target} does not exist")
                    )
        return lesson

    def check_figures(self) -> None:
        assert self.manifest is not None
        for svg in self.files(self.manifest.layout.figures, "*.svg"):
            self.problems += check_svg(svg, self.rel(svg))

    # ---------------------------------------------------------------- items
    def check_items(self) -> None:
        assert self.manifest is not None
        modules = {m.id: m for m in self.manifest.modules}
        seen: dict[str, str] = {}
        folder = self.path(self.manifest.layout.items)
        files = self.files(self.manifest.layout.items, "*.yaml")
        broken = False  # an item file that did not parse: pool sizes would mislead
        if not files:
            self.problems.append(Problem(self.rel(folder), 0, "", "no item files"))
        for path in files:
            source = self.load(path)
            if source is None:
                continue
            parsed, problems = validate(ItemFile, source)
            self.problems += problems
            if parsed is None:
                broken = True
                continue
            for index, item in enumerate(parsed.items):
                base: Loc = ("items", index)
                if item.id in seen:
                    self.problems.append(
                        source.problem(
                            (*base, "id"), f"duplicate item id (also in {seen[item.id]})"
                        )
                    )
                seen[item.id] = source.rel
                self.item_files[item.id] = source.rel
                if item.module not in modules:
                    self.problems.append(source.problem((*base, "module"), "unknown module"))
                self.check_topics(source, [((*base, "topic"), item.topic)])
                self.problems += check_item(item, source, base)
                self.items.append(item)
        if not broken:
            self.check_pools()

    def check_pools(self) -> None:
        assert self.manifest is not None
        where = self.rel(self.dir / "course.yaml")
        for module in self.manifest.modules:
            if module.quiz is None:
                continue
            pool = [i for i in self.items if module.quiz.pool in i.pools]
            if module.quiz.pool == "module-quiz":
                pool = [i for i in pool if i.module == module.id]
            if len(pool) < module.quiz.items:
                self.problems.append(
                    Problem(
                        where,
                        0,
                        f"modules.{module.id}.quiz.items",
                        f"{module.quiz.items} asked but the {module.quiz.pool} pool holds "
                        f"{len(pool)}",
                    )
                )
        final = [i for i in self.items if "final-test" in i.pools]
        if len(final) < self.manifest.final_test.items:
            self.problems.append(
                Problem(
                    where,
                    0,
                    "final_test.items",
                    f"{self.manifest.final_test.items} asked but the pool holds {len(final)}",
                )
            )

    # ---------------------------------------------------------------- scenarios
    def check_scenarios(self) -> None:
        assert self.manifest is not None
        listed = {s: m.id for m in self.manifest.modules for s in m.scenarios}
        found: set[str] = set()
        for path in self.files(self.manifest.layout.scenarios, "*.yaml"):
            found.add(path.stem)  # a file that does not validate is reported as itself
            source = self.load(path)
            if source is None:
                continue
            scenario, problems = validate(Scenario, source)
            self.problems += problems
            if scenario is None:
                continue
            if scenario.id != path.stem:
                self.problems.append(source.problem(("id",), "must match the file name"))
            self.check_topics(
                source, ((("topics", t), topic) for t, topic in enumerate(scenario.topics))
            )
            if scenario.id not in listed:
                self.problems.append(
                    source.problem(("id",), "scenario is not listed by any module")
                )
            elif listed[scenario.id] != scenario.module:
                self.problems.append(
                    source.problem(("module",), f"listed under {listed[scenario.id]!r}")
                )
            problems, paths = check_scenario(scenario, source)
            self.problems += problems
            self.scenario_paths[scenario.id] = paths
            self.scenario_files[scenario.id] = source.rel
            self.scenarios.append(scenario)
        for scenario_id, module_id in listed.items():
            if scenario_id not in found:
                self.problems.append(
                    Problem(
                        self.rel(self.dir / "course.yaml"),
                        0,
                        f"modules.{module_id}.scenarios",
                        f"scenario {scenario_id!r} has no file",
                    )
                )

    # ---------------------------------------------------------------- checklist
    def check_checklist(self) -> None:
        assert self.manifest is not None
        source = self.load(self.path(self.manifest.layout.checklist))
        if source is None:
            return
        checklist, problems = validate(Checklist, source)
        self.problems += problems
        if checklist is None:
            return
        ids = [p.id for p in checklist.pages]
        for required in CHECKLIST_PAGES:
            if required not in ids:
                self.problems.append(source.problem(("pages",), f"no {required!r} page"))
        for p, page in enumerate(checklist.pages):
            count = sum(len(s.lines) + 1 for s in page.sections)
            if count > CHECKLIST_MAX_LINES:
                self.problems.append(
                    source.problem(
                        ("pages", p), f"{count} lines will not fit one page ({CHECKLIST_MAX_LINES})"
                    )
                )
            for s, section in enumerate(page.sections):
                for n, line in enumerate(section.lines):
                    if len(line) > CHECKLIST_MAX_LINE:
                        self.problems.append(
                            source.problem(
                                ("pages", p, "sections", s, "lines", n),
                                f"{len(line)} characters, more than {CHECKLIST_MAX_LINE}",
                            )
                        )

    # ---------------------------------------------------------------- legal basis
    def check_legal_basis(self) -> None:
        assert self.manifest is not None
        template = self.manifest.layout.legal_basis
        for country in self.manifest.countries:
            path = self.path(template, country=country)
            text = self.read(path)
            if text is None:
                continue
            rel = self.rel(path)
            front_text, body, body_line = split_front_matter(text)
            if front_text is None:
                self.problems.append(Problem(rel, 1, "front matter", "missing (--- ... ---)"))
                continue
            source, problems = parse_yaml(front_text, rel, offset=1)
            self.problems += problems
            if source is None:
                continue
            front, problems = validate(LegalBasisFront, source)
            self.problems += problems
            if front is None:
                continue
            if front.country != country:
                self.problems.append(source.problem(("country",), f"must be {country!r}"))
            if front.status == "empty" and body.strip():
                self.problems.append(
                    Problem(rel, body_line, "body", "status is empty but the body is not")
                )
            if front.status != "empty" and not body.strip():
                self.problems.append(
                    source.problem(("status",), f"{front.status!r} but the body is empty")
                )


# =========================================================================== pure checks


def _source_sections(path: Path) -> Sections:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Sections.model_validate((data or {}).get("sections") or {})
    except (OSError, yaml.YAMLError, ValidationError, AttributeError):
        return Sections()


def check_item(item: Item, source: Source, base: Loc) -> list[Problem]:
    problems: list[Problem] = []
    ids = [o.id for o in item.options]
    for index, count in enumerate(Counter(ids).values()):
        if count > 1:
            problems.append(source.problem((*base, "options", index, "id"), "duplicate option id"))
    option_ids = set(ids)
    where = (*base, "correct")
    if item.type == "matching":
        if not item.targets:
            return [*problems, source.problem((*base, "targets"), "matching needs targets")]
        if not isinstance(item.correct, dict):
            return [*problems, source.problem(where, "matching needs a mapping option -> target")]
        target_ids = {t.id for t in item.targets}
        for option_id in ids:
            if option_id not in item.correct:
                problems.append(source.problem(where, f"option {option_id!r} is not paired"))
        for option_id, target_id in item.correct.items():
            if option_id not in option_ids:
                problems.append(source.problem((*where, option_id), "no such option"))
            if target_id not in target_ids:
                problems.append(source.problem((*where, option_id), f"no target {target_id!r}"))
        return problems
    if item.targets is not None:
        problems.append(source.problem((*base, "targets"), "only matching items have targets"))
    if not isinstance(item.correct, list):
        return [*problems, source.problem(where, "must be a list of option ids")]
    for index, option_id in enumerate(item.correct):
        if option_id not in option_ids:
            problems.append(source.problem((*where, index), f"no option {option_id!r}"))
    if len(set(item.correct)) != len(item.correct):
        problems.append(source.problem(where, "an option id is repeated"))
    if item.type in ("single", "true_false") and len(item.correct) != 1:
        problems.append(source.problem(where, "exactly one correct option"))
    if item.type == "true_false" and option_ids != {"true", "false"}:
        problems.append(source.problem((*base, "options"), "options must be 'true' and 'false'"))
    if item.type == "multiple" and not 1 <= len(set(item.correct)) < len(option_ids):
        problems.append(source.problem(where, "at least one option right and one wrong"))
    if item.type == "ordering" and sorted(item.correct) != sorted(ids):
        problems.append(source.problem(where, "must be a permutation of the option ids"))
    return problems


def check_scenario(scenario: Scenario, source: Source) -> tuple[list[Problem], int]:
    """Graph and score checks; returns the problems and the number of distinct paths."""
    problems: list[Problem] = []
    nodes: dict[str, Node] = {}
    index_of: dict[str, int] = {}
    for n, node in enumerate(scenario.nodes):
        if node.id in nodes:
            problems.append(source.problem(("nodes", n, "id"), "duplicate node id"))
        nodes[node.id] = node
        index_of[node.id] = n
    if scenario.start not in nodes:
        problems.append(source.problem(("start",), f"no node {scenario.start!r}"))
    if scenario.pass_score > scenario.max_score:
        problems.append(source.problem(("pass_score",), "greater than max_score"))
    for name, spec in scenario.variables.items():
        if not spec.min <= spec.initial <= spec.max:
            problems.append(source.problem(("variables", name), "initial outside min..max"))
    flags = set(scenario.flags)

    def check_condition(cond: Condition, loc: Loc) -> None:
        for flag in (cond.flag, cond.not_flag):
            if flag is not None and flag not in flags:
                problems.append(source.problem(loc, f"undeclared flag {flag!r}"))
        if cond.variable is not None:
            if cond.variable not in scenario.variables:
                problems.append(source.problem(loc, f"undeclared variable {cond.variable!r}"))
            if (cond.below is None) == (cond.at_least is None):
                problems.append(source.problem(loc, "a variable needs below or at_least"))
        elif cond.below is not None or cond.at_least is not None:
            problems.append(source.problem(loc, "below/at_least without a variable"))
        if cond.flag is None and cond.not_flag is None and cond.variable is None:
            problems.append(source.problem(loc, "empty condition"))

    for n, node in enumerate(scenario.nodes):
        loc: Loc = ("nodes", n)
        if node.end:
            if node.choices:
                problems.append(source.problem((*loc, "choices"), "an end node has no choices"))
            if not (node.debrief or "").strip():
                problems.append(source.problem((*loc, "debrief"), "an end node needs a debrief"))
            if node.outcome is None:
                problems.append(source.problem((*loc, "outcome"), "an end node needs an outcome"))
            continue
        if not node.choices:
            problems.append(source.problem((*loc, "choices"), "dead end: no choices, not an end"))
        choice_ids = [c.id for c in node.choices]
        if len(set(choice_ids)) != len(choice_ids):
            problems.append(source.problem((*loc, "choices"), "duplicate choice id"))
        for c, choice in enumerate(node.choices):
            cloc: Loc = (*loc, "choices", c)
            for var in choice.effects:
                if var not in scenario.variables:
                    problems.append(source.problem((*cloc, "effects", var), "undeclared variable"))
            for f, flag in enumerate(choice.set_flags):
                if flag not in flags:
                    problems.append(source.problem((*cloc, "set_flags", f), "undeclared flag"))
            routes = [Route(to=choice.next)] if isinstance(choice.next, str) else choice.next
            if not routes:
                problems.append(source.problem((*cloc, "next"), "no route"))
            for r, route in enumerate(routes):
                rloc: Loc = (*cloc, "next") if isinstance(choice.next, str) else (*cloc, "next", r)
                if route.to not in nodes:
                    problems.append(source.problem(rloc, f"unknown target {route.to!r}"))
                if route.when is not None:
                    check_condition(route.when, (*rloc, "when"))
            if routes and routes[-1].when is not None:
                problems.append(
                    source.problem((*cloc, "next"), "the last route must have no condition")
                )
    if problems:
        return problems, 0

    # Cycles make paths that never end.
    state: dict[str, int] = {}

    def targets(node: Node) -> list[str]:
        out: list[str] = []
        for choice in node.choices:
            if isinstance(choice.next, str):
                out.append(choice.next)
            else:
                out += [route.to for route in choice.next]
        return out

    def visit(node_id: str, trail: list[str]) -> bool:
        state[node_id] = 1
        for target in targets(nodes[node_id]):
            if state.get(target) == 1:
                cycle = " -> ".join([*trail[trail.index(target) :], target])
                problems.append(
                    source.problem(("nodes", index_of[node_id]), f"cycle, path never ends: {cycle}")
                )
                return False
            if state.get(target) is None and not visit(target, [*trail, target]):
                return False
        state[node_id] = 2
        return True

    if not visit(scenario.start, [scenario.start]):
        return problems, 0

    # Walk every path with its state, so conditions and scores are checked as played.
    reached: set[str] = set()
    ends: list[tuple[str, int]] = []
    overflow = False

    def passes(cond: Condition, values: dict[str, int], set_flags: frozenset[str]) -> bool:
        if cond.flag is not None and cond.flag not in set_flags:
            return False
        if cond.not_flag is not None and cond.not_flag in set_flags:
            return False
        if cond.variable is not None:
            value = values[cond.variable]
            if cond.below is not None and not value < cond.below:
                return False
            if cond.at_least is not None and not value >= cond.at_least:
                return False
        return True

    def walk(node_id: str, score: int, values: dict[str, int], set_flags: frozenset[str]) -> None:
        nonlocal overflow
        if overflow:
            return
        reached.add(node_id)
        node = nodes[node_id]
        if node.end:
            ends.append((node_id, score))
            if len(ends) > MAX_SCENARIO_PATHS:
                overflow = True
            return
        for choice in node.choices:
            new_values = dict(values)
            for var, delta in choice.effects.items():
                spec = scenario.variables[var]
                new_values[var] = max(spec.min, min(spec.max, new_values[var] + delta))
            new_flags = set_flags | frozenset(choice.set_flags)
            if isinstance(choice.next, str):
                target = choice.next
            else:
                target = next(
                    r.to
                    for r in choice.next
                    if r.when is None or passes(r.when, new_values, new_flags)
                )
            walk(target, score + choice.score, new_values, new_flags)

    initial = {name: var.initial for name, var in scenario.variables.items()}
    walk(scenario.start, 0, initial, frozenset())
    if overflow:
        problems.append(source.problem(("nodes",), f"more than {MAX_SCENARIO_PATHS} paths"))
        return problems, len(ends)
    for node in scenario.nodes:
        if node.id not in reached:
            problems.append(
                source.problem(("nodes", index_of[node.id], "id"), "not reachable from start")
            )
    scores = [score for _, score in ends]
    for node_id, score in ends:
        if not 0 <= score <= scenario.max_score:
            problems.append(
                source.problem(
                    ("nodes", index_of[node_id]),
                    f"a path ends here with score {score}, outside 0..{scenario.max_score}",
                )
            )
    if scores and max(scores) != scenario.max_score:
        problems.append(
            source.problem(
                ("max_score",), f"the best path scores {max(scores)}, not {scenario.max_score}"
            )
        )
    if not any(nodes[node_id].outcome == "success" for node_id, _ in ends):
        problems.append(source.problem(("nodes",), "no path reaches a success ending"))
    return problems, len(ends)


def check_svg(path: Path, rel: str) -> list[Problem]:
    """Well-formed, accessible SVG: a title and desc, text kept as text."""
    try:
        tree = ET.parse(path)  # noqa: S314 - our own repository files
    except ET.ParseError as exc:
        return [Problem(rel, exc.position[0], "", f"not well-formed XML: {exc}")]
    root = tree.getroot()
    ns = "{http://www.w3.org/2000/svg}"
    problems: list[Problem] = []
    if root.tag != f"{ns}svg":
        problems.append(Problem(rel, 1, "svg", "root element is not an SVG <svg>"))
        return problems
    for child in ("title", "desc"):
        element = root.find(f"{ns}{child}")
        if element is None or not (element.text or "").strip():
            problems.append(Problem(rel, 1, child, f"the <svg> needs a non-empty <{child}>"))
    if root.get("role") != "img":
        problems.append(Problem(rel, 1, "role", 'the <svg> needs role="img"'))
    if not root.get("viewBox"):
        problems.append(Problem(rel, 1, "viewBox", "needed to scale on phones"))
    if root.find(f".//{ns}text") is None:
        problems.append(Problem(rel, 1, "text", "no <text>: labels must stay text"))
    return problems


# =========================================================================== public API


def check_course(course_dir: Path, content_root: Path) -> list[Problem]:
    return sorted(CourseCheck(course_dir, content_root).run().problems)


def check_courses(root: Path) -> list[Problem]:
    """Every problem in every course under ``root/courses`` (``root`` is content/)."""
    problems: list[Problem] = []
    courses = root / "courses"
    if not courses.is_dir():
        return problems
    for course_dir in sorted(p for p in courses.iterdir() if p.is_dir()):
        problems += check_course(course_dir, root)
    return sorted(problems)


def course_stats(course_dir: Path) -> dict[str, Any]:
    """Modules, minutes, words, items by type and scenarios of one course."""
    check = CourseCheck(course_dir, course_dir.parent.parent).run()
    manifest = check.manifest
    modules: list[dict[str, Any]] = []
    if manifest is not None:
        for module in manifest.modules:
            lessons = check.lessons.get(module.id, [])
            title = (
                check.strings.modules[module.id].title
                if check.strings and module.id in check.strings.modules
                else module.id
            )
            modules.append(
                {
                    "id": module.id,
                    "kind": module.kind,
                    "title": title,
                    "minutes": module.minutes,
                    "lessons": len(lessons),
                    "words": sum(lesson.words for lesson in lessons),
                    "items": sum(1 for i in check.items if i.module == module.id),
                    "scenarios": len(module.scenarios),
                }
            )
    by_type = {t: sum(1 for i in check.items if i.type == t) for t in ITEM_TYPES}
    by_pool = {
        p: sum(1 for i in check.items if p in i.pools)
        for p in ("pre-test", "module-quiz", "final-test")
    }
    return {
        "id": manifest.id if manifest else course_dir.name,
        "modules": modules,
        "minutes": sum(m["minutes"] for m in modules),
        "words": sum(m["words"] for m in modules),
        "items": len(check.items),
        "items_by_type": by_type,
        "items_by_pool": by_pool,
        "scenarios": len(check.scenarios),
        "scenario_paths": dict(check.scenario_paths),
        "problems": len(check.problems),
    }
