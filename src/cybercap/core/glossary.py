"""Translation glossaries: `content/glossaries/<language>.yaml` (see its README).

A glossary fixes how a language renders the course's key terms (chain of custody, Faraday bag,
order of volatility, ...). The check makes sure that each file is well formed, that every
language has the same terms, that every English term still occurs in the English course, and
that a reviewed glossary names its reviewer and date. :func:`term_usage` is what a translation
check uses: for each term the English text uses, does the translation use the agreed rendering?

Pure Python (no Django import), like the rest of the content kit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cybercap.core.contentkit import Problem

GLOSSARY_DIR = "glossaries"
COURSES_DIR = "courses"
_KEY = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=_KEY)
    en: str = Field(min_length=1)
    term: str | None = None
    variants: list[str] = Field(default_factory=list)
    keep: bool = False
    note: str = ""
    # English phrases in which the word has another sense ("dark clouds" for cloud): they do
    # not count as uses of the term.
    other_senses: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _term_or_keep(self) -> Term:
        if self.keep and self.term not in (None, self.en):
            raise ValueError("a kept term has no translation of its own (drop `term`)")
        if not self.keep and not (self.term and self.term.strip()):
            raise ValueError("give the translation in `term`, or mark the term `keep: true`")
        return self

    @property
    def renderings(self) -> tuple[str, ...]:
        """Every form a translation may use for this term."""
        main = self.en if self.keep else (self.term or "")
        return (main, *self.variants)


class Glossary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str = Field(pattern=r"^[a-z]{2,3}$")
    name: str = Field(min_length=1)
    status: Literal["draft", "reviewed"]
    reviewer: str | None = None
    reviewed_on: dt.date | None = None
    terms: list[Term] = Field(min_length=1)

    @model_validator(mode="after")
    def _review_named(self) -> Glossary:
        if self.status == "reviewed" and not (self.reviewer and self.reviewed_on):
            raise ValueError("a reviewed glossary names its `reviewer` and `reviewed_on` date")
        if self.status == "draft" and (self.reviewer or self.reviewed_on):
            raise ValueError("a draft glossary has no reviewer yet (set status: reviewed)")
        return self


@dataclass(frozen=True)
class TermUse:
    key: str
    en: str
    expected: tuple[str, ...]
    english_count: int
    found: bool


def _phrase(text: str) -> re.Pattern[str]:
    # Whole phrase, case-insensitive, with an English plural; hyphen and space interchangeable.
    body = r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", text.strip()))
    return re.compile(rf"(?<![\w-]){body}(?:e?s)?(?![\w])", re.IGNORECASE)


def count_term(text: str, english: str) -> int:
    return len(_phrase(english).findall(text))


def term_usage(glossary: Glossary, english: str, translation: str) -> list[TermUse]:
    """For each glossary term the English text uses, whether the translation uses it as agreed.

    Scripts without spaces (Thai, Khmer, Lao, Myanmar) are matched as substrings: a term is
    "used" when any of its renderings occurs in the translation.
    """
    uses = []
    # line breaks and runs of spaces inside a rendering do not matter
    shown = " ".join(translation.split()).casefold()
    for term in glossary.terms:
        text = english
        for phrase in term.other_senses:
            text = _phrase(phrase).sub(" ", text)
        n = count_term(text, term.en)
        if not n:
            continue
        found = any(r and " ".join(r.split()).casefold() in shown for r in term.renderings)
        uses.append(TermUse(term.key, term.en, term.renderings, n, found))
    return uses


def _line_of(raw: str, key: str) -> int:
    for number, line in enumerate(raw.splitlines(), start=1):
        if re.search(rf"key:\s*{re.escape(key)}\b", line):
            return number
    return 0


def load_glossary(path: Path) -> Glossary:
    return Glossary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_glossaries(root: Path) -> dict[str, Glossary]:
    """Every glossary under ``root/glossaries``, by language (assumes the check passed)."""
    folder = root / GLOSSARY_DIR
    return {p.stem: load_glossary(p) for p in sorted(folder.glob("*.yaml"))}


def _english_course_text(root: Path) -> str:
    parts: list[str] = []
    for folder in sorted((root / COURSES_DIR).glob("*/en")):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".md", ".yaml", ".yml", ".svg"} and path.is_file():
                parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def check(root: Path) -> list[Problem]:
    folder = root / GLOSSARY_DIR
    if not folder.is_dir():
        return []
    problems: list[Problem] = []
    glossaries: dict[str, tuple[str, Glossary, str]] = {}
    for path in sorted(folder.glob("*.yaml")):
        rel = str(path.relative_to(root))
        raw = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(raw)
            glossary = Glossary.model_validate(data)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(rel, mark.line + 1 if mark else 0, "", f"not YAML: {exc}"))
            continue
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"])
                problems.append(Problem(rel, 0, where, error["msg"]))
            continue
        if glossary.language != path.stem:
            problems.append(
                Problem(
                    rel,
                    0,
                    "language",
                    f"is {glossary.language!r}; the file name says {path.stem!r}",
                )
            )
        seen: set[str] = set()
        for index, term in enumerate(glossary.terms):
            if term.key in seen:
                problems.append(
                    Problem(
                        rel, _line_of(raw, term.key), f"terms[{index}].key", f"{term.key!r} twice"
                    )
                )
            seen.add(term.key)
        glossaries[path.stem] = (rel, glossary, raw)

    english = _english_course_text(root)
    all_keys: dict[str, str] = {}
    for _, glossary, _ in glossaries.values():
        for term in glossary.terms:
            all_keys.setdefault(term.key, term.en)
    for rel, glossary, raw in glossaries.values():
        keys = {t.key for t in glossary.terms}
        for missing in sorted(set(all_keys) - keys):
            problems.append(
                Problem(
                    rel,
                    0,
                    "terms",
                    f"lacks {missing!r} ({all_keys[missing]}), which other glossaries have",
                )
            )
        for index, term in enumerate(glossary.terms):
            if english and not count_term(english, term.en):
                problems.append(
                    Problem(
                        rel,
                        _line_of(raw, term.key),
                        f"terms[{index}].en",
                        f"{term.en!r} does not occur in the English course "
                        "(a glossary lists only terms the course uses)",
                    )
                )
    return problems


def describe(root: Path) -> str:
    """Status, reviewer and term count per language, for `content check`'s report."""
    parts = []
    for language, glossary in load_glossaries(root).items():
        who = (
            f"reviewed by {glossary.reviewer} on {glossary.reviewed_on}"
            if glossary.status == "reviewed"
            else "draft, awaiting a native reviewer"
        )
        parts.append(f"{language} {len(glossary.terms)} terms ({who})")
    return "; ".join(parts) or "none"
