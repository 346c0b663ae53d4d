"""``verify``: re-hash a source and compare it with its manifest (hashdeep audit semantics).

Every file ends in exactly one class: matched (same path, size and every hash), changed
(same path, different content), missing (in the manifest, gone from the source), new (in
the source, not in the manifest), or moved (a missing path whose content now sits under a
new path: same size and hashes). Files that cannot be read are errors.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Any

from cybercap.evidence.field import manifest as mf
from cybercap.evidence.field.hashing import MultiHasher
from cybercap.evidence.field.names import escape, unescape
from cybercap.evidence.field.progress import Progress
from cybercap.evidence.field.reader import hash_item
from cybercap.evidence.field.walk import FileItem, Listing, Problem, list_source


class VerifyError(Exception):
    """Verification could not run (bad manifest, missing root)."""


@dataclass
class Changed:
    path: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "detail": self.detail}


@dataclass
class VerifyReport:
    manifest_path: str
    root: str
    matched: list[str] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    known: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.new or self.moved or self.errors)

    def as_json(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest_path,
            "root": self.root,
            "ok": self.ok,
            "counts": {
                "matched": len(self.matched),
                "changed": len(self.changed),
                "missing": len(self.missing),
                "new": len(self.new),
                "moved": len(self.moved),
                "errors": len(self.errors),
                "known_errors": len(self.known),
            },
            "matched": self.matched,
            "changed": [item.as_json() for item in self.changed],
            "missing": self.missing,
            "new": self.new,
            "moved": [{"from": old, "to": new} for old, new in self.moved],
            "errors": [problem.as_json() for problem in self.errors],
            "known_errors": [problem.as_json() for problem in self.known],
        }


def _describe_change(expected: dict[str, Any], size: int, digests: Any) -> str:
    parts = []
    if expected["size"] != size:
        parts.append(f"size {expected['size']} -> {size}")
    differing = [
        name for name, value in expected["hashes"].items() if digests.hashes.get(name) != value
    ]
    parts.append("hash differs: " + ", ".join(differing))
    old_pieces = expected.get("pieces") or []
    new_pieces = digests.pieces
    for index, piece in enumerate(old_pieces):
        new = new_pieces[index] if index < len(new_pieces) else None
        if new is None or new["hashes"] != piece["hashes"]:
            parts.append(f"first differing piece at offset {piece['offset']}")
            break
    else:
        if len(new_pieces) > len(old_pieces) and old_pieces:
            parts.append(f"content appended after offset {new_pieces[len(old_pieces)]['offset']}")
    return "; ".join(parts)


def _listing_for(manifest: dict[str, Any], root_arg: str | None) -> tuple[Listing, list[bytes]]:
    source = manifest["source"]
    kind = source["kind"]
    expected_paths = [unescape(record["path"]) for record in manifest["files"]]
    if kind == "directory":
        root = os.fsencode(root_arg) if root_arg else unescape(source["root"])
        if not os.path.isdir(root):
            raise VerifyError(f"{escape(root)} is not a directory")
        return list_source(root), expected_paths
    # A single file or a device: ROOT may be the file itself (a copy under another name)
    # or the directory holding it.
    name = expected_paths[0] if expected_paths else os.path.basename(unescape(source["path"]))
    target = os.path.abspath(os.fsencode(root_arg) if root_arg else unescape(source["root"]))
    if os.path.isdir(target):
        target = os.path.join(target, name)
    try:
        st = os.lstat(target)
    except OSError:
        listing = Listing(kind=kind, root=os.path.dirname(target))
        return listing, expected_paths
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISBLK(st.st_mode)):
        raise VerifyError(f"{escape(target)} is not a file or a block device")
    listing = Listing(kind=kind, root=os.path.dirname(target))
    listing.files.append(FileItem(rel=name, abspath=target, st=st))
    return listing, expected_paths


def _compare_links(manifest: dict[str, Any], listing: Listing, report: VerifyReport) -> None:
    """Symlinks are evidence too: a changed target is a change, a removed one is missing."""
    if listing.kind != "directory":
        return
    before = {link["path"]: link["target"] for link in manifest.get("symlinks", [])}
    now = {escape(link.rel): escape(link.target) for link in listing.links}
    for path, target in sorted(before.items()):
        if path not in now:
            report.missing.append(path)
        elif now[path] != target:
            report.changed.append(Changed(path, f"symlink target {target} -> {now[path]}"))
        else:
            report.matched.append(path)
    report.new.extend(path for path in sorted(now) if path not in before)


def verify(
    manifest_arg: str, root: str | None = None, *, progress: Progress | None = None
) -> VerifyReport:
    try:
        manifest, manifest_path = mf.load_manifest(manifest_arg)
    except mf.ManifestError as exc:
        raise VerifyError(str(exc)) from None
    progress = progress or Progress("verify", quiet=True)
    try:
        listing, _ = _listing_for(manifest, root)
    except OSError as exc:
        raise VerifyError(f"cannot read the source: {exc.strerror or exc}") from None
    expected = {unescape(record["path"]): record for record in manifest["files"]}
    report = VerifyReport(manifest_path=manifest_path, root=escape(listing.root))
    # Entries the acquisition already recorded as errors of the same kind (a symlink loop, a
    # FIFO) are reported as known, not as new findings.
    recorded = {(unescape(error["path"]), error["kind"]) for error in manifest.get("errors", [])}
    for problem in listing.problems:
        target = report.known if (problem.rel, problem.kind) in recorded else report.errors
        target.append(problem)
    _compare_links(manifest, listing, report)
    new: dict[bytes, tuple[int, dict[str, str]]] = {}
    seen: set[bytes] = set()
    progress.start(total_bytes=listing.total_bytes, total_files=len(listing.files))
    try:
        with MultiHasher(
            list(manifest["algorithms"]),
            chunk_size=int(manifest.get("chunk_size") or 2 * 1024 * 1024),
            piece_size=manifest.get("piece_size"),
        ) as hasher:
            for item in listing.files:
                outcome = hash_item(item, hasher, on_bytes=progress.advance)
                progress.file_done()
                if isinstance(outcome, Problem):
                    report.errors.append(outcome)
                    seen.add(item.rel)
                    continue
                record = expected.get(item.rel)
                if record is None:
                    new[item.rel] = (outcome.size, outcome.digests.hashes)
                    continue
                seen.add(item.rel)
                if record["size"] == outcome.size and record["hashes"] == outcome.digests.hashes:
                    report.matched.append(escape(item.rel))
                else:
                    report.changed.append(
                        Changed(
                            escape(item.rel),
                            _describe_change(record, outcome.size, outcome.digests),
                        )
                    )
    finally:
        progress.finish()
    missing = [path for path in expected if path not in seen]
    by_content: dict[tuple[int, str], list[bytes]] = {}
    for path in missing:
        record = expected[path]
        by_content.setdefault((record["size"], record["hashes"]["sha256"]), []).append(path)
    for path, (size, hashes) in sorted(new.items()):
        candidates = by_content.get((size, hashes["sha256"]))
        if candidates:
            old = candidates.pop(0)
            missing.remove(old)
            report.moved.append((escape(old), escape(path)))
        else:
            report.new.append(escape(path))
    report.missing = sorted([*report.missing, *(escape(path) for path in missing)])
    report.new.sort()
    report.matched.sort()
    return report
