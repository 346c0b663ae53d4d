"""`cybercap evidence acquire` against the independent tools: hashdeep, sha256sum, md5sum."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

from cybercap.evidence.field.names import escape, unescape
from tests.evidence.conftest import (
    BIG_SIZE,
    CliRunner,
    MiB,
    acquire_args,
    atimes,
    run,
    snapshot,
    tool,
)

LOOP_ERRORS = [
    {"path": "loop-a", "kind": "symlink-loop", "detail": "symlink to loop-b loops"},
    {"path": "loop-b", "kind": "symlink-loop", "detail": "symlink to loop-a loops"},
]
EXPECTED_PATHS = [
    "a/b/c/deep.txt",
    "a/first.txt",
    "back\\\\slash",
    'co,mma "quoted".csv',
    "disk.img",
    "empty",
    "latin1-\\xe9t\\xe9",
    "sp ace",
    "ünïcödé 名前.txt",
]


def load(output: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((output / "manifest.json").read_text("utf-8"))


def test_it_records_every_file_and_the_symlink_loop(tree: Path, tmp_path: Path, cli: CliRunner):
    out = tmp_path / "out"
    status, stdout, stderr = cli(*acquire_args(tree, out, "--algorithms", "md5,sha1"))
    assert status == 1  # the loop makes the acquisition not clean
    manifest = load(out)
    assert sorted(record["path"] for record in manifest["files"]) == sorted(EXPECTED_PATHS)
    assert manifest["errors"] == LOOP_ERRORS
    assert manifest["summary"]["clean"] is False
    assert manifest["summary"]["files"] == 9
    assert manifest["summary"]["errors"] == 2
    assert manifest["algorithms"] == ["sha256", "md5", "sha1"]
    assert (manifest["case"], manifest["exhibit"], manifest["examiner"]) == (
        "TH-2026-001",
        "EX-01",
        "Somchai P.",
    )
    assert manifest["source"] == {"path": str(tree), "kind": "directory", "root": str(tree)}
    assert manifest["started_at"].endswith("Z")
    assert manifest["finished_at"] >= manifest["started_at"]
    assert sorted(manifest["symlinks"], key=lambda link: link["path"]) == [
        {"path": "loop-a", "target": "loop-b", "state": "loop"},
        {"path": "loop-b", "target": "loop-a", "state": "loop"},
    ]
    assert "NOT CLEAN: 2 errors recorded" in stdout
    assert "error: ./loop-a: symlink-loop: symlink to loop-b loops" in stderr.splitlines()
    sizes = {record["path"]: record["size"] for record in manifest["files"]}
    assert sizes["disk.img"] == BIG_SIZE
    assert sizes["empty"] == 0
    assert sorted(os.listdir(out)) == ["SHA256SUMS", "manifest.hashdeep", "manifest.json"]


def test_hashes_equal_those_of_coreutils(tree: Path, tmp_path: Path, cli: CliRunner):
    out = tmp_path / "out"
    cli(*acquire_args(tree, out, "--algorithms", "md5,sha1,sha512"))
    for record in load(out)["files"]:
        path = os.path.join(os.fsencode(tree), unescape(record["path"]))
        for algorithm, command in [
            ("md5", "md5sum"),
            ("sha1", "sha1sum"),
            ("sha256", "sha256sum"),
            ("sha512", "sha512sum"),
        ]:
            with open(path, "rb") as handle:
                done = subprocess.run(
                    [tool(command)], stdin=handle, capture_output=True, check=True
                )
            assert record["hashes"][algorithm] == done.stdout.split()[0].decode(), (
                record["path"],
                algorithm,
            )


def test_hashdeep_audits_the_manifest_and_catches_a_one_byte_change(
    tree: Path, tmp_path: Path, cli: CliRunner
):
    out = tmp_path / "out"
    cli(*acquire_args(tree, out))
    audit = [tool("hashdeep"), "-r", "-l", "-a", "-k", str(out / "manifest.hashdeep"), "."]
    passed = run(audit, cwd=tree)
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout == b"hashdeep: Audit passed\n"
    sums = run([tool("sha256sum"), "-c", str(out / "SHA256SUMS")], cwd=tree)
    assert sums.returncode == 0, sums.stdout
    assert sums.stdout.count(b": OK\n") == 9

    with open(tree / "disk.img", "r+b") as handle:  # one byte, deep inside the big file
        handle.seek(33 * MiB)
        handle.write(b"\x01")
    failed = run(audit, cwd=tree)
    assert failed.returncode == 1
    assert failed.stdout == b"hashdeep: Audit failed\n"
    sums = run([tool("sha256sum"), "-c", str(out / "SHA256SUMS")], cwd=tree)
    assert sums.returncode == 1
    assert b"./disk.img: FAILED\n" in sums.stdout


def test_the_hashdeep_file_is_what_hashdeep_writes(tree: Path, tmp_path: Path, cli: CliRunner):
    out = tmp_path / "out"
    cli(*acquire_args(tree, out, "--algorithms", "md5"))
    ours = (out / "manifest.hashdeep").read_bytes().splitlines()
    theirs = run([tool("hashdeep"), "-c", "md5,sha256", "-r", "-l", "."], cwd=tree).stdout
    theirs_lines = theirs.splitlines()
    assert ours[:2] == [b"%%%% HASHDEEP-1.0", b"%%%% size,md5,sha256,filename"]
    assert theirs_lines[:2] == ours[:2]
    assert _records(ours) == _records(theirs_lines)


def _records(lines: list[bytes]) -> list[bytes]:
    return sorted(line for line in lines if not line.startswith((b"%", b"#")))


def test_it_never_changes_the_source(tree: Path, tmp_path: Path, cli: CliRunner):
    before = snapshot(tree)
    access = atimes(tree)  # after snapshot(): reading there set the atimes already
    listing = sorted(os.listdir(tree))
    cli(*acquire_args(tree, tmp_path / "out", "--piece", "4M"))
    assert snapshot(tree) == before
    assert atimes(tree) == access  # O_NOATIME: reading did not move atime
    assert sorted(os.listdir(tree)) == listing


def test_piecewise_hashes_cover_the_file_in_windows(tree: Path, tmp_path: Path, cli: CliRunner):
    out = tmp_path / "out"
    cli(*acquire_args(tree, out, "--piece", "16M", "--algorithms", "md5"))
    record = next(r for r in load(out)["files"] if r["path"] == "disk.img")
    data = (tree / "disk.img").read_bytes()
    assert [(p["offset"], p["size"]) for p in record["pieces"]] == [
        (0, 16 * MiB),
        (16 * MiB, 16 * MiB),
        (32 * MiB, 8 * MiB),
    ]
    for piece in record["pieces"]:
        window = data[piece["offset"] : piece["offset"] + piece["size"]]
        assert piece["hashes"] == {
            "sha256": hashlib.sha256(window).hexdigest(),
            "md5": hashlib.md5(window).hexdigest(),  # noqa: S324 - interoperability hash
        }
    empty = next(r for r in load(out)["files"] if r["path"] == "empty")
    assert "pieces" not in empty  # an empty file has no windows


def test_optional_algorithms(tmp_path: Path, cli: CliRunner):
    import blake3

    source = tmp_path / "one.bin"
    source.write_bytes(b"abc" * 1000)
    out = tmp_path / "out"
    status, _, _ = cli(*acquire_args(source, out, "--algorithms", "sha512,sha3-256,blake3"))
    assert status == 0
    hashes = load(out)["files"][0]["hashes"]
    data = source.read_bytes()
    assert hashes == {
        "sha256": hashlib.sha256(data).hexdigest(),
        "sha512": hashlib.sha512(data).hexdigest(),
        "sha3-256": hashlib.sha3_256(data).hexdigest(),
        "blake3": blake3.blake3(data).hexdigest(),
    }
    # hashdeep knows none of the optional ones: its file carries sha256 only.
    assert (out / "manifest.hashdeep").read_bytes().splitlines()[1] == (
        b"%%%% size,sha256,filename"
    )


def test_a_single_file_source_is_rooted_at_its_directory(tmp_path: Path, cli: CliRunner):
    holder = tmp_path / "exhibits"
    holder.mkdir()
    image = holder / "usb stick.dd"
    image.write_bytes(os.urandom(3 * MiB + 7))
    out = tmp_path / "out"
    status, _, _ = cli(*acquire_args(image, out))
    assert status == 0
    manifest = load(out)
    assert manifest["source"]["kind"] == "file"
    assert manifest["source"]["root"] == str(holder)
    assert [r["path"] for r in manifest["files"]] == ["usb stick.dd"]
    assert (out / "SHA256SUMS").read_bytes() == (
        hashlib.sha256(image.read_bytes()).hexdigest().encode() + b"  ./usb stick.dd\n"
    )
    audit = [tool("hashdeep"), "-l", "-a", "-k", str(out / "manifest.hashdeep"), "./usb stick.dd"]
    assert run(audit, cwd=holder).stdout == b"hashdeep: Audit passed\n"


def test_odd_names_are_escaped_reversibly(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "odd"
    source.mkdir()
    names = [b"new\nline", b"carriage\rreturn", b"tab\there", b"bell\x07", b"back\\n-not-newline"]
    for index, name in enumerate(names):
        (source / os.fsdecode(name)).write_bytes(b"%d" % index)
    out = tmp_path / "out"
    status, stdout, _ = cli(*acquire_args(source, out))
    assert status == 0  # nothing is missing: the names are only unusual
    manifest = load(out)
    paths = sorted(record["path"] for record in manifest["files"])
    assert paths == sorted(
        [
            "new\\x0aline",
            "carriage\\x0dreturn",
            "tab\\x09here",
            "bell\\x07",
            "back\\\\n-not-newline",
        ]
    )
    assert sorted(unescape(path) for path in paths) == sorted(names)
    assert [escape(name) for name in names] == [
        "new\\x0aline",
        "carriage\\x0dreturn",
        "tab\\x09here",
        "bell\\x07",
        "back\\\\n-not-newline",
    ]
    assert len(manifest["warnings"]) == 2  # hashdeep cannot hold the LF and CR names
    assert stdout.count("  warning  ") == 2
    # coreutils' own escaping carries every name exactly:
    sums = run([tool("sha256sum"), "-c", str(out / "SHA256SUMS")], cwd=source)
    assert sums.returncode == 0
    assert sums.stdout.count(b": OK\n") == 5
    # hashdeep matches the others and finds the two it cannot name by content, as moved:
    audit = run(
        [tool("hashdeep"), "-r", "-l", "-a", "-vv", "-k", str(out / "manifest.hashdeep"), "."],
        cwd=source,
    )
    assert audit.returncode == 1
    assert b"          Files matched: 3\n" in audit.stderr + audit.stdout
    assert b"            Files moved: 2\n" in audit.stderr + audit.stdout


def test_hashdeep_expert_mode_audits_a_tree_with_symlinks(
    tree: Path, tmp_path: Path, cli: CliRunner
):
    os.symlink("a", tree / "link-to-dir")
    os.symlink("/etc/hostname", tree / "link-outside")
    out = tmp_path / "out"
    cli(*acquire_args(tree, out))
    links = {link["path"]: link["state"] for link in load(out)["symlinks"]}
    assert links == {
        "link-to-dir": "directory",
        "link-outside": "file",
        "loop-a": "loop",
        "loop-b": "loop",
    }
    # Symlinks are recorded, not followed; hashdeep's -o f does the same.
    audit = [
        tool("hashdeep"),
        "-r",
        "-l",
        "-o",
        "f",
        "-a",
        "-k",
        str(out / "manifest.hashdeep"),
        ".",
    ]
    assert run(audit, cwd=tree).stdout == b"hashdeep: Audit passed\n"
