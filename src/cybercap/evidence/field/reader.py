"""Opening and hashing one evidence file without writing to it or touching its atime."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass

from cybercap.evidence.field.hashing import Digests, MultiHasher, ReadError
from cybercap.evidence.field.walk import FileItem, Problem

_BASE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_NOATIME = getattr(os, "O_NOATIME", 0)


def open_readonly(path: bytes) -> int:
    """Open for reading only, with O_NOATIME where the kernel allows it (owner or root).

    O_NONBLOCK keeps a FIFO swapped in after listing from hanging the open; it has no effect
    on regular files and block devices. O_NOFOLLOW refuses a symlink swapped in.
    """
    if _NOATIME:
        try:
            return os.open(path, _BASE_FLAGS | _NOATIME)
        except PermissionError as exc:
            if exc.errno != errno.EPERM:  # EPERM: not the owner, O_NOATIME not allowed
                raise
    return os.open(path, _BASE_FLAGS)


@dataclass
class Hashed:
    item: FileItem
    st: os.stat_result  # as found when opened
    size: int  # bytes read
    digests: Digests


def hash_item(
    item: FileItem,
    hasher: MultiHasher,
    *,
    on_bytes: Callable[[int], None] | None = None,
) -> Hashed | Problem:
    """Hash one listed file; any failure or change comes back as a :class:`Problem`."""
    try:
        fd = open_readonly(item.abspath)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return Problem(item.rel, "vanished", "removed after it was listed")
        if exc.errno == errno.ELOOP:
            return Problem(item.rel, "replaced", "replaced by a symlink after it was listed")
        return Problem(item.rel, "unreadable", exc.strerror or str(exc))
    try:
        before = os.fstat(fd)
        if (before.st_dev, before.st_ino) != (item.st.st_dev, item.st.st_ino):
            return Problem(item.rel, "replaced", "a different file was there when opened")
        is_device = stat.S_ISBLK(before.st_mode)
        if not (stat.S_ISREG(before.st_mode) or is_device):
            return Problem(item.rel, "special-file", "not a regular file when opened")
        expected = os.lseek(fd, 0, os.SEEK_END) if is_device else before.st_size
        os.lseek(fd, 0, os.SEEK_SET)
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
        read = 0

        def count(n: int) -> None:
            nonlocal read
            read += n
            if on_bytes is not None:
                on_bytes(n)

        try:
            digests = hasher.hash_fd(fd, on_bytes=count)
        except ReadError as exc:
            return Problem(item.rel, "read-error", f"{exc.cause.strerror} at offset {exc.offset}")
        after = os.fstat(fd)
    finally:
        os.close(fd)
    moved = []
    if after.st_size != before.st_size:
        moved.append(f"size {before.st_size} -> {after.st_size}")
    if after.st_mtime_ns != before.st_mtime_ns:
        moved.append(f"mtime_ns {before.st_mtime_ns} -> {after.st_mtime_ns}")
    if read != expected:
        moved.append(f"read {read} bytes of {expected}")
    if moved:
        return Problem(item.rel, "changed", "changed while being read: " + ", ".join(moved))
    return Hashed(item=item, st=before, size=read, digests=digests)
