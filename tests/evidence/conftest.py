"""Evidence trees made on disk, and helpers to run the field CLI and the reference tools."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cybercap.evidence.field.cli import main as evidence_main

MiB = 1024 * 1024
BIG_SIZE = 40 * MiB


def tool(name: str) -> str:
    """The path of a reference tool; a missing tool fails the test (never skips it)."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    path = shutil.which(name, path=search)
    assert path is not None, f"{name} is not installed (system-packages.txt lists it)"
    return path


def run(args: list[str], cwd: Path | str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, cwd=cwd, capture_output=True, timeout=120, check=False)


def write_big_sparse(path: Path) -> None:
    """A 40 MiB file that is mostly holes, with data at the start, middle and end."""
    with open(path, "wb") as handle:
        handle.truncate(BIG_SIZE)
        for offset in (0, 17 * MiB + 5, BIG_SIZE - 4096):
            handle.seek(offset)
            handle.write(hashlib.sha512(str(offset).encode()).digest() * 64)


def make_tree(root: Path) -> None:
    """Nested dirs, an empty file, a big sparse file, odd names and a symlink loop."""
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "a" / "b" / "c" / "deep.txt").write_bytes(b"deep\n")
    (root / "a" / "first.txt").write_bytes(b"first\n")
    (root / "empty").write_bytes(b"")
    write_big_sparse(root / "disk.img")
    (root / "ünïcödé 名前.txt").write_bytes("Thai: ภาษาไทย\n".encode())
    (root / 'co,mma "quoted".csv').write_bytes(b"x,y\n1,2\n")
    (root / "back\\slash").write_bytes(b"backslash\n")
    (root / os.fsdecode(b"latin1-\xe9t\xe9")).write_bytes(b"not utf-8 name\n")
    (root / "sp ace").write_bytes(b" ")
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    root.mkdir()
    make_tree(root)
    return root


CliRunner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run ``cybercap evidence ARGS`` in process; return (exit status, stdout, stderr)."""

    def runner(*args: Any) -> tuple[int, str, str]:
        capsys.readouterr()
        status = evidence_main([os.fspath(arg) for arg in args])
        out, err = capsys.readouterr()
        return status, out, err

    return runner


def acquire_args(source: Path, output: Path, *extra: str) -> list[Any]:
    return [
        "acquire", source, "--case", "TH-2026-001", "--exhibit", "EX-01",
        "--examiner", "Somchai P.", "--output", output, *extra,
    ]  # fmt: skip


def snapshot(root: Path) -> dict[bytes, tuple[str, int, int]]:
    """Content hash, size and mtime of every file below root (symlinks by target)."""
    state: dict[bytes, tuple[str, int, int]] = {}
    for dirpath, _dirs, files in os.walk(os.fsencode(root)):
        for name in files:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if os.path.islink(path):
                state[path] = (os.fsdecode(os.readlink(path)), 0, st.st_mtime_ns)
                continue
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            state[path] = (digest, st.st_size, st.st_mtime_ns)
    return state


def atimes(root: Path) -> dict[bytes, int]:
    return {
        os.path.join(dirpath, name): os.lstat(os.path.join(dirpath, name)).st_atime_ns
        for dirpath, _dirs, files in os.walk(os.fsencode(root))
        for name in files
    }
