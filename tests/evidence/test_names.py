"""The name-escaping rule is reversible for every byte string, and plain names stay plain."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cybercap.evidence.field.names import BadEscapeError, escape, unescape


@given(st.binary(max_size=300))
def test_escape_is_reversible_for_any_bytes(name: bytes):
    text = escape(name)
    assert unescape(text) == name
    assert "\n" not in text and "\r" not in text
    assert text.isprintable() or text == ""


@given(st.text(alphabet=st.characters(codec="utf-8").filter(str.isprintable), max_size=100))
def test_printable_utf8_without_backslashes_is_unchanged(name: str):
    plain = name.replace("\\", "")
    assert escape(plain.encode()) == plain


def test_the_documented_examples():
    assert escape(b"new\nline") == "new\\x0aline"
    assert escape(b"back\\slash") == "back\\\\slash"
    assert escape("été".encode("latin-1")) == "\\xe9t\\xe9"
    assert escape("ภาษาไทย.txt".encode()) == "ภาษาไทย.txt"
    assert escape(b"del\x7f") == "del\\x7f"


@pytest.mark.parametrize("text", ["\\", "\\n", "\\x4", "\\xZZ", "\\X41", "a\\b"])
def test_escapes_it_never_writes_are_refused(text: str):
    with pytest.raises(BadEscapeError):
        unescape(text)


def test_invisible_and_spoofing_characters_are_escaped():
    assert escape("\u202egpj.exe".encode()) == "\\xe2\\x80\\xaegpj.exe"
    assert escape("a\u2028b".encode()) == "a\\xe2\\x80\\xa8b"
    assert escape("no\u00a0break".encode()) == "no\\xc2\\xa0break"
    assert unescape("\\xe2\\x80\\xaegpj.exe") == "\u202egpj.exe".encode()
