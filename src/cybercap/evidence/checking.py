"""The server's check of an upload from the field CLI, with the field package's own code.

No Django import: the service writes the uploaded files into one directory under fixed names
(:data:`MANIFEST`, :data:`LOG` and the checkpoint beside it, :data:`PUBKEY`) and calls
:func:`check_upload`. Every problem names where it is: ``custody log: line 3: ...``,
``manifest.json: ./dir/name: ...``, ``evidence file image.dd: ...``.

What is checked:

* the custody log: the hash chain, the signed checkpoint (its length and head hash) and the
  Ed25519 signature against the uploaded public key (:func:`custody.verify`), always;
* that the log belongs to this case and exhibit and that an entry records this very manifest
  (its SHA-256) with the same sizes and hashes of every item: a hash forged in the manifest
  after the acquisition was recorded is named with its file and the log's line;
* with an evidence file: its content against the manifest's entry, re-hashed with the
  manifest's algorithms by the field package's hasher.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from cybercap.evidence.field import custody, minisign
from cybercap.evidence.field import manifest as mf
from cybercap.evidence.field import verify as field_verify
from cybercap.evidence.field.hashing import DEFAULT_CHUNK, MAX_CHUNK, MIN_CHUNK, MultiHasher
from cybercap.evidence.field.reader import open_readonly

MANIFEST = "manifest.json"
LOG = "custody.jsonl"
HEAD = LOG + ".head"
SIGNATURE = LOG + ".head.minisig"
PUBKEY = "key.pub"
EVIDENCE = "evidence.bin"


class UploadInvalid(ValueError):
    """A file is not what it should be (wrong type, unreadable): nothing is kept."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


@dataclass
class CheckResult:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    manifest_sha256: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    line_hashes: list[str] = field(default_factory=list)
    log_id: str = ""
    entries: int = 0
    head: str = ""
    key_id: str = ""
    trusted_comment: str = ""
    content_checked: bool = False
    content_report: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256_file(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def load_upload_manifest(path: str) -> dict[str, Any]:
    """The manifest, or :class:`UploadInvalid` saying why it is not a usable one."""
    try:
        manifest, _ = mf.load_manifest(path)
    except mf.ManifestError as exc:
        message = str(exc).replace(path, MANIFEST)
        raise UploadInvalid("manifest", message) from None
    files = manifest.get("files")
    if not isinstance(files, list) or not isinstance(manifest.get("algorithms"), list):
        raise UploadInvalid("manifest", f"{MANIFEST} has no list of files and algorithms")
    for number, record in enumerate(files, start=1):
        if not (
            isinstance(record, dict)
            and isinstance(record.get("path"), str)
            and isinstance(record.get("size"), int)
            and isinstance(record.get("hashes"), dict)
            and isinstance(record["hashes"].get("sha256"), str)
        ):
            raise UploadInvalid(
                "manifest", f"{MANIFEST}: file entry {number} lacks a path, size or SHA-256"
            )
    for key in ("case", "exhibit", "source"):
        if key not in manifest:
            raise UploadInvalid("manifest", f"{MANIFEST} has no {key!r}")
    return manifest


def load_public_key(path: str) -> minisign.PublicKey:
    try:
        with open(path, encoding="ascii") as handle:
            return minisign.load_public_key(handle.read())
    except (UnicodeDecodeError, ValueError) as exc:
        raise UploadInvalid("public_key", f"not a minisign public key: {exc}") from None


def _line_hashes(log_path: str) -> list[str]:
    with open(log_path, "rb") as handle:
        return [custody.line_hash(line) for line in handle.read().splitlines(keepends=True)]


def _check_custody(directory: str, key: minisign.PublicKey, result: CheckResult) -> None:
    log_path = os.path.join(directory, LOG)
    report = custody.verify(log_path, [key])
    result.problems += [f"custody log: {problem}" for problem in report.problems]
    result.events = report.events
    result.entries = report.entries
    result.head = report.head or ""
    result.key_id = report.signed_by or ""
    result.line_hashes = _line_hashes(log_path)
    result.log_id = str(report.events[0].get("log_id", ""))[:64] if report.events else ""
    if report.signed_by:
        with open(os.path.join(directory, HEAD), "rb") as handle:
            head = handle.read()
        with open(os.path.join(directory, SIGNATURE), encoding="ascii") as handle:
            _, comment = minisign.verify([key], head, handle.read())
        result.trusted_comment = comment[:300]
    if not report.events and not report.problems:
        result.problems.append("custody log: it holds no entry")


def _check_binding(case_ref: str, exhibit: str, result: CheckResult) -> None:
    """The manifest and the log are this exhibit's, and the log recorded this manifest."""
    manifest = result.manifest
    if manifest.get("case") != case_ref:
        result.problems.append(
            f"{MANIFEST}: case is {manifest.get('case')!r}, this register case is {case_ref!r}"
        )
    if manifest.get("exhibit") != exhibit:
        result.problems.append(
            f"{MANIFEST}: exhibit is {manifest.get('exhibit')!r}, this exhibit is {exhibit!r}"
        )
    for number, event in enumerate(result.events, start=1):
        if event.get("case_id") != case_ref:
            result.problems.append(
                f"custody log: line {number}: case is {event.get('case_id')!r}, not {case_ref!r}"
            )
        elif event.get("exhibit") != exhibit:
            result.problems.append(
                f"custody log: line {number}: exhibit is {event.get('exhibit')!r}, not {exhibit!r}"
            )
    expected = {record["path"]: record for record in manifest.get("files", [])}
    recorded = [
        (number, event)
        for number, event in enumerate(result.events, start=1)
        if isinstance(event.get("manifest"), dict)
    ]
    if not recorded:
        result.problems.append(
            "custody log: no entry records a manifest (record the acquisition with "
            "`custody record --action acquire --manifest manifest.json`)"
        )
        return
    matching = [
        (n, e) for n, e in recorded if e["manifest"].get("sha256") == result.manifest_sha256
    ]
    if not matching:
        number, event = recorded[-1]
        result.problems.append(
            f"{MANIFEST}: its SHA-256 is {result.manifest_sha256}, but custody log line "
            f"{number} ({event.get('action')}) recorded {event['manifest'].get('sha256')}: "
            "the manifest was changed after the acquisition was recorded"
        )
        matching = [(number, event)]
    for number, event in matching:
        items = event.get("items") or []
        seen = set()
        for item in items:
            if not isinstance(item, dict):
                continue
            path = item.get("path")
            seen.add(path)
            record = expected.get(path)
            where = f"{MANIFEST}: ./{path}"
            if record is None:
                result.problems.append(
                    f"{where}: in custody log line {number} ({event.get('action')}), "
                    "missing from the manifest"
                )
                continue
            if record["size"] != item.get("size"):
                result.problems.append(
                    f"{where}: size {record['size']}, custody log line {number} recorded "
                    f"{item.get('size')}"
                )
            for algorithm in ("sha256", "md5"):
                if algorithm in item and record["hashes"].get(algorithm) != item[algorithm]:
                    result.problems.append(
                        f"{where}: {algorithm} {record['hashes'].get(algorithm)} differs from "
                        f"{item[algorithm]} recorded in custody log line {number} "
                        f"({event.get('action')}): forged or edited"
                    )
        for path in expected:
            if items and path not in seen:
                result.problems.append(
                    f"{MANIFEST}: ./{path}: not in custody log line {number}'s items (added)"
                )


def _evidence_target(
    manifest: dict[str, Any], evidence_name: str, evidence_path: str
) -> dict[str, Any] | str:
    """The manifest entry the evidence file stands for, or a message why none."""
    files = manifest.get("files", [])
    if evidence_path:
        wanted = evidence_path.removeprefix("./")
        found = [record for record in files if record["path"] == wanted]
        return found[0] if found else f"{MANIFEST} lists no file ./{wanted}"
    if len(files) == 1:
        return files[0]
    base = os.path.basename(evidence_name)
    found = [record for record in files if os.path.basename(record["path"]) == base]
    if len(found) == 1:
        return found[0]
    if not found:
        return f"{MANIFEST} lists no file named {base}; give its path in the manifest"
    return f"{MANIFEST} lists several files named {base}; give its path in the manifest"


def _check_content(
    manifest: dict[str, Any], evidence: str, evidence_name: str, evidence_path: str
) -> tuple[list[str], dict[str, Any]]:
    where = f"evidence file {os.path.basename(evidence_name)}"
    target = _evidence_target(manifest, evidence_name, evidence_path)
    if isinstance(target, str):
        return [f"{where}: {target}"], {"file": evidence_name, "matched": False}
    algorithms = [str(name) for name in manifest["algorithms"]]
    chunk = manifest.get("chunk_size") or DEFAULT_CHUNK
    chunk = chunk if isinstance(chunk, int) and MIN_CHUNK <= chunk <= MAX_CHUNK else DEFAULT_CHUNK
    piece = manifest.get("piece_size")
    piece = piece if isinstance(piece, int) and piece > 0 else None
    try:
        with MultiHasher(algorithms, chunk_size=chunk, piece_size=piece) as hasher:
            fd = open_readonly(os.fsencode(evidence))
            try:
                digests = hasher.hash_fd(fd)
            finally:
                os.close(fd)
    except (ValueError, KeyError) as exc:
        return [f"{where}: cannot re-hash with {', '.join(algorithms)}: {exc}"], {}
    size = os.path.getsize(evidence)
    report = {
        "file": os.path.basename(evidence_name),
        "path": target["path"],
        "size": size,
        "hashes": digests.hashes,
        "matched": target["size"] == size and target["hashes"] == digests.hashes,
    }
    if report["matched"]:
        return [], report
    # The field's own wording: sizes, which hashes differ, the first differing piece.
    detail = field_verify._describe_change(target, size, digests)
    report["detail"] = detail
    return [f"{where}: does not match {MANIFEST}'s ./{target['path']}: {detail}"], report


def check_upload(
    directory: str,
    *,
    case_ref: str,
    exhibit: str,
    evidence_name: str = "",
    evidence_path: str = "",
) -> CheckResult:
    """Check the files in ``directory`` (see the module's docstring for the names)."""
    manifest_path = os.path.join(directory, MANIFEST)
    key = load_public_key(os.path.join(directory, PUBKEY))
    result = CheckResult(manifest=load_upload_manifest(manifest_path))
    result.manifest_sha256 = _sha256_file(manifest_path)
    _check_custody(directory, key, result)
    _check_binding(case_ref, exhibit, result)
    evidence = os.path.join(directory, EVIDENCE)
    if os.path.exists(evidence):
        result.content_checked = True
        problems, report = _check_content(
            result.manifest, evidence, evidence_name or EVIDENCE, evidence_path
        )
        result.problems += problems
        result.content_report = report
    else:
        result.notes.append(
            "No evidence file was uploaded: the manifest's hashes were checked against the "
            "signed custody log only."
        )
    if not result.manifest.get("summary", {}).get("clean", True):
        result.notes.append(
            f"{MANIFEST}: the acquisition recorded errors "
            f"({len(result.manifest.get('errors', []))}); see the manifest."
        )
    return result


def summary_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the register shows of a manifest (small, for lists and the form)."""
    raw_summary, raw_source = manifest.get("summary"), manifest.get("source")
    summary: dict[str, Any] = raw_summary if isinstance(raw_summary, dict) else {}
    source: dict[str, Any] = raw_source if isinstance(raw_source, dict) else {}
    return {
        "case": str(manifest.get("case", ""))[:200],
        "exhibit": str(manifest.get("exhibit", ""))[:200],
        "examiner": str(manifest.get("examiner", ""))[:200],
        "source_kind": str(source.get("kind", ""))[:50],
        "algorithms": [str(a)[:20] for a in manifest.get("algorithms", [])][:12],
        "started_at": str(manifest.get("started_at", ""))[:40],
        "finished_at": str(manifest.get("finished_at", ""))[:40],
        "clean": bool(summary.get("clean", False)),
        "files": len(manifest.get("files", [])),
        "bytes": sum(int(r.get("size", 0)) for r in manifest.get("files", [])),
        "errors": len(manifest.get("errors", []) or []),
    }


def json_lines_ok(path: str) -> str | None:
    """A quick type check of a custody log: UTF-8 JSON objects, one per line."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if b"\x00" in head:
        return "custody log: not a text file"
    stripped = head.lstrip()
    if not stripped.startswith(b"{"):
        return "custody log: not JSON lines (it should start with '{')"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return "custody log: not UTF-8 text"
    return None


def first_line_ok(path: str, prefix: bytes, label: str) -> str | None:
    with open(path, "rb") as handle:
        head = handle.read(len(prefix))
    if head != prefix:
        return f"{label}: not a {label} (it should start with {prefix.decode('ascii')!r})"
    return None
