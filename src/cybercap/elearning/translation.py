"""Translations of a course: status blocks, coverage, and the checks against the English files.

A translation is a sibling folder of ``en/`` (``id/``, ``th/``, ``vi/``, ...) holding files with
exactly the English relative paths; a file it lacks falls back to English. Every translated
file carries a status block (``translation: {status, translator, reviewer, reviewed_on,
source}``) whose ``source`` is the first 12 hex digits of the sha256 of the English file it
translates: when English changes, the translation is *outdated*.

What ``cybercap content check`` reports per language (the errors fail the check):

- errors: a missing or invalid status block; YAML whose keys, list lengths or identifiers
  (ids, correct answers, next pointers, scores, ...) differ from English; Markdown whose
  headings, paragraphs, list items, table rows, images or legal-basis slot differ; placeholders
  that differ; a learner-visible string identical to English (names, numbers, codes and terms
  the glossary keeps are allowed);
- reported, not errors: coverage (files and English words translated, per module), outdated
  files (English changed since; they count as not covered), glossary warnings (a term the
  English segment uses that the translated segment does not render as the glossary says: a
  heuristic, since English words can mean something else in context). ``--require-complete
  LANG`` turns coverage below 100 % for LANG (outdated files included) and its glossary
  warnings into errors.

Pure Python (no Django import), like the rest of the content kit.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from pydantic import ValidationError

from cybercap.core.contentkit import Problem
from cybercap.core.glossary import Glossary, load_glossary, term_usage
from cybercap.elearning import course_schema as cs

# Keys whose string values a translator translates; every other scalar stays as in English.
TRANSLATABLE = frozenset(
    {
        "title", "description", "audience", "objectives", "summary", "text", "explanation",
        "stem", "feedback", "setting", "debrief", "label", "heading", "lines", "footer",
        "legal_basis_heading", "legal_basis_empty", "key_points", "name",
    }
)  # fmt: skip
STATUS_KEY = "translation"
SVG_STATUS = re.compile(r"<svg\b[^>]*>\s*<!--\s*translation:\s*(\{.*?\})\s*-->", re.S)
SVG_TEXT = re.compile(r"<(title|desc|text|tspan)\b[^>]*>([^<]+)(?=<)", re.S)
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{[a-z_][a-z0-9_]*\}|%\([a-z_]+\)[sd]|<!--.*?-->", re.S)
MD = MarkdownIt("commonmark").enable("table")
LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]{2,}")


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


# =========================================================================== status


@dataclass
class FileStatus:
    rel: str  # path inside the language folder, e.g. "modules/m3-scene/m3-securing-the-scene.md"
    module: str  # the module it belongs to, or "course" for course-wide files
    words: int  # learner-visible English words in the English file
    translated: bool = False
    status: str | None = None  # draft / reviewed, None when missing or invalid
    reviewer: str | None = None
    reviewed_on: str | None = None
    outdated: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return self.translated and self.status is not None and not self.outdated


def read_status(path: Path, rel: str) -> tuple[cs.TranslationStatus | None, list[Problem]]:
    """The status block of a translated file, or the problem with it."""
    text = path.read_text(encoding="utf-8")
    raw: Any = None
    line = 1
    if path.suffix == ".svg":
        match = SVG_STATUS.search(text)
        if match is None:
            return None, [Problem(rel, 1, STATUS_KEY, "no <!-- translation: {...} --> after <svg>")]
        line = text[: match.start(1)].count("\n") + 1
        try:
            raw = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            return None, [Problem(rel, line, STATUS_KEY, f"invalid YAML: {exc}")]
    else:
        if path.suffix == ".md":
            front, _body, _line = cs.split_front_matter(text)
            if front is None:
                return None, [Problem(rel, 1, "front matter", "missing (--- ... ---)")]
            text, line = front, 2
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return None, []  # the file's own check reports invalid YAML
        if not isinstance(data, dict) or STATUS_KEY not in data:
            return None, [Problem(rel, line, STATUS_KEY, "no translation status block")]
        if path.suffix == ".yaml" and next(iter(data)) != STATUS_KEY:
            return None, [Problem(rel, line, STATUS_KEY, "must be the first key of the file")]
        raw = data[STATUS_KEY]
    try:
        return cs.TranslationStatus.model_validate(raw), []
    except ValidationError as exc:
        return None, [
            Problem(rel, line, f"{STATUS_KEY}.{'.'.join(map(str, e['loc']))}".rstrip("."), e["msg"])
            for e in exc.errors()
        ]


# =========================================================================== coverage


def _module_of(rel: str, scenario_modules: dict[str, str]) -> str:
    parts = rel.split("/")
    if parts[0] == "modules" and len(parts) == 3:
        return parts[1]
    if parts[0] == "items":
        return Path(parts[1]).stem
    if parts[0] == "scenarios":
        return scenario_modules.get(Path(parts[1]).stem, "course")
    return "course"


def english_files(course_dir: Path, source: str = "en") -> list[Path]:
    folder = course_dir / source
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix in {".yaml", ".md", ".svg"}
    )


def _strings(data: Any, key: str = "") -> Iterator[str]:
    """The translatable strings of parsed YAML, in document order."""
    if isinstance(data, dict):
        for k, value in data.items():
            if k != STATUS_KEY:
                yield from _strings(value, str(k))
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value, key)
    elif isinstance(data, str) and key in TRANSLATABLE:
        yield data


def visible_words(path: Path) -> int:
    """Learner-visible words of an English file (what a translator translates)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".svg":
        return sum(len(cs.WORD.findall(m.group(2))) for m in SVG_TEXT.finditer(text))
    if path.suffix == ".md":
        front, body, _line = cs.split_front_matter(text)
        words = cs.count_words(body)
        try:
            data = yaml.safe_load(front or "") or {}
        except yaml.YAMLError:
            data = {}
        return words + sum(len(cs.WORD.findall(s)) for s in _strings(data))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return 0
    return sum(len(cs.WORD.findall(s)) for s in _strings(data))


def _scenario_modules(course_dir: Path) -> dict[str, str]:
    try:
        manifest = yaml.safe_load((course_dir / "course.yaml").read_text(encoding="utf-8"))
        return {s: m["id"] for m in manifest.get("modules", []) for s in m.get("scenarios", [])}
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError):
        return {}


def course_languages(course_dir: Path) -> tuple[str, list[str]]:
    """(source language, the other languages course.yaml lists)."""
    try:
        manifest = yaml.safe_load((course_dir / "course.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return "en", []
    source = str(manifest.get("language") or "en")
    return source, [str(x) for x in manifest.get("languages") or [] if x != source]


def file_statuses(course_dir: Path, language: str) -> list[FileStatus]:
    """One row per English file: is it translated, how, and is it current."""
    source, _others = course_languages(course_dir)
    base = course_dir / source
    scenarios = _scenario_modules(course_dir)
    rows = []
    for path in english_files(course_dir, source):
        rel = path.relative_to(base).as_posix()
        row = FileStatus(rel, _module_of(rel, scenarios), visible_words(path))
        own = course_dir / language / rel
        if own.is_file():
            row.translated = True
            where = f"{course_dir.name}/{language}/{rel}"
            status, row.problems = read_status(own, f"courses/{where}")
            if status is not None:
                row.status = status.status
                row.reviewer = status.reviewer
                row.reviewed_on = status.reviewed_on.isoformat() if status.reviewed_on else None
                row.outdated = status.source != source_hash(path)
        rows.append(row)
    return rows


@dataclass
class Coverage:
    module: str
    files: int = 0
    translated: int = 0  # current translations (outdated ones excluded)
    draft: int = 0
    reviewed: int = 0
    outdated: int = 0
    words: int = 0
    words_translated: int = 0
    reviewers: set[str] = field(default_factory=set)

    @property
    def percent(self) -> int:
        return 100 if not self.words else int(100 * self.words_translated / self.words)


def coverage(rows: list[FileStatus]) -> list[Coverage]:
    """Coverage per module (in file order, "course" first) and a last "all" row."""
    by: dict[str, Coverage] = {"course": Coverage("course")}
    total = Coverage("all")
    for row in rows:
        for cov in (by.setdefault(row.module, Coverage(row.module)), total):
            cov.files += 1
            cov.words += row.words
            if row.current:
                cov.translated += 1
                cov.words_translated += row.words
            if row.translated and row.status == "draft":
                cov.draft += 1
            if row.translated and row.status == "reviewed":
                cov.reviewed += 1
                if row.reviewer:
                    cov.reviewers.add(f"{row.reviewer} ({row.reviewed_on})")
            if row.outdated:
                cov.outdated += 1
    return [*by.values(), total]


def language_state(rows: list[FileStatus]) -> str:
    """ "reviewed" when every translated file is reviewed and current, else "draft"."""
    translated = [r for r in rows if r.translated]
    if translated and all(r.status == "reviewed" and not r.outdated for r in translated):
        return "reviewed"
    return "draft"


# =========================================================================== comparisons


@dataclass
class Context:
    rel: str
    language: str
    glossary: Glossary | None
    kept: tuple[str, ...]
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, where: str, message: str) -> None:
        self.problems.append(Problem(self.rel, line, where, message))


def _exempt(text: str, kept: tuple[str, ...]) -> bool:
    """Names, numbers, codes and kept glossary terms may stay as in English."""
    rest = PLACEHOLDER.sub(" ", text)
    for term in kept:
        rest = re.sub(re.escape(term), " ", rest, flags=re.I)
    for word in LATIN_WORD.findall(rest):
        if not (word.isupper() or (word[0].isupper() and len(rest.split()) <= 3)):
            return False
    return True


def compare_segment(ctx: Context, line: int, where: str, en: str, tr: str) -> None:
    """One English segment and its translation: not left in English, glossary terms, and the
    same placeholders."""
    if en.strip() == tr.strip() and not _exempt(en, ctx.kept):
        ctx.add(line, where, f"identical to English: {en.strip()[:60]!r}")
        return
    if Counter(PLACEHOLDER.findall(en)) != Counter(PLACEHOLDER.findall(tr)):
        ctx.add(line, where, "placeholders differ from English")
    if ctx.glossary is None:
        return
    for use in term_usage(ctx.glossary, en, tr):
        if not use.found:
            ctx.add(
                line,
                where,
                f"glossary: English uses {use.en!r}; expected {' / '.join(use.expected)}",
            )


def compare_yaml(ctx: Context, en: Any, tr: Any, source: cs.Source, loc: cs.Loc = ()) -> None:
    where = cs.field_name(loc)
    line = source.line(loc)
    key = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if isinstance(en, dict):
        if not isinstance(tr, dict):
            ctx.add(line, where, "must be a mapping, as in English")
            return
        en_keys = [k for k in en if not (k == STATUS_KEY and not loc)]
        tr_keys = [k for k in tr if not (k == STATUS_KEY and not loc)]
        if en_keys != tr_keys:
            missing = [k for k in en_keys if k not in tr_keys]
            extra = [k for k in tr_keys if k not in en_keys]
            detail = []
            if missing:
                detail.append(f"missing {', '.join(map(str, missing))}")
            if extra:
                detail.append(f"extra {', '.join(map(str, extra))}")
            ctx.add(line, where, f"keys differ from English: {'; '.join(detail) or 'order'}")
        for k in en_keys:
            if k in tr:
                compare_yaml(ctx, en[k], tr[k], source, (*loc, str(k)))
    elif isinstance(en, list):
        if not isinstance(tr, list) or len(tr) != len(en):
            got = len(tr) if isinstance(tr, list) else type(tr).__name__
            ctx.add(line, where, f"English has {len(en)} entries, the translation {got}")
            return
        for index, (a, b) in enumerate(zip(en, tr, strict=True)):
            compare_yaml(ctx, a, b, source, (*loc, index))
    elif isinstance(en, str) and key in TRANSLATABLE:
        if not isinstance(tr, str):
            ctx.add(line, where, "must be text, as in English")
        else:
            compare_segment(ctx, line, where, en, tr)
    elif key == "language" and loc in {("language",)}:
        if tr != ctx.language:
            ctx.add(line, where, f"must be {ctx.language!r}")
    elif en != tr:
        ctx.add(line, where, f"must stay as in English ({en!r}): identifiers are not translated")


# ---------------------------------------------------------------- Markdown


@dataclass
class Shape:
    headings: list[int] = field(default_factory=list)
    paragraphs: int = 0
    items: int = 0
    rows: int = 0
    images: list[str] = field(default_factory=list)
    slot: int = 0
    segments: list[tuple[int, str, str]] = field(default_factory=list)  # (line, kind, text)


def markdown_shape(body: str, first_line: int) -> Shape:
    shape = Shape(slot=body.count(cs.LEGAL_SLOT))
    shape.images = [m.group(2) for m in cs.IMAGE.finditer(body)]
    tokens = MD.parse(body)
    kind = ""
    for token in tokens:
        if token.type == "heading_open":
            shape.headings.append(int(token.tag[1]))
            kind = "heading"
        elif token.type == "paragraph_open":
            shape.paragraphs += 1
            kind = "paragraph"
        elif token.type == "list_item_open":
            shape.items += 1
        elif token.type == "tr_open":
            shape.rows += 1
        elif token.type in {"th_open", "td_open"}:
            kind = "cell"
        elif token.type == "inline":
            line = first_line + (token.map[0] if token.map else 0)
            text = cs.IMAGE.sub(lambda m: m.group(1), token.content)
            shape.segments.append((line, kind, text))
    return shape


def compare_markdown(ctx: Context, en_text: str, tr_text: str) -> None:
    en_front, en_body, _ = cs.split_front_matter(en_text)
    tr_front, tr_body, tr_line = cs.split_front_matter(tr_text)
    if (en_front is None) != (tr_front is None):
        ctx.add(1, "front matter", "present in one language only")
        return
    if en_front is not None and tr_front is not None:
        source, _problems = cs.parse_yaml(tr_front, ctx.rel, offset=1)
        try:
            en_data = yaml.safe_load(en_front)
        except yaml.YAMLError:
            return
        if source is None:
            return  # the file's own check reports it
        compare_yaml(ctx, en_data, source.data, source)
    en, tr = markdown_shape(en_body, 0), markdown_shape(tr_body, tr_line)
    same = True
    shapes: tuple[tuple[str, Any, Any], ...] = (
        ("headings", en.headings, tr.headings),
        ("paragraphs", en.paragraphs, tr.paragraphs),
        ("list items", en.items, tr.items),
        ("table rows", en.rows, tr.rows),
        ("images", en.images, tr.images),
        ("legal-basis slot", en.slot, tr.slot),
    )
    for name, a, b in shapes:
        if a != b:
            same = False
            show = (lambda x: x) if not isinstance(a, list) or name == "images" else _levels
            ctx.add(tr_line, f"body.{name}", f"English has {show(a)}, the translation {show(b)}")
    if Counter(PLACEHOLDER.findall(en_body)) != Counter(PLACEHOLDER.findall(tr_body)):
        ctx.add(tr_line, "body.placeholders", "placeholders or comments differ from English")
    if not same or len(en.segments) != len(tr.segments):
        return  # segments cannot be paired; the structure problem says why
    for (_l, kind, english), (line, _k, text) in zip(en.segments, tr.segments, strict=True):
        compare_segment(ctx, line, f"body.{kind}", english, text)


def _levels(levels: Any) -> str:
    return f"{len(levels)} ({' '.join('h' + str(n) for n in levels)})"


# ---------------------------------------------------------------- SVG


def _svg_frame(text: str) -> str:
    """The SVG without its status comment and with every text content blanked."""
    text = re.sub(r"\s*<!--\s*translation:.*?-->", "", text, count=1, flags=re.S)
    return SVG_TEXT.sub(lambda m: m.group(0)[: m.start(2) - m.start(0)] + "\0", text)


def compare_svg(ctx: Context, en_text: str, tr_text: str) -> None:
    en_frame, tr_frame = _svg_frame(en_text).splitlines(), _svg_frame(tr_text).splitlines()
    if en_frame != tr_frame:
        at = next(
            (n for n, (a, b) in enumerate(zip(en_frame, tr_frame, strict=False)) if a != b),
            min(len(en_frame), len(tr_frame)),
        )
        english = en_frame[at].strip()[:70] if at < len(en_frame) else "(end of file)"
        ctx.add(
            at + 1 + int(bool(SVG_STATUS.search(tr_text))),
            "svg",
            "geometry, attributes or elements differ from English (only text is translated); "
            f"English has: {english}",
        )
        return
    for en_match, tr_match in zip(
        SVG_TEXT.finditer(en_text), SVG_TEXT.finditer(tr_text), strict=True
    ):
        a, b = en_match.group(2).strip(), tr_match.group(2).strip()
        if a:
            line = tr_text[: tr_match.start(2)].count("\n") + 1
            compare_segment(ctx, line, tr_match.group(1), a, b)


# =========================================================================== the check


def check_language(course_dir: Path, root: Path, language: str) -> list[Problem]:
    """Every comparison problem of one language's files against English."""
    source, _others = course_languages(course_dir)
    glossary_path = root / "glossaries" / f"{language}.yaml"
    problems: list[Problem] = []
    glossary = None
    if glossary_path.is_file():
        try:
            glossary = load_glossary(glossary_path)
        except (ValueError, yaml.YAMLError):
            glossary = None  # the glossary check reports it
    else:
        problems.append(
            Problem(f"glossaries/{language}.yaml", 0, "", "file is missing: terms unchecked")
        )
    kept = tuple(t.en for t in glossary.terms if t.keep) if glossary else ()
    folder = course_dir / language
    if not folder.is_dir():
        return problems
    for row in file_statuses(course_dir, language):
        problems += row.problems
        if not row.translated:
            continue
        en_path, tr_path = course_dir / source / row.rel, folder / row.rel
        rel = tr_path.relative_to(root).as_posix()
        ctx = Context(rel, language, glossary, kept)
        en_text = en_path.read_text(encoding="utf-8")
        tr_text = tr_path.read_text(encoding="utf-8")
        if tr_path.suffix == ".md":
            compare_markdown(ctx, en_text, tr_text)
        elif tr_path.suffix == ".svg":
            compare_svg(ctx, en_text, tr_text)
        else:
            src, _p = cs.parse_yaml(tr_text, rel)
            try:
                en_data = yaml.safe_load(en_text)
            except yaml.YAMLError:
                continue
            if src is not None:
                compare_yaml(ctx, en_data, src.data, src)
        problems += ctx.problems
    for extra in sorted(p for p in folder.rglob("*") if p.is_file()):
        if not (course_dir / source / extra.relative_to(folder)).is_file():
            problems.append(
                Problem(extra.relative_to(root).as_posix(), 0, "", "no English file of that name")
            )
    return problems


def check_translations(root: Path) -> list[Problem]:
    """Each translated course language: its own course check (file by file, with English
    fallbacks) and the comparisons against English."""
    problems: list[Problem] = []
    for course_dir in sorted((root / "courses").glob("*/")):
        if not (course_dir / "course.yaml").is_file():
            continue
        _source, languages = course_languages(course_dir)
        for language in languages:
            problems += cs.CourseCheck(course_dir, root, language).run().problems
            problems += [p for p in check_language(course_dir, root, language) if not _glossary(p)]
    return problems


def _glossary(problem: Problem) -> bool:
    return problem.message.startswith("glossary: ")


def glossary_warnings(course_dir: Path, root: Path, language: str) -> list[Problem]:
    """Glossary mismatches: reported, not errors (a term's English words can mean something
    else in context, e.g. "dark clouds"), and errors under ``--require-complete``."""
    return [p for p in check_language(course_dir, root, language) if _glossary(p)]


def incomplete(root: Path, language: str) -> list[Problem]:
    """Problems for ``--require-complete LANG``: every file not translated, or outdated."""
    problems = []
    for course_dir in sorted((root / "courses").glob("*/")):
        _source, languages = course_languages(course_dir)
        if language not in languages:
            problems.append(
                Problem(f"courses/{course_dir.name}/course.yaml", 0, "languages", f"no {language}")
            )
            continue
        problems += glossary_warnings(course_dir, root, language)
        for row in file_statuses(course_dir, language):
            if not row.current:
                why = "outdated (English changed)" if row.outdated else "not translated"
                rel = f"courses/{course_dir.name}/{language}/{row.rel}"
                problems.append(Problem(rel, 0, "", f"{why}: coverage below 100 %"))
    return problems


def describe(root: Path) -> str:
    """Coverage per language and module, for `content check`'s report."""
    parts = []
    for course_dir in sorted((root / "courses").glob("*/")):
        if not (course_dir / "course.yaml").is_file():
            continue
        _source, languages = course_languages(course_dir)
        for language in languages:
            rows = file_statuses(course_dir, language)
            covs = coverage(rows)
            total = covs[-1]
            modules = " ".join(f"{c.module} {c.translated}/{c.files}" for c in covs[:-1] if c.files)
            warnings = glossary_warnings(course_dir, root, language)
            parts.append(
                f"{course_dir.name} {language}: {total.translated}/{total.files} files, "
                f"{total.percent} % of words ({total.words_translated}/{total.words}), "
                f"{total.outdated} outdated, {len(warnings)} glossary warnings, "
                f"{language_state(rows)} [{modules}]"
                + "".join(f"\n  warning: {w}" for w in warnings)
            )
    return "; ".join(parts) or "no translations"
