"""A block device as the source, and the progress bar on a real terminal."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.evidence.conftest import CliRunner, MiB, acquire_args, tool


def test_a_block_device_is_hashed_whole(tmp_path: Path, cli: CliRunner):
    image = tmp_path / "disk.img"
    image.write_bytes(os.urandom(5 * MiB))
    device = subprocess.run(
        [tool("losetup"), "--find", "--show", "--read-only", str(image)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        out = tmp_path / "out"
        status, _, stderr = cli(*acquire_args(device, out))
        assert status == 0, stderr
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["source"]["kind"] == "block-device"
        assert manifest["source"]["root"] == "/dev"
        [record] = manifest["files"]
        assert record["path"] == os.path.basename(device)
        assert record["size"] == 5 * MiB
        assert record["hashes"]["sha256"] == hashlib.sha256(image.read_bytes()).hexdigest()
        assert cli("verify", out, "--quiet")[0] == 0
    finally:
        subprocess.run([tool("losetup"), "--detach", device], check=True)


def test_a_terminal_gets_a_progress_bar(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "file.bin").write_bytes(os.urandom(3 * MiB))
    primary, secondary = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cybercap",
            "evidence",
            *map(str, acquire_args(source, tmp_path / "o")),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=env,
        check=False,
        timeout=60,
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO once the terminal has no writer left
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert done.returncode == 0
    text = shown.decode("utf-8", errors="replace")
    assert "acquire" in text
    assert "3.0/3.0 MiB" in text  # rich's byte column, binary units
    assert "1/1 files" in text
    assert "acquire: 1 files" not in text  # no plain log lines on a terminal
