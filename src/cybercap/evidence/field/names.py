"""A documented, reversible escaping of file names.

File names on POSIX are bytes: they may hold newlines, control characters or bytes that are
not UTF-8. Manifests need one name per line and JSON strings, so a name is written as text by
this rule (and read back by :func:`unescape`):

* a backslash is written ``\\\\`` (two backslashes);
* a character that decodes from valid UTF-8 and is printable (Python's ``str.isprintable``:
  letters, marks, numbers, punctuation, symbols and the plain space) is written as itself;
* every other byte is written ``\\xHH`` with two lower-case hex digits: bytes that do not
  decode as UTF-8, and each UTF-8 byte of a non-printable character (controls such as
  newline, carriage return and DEL; format characters such as the right-to-left override
  U+202E, which could make a name display as another; line and paragraph separators;
  private-use and unassigned code points; spaces other than U+0020).

No other escapes exist, so ``unescape(escape(b)) == b`` for every byte string ``b``, and the
escaped form of a printable UTF-8 name without backslashes is the name itself. (Which code
points are printable follows the Unicode version of the Python that wrote the manifest;
reading back never depends on it.)
"""

from __future__ import annotations

import re

_ESCAPE_RE = re.compile(r"\\(\\|x[0-9a-f]{2})")


class BadEscapeError(ValueError):
    """An escaped name that this rule cannot have produced."""


def escape(name: bytes) -> str:
    """Escape a byte name into printable text, reversibly."""
    text = name.decode("utf-8", errors="surrogateescape")
    if "\\" not in text and text.isprintable():  # the common case (an undecodable byte is
        return text  # a lone surrogate here, which is not printable)
    out: list[str] = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept by surrogateescape
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def unescape(text: str) -> bytes:
    """Reverse :func:`escape`; raise :class:`BadEscapeError` on an escape it never writes."""
    out = bytearray()
    pos = 0
    while pos < len(text):
        slash = text.find("\\", pos)
        if slash < 0:
            out += text[pos:].encode("utf-8")
            break
        out += text[pos:slash].encode("utf-8")
        match = _ESCAPE_RE.match(text, slash)
        if match is None:
            raise BadEscapeError(f"bad escape at position {slash} in {text!r}")
        escape_seq = match.group(1)
        out += b"\\" if escape_seq == "\\" else bytes([int(escape_seq[1:], 16)])
        pos = match.end()
    return bytes(out)


def needs_line_escape(name: bytes) -> bool:
    """True when a name cannot be written raw on one line (it holds LF or CR)."""
    return b"\n" in name or b"\r" in name


def coreutils_line(digest: str, path: bytes) -> bytes:
    """One line of a ``sha256sum``-style file, escaped as GNU coreutils does.

    coreutils (8.x and later) prefixes the line with a backslash when the name holds a
    backslash, a newline or a carriage return, and writes those as ``\\\\``, ``\\n`` and
    ``\\r``; ``sha256sum -c`` reverses it.
    """
    if b"\\" in path or b"\n" in path or b"\r" in path:
        escaped = path.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
        return b"\\" + digest.encode("ascii") + b"  " + escaped + b"\n"
    return digest.encode("ascii") + b"  " + path + b"\n"
