"""Every string a user reads in a template is wrapped for translation, from the start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

import cybercap

PACKAGE = Path(cybercap.__file__).parent
TEMPLATES = sorted(p for p in PACKAGE.rglob("templates/**/*") if p.suffix in {".html", ".txt"})
# Words that are names, not language.
KEPT = {"cybercap", "TLP", "CLEAR", "GREEN", "AMBER", "STRICT", "RED", "ASEAN", "API", "TOTP", "ID"}
ATTRIBUTES = re.compile(r'\b(alt|title|aria-label|placeholder)="([^"]*)"')
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&[#\w]+;")
WORD = re.compile(r"[^\W\d_]{2,}")


def untranslated(source: str) -> list[str]:
    """The pieces of text in a template a reader would see untranslated."""
    flat: list[str] = []
    depth = 0  # inside blocktranslate / comment / verbatim
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents.split() else ""
            if word in {"blocktranslate", "blocktrans", "comment", "verbatim"}:
                depth += 1
            elif word in {"endblocktranslate", "endblocktrans", "endcomment", "endverbatim"}:
                depth -= 1
            flat.append("0")
        elif token.token_type == TokenType.VAR:
            flat.append("0")
        elif token.token_type == TokenType.TEXT:
            flat.append(" " if depth else token.contents)
    text = "".join(flat)
    found: list[str] = []
    for _, value in ATTRIBUTES.findall(text):
        if [w for w in WORD.findall(value) if w not in KEPT]:
            found.append(value.strip())
    for piece in TAG.split(text):
        bare = ENTITY.sub(" ", piece)
        if [w for w in WORD.findall(bare) if w not in KEPT]:
            found.append(" ".join(bare.split())[:80])
    return found


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_template_text_is_wrapped_for_translation(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".txt" and path.name.endswith("subject.txt"):
        source = source.strip()
    assert untranslated(source) == []


def test_languages_cover_english_and_the_region() -> None:
    codes = [code for code, _ in settings.LANGUAGES]
    assert codes == ["en", "id", "th", "vi", "ms", "fil", "km", "lo", "my", "tet"]


def test_the_checker_catches_bare_text() -> None:
    assert untranslated("<p>Hello there</p>") == ["Hello there"]
    assert untranslated('<img alt="A picture">') == ["A picture"]
    assert untranslated("<p>{% translate 'Hello' %}</p>") == []
    assert untranslated("{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}") == []
