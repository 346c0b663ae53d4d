"""`cybercap evidence verify`: matched, changed, missing, new and moved, with exit status."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cybercap.evidence.field.cli import main as evidence_main
from tests.evidence.conftest import CliRunner, MiB, acquire_args


def make_source(root: Path) -> None:
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "report.txt").write_bytes(b"report\n")
    (root / "docs" / "notes.txt").write_bytes(b"notes\n")
    (root / "photo.jpg").write_bytes(os.urandom(3 * MiB))
    (root / "keep.bin").write_bytes(b"keep")


def acquired(tmp_path: Path, cli: CliRunner, *extra: str) -> tuple[Path, Path]:
    source = tmp_path / "src"
    make_source(source)
    out = tmp_path / "out"
    assert cli(*acquire_args(source, out, *extra))[0] == 0
    return source, out


def test_an_untouched_source_verifies(tmp_path: Path, cli: CliRunner):
    _, out = acquired(tmp_path, cli)
    status, stdout, _ = cli("verify", out)
    assert status == 0
    assert stdout.splitlines()[0].startswith("VERIFIED: every file matches")
    assert stdout.splitlines()[1:] == [
        "  matched  4",
        "  changed  0",
        "  missing  0",
        "  new      0",
        "  moved    0",
        "  errors   0",
    ]


def test_it_reports_each_kind_of_difference(tmp_path: Path, cli: CliRunner):
    source, out = acquired(tmp_path, cli, "--piece", "1M")
    with open(source / "photo.jpg", "r+b") as handle:  # one byte in the third MiB
        handle.seek(2 * MiB + 10)
        byte = handle.read(1)
        handle.seek(2 * MiB + 10)
        handle.write(bytes([byte[0] ^ 0xFF]))
    (source / "docs" / "notes.txt").unlink()
    (source / "docs" / "report.txt").rename(source / "report-renamed.txt")
    (source / "planted.exe").write_bytes(b"MZ")
    status, stdout, _ = cli("verify", out / "manifest.json", "--json")
    assert status == 1
    report = json.loads(stdout)
    assert report["ok"] is False
    assert report["counts"] == {
        "matched": 1,
        "changed": 1,
        "missing": 1,
        "new": 1,
        "moved": 1,
        "errors": 0,
        "known_errors": 0,
    }
    assert report["matched"] == ["keep.bin"]
    assert report["changed"] == [
        {
            "path": "photo.jpg",
            "detail": "hash differs: sha256, sha1, md5; first differing piece at offset 2097152",
        }
    ]
    assert report["missing"] == ["docs/notes.txt"]
    assert report["new"] == ["planted.exe"]
    assert report["moved"] == [{"from": "docs/report.txt", "to": "report-renamed.txt"}]

    status, stdout, _ = cli("verify", out, "--quiet")
    assert status == 1
    assert stdout.splitlines()[7:] == [
        "changed  ./photo.jpg: hash differs: sha256, sha1, md5; first differing piece at"
        " offset 2097152",
        "missing  ./docs/notes.txt",
        "new      ./planted.exe",
        "moved    ./docs/report.txt -> ./report-renamed.txt",
    ]


def test_a_copy_elsewhere_verifies_against_the_original_manifest(tmp_path: Path, cli: CliRunner):
    source, out = acquired(tmp_path, cli)
    copy = tmp_path / "copy"
    shutil.copytree(source, copy)
    assert cli("verify", out, copy)[0] == 0
    assert cli("verify", out, "--source", copy)[0] == 0
    (copy / "keep.bin").write_bytes(b"kept")
    assert cli("verify", out, copy)[0] == 1


def test_a_renamed_image_verifies_against_its_manifest(tmp_path: Path, cli: CliRunner):
    image = tmp_path / "disk.dd"
    image.write_bytes(os.urandom(MiB + 1))
    out = tmp_path / "out"
    assert cli(*acquire_args(image, out))[0] == 0
    copy = tmp_path / "working-copy.dd"
    shutil.copyfile(image, copy)
    assert cli("verify", out, copy)[0] == 0
    status, stdout, _ = cli("verify", out, "--json")
    assert status == 0
    assert json.loads(stdout)["matched"] == ["disk.dd"]
    image.unlink()
    status, stdout, _ = cli("verify", out, "--json")
    assert status == 1
    assert json.loads(stdout)["missing"] == ["disk.dd"]


def test_a_changed_symlink_is_a_change(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a").write_bytes(b"a")
    os.symlink("a", source / "latest")
    out = tmp_path / "out"
    assert cli(*acquire_args(source, out))[0] == 0
    os.unlink(source / "latest")
    os.symlink("/etc/passwd", source / "latest")
    status, stdout, _ = cli("verify", out, "--json")
    assert status == 1
    assert json.loads(stdout)["changed"] == [
        {"path": "latest", "detail": "symlink target a -> /etc/passwd"}
    ]


def test_a_bad_manifest_exits_2(tmp_path: Path, cli: CliRunner):
    (tmp_path / "manifest.json").write_text('{"format": "other"}')
    status, _, stderr = cli("verify", tmp_path)
    assert status == 2
    assert stderr == (
        f"cybercap evidence: {tmp_path}/manifest.json is not a cybercap evidence manifest\n"
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_single_bit_change_is_caught(tmp_path_factory, data):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("bitflip")
    source = base / "src"
    source.mkdir()
    files = {
        "a.bin": data.draw(st.binary(min_size=1, max_size=5000), label="a"),
        "sub/b.bin": data.draw(st.binary(min_size=1, max_size=5000), label="b"),
    }
    for name, content in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)
    out = base / "out"
    assert evidence_main([*map(str, acquire_args(source, out, "--quiet"))]) == 0
    name = data.draw(st.sampled_from(sorted(files)), label="file")
    position = data.draw(st.integers(0, len(files[name]) * 8 - 1), label="bit")
    flipped = bytearray(files[name])
    flipped[position // 8] ^= 1 << (position % 8)
    (source / name).write_bytes(bytes(flipped))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = evidence_main(["verify", str(out), "--json"])
    assert status == 1
    report = json.loads(buffer.getvalue())
    assert [item["path"] for item in report["changed"]] == [name]
    assert report["counts"]["matched"] == 1


LARGE = random.Random(6).randbytes(2 * MiB + 300 * 1024)  # two chunks and a tail, read by
# the hashing threads (the test above stays under the size hashed in the reader's thread)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    position=st.integers(0, len(LARGE) * 8 - 1),
    piece=st.sampled_from([None, "1M", "64K"]),
)
def test_any_single_bit_change_in_a_large_file_is_caught(tmp_path_factory, position, piece):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("bitflip-large")
    source = base / "src"
    source.mkdir()
    (source / "disk.img").write_bytes(LARGE)
    (source / "note.txt").write_bytes(b"unchanged")
    out = base / "out"
    extra = ["--chunk", "1M", *(["--piece", piece] if piece else [])]
    assert evidence_main([*map(str, acquire_args(source, out, "--quiet", *extra))]) == 0
    flipped = bytearray(LARGE)
    flipped[position // 8] ^= 1 << (position % 8)
    (source / "disk.img").write_bytes(bytes(flipped))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = evidence_main(["verify", str(out), "--json"])
    assert status == 1
    report = json.loads(buffer.getvalue())
    [changed] = report["changed"]
    assert changed["path"] == "disk.img"
    assert report["counts"]["matched"] == 1
    if piece:  # the first differing window is the one holding the flipped bit
        window = {"1M": MiB, "64K": 64 * 1024}[piece]
        offset = (position // 8) // window * window
        assert f"first differing piece at offset {offset}" in changed["detail"]
