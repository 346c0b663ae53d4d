"""Listing a source without following symlinks, recording everything that is not a file.

A source is a directory tree, a single file (a disk image) or a block device. Names are
handled as bytes throughout so that names which are not UTF-8 survive unchanged.

Symlinks are never followed: on a mounted evidence disk an absolute link points into the
examiner's own system. Each link is recorded with its target; a link that loops is an error.
Sockets, FIFOs and device nodes inside a tree are errors too (their content is not acquired).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field

from cybercap.evidence.field.names import escape


@dataclass(frozen=True)
class FileItem:
    """A regular file (or the block device of a device source) to hash."""

    rel: bytes  # path relative to the root, `/`-separated, no leading ./
    abspath: bytes
    st: os.stat_result


@dataclass(frozen=True)
class LinkItem:
    rel: bytes
    target: bytes
    state: str  # "file", "directory", "other", "dangling", "loop"


@dataclass(frozen=True)
class Problem:
    """Something that was not acquired, or not acquired cleanly."""

    rel: bytes
    kind: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"path": escape(self.rel), "kind": self.kind, "detail": self.detail}


@dataclass
class Listing:
    kind: str  # "directory", "file" or "block-device"
    root: bytes  # the directory relative paths are taken from
    files: list[FileItem] = field(default_factory=list)
    links: list[LinkItem] = field(default_factory=list)
    directories: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(item.st.st_size for item in self.files)


_SPECIAL = {
    stat.S_IFIFO: "fifo",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character-device",
    stat.S_IFBLK: "block-device",
}


class SourceError(OSError):
    """The source itself cannot be used (missing, unsupported type)."""


def _link_state(path: bytes) -> str:
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "loop"
        if exc.errno == errno.ENOENT:
            return "dangling"
        return "other"
    if stat.S_ISDIR(st.st_mode):
        return "directory"
    if stat.S_ISREG(st.st_mode):
        return "file"
    return "other"


def list_source(source: str | bytes) -> Listing:
    """List what an acquisition of ``source`` will hash, in a stable (byte-sorted) order."""
    path = os.path.abspath(os.fsencode(source))
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise SourceError(exc.errno, f"cannot read the source: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise SourceError(errno.EINVAL, "the source is a symlink; give the path it points to")
    if stat.S_ISREG(st.st_mode) or stat.S_ISBLK(st.st_mode):
        parent, name = os.path.split(path)
        kind = "file" if stat.S_ISREG(st.st_mode) else "block-device"
        listing = Listing(kind=kind, root=parent)
        listing.files.append(FileItem(rel=name, abspath=path, st=st))
        return listing
    if not stat.S_ISDIR(st.st_mode):
        raise SourceError(errno.EINVAL, "the source must be a directory, a file or a block device")
    listing = Listing(kind="directory", root=path)
    # Depth first with an explicit stack (no recursion limit on deep trees).
    stack: list[tuple[bytes, bytes, frozenset[tuple[int, int]]]] = [
        (path, b"", frozenset({(st.st_dev, st.st_ino)}))
    ]
    while stack:
        directory, rel, ancestors = stack.pop()
        subdirs = _scan(listing, directory, rel, ancestors)
        stack.extend(reversed(subdirs))
    return listing


def _scan(
    listing: Listing, directory: bytes, rel: bytes, ancestors: frozenset[tuple[int, int]]
) -> list[tuple[bytes, bytes, frozenset[tuple[int, int]]]]:
    """Record one directory's entries; return its subdirectories to descend into."""
    listing.directories += 1
    subdirs: list[tuple[bytes, bytes, frozenset[tuple[int, int]]]] = []
    try:
        with os.scandir(directory) as iterator:
            entries = sorted(iterator, key=lambda entry: entry.name)
    except OSError as exc:
        listing.problems.append(
            Problem(rel or b".", "unreadable-directory", exc.strerror or str(exc))
        )
        return subdirs
    for entry in entries:
        name = os.fsencode(entry.name)
        child_rel = rel + b"/" + name if rel else name
        child = os.fsencode(entry.path)
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            kind = "vanished" if exc.errno == errno.ENOENT else "unreadable"
            listing.problems.append(Problem(child_rel, kind, exc.strerror or str(exc)))
            continue
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            try:
                target = os.readlink(child)
            except OSError as exc:
                listing.problems.append(Problem(child_rel, "unreadable", exc.strerror or ""))
                continue
            state = _link_state(child)
            listing.links.append(LinkItem(child_rel, target, state))
            if state == "loop":
                listing.problems.append(
                    Problem(child_rel, "symlink-loop", f"symlink to {escape(target)} loops")
                )
        elif stat.S_ISDIR(mode):
            key = (st.st_dev, st.st_ino)
            if key in ancestors:  # a bind mount looping back; symlinks are not followed
                listing.problems.append(
                    Problem(child_rel, "directory-loop", "directory is its own ancestor")
                )
                continue
            subdirs.append((child, child_rel, ancestors | {key}))
        elif stat.S_ISREG(mode):
            listing.files.append(FileItem(rel=child_rel, abspath=child, st=st))
        else:
            kind = _SPECIAL.get(stat.S_IFMT(mode), "unknown-type")
            listing.problems.append(
                Problem(child_rel, "special-file", f"{kind}: content not acquired")
            )
    return subdirs
