"""``acquire``: hash one source in one pass and write its manifest in three forms."""

from __future__ import annotations

import os
import platform
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cybercap
from cybercap.evidence.field import manifest as mf
from cybercap.evidence.field.hashing import DEFAULT_CHUNK, MultiHasher
from cybercap.evidence.field.names import escape
from cybercap.evidence.field.progress import Progress
from cybercap.evidence.field.reader import Hashed, hash_item
from cybercap.evidence.field.walk import FileItem, Problem, list_source

TOOL_NAME = "cybercap evidence"


class AcquisitionError(Exception):
    """The acquisition could not start or its manifest could not be written."""


@dataclass
class AcquireRequest:
    source: str
    case: str
    exhibit: str
    examiner: str
    output: str
    algorithms: list[str]
    chunk_size: int = DEFAULT_CHUNK
    piece_size: int | None = None
    command: list[str] = field(default_factory=list)


@dataclass
class AcquireResult:
    manifest: dict[str, Any]
    output: str
    problems: list[Problem]
    warnings: list[str]

    @property
    def clean(self) -> bool:
        return not self.problems


def _inside(path: bytes, root: bytes) -> bool:
    return path == root or path.startswith(root.rstrip(b"/") + b"/")


def _check_output(output: str, source_kind: str, root: bytes, source: bytes) -> bytes:
    real_out = os.path.realpath(os.fsencode(output))
    if source_kind == "directory" and _inside(real_out, os.path.realpath(root)):
        raise AcquisitionError("the output directory must not be inside the source")
    if real_out == os.path.realpath(source):
        raise AcquisitionError("the output directory must not be the source")
    return real_out


def _file_record(hashed: Hashed) -> dict[str, Any]:
    st = hashed.st
    record: dict[str, Any] = {
        "path": escape(hashed.item.rel),
        "size": hashed.size,
        "mode": f"{stat.S_IMODE(st.st_mode):04o}",
        "uid": st.st_uid,
        "gid": st.st_gid,
        "inode": st.st_ino,
        "mtime": mf.utc_from_ns(st.st_mtime_ns),
        "mtime_ns": st.st_mtime_ns,
        "ctime": mf.utc_from_ns(st.st_ctime_ns),
        "ctime_ns": st.st_ctime_ns,
        "atime": mf.utc_from_ns(st.st_atime_ns),
        "atime_ns": st.st_atime_ns,
        "hashes": hashed.digests.hashes,
    }
    if hashed.digests.pieces:
        record["pieces"] = hashed.digests.pieces
    return record


def acquire(
    request: AcquireRequest,
    *,
    progress: Progress | None = None,
    on_file: Callable[[FileItem], None] | None = None,
) -> AcquireResult:
    """List, hash and record ``request.source``; write the manifests into ``request.output``.

    ``on_file`` is called before each file is opened (progress displays use it).
    Raises :class:`AcquisitionError` when nothing could be acquired or written.
    """
    progress = progress or Progress("acquire", quiet=True)
    source = os.path.abspath(os.fsencode(request.source))
    started = mf.utc_now()
    try:
        listing = list_source(source)
    except OSError as exc:
        raise AcquisitionError(str(exc.strerror or exc)) from None
    out_dir = _check_output(request.output, listing.kind, listing.root, source)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise AcquisitionError(f"cannot create the output directory: {exc.strerror}") from None
    clash = mf.existing_outputs(os.fsdecode(out_dir))
    if clash:
        raise AcquisitionError(
            f"the output directory already holds {', '.join(clash)}; choose an empty one"
        )
    problems = list(listing.problems)
    for problem in listing.problems:
        progress.log(f"error: ./{escape(problem.rel)}: {problem.kind}: {problem.detail}")
    records: list[dict[str, Any]] = []
    progress.start(total_bytes=listing.total_bytes, total_files=len(listing.files))
    try:
        with MultiHasher(
            request.algorithms, chunk_size=request.chunk_size, piece_size=request.piece_size
        ) as hasher:
            for item in listing.files:
                if on_file is not None:
                    on_file(item)
                outcome = hash_item(item, hasher, on_bytes=progress.advance)
                progress.file_done()
                if isinstance(outcome, Problem):
                    problems.append(outcome)
                    progress.log(
                        f"error: ./{escape(outcome.rel)}: {outcome.kind}: {outcome.detail}"
                    )
                else:
                    records.append(_file_record(outcome))
    finally:
        elapsed = progress.finish()
    finished = mf.utc_now()
    root_text = escape(listing.root)
    command = " ".join(
        escape(os.fsencode(arg)) for arg in ["cybercap", "evidence", *request.command]
    )
    hashdeep, unrepresentable = mf.hashdeep_bytes(
        records, algorithms=request.algorithms, root=root_text, command=command
    )
    warnings = [
        f"./{name}: the name holds a line break, which HASHDEEP-1.0 cannot hold; written"
        " escaped there, so a hashdeep audit reports it as moved (SHA256SUMS and"
        " manifest.json hold it exactly)"
        for name in unrepresentable
    ]
    for warning in warnings:
        progress.log(f"warning: {warning}")
    total = sum(record["size"] for record in records)
    manifest: dict[str, Any] = {
        "format": mf.FORMAT,
        "format_version": mf.FORMAT_VERSION,
        "case": request.case,
        "exhibit": request.exhibit,
        "examiner": request.examiner,
        "host": {
            "hostname": socket.gethostname(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "tool": {"name": TOOL_NAME, "version": cybercap.__version__, "command": command},
        "source": {
            "path": escape(source),
            "kind": listing.kind,
            "root": root_text,
        },
        "algorithms": request.algorithms,
        "chunk_size": request.chunk_size,
        "piece_size": request.piece_size,
        "started_at": started,
        "finished_at": finished,
        "summary": {
            "clean": not problems,
            "files": len(records),
            "bytes": total,
            "directories": listing.directories,
            "symlinks": len(listing.links),
            "errors": len(problems),
            "warnings": len(warnings),
            "seconds": round(elapsed, 3),
        },
        "files": records,
        "symlinks": [
            {"path": escape(link.rel), "target": escape(link.target), "state": link.state}
            for link in listing.links
        ],
        "errors": [problem.as_json() for problem in problems],
        "warnings": warnings,
    }
    contents = {
        mf.SUMS_NAME: mf.sums_bytes(records),
        mf.HASHDEEP_NAME: hashdeep,
        mf.JSON_NAME: mf.json_bytes(manifest),
    }
    try:
        mf.write_outputs(os.fsdecode(out_dir), contents)
    except OSError as exc:
        raise AcquisitionError(
            f"cannot write the manifest: {exc.strerror or exc}; nothing was left behind"
        ) from None
    return AcquireResult(
        manifest=manifest, output=os.fsdecode(out_dir), problems=problems, warnings=warnings
    )
