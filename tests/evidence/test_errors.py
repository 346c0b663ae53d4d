"""Every error case of an acquisition is recorded, reported and reflected in the exit status."""

from __future__ import annotations

import json
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cybercap.evidence.field.acquire import AcquireRequest, acquire
from cybercap.evidence.field.walk import FileItem
from tests.evidence.conftest import CliRunner, MiB, acquire_args


def load(output: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((output / "manifest.json").read_text("utf-8"))


def test_a_fifo_is_recorded_not_waited_on(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "file").write_bytes(b"data")
    os.mkfifo(source / "pipe")
    out = tmp_path / "out"
    status, _, _ = cli(*acquire_args(source, out))
    assert status == 1
    manifest = load(out)
    assert manifest["errors"] == [
        {"path": "pipe", "kind": "special-file", "detail": "fifo: content not acquired"}
    ]
    assert [record["path"] for record in manifest["files"]] == ["file"]


@pytest.fixture
def shared_tree() -> Iterator[Path]:
    """A tree outside root's private pytest directory, so that `nobody` can walk it."""
    base = Path(tempfile.mkdtemp(prefix="cybercap-evidence-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base)


def test_an_unreadable_file_is_an_error(shared_tree: Path, cli: CliRunner):
    source = shared_tree / "src"
    source.mkdir(mode=0o755)
    (source / "open.txt").write_bytes(b"readable")
    secret = source / "secret.txt"
    secret.write_bytes(b"no access")
    secret.chmod(0o000)
    out = shared_tree / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    # Root reads everything; act as `nobody` (as an examiner without rights would).
    nobody = pwd.getpwnam("nobody").pw_uid
    dropped = os.geteuid() == 0
    if dropped:
        os.seteuid(nobody)
    try:
        status, stdout, _ = cli(*acquire_args(source, out))
    finally:
        if dropped:
            os.seteuid(0)
    assert status == 1
    manifest = load(out)
    assert manifest["errors"] == [
        {"path": "secret.txt", "kind": "unreadable", "detail": "Permission denied"}
    ]
    assert [record["path"] for record in manifest["files"]] == ["open.txt"]
    assert "  error  ./secret.txt: unreadable: Permission denied" in stdout.splitlines()


def test_a_read_error_is_recorded_with_its_offset(tmp_path: Path, cli: CliRunner):
    # Offset 0 of a process's own memory is unmapped: reading it fails with EIO.
    out = tmp_path / "out"
    status, _, _ = cli(*acquire_args("/proc/self/mem", out))
    assert status == 1
    assert load(out)["errors"] == [
        {"path": "mem", "kind": "read-error", "detail": "Input/output error at offset 0"}
    ]
    assert load(out)["files"] == []


def test_a_file_changing_while_read_is_recorded(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    busy = source / "busy.log"
    busy.write_bytes(os.urandom(24 * MiB))
    stop = threading.Event()

    def keep_touching() -> None:  # a program still writing its log
        tick = 0
        while not stop.is_set():
            tick += 1
            os.utime(busy, ns=(tick, tick))

    writer = threading.Thread(target=keep_touching)
    writer.start()
    try:
        status, _, _ = cli(*acquire_args(source, tmp_path / "out"))
    finally:
        stop.set()
        writer.join()
    assert status == 1
    [error] = load(tmp_path / "out")["errors"]
    assert (error["path"], error["kind"]) == ("busy.log", "changed")
    assert error["detail"].startswith("changed while being read: mtime_ns ")
    assert load(tmp_path / "out")["files"] == []


def test_a_proc_file_whose_size_lies_is_recorded_as_changed(tmp_path: Path, cli: CliRunner):
    status, _, _ = cli(*acquire_args("/proc/self/status", tmp_path / "out"))
    assert status == 1
    [error] = load(tmp_path / "out")["errors"]
    assert (error["path"], error["kind"]) == ("status", "changed")
    assert error["detail"].startswith("changed while being read: read ")
    assert error["detail"].endswith(" bytes of 0")


def test_a_file_removed_after_listing_is_recorded(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a-first").write_bytes(b"1")
    (source / "b-gone").write_bytes(b"2")

    def remove_b(item: FileItem) -> None:
        if item.rel == b"a-first":
            (source / "b-gone").unlink()

    request = AcquireRequest(
        source=str(source),
        case="C",
        exhibit="E",
        examiner="X",
        output=str(tmp_path / "out"),
        algorithms=["sha256"],
    )
    result = acquire(request, on_file=remove_b)
    assert result.clean is False
    assert result.manifest["errors"] == [
        {"path": "b-gone", "kind": "vanished", "detail": "removed after it was listed"}
    ]
    assert [record["path"] for record in result.manifest["files"]] == ["a-first"]


def test_a_full_disk_leaves_no_half_manifest(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    for index in range(60):
        (source / f"file-{index:03}.txt").write_bytes(b"%d" % index)
    out = tmp_path / "out"
    out.mkdir()

    def small_disk() -> None:  # writes past 6000 bytes fail (EFBIG), like a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (6000, 6000))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cybercap",
            "evidence",
            *map(str, acquire_args(source, out, "--quiet")),
        ],
        preexec_fn=small_disk,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("cybercap evidence: cannot write the manifest: File too large")
    assert done.stderr.endswith("nothing was left behind\n")
    assert os.listdir(out) == []


def test_it_refuses_an_output_inside_the_source(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f").write_bytes(b"1")
    status, _, stderr = cli(*acquire_args(source, source / "out"))
    assert status == 2
    assert stderr == "cybercap evidence: the output directory must not be inside the source\n"
    assert os.listdir(source) == ["f"]


def test_it_refuses_to_overwrite_a_manifest(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f").write_bytes(b"1")
    out = tmp_path / "out"
    assert cli(*acquire_args(source, out))[0] == 0
    first = (out / "manifest.json").read_bytes()
    status, _, stderr = cli(*acquire_args(source, out))
    assert status == 2
    assert stderr == (
        "cybercap evidence: the output directory already holds SHA256SUMS, manifest.hashdeep,"
        " manifest.json; choose an empty one\n"
    )
    assert (out / "manifest.json").read_bytes() == first


def test_usage_errors_exit_2(tmp_path: Path, cli: CliRunner):
    assert cli(*acquire_args(tmp_path, tmp_path / "o", "--algorithms", "crc32"))[0] == 2
    assert cli(*acquire_args(tmp_path / "missing", tmp_path / "o"))[0] == 2
    assert cli(*acquire_args(tmp_path, tmp_path / "o", "--chunk", "64K"))[0] == 2


def test_progress_is_plain_log_lines_when_not_a_terminal(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f").write_bytes(b"12345")
    _, _, stderr = cli(*acquire_args(source, tmp_path / "out"))
    lines = stderr.splitlines()
    assert lines[0] == "acquire: 1 files, 5 B to read"
    assert lines[1].startswith("acquire: read 5 B in ")
    assert lines[1].endswith(" 1 files")
