"""Small translated courses for the translation tests, built under tmp_path.

A *pseudo-translation* (a standard localisation-testing device, not a translation): every
learner-visible string of the English file gets the mark "ท" (Thai letter) in front, so that
the structure, ids and placeholders stay exactly the English ones while each string differs
from English and is visibly "Thai". The fixture glossary agrees with it (its terms keep the
English words), so a pseudo-translated file passes every check; each test then breaks one
thing on purpose.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from cybercap.elearning.translation import SVG_TEXT, TRANSLATABLE

MARK = "ท"
COURSE = "first-responder"
M3_FILES = (
    "course.yaml",
    "checklist.yaml",
    "modules/m3-scene/m3-securing-the-scene.md",
    "modules/m3-scene/m3-people-and-hidden-devices.md",
    "items/m3-scene.yaml",
    "scenarios/sc-quick-check.yaml",
    "figures/custody-form.svg",
)
GLOSSARY = """\
language: {language}
name: pseudo
status: draft
reviewer: null
reviewed_on: null
terms:
  - {{key: faraday-bag, en: Faraday bag, term: Faraday bag}}
  - {{key: chain-of-custody, en: chain of custody, term: chain of custody,
     variants: [chain-of-custody]}}
  - {{key: sim, en: SIM, keep: true}}
"""


def status_block(english: Path, status: str = "draft") -> dict[str, Any]:
    reviewed = status == "reviewed"
    return {
        "status": status,
        "translator": "test fixture",
        "reviewer": "A. Reviewer" if reviewed else None,
        "reviewed_on": "2026-11-01" if reviewed else None,
        "source": hashlib.sha256(english.read_bytes()).hexdigest()[:12],
    }


def _mark(text: str, key: str = "") -> str:
    if key == "lines" and len(text) >= 90:
        return MARK + text[1:]
    return MARK + text


def _walk(data: Any, key: str = "") -> Any:
    if isinstance(data, dict):
        return {k: _walk(v, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [_walk(v, key) for v in data]
    if isinstance(data, str) and key in TRANSLATABLE:
        return _mark(data, key)
    return data


def _yaml(data: Any, language: str, block: dict[str, Any]) -> str:
    data = _walk(data)
    if isinstance(data, dict) and "language" in data:
        data["language"] = language
    return yaml.safe_dump(
        {"translation": block, **data}, allow_unicode=True, sort_keys=False, width=10_000
    )


BLOCK_START = re.compile(r"^(\s*(?:#{1,6} |[-*] |\d+\. |> )?)(.*)$")


def _markdown(text: str, language: str, block: dict[str, Any]) -> str:
    _, front, body = text.split("---\n", 2)
    out = ["---\n", _yaml(yaml.safe_load(front), language, block), "---\n"]
    previous = ""
    for line in body.splitlines(keepends=True):
        stripped = line.strip()
        starts = not previous.strip() or re.match(r"\s*(#{1,6} |[-*] |\d+\. )", line)
        if stripped and starts and not stripped.startswith(("<!--", "|")):
            match = BLOCK_START.match(line)
            assert match is not None
            line = match.group(1) + MARK + match.group(2) + "\n"
        elif stripped.startswith("|") and not set(stripped) <= set("|-: "):
            cells = stripped.strip("|").split("|")
            line = "| " + " | ".join(MARK + c.strip() for c in cells) + " |\n"
        out.append(line)
        previous = line
    return "".join(out)


def _svg(text: str, block: dict[str, Any]) -> str:
    flow = ", ".join(f"{k}: {'null' if v is None else repr(v)}" for k, v in block.items())
    text = re.sub(
        r"(<svg\b[^>]*>)",
        lambda m: f"{m.group(1)}\n  <!-- translation: {{{flow}}} -->",
        text,
        count=1,
    )
    return SVG_TEXT.sub(
        lambda m: (
            m.group(0).replace(m.group(2), MARK + m.group(2).lstrip(), 1)
            if m.group(2).strip()
            else m.group(0)
        ),
        text,
    )


def pseudo_translate(english: Path, target: Path, language: str, status: str = "draft") -> None:
    block = status_block(english, status)
    text = english.read_text(encoding="utf-8")
    if english.suffix == ".md":
        out = _markdown(text, language, block)
    elif english.suffix == ".svg":
        out = _svg(text, block)
    else:
        out = _yaml(yaml.safe_load(text), language, block)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out, encoding="utf-8")


def translated_content(
    tmp_path: Path,
    language: str = "th",
    files: tuple[str, ...] = M3_FILES,
    status: str = "draft",
) -> Path:
    """A content root with the English course and ``files`` pseudo-translated into
    ``language`` (the course lists en and that language)."""
    root = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR / "taxonomy", root / "taxonomy")
    source = settings.CONTENT_DIR / "courses" / COURSE
    course = root / "courses" / COURSE
    shutil.copytree(source / "en", course / "en")
    manifest = (source / "course.yaml").read_text(encoding="utf-8")
    manifest = re.sub(r"^languages: .*$", f"languages: [en, {language}]", manifest, flags=re.M)
    (course / "course.yaml").write_text(manifest, encoding="utf-8")
    (root / "glossaries").mkdir()
    (root / "glossaries" / f"{language}.yaml").write_text(
        GLOSSARY.format(language=language), encoding="utf-8"
    )
    for rel in files:
        pseudo_translate(course / "en" / rel, course / language / rel, language, status)
    return root
