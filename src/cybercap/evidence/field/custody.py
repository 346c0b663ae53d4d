"""A tamper-evident chain-of-custody log that a court can check with common tools.

``LOG`` holds one event per line in canonical JSON (sorted keys, no spaces, UTF-8). Each
event carries ``prev``, the SHA-256 of the previous line's bytes with its newline (64 zeros
for the first), so an edited, inserted, deleted or reordered entry breaks the chain at a
line we can name. A chain alone misses an edited last entry and a truncated log, so after
every event a checkpoint is written beside the log:

``LOG.head``::

    cybercap-custody-checkpoint v1
    log <log id>
    entries <count>
    head <SHA-256 of the last line>

and ``LOG.head.minisig``, its Ed25519 signature in minisign format:
``minisign -Vm LOG.head -p KEY.pub`` checks it without cybercap.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import cybercap
from cybercap.evidence.field import manifest as mf
from cybercap.evidence.field import minisign

ACTIONS = ("seize", "acquire", "verify", "transfer", "access", "copy", "release", "dispose")
ZERO = "0" * 64
VERSION = 1
CHECKPOINT_MAGIC = "cybercap-custody-checkpoint v1"


class CustodyError(Exception):
    """The log cannot be appended to (locked, unreadable, broken before we write)."""


def canonical(event: dict[str, Any]) -> bytes:
    return (
        json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        + b"\n"
    )


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def checkpoint_text(log_id: str, entries: int, head: str) -> str:
    return f"{CHECKPOINT_MAGIC}\nlog {log_id}\nentries {entries}\nhead {head}\n"


def _utc_now() -> str:
    return dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _atomic_write(path: str, data: bytes) -> None:
    temp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)


def _fsync_dir(path: str) -> None:
    fd = os.open(os.path.dirname(os.path.abspath(path)) or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def items_from_manifest(path: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The items (sizes and hashes) of a manifest, and a reference to the manifest itself."""
    manifest, manifest_path = mf.load_manifest(path)
    with open(manifest_path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    items = []
    for record in manifest["files"]:
        item = {
            "path": record["path"],
            "size": record["size"],
            "sha256": record["hashes"]["sha256"],
        }
        if "md5" in record["hashes"]:
            item["md5"] = record["hashes"]["md5"]
        items.append(item)
    reference = {
        "sha256": digest,
        "case": manifest["case"],
        "exhibit": manifest["exhibit"],
        "clean": manifest["summary"]["clean"],
    }
    return items, reference


@dataclass
class EventInput:
    action: str
    case_id: str
    exhibit: str
    actor: str
    counterparty: str | None = None
    reason: str | None = None
    location: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, Any] | None = None


def record(log_path: str, key: minisign.SecretKey, event_input: EventInput) -> dict[str, Any]:
    """Append one event, then write and sign the checkpoint. Returns the event."""
    if event_input.action not in ACTIONS:
        raise CustodyError(f"unknown action {event_input.action!r}; one of {', '.join(ACTIONS)}")
    fd = os.open(log_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CustodyError("the log is being written by another process") from None
        with open(log_path, "rb") as handle:
            lines = handle.read().splitlines(keepends=True)
        if lines and not lines[-1].endswith(b"\n"):
            raise CustodyError("the log's last line is incomplete; run `custody verify`")
        if lines:
            try:
                first = json.loads(lines[0])
                log_id = first["log_id"]
            except (ValueError, KeyError, TypeError):
                raise CustodyError("the log's first line is not a custody event") from None
            prev = line_hash(lines[-1])
        else:
            log_id = str(uuid.uuid4())
            prev = ZERO
        event: dict[str, Any] = {
            "v": VERSION,
            "seq": len(lines) + 1,
            "time": _utc_now(),
            "prev": prev,
            "log_id": log_id,
            "case_id": event_input.case_id,
            "exhibit": event_input.exhibit,
            "action": event_input.action,
            "actor": event_input.actor,
            "counterparty": event_input.counterparty,
            "reason": event_input.reason,
            "location": event_input.location,
            "items": event_input.items,
            "manifest": event_input.manifest,
            "key_id": minisign.key_id_text(key.key_id),
            "tool": {"name": "cybercap evidence", "version": cybercap.__version__},
        }
        line = canonical(event)
        os.write(fd, line)
        os.fsync(fd)
        head = checkpoint_text(log_id, len(lines) + 1, line_hash(line)).encode("ascii")
        comment = f"cybercap custody log {log_id} entries {len(lines) + 1} head {line_hash(line)}"
        _atomic_write(log_path + ".head", head)
        _atomic_write(log_path + ".head.minisig", minisign.sign(key, head, comment).encode("ascii"))
        _fsync_dir(log_path)
    finally:
        os.close(fd)
    return event


@dataclass
class CustodyReport:
    entries: int = 0
    head: str | None = None
    signed_by: str | None = None
    problems: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_events(log_path: str) -> tuple[list[bytes], CustodyReport]:
    """Check the hash chain; every break is reported with its line number."""
    report = CustodyReport()
    try:
        with open(log_path, "rb") as handle:
            lines = handle.read().splitlines(keepends=True)
    except OSError as exc:
        report.problems.append(f"cannot read the log: {exc.strerror}")
        return [], report
    prev = ZERO
    log_id = None
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        if not line.endswith(b"\n"):
            report.problems.append(f"{where}: incomplete last line (no newline)")
        try:
            event = json.loads(line)
        except ValueError:
            report.problems.append(f"{where}: not valid JSON (edited)")
            prev = line_hash(line)
            continue
        if not isinstance(event, dict):
            report.problems.append(f"{where}: not a custody event")
            prev = line_hash(line)
            continue
        report.events.append(event)
        if canonical(event) != line:
            report.problems.append(f"{where}: not in canonical form (edited)")
        if event.get("prev") != prev:
            report.problems.append(
                f"{where}: its prev is not the SHA-256 of line {number - 1}"
                " (an entry before it was edited, inserted, deleted or reordered)"
                if number > 1
                else f"{where}: the first entry's prev must be 64 zeros"
            )
        if event.get("seq") != number:
            report.problems.append(f"{where}: seq is {event.get('seq')!r}, expected {number}")
        if log_id is None:
            log_id = event.get("log_id")
        elif event.get("log_id") != log_id:
            report.problems.append(f"{where}: belongs to another log ({event.get('log_id')})")
        if event.get("action") not in ACTIONS:
            report.problems.append(f"{where}: unknown action {event.get('action')!r}")
        prev = line_hash(line)
    report.entries = len(lines)
    report.head = prev if lines else None
    return lines, report


def _span(first: int, last: int) -> str:
    return f"entry {first} is" if first == last else f"entries {first} to {last} are"


def verify(log_path: str, public_keys: list[minisign.PublicKey]) -> CustodyReport:
    """The chain, then the signed checkpoint against the log's length and last line."""
    lines, report = read_events(log_path)
    try:
        with open(log_path + ".head", "rb") as handle:
            head = handle.read()
        with open(log_path + ".head.minisig", encoding="ascii") as handle:
            signature = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(f"checkpoint: cannot read {log_path}.head(.minisig): {exc}")
        return report
    try:
        key, _comment = minisign.verify(public_keys, head, signature)
    except minisign.MinisignError as exc:
        report.problems.append(f"checkpoint: bad signature: {exc}")
        return report
    report.signed_by = minisign.key_id_text(key.key_id)
    fields = head.decode("ascii", errors="replace").splitlines()
    try:
        magic, log_line, entries_line, head_line = fields
        log_id = log_line.removeprefix("log ")
        entries = int(entries_line.removeprefix("entries "))
        head_hash = head_line.removeprefix("head ")
        if magic != CHECKPOINT_MAGIC:
            raise ValueError(magic)
    except ValueError:
        report.problems.append("checkpoint: malformed")
        return report
    if report.events and report.events[0].get("log_id") != log_id:
        report.problems.append(f"checkpoint: signed for log {log_id}, not this one")
    if entries > len(lines):
        report.problems.append(
            f"checkpoint: signed for {entries} entries, the log has {len(lines)}"
            f" (truncated: {_span(len(lines) + 1, entries)} gone)"
        )
    elif entries < len(lines):
        report.problems.append(
            f"checkpoint: signed for {entries} entries, the log has {len(lines)}"
            f" ({_span(entries + 1, len(lines))} not covered by a signature)"
        )
    elif lines and line_hash(lines[-1]) != head_hash:
        report.problems.append(
            f"line {len(lines)} (the last): its SHA-256 is not the signed head hash (edited)"
        )
    return report
