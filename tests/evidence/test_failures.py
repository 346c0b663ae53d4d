"""Acquisition failures not covered elsewhere: a full disk (ENOSPC on write or on fsync), a
read error in the middle of a large file, a file or directory swapped after listing, an
unreadable directory, a bind mount that loops, and the chunk and piece boundaries."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import pwd
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cybercap.evidence.field import case as case_export
from cybercap.evidence.field import hashing
from cybercap.evidence.field import manifest as mf
from cybercap.evidence.field.acquire import AcquireRequest, acquire
from cybercap.evidence.field.walk import FileItem
from tests.evidence.conftest import CliRunner, MiB, acquire_args, run, tool


def request(source: Path, out: Path, **extra: Any) -> AcquireRequest:
    return AcquireRequest(
        source=str(source),
        case="C",
        exhibit="E",
        examiner="X",
        output=str(out),
        algorithms=["sha256", "sha1", "md5"],
        **extra,
    )


def fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


@pytest.mark.parametrize(
    ("call", "code"),
    [("write", errno.ENOSPC), ("fsync", errno.ENOSPC), ("fsync", errno.EIO)],
)
def test_a_full_disk_at_any_write_leaves_nothing(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch, call: str, code: int
):
    """ENOSPC when writing, or ENOSPC/EIO reported only by fsync (delayed allocation, NFS)."""
    source = tmp_path / "src"
    source.mkdir()
    for index in range(50):
        (source / f"file-{index:03}.txt").write_bytes(b"%d" % index)
    out = tmp_path / "out"
    out.mkdir()
    real = getattr(os, call)
    state = {"bytes": 0, "failed": 0}

    def failing(fd: int, *args: Any) -> Any:
        if fd_path(fd).startswith(str(out)):
            if call == "write":
                state["bytes"] += len(args[0])
                if state["bytes"] > 3000:  # the first manifest file fits, the next does not
                    state["failed"] += 1
                    raise OSError(code, os.strerror(code))
            elif fd_path(fd).endswith(".tmp") and fd_path(fd) != str(out):
                state["failed"] += 1
                raise OSError(code, os.strerror(code))
        return real(fd, *args)

    monkeypatch.setattr(mf.os, call, failing)
    status, stdout, stderr = cli(*acquire_args(source, out, "--quiet"))
    monkeypatch.undo()
    assert state["failed"] >= 1
    assert status == 2
    assert stderr == (
        f"cybercap evidence: cannot write the manifest: {os.strerror(code)};"
        " nothing was left behind\n"
    )
    assert stdout == ""
    assert os.listdir(out) == []
    # and the same disk, now with room: the acquisition runs clean into the same directory
    assert cli(*acquire_args(source, out, "--quiet"))[0] == 0


def test_export_case_on_a_full_disk_leaves_the_old_file(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f").write_bytes(b"1")
    assert cli(*acquire_args(source, tmp_path / "out", "--quiet"))[0] == 0
    export = tmp_path / "case.jsonld"
    export.write_bytes(b"previous export\n")
    real = os.fsync

    def full(fd: int) -> None:
        if fd_path(fd).endswith(".tmp"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(case_export.os, "fsync", full)
    status, _, stderr = cli("export-case", tmp_path / "out", "--output", export)
    monkeypatch.undo()
    assert status == 2
    assert "No space left on device" in stderr
    assert export.read_bytes() == b"previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.jsonld", "out", "src"]


def test_a_read_error_in_the_middle_of_a_large_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """EIO at 5 MiB into a 9 MiB file (a bad sector): the offset is said, the file is an
    error, the other files are hashed and the hashing threads are fine afterwards."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "a-bad.img").write_bytes(os.urandom(9 * MiB))
    (source / "b-good.img").write_bytes(os.urandom(5 * MiB))
    (source / "c-small.txt").write_bytes(b"small")
    real = os.read

    def bad_sector(fd: int, size: int) -> bytes:
        if fd_path(fd).endswith("a-bad.img") and os.lseek(fd, 0, os.SEEK_CUR) >= 5 * MiB:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(fd, size)

    monkeypatch.setattr(hashing.os, "read", bad_sector)
    result = acquire(request(source, tmp_path / "out", chunk_size=MiB))
    monkeypatch.undo()
    assert result.manifest["errors"] == [
        {
            "path": "a-bad.img",
            "kind": "read-error",
            "detail": f"Input/output error at offset {5 * MiB}",
        }
    ]
    hashes = {r["path"]: r["hashes"]["md5"] for r in result.manifest["files"]}
    assert hashes == {
        "b-good.img": hashlib.md5(
            (source / "b-good.img").read_bytes(), usedforsecurity=False
        ).hexdigest(),
        "c-small.txt": hashlib.md5(b"small", usedforsecurity=False).hexdigest(),
    }


def test_a_file_swapped_after_listing_is_replaced(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("a", "b-swapped", "c-symlinked"):
        (source / name).write_bytes(name.encode())

    def swap(item: FileItem) -> None:
        if item.rel == b"a":
            (source / "b-new").write_bytes(b"another file, another inode")
            (source / "b-new").replace(source / "b-swapped")
            (source / "c-symlinked").unlink()
            (source / "c-symlinked").symlink_to("/etc/passwd")

    result = acquire(request(source, tmp_path / "out"), on_file=swap)
    assert result.manifest["errors"] == [
        {
            "path": "b-swapped",
            "kind": "replaced",
            "detail": "a different file was there when opened",
        },
        {
            "path": "c-symlinked",
            "kind": "replaced",
            "detail": "replaced by a symlink after it was listed",
        },
    ]
    assert [r["path"] for r in result.manifest["files"]] == ["a"]
    assert result.clean is False


@pytest.fixture
def shared_tree() -> Iterator[Path]:
    """A tree outside root's private pytest directory, so that `nobody` can walk it."""
    base = Path(tempfile.mkdtemp(prefix="cybercap-evidence-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for path in base.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base)


def as_nobody(action: Callable[[], Any]) -> Any:
    """Run as `nobody` (root reads everything; an examiner without rights does not)."""
    dropped = os.geteuid() == 0
    if dropped:
        os.seteuid(pwd.getpwnam("nobody").pw_uid)
    try:
        return action()
    finally:
        if dropped:
            os.seteuid(0)


def test_an_unreadable_directory_is_an_error(shared_tree: Path, cli: CliRunner):
    source = shared_tree / "src"
    (source / "open").mkdir(parents=True)
    (source / "open" / "a.txt").write_bytes(b"a")
    (source / "locked").mkdir()
    (source / "locked" / "hidden.txt").write_bytes(b"hidden")
    (source / "locked").chmod(0o000)
    source.chmod(0o755)
    (source / "open").chmod(0o755)
    out = shared_tree / "out"
    out.mkdir()
    out.chmod(0o777)
    status, stdout, _ = as_nobody(lambda: cli(*acquire_args(source, out, "--quiet")))
    assert status == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["errors"] == [
        {"path": "locked", "kind": "unreadable-directory", "detail": "Permission denied"}
    ]
    assert [r["path"] for r in manifest["files"]] == ["open/a.txt"]
    assert "  error  ./locked: unreadable-directory: Permission denied" in stdout.splitlines()
    # verify knows the error from the acquisition: it is not a new failure
    status, stdout, _ = as_nobody(lambda: cli("verify", out, "--quiet"))
    assert status == 0, stdout
    assert "known    ./locked: unreadable-directory" in stdout


def test_a_bind_mount_looping_back_is_a_directory_loop(tmp_path: Path):
    """A directory mounted inside itself (as on a mounted evidence disk): no endless walk."""
    source = tmp_path / "src"
    (source / "a" / "mnt").mkdir(parents=True)
    (source / "a" / "file.txt").write_bytes(b"once")
    out = tmp_path / "out"
    script = (
        f"mount --bind {source} {source}/a/mnt && exec {sys.executable} -m cybercap evidence"
        f" acquire {source} --case C --exhibit E --examiner X --output {out} --quiet"
    )
    done = run([tool("unshare"), "--mount", "sh", "-c", script], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["errors"] == [
        {"path": "a/mnt", "kind": "directory-loop", "detail": "directory is its own ancestor"}
    ]
    assert [r["path"] for r in manifest["files"]] == ["a/file.txt"]


INLINE, CHUNK = hashing.INLINE_MAX, 1 * MiB
SIZES = [
    0,
    1,
    INLINE - 1,
    INLINE,
    INLINE + 1,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    2 * CHUNK,
    3 * CHUNK + 7,
]


def test_every_size_around_the_chunk_and_piece_boundaries(tmp_path: Path):
    """Small inputs are hashed in the reader's thread, large ones by the hashing threads:
    both give hashlib's digests, whole and per piece, at and around every boundary."""
    source = tmp_path / "src"
    source.mkdir()
    data = os.urandom(max(SIZES))
    for size in SIZES:
        (source / f"{size:08d}").write_bytes(data[:size])
    piece = CHUNK // 2 + INLINE  # pieces that do not line up with the chunks
    result = acquire(request(source, tmp_path / "out", chunk_size=CHUNK, piece_size=piece))
    assert result.clean
    by_size = {r["size"]: r for r in result.manifest["files"]}
    assert sorted(by_size) == SIZES
    for size, record in by_size.items():
        content = data[:size]
        for name in ("sha256", "sha1", "md5"):
            assert record["hashes"][name] == hashlib.new(name, content).hexdigest(), size
        expected = [
            (start, len(content[start : start + piece]))
            for start in range(0, size, piece)  # no piece for an empty file
        ]
        assert [(p["offset"], p["size"]) for p in record.get("pieces", [])] == expected, size
        for window in record.get("pieces", []):
            chunk = content[window["offset"] : window["offset"] + window["size"]]
            assert (
                window["hashes"]["md5"] == hashlib.md5(chunk, usedforsecurity=False).hexdigest()
            ), size


def test_coreutils_agree_on_files_of_every_boundary_size(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    data = os.urandom(max(SIZES))
    for size in SIZES:
        (source / f"size {size}").write_bytes(data[:size])
    out = tmp_path / "out"
    assert cli(*acquire_args(source, out, "--chunk", "1M", "--quiet"))[0] == 0
    for command in ("md5sum", "sha1sum", "sha256sum"):
        listed = run([tool(command), *sorted(os.listdir(source))], cwd=source).stdout
        theirs = {
            line.split(b"  ", 1)[1].decode(): line.split()[0].decode()
            for line in listed.splitlines()
        }
        manifest = json.loads((out / "manifest.json").read_text())
        name = command.removesuffix("sum")
        assert {r["path"]: r["hashes"][name] for r in manifest["files"]} == theirs
    sums = run([tool("sha256sum"), "-c", str(out / "SHA256SUMS")], cwd=source)
    assert sums.returncode == 0
    audit = [tool("hashdeep"), "-r", "-l", "-a", "-k", str(out / "manifest.hashdeep"), "."]
    assert run(audit, cwd=source).stdout == b"hashdeep: Audit passed\n"


def test_hashdeep_and_sha256sum_catch_a_missing_and_an_added_file(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "kept.txt").write_bytes(b"kept")
    (source / "removed.txt").write_bytes(b"removed")
    out = tmp_path / "out"
    assert cli(*acquire_args(source, out, "--quiet"))[0] == 0
    (source / "removed.txt").unlink()
    sums = run([tool("sha256sum"), "-c", str(out / "SHA256SUMS")], cwd=source)
    assert sums.returncode == 1
    audit = [tool("hashdeep"), "-r", "-l", "-a", "-vv", "-k", str(out / "manifest.hashdeep"), "."]
    missing = run(audit, cwd=source)
    assert missing.returncode == 1
    assert b"Known files not found: 1" in missing.stdout
    (source / "removed.txt").write_bytes(b"removed")
    (source / "added.txt").write_bytes(b"added")
    added = run(audit, cwd=source)
    assert added.returncode == 1
    assert b"New files found: 1" in added.stdout
    status, stdout, _ = cli("verify", out, "--quiet")
    assert status == 1
    assert "new      ./added.txt" in stdout
