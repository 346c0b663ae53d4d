"""Several hash algorithms over one read pass: one reader, one hashing thread per algorithm.

The reader (the caller's thread) reads chunks of 1 to 4 MiB and hands the same ``bytes``
object to every algorithm's bounded queue; each algorithm has its own thread. hashlib (and
blake3) release the GIL for large updates, so the algorithms run in parallel on several
cores and the slowest one (usually MD5) sets the pace. Memory is constant: at most
``QUEUE_DEPTH + 2`` chunks are alive whatever the size of the input.

Piecewise hashes: with a piece size, the reader never lets a chunk cross a piece boundary
and sends a marker at the end of each piece, so each thread also keeps per-piece digests.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

MiB = 1024 * 1024
DEFAULT_CHUNK = 2 * MiB
MIN_CHUNK = 1 * MiB
MAX_CHUNK = 4 * MiB
QUEUE_DEPTH = 4
INLINE_MAX = 256 * 1024  # inputs up to this size are hashed in the reader's thread
PRIMARY = "sha256"


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> Any: ...
    def hexdigest(self) -> str: ...


def _blake3_factory() -> Callable[[], _Hasher] | None:
    try:
        import blake3
    except ImportError:  # pragma: no cover - blake3 is a dependency, but stay usable without
        return None
    return lambda: blake3.blake3()


def _hashlib(name: str) -> Callable[[], _Hasher]:
    constructor: Callable[[], _Hasher] | None = getattr(hashlib, name, None)
    return constructor or (lambda: hashlib.new(name))  # the named ones skip new()'s lookup


# Canonical names (as written in manifests) and how to make each hasher.
_FACTORIES: dict[str, Callable[[], _Hasher]] = {
    "md5": _hashlib("md5"),
    "sha1": _hashlib("sha1"),
    "sha224": _hashlib("sha224"),
    "sha256": _hashlib("sha256"),
    "sha384": _hashlib("sha384"),
    "sha512": _hashlib("sha512"),
    "sha3-256": _hashlib("sha3_256"),
    "sha3-512": _hashlib("sha3_512"),
    "blake2b": _hashlib("blake2b"),
}
_b3 = _blake3_factory()
if _b3 is not None:
    _FACTORIES["blake3"] = _b3

ALGORITHMS: tuple[str, ...] = tuple(_FACTORIES)


class AlgorithmError(ValueError):
    """An unknown hash algorithm name."""


def parse_algorithms(text: str) -> list[str]:
    """``"sha1,MD5,sha3_256"`` -> ``["sha256", "sha1", "md5", "sha3-256"]``.

    SHA-256 is the primary hash and is always computed, first; duplicates are dropped.
    """
    names = [PRIMARY]
    for raw in text.split(","):
        name = raw.strip().lower().replace("_", "-")
        if name in {"sha-1", "sha-256", "sha-512", "sha-224", "sha-384"}:
            name = name.replace("-", "")
        if not name:
            continue
        if name not in _FACTORIES:
            raise AlgorithmError(
                f"unknown algorithm {raw.strip()!r}; choose from {', '.join(ALGORITHMS)}"
            )
        if name not in names:
            names.append(name)
    return names


def new_hasher(name: str) -> _Hasher:
    return _FACTORIES[name]()


@dataclass
class Digests:
    """The result of hashing one input."""

    hashes: dict[str, str]
    pieces: list[dict[str, Any]] = field(default_factory=list)


_DATA, _PIECE, _END, _STOP = 0, 1, 2, 3


class _Worker(threading.Thread):
    def __init__(self, name: str, piecewise: bool) -> None:
        super().__init__(name=f"hash-{name}", daemon=True)
        self.algorithm = name
        self.piecewise = piecewise
        self.inbox: queue.Queue[tuple[int, bytes]] = queue.Queue(maxsize=QUEUE_DEPTH)
        self.outbox: queue.Queue[tuple[str, list[str]] | BaseException] = queue.Queue()

    def run(self) -> None:
        whole = new_hasher(self.algorithm)
        piece = new_hasher(self.algorithm) if self.piecewise else None
        pieces: list[str] = []
        failed: BaseException | None = None
        while True:
            kind, data = self.inbox.get()
            if kind == _STOP:
                return
            if failed is not None:
                if kind == _END:
                    self.outbox.put(failed)
                    failed = None
                continue
            try:
                if kind == _DATA:
                    whole.update(data)
                    if piece is not None:
                        piece.update(data)
                elif kind == _PIECE and piece is not None:
                    pieces.append(piece.hexdigest())
                    piece = new_hasher(self.algorithm)
                elif kind == _END:
                    self.outbox.put((whole.hexdigest(), pieces))
                    whole = new_hasher(self.algorithm)
                    piece = new_hasher(self.algorithm) if self.piecewise else None
                    pieces = []
            except BaseException as exc:  # handed to the reader, never lost
                failed = exc
                whole = new_hasher(self.algorithm)
                piece = new_hasher(self.algorithm) if self.piecewise else None
                pieces = []


class ReadError(OSError):
    """Reading the input failed after ``offset`` bytes; the partial digests are discarded."""

    def __init__(self, offset: int, cause: OSError) -> None:
        super().__init__(cause.errno, f"{cause.strerror} at offset {offset}")
        self.offset = offset
        self.cause = cause


class MultiHasher:
    """Persistent hashing threads, reused for every input of an acquisition.

    Use as a context manager; call :meth:`hash_fd` once per input from one thread.
    """

    def __init__(
        self,
        algorithms: list[str],
        *,
        chunk_size: int = DEFAULT_CHUNK,
        piece_size: int | None = None,
    ) -> None:
        if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
            raise ValueError("the chunk size must be between 1 and 4 MiB")
        if piece_size is not None and piece_size <= 0:
            raise ValueError("the piece size must be positive")
        self.algorithms = list(algorithms)
        self.chunk_size = chunk_size
        self.piece_size = piece_size
        self._workers = [_Worker(name, piece_size is not None) for name in self.algorithms]

    def __enter__(self) -> MultiHasher:
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self._workers:
            worker.inbox.put((_STOP, b""))
        for worker in self._workers:
            worker.join()

    def _send(self, kind: int, data: bytes = b"") -> None:
        for worker in self._workers:
            worker.inbox.put((kind, data))

    def _want(self, offset: int) -> int:
        """The next read size: a chunk, never crossing a piece boundary."""
        if self.piece_size is None:
            return self.chunk_size
        return min(self.chunk_size, self.piece_size - offset % self.piece_size)

    def _hash_here(self, data: bytes) -> Digests:
        """A small input, hashed in the caller's thread: for a few KiB, handing the data to
        each algorithm's thread and waiting for it costs more than the hashing."""
        hashers = [new_hasher(name) for name in self.algorithms]
        for hasher in hashers:
            hasher.update(data)
        digests = Digests(
            hashes={name: h.hexdigest() for name, h in zip(self.algorithms, hashers, strict=True)}
        )
        if self.piece_size is not None and data:  # one read never crosses a piece boundary
            digests.pieces.append({"offset": 0, "size": len(data), "hashes": dict(digests.hashes)})
        return digests

    def hash_fd(self, fd: int, *, on_bytes: Callable[[int], None] | None = None) -> Digests:
        """Read ``fd`` from its current offset to end of file and hash it.

        Raises :class:`ReadError` when a read fails (the threads are left ready for the next
        input). ``on_bytes`` is called with the size of every chunk read (for progress).
        An input that ends within its first read of at most ``INLINE_MAX`` bytes is hashed in
        the caller's thread; a larger one goes through the hashing threads.
        """
        offset = 0
        head: list[bytes] = []  # read ahead to tell a small input from a large one
        try:
            while len(head) < 2:
                data = os.read(fd, self._want(offset))
                head.append(data)
                if not data:
                    break
                offset += len(data)
                if on_bytes is not None:
                    on_bytes(len(data))
        except OSError as exc:  # nothing was handed to the threads yet
            raise ReadError(offset, exc) from None
        if not head[-1] and len(head[0]) <= INLINE_MAX:
            return self._hash_here(head[0])

        sent = 0
        piece_start = 0
        piece_ranges: list[tuple[int, int]] = []

        def dispatch(data: bytes) -> None:
            nonlocal sent, piece_start
            self._send(_DATA, data)
            sent += len(data)
            if self.piece_size is not None and sent % self.piece_size == 0:
                self._send(_PIECE)
                piece_ranges.append((piece_start, sent - piece_start))
                piece_start = sent

        for data in head:
            if data:
                dispatch(data)
        error: ReadError | None = None
        while head[-1]:
            try:
                data = os.read(fd, self._want(offset))
            except OSError as exc:
                error = ReadError(offset, exc)
                break
            if not data:
                break
            dispatch(data)
            offset += len(data)
            if on_bytes is not None:
                on_bytes(len(data))
        if self.piece_size is not None and sent > piece_start and error is None:
            self._send(_PIECE)
            piece_ranges.append((piece_start, sent - piece_start))
        self._send(_END)
        results: dict[str, tuple[str, list[str]]] = {}
        failure: BaseException | None = None
        for worker in self._workers:
            got = worker.outbox.get()
            if isinstance(got, BaseException):
                failure = got
            else:
                results[worker.algorithm] = got
        if failure is not None:
            raise failure
        if error is not None:
            raise error
        digests = Digests(hashes={name: results[name][0] for name in self.algorithms})
        if self.piece_size is not None:
            for index, (start, length) in enumerate(piece_ranges):
                digests.pieces.append(
                    {
                        "offset": start,
                        "size": length,
                        "hashes": {name: results[name][1][index] for name in self.algorithms},
                    }
                )
        return digests
