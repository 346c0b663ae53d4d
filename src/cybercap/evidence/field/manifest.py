"""The three forms of a manifest, written atomically: JSON, HASHDEEP-1.0 and SHA256SUMS."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import json
import os
import time
import uuid
from collections.abc import Iterable
from typing import Any

from cybercap.evidence.field.names import coreutils_line, needs_line_escape, unescape

FORMAT = "cybercap-evidence-manifest"
FORMAT_VERSION = 1
JSON_NAME = "manifest.json"
HASHDEEP_NAME = "manifest.hashdeep"
SUMS_NAME = "SHA256SUMS"
OUTPUT_NAMES = (SUMS_NAME, HASHDEEP_NAME, JSON_NAME)  # the order they are committed in
HASHDEEP_COLUMNS = ("md5", "sha1", "sha256")  # those hashdeep reads, in its own order


class ManifestError(ValueError):
    """A manifest that cannot be read or is not ours."""


def utc_from_ns(ns: int) -> str:
    """Nanoseconds since the epoch as RFC 3339 UTC with microseconds (truncated, as ``ls``
    truncates; the exact value is kept beside it in ``*_ns``)."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    return f"{_utc_seconds(seconds)}.{fraction // 1000:06d}Z"


@functools.lru_cache(maxsize=4096)  # files of one tree share their seconds
def _utc_seconds(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def utc_now() -> str:
    return dt.datetime.now(tz=dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def dot_path(rel: bytes) -> bytes:
    """A relative path as ``hashdeep -r -l .`` prints it: ``./dir/name``."""
    return b"./" + rel


def hashdeep_bytes(
    files: Iterable[dict[str, Any]], *, algorithms: list[str], root: str, command: str
) -> tuple[bytes, list[str]]:
    """The HASHDEEP-1.0 text, and the escaped names that hashdeep cannot represent.

    Names go out as raw bytes (hashdeep itself writes them so, and reads the name as the rest
    of the line, commas included). A name holding a newline or carriage return cannot be one
    line: it is written in the escaped form of :mod:`names`, and hashdeep's audit will report
    that file as moved.
    """
    columns = [name for name in HASHDEEP_COLUMNS if name in algorithms]
    out = [
        b"%%%% HASHDEEP-1.0\n",
        ("%%%% size," + ",".join(columns) + ",filename\n").encode("ascii"),
        b"## Invoked from: " + root.encode("utf-8") + b"\n",
        b"## # " + command.encode("utf-8") + b"\n",
        b"## \n",
    ]
    unrepresentable: list[str] = []
    for record in files:
        raw = unescape(record["path"])
        if needs_line_escape(raw):
            name = b"./" + record["path"].encode("utf-8")
            unrepresentable.append(record["path"])
        else:
            name = dot_path(raw)
        fields = [str(record["size"]).encode("ascii")]
        fields += [record["hashes"][column].encode("ascii") for column in columns]
        out.append(b",".join([*fields, name]) + b"\n")
    return b"".join(out), unrepresentable


def sums_bytes(files: Iterable[dict[str, Any]]) -> bytes:
    """``SHA256SUMS`` in GNU coreutils format (``sha256sum -c`` checks it)."""
    return b"".join(
        coreutils_line(record["hashes"]["sha256"], dot_path(unescape(record["path"])))
        for record in files
    )


_ONE_LINE_LISTS = ("files", "symlinks", "errors")


def json_bytes(manifest: dict[str, Any]) -> bytes:
    """Indented JSON, with one line per file, symlink and error.

    Python's JSON encoder is in C only without ``indent``: the long lists are encoded
    compactly, one item a line (a manifest of 100,000 files takes a fraction of a second
    rather than seconds), and spliced into the indented rest.
    """
    token = f"@@{uuid.uuid4().hex}@@"
    outline = {
        key: f"{token}{key}" if key in _ONE_LINE_LISTS and value else value
        for key, value in manifest.items()
    }
    text = json.dumps(outline, indent=2, ensure_ascii=False)
    for key in _ONE_LINE_LISTS:
        if manifest.get(key):
            items = ",\n".join(
                "    " + json.dumps(item, ensure_ascii=False) for item in manifest[key]
            )
            text = text.replace(json.dumps(f"{token}{key}"), f"[\n{items}\n  ]", 1)
    return (text + "\n").encode("utf-8")


def existing_outputs(output_dir: str) -> list[str]:
    return [name for name in OUTPUT_NAMES if os.path.lexists(os.path.join(output_dir, name))]


def _fsync_dir(path: str | bytes) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_outputs(output_dir: str, contents: dict[str, bytes]) -> None:
    """Write each named file atomically and durably, never replacing an existing one.

    Every file goes to a temporary name first, is fsynced, then linked to its final name
    (``link`` fails if the name exists; on file systems without hard links, such as FAT,
    a rename after an existence check). ``manifest.json`` is committed last, so a crash or a
    full disk leaves either no ``manifest.json`` or a complete set. On failure the temporary
    files are removed and the error is raised.
    """
    temps: dict[str, str] = {}
    committed: list[str] = []
    try:
        for name in OUTPUT_NAMES:
            if name not in contents:
                continue
            temp = os.path.join(output_dir, f".{name}.{os.getpid()}.tmp")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            temps[name] = temp
            try:
                view = memoryview(contents[name])
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(output_dir)
        for name, temp in temps.items():
            final = os.path.join(output_dir, name)
            try:
                os.link(temp, final)
                os.unlink(temp)
            except OSError as exc:
                if exc.errno == errno.EEXIST:
                    raise
                if os.path.lexists(final):
                    raise FileExistsError(errno.EEXIST, "exists", final) from None
                os.rename(temp, final)
            committed.append(final)
        _fsync_dir(output_dir)
    except BaseException:
        for temp in temps.values():
            if os.path.lexists(temp):
                os.unlink(temp)
        for final in committed:
            os.unlink(final)
        raise


def load_manifest(path: str) -> tuple[dict[str, Any], str]:
    """Read ``manifest.json`` (or the directory holding it); return it and its path."""
    if os.path.isdir(path):
        path = os.path.join(path, JSON_NAME)
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(f"{path} is not a cybercap evidence manifest")
    if data.get("format_version") != FORMAT_VERSION:
        raise ManifestError(f"{path} has an unsupported format_version")
    return data, path
