"""The CLI's remaining flags and usage errors: sizes with units, ROOT or --source, the
interactive passphrase, and what each command says when it cannot run (exit status 2)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from cybercap.evidence.field import cli as evidence_cli
from cybercap.evidence.field.cli import parse_size
from tests.evidence.conftest import CliRunner, MiB, acquire_args


@pytest.mark.parametrize(
    ("text", "size"),
    [("4096", 4096), ("64K", 64 * 1024), ("1M", MiB), ("2MiB", 2 * MiB), ("1g", 1024 * MiB),
     ("3 MB", 3 * MiB), ("1T", 1024**4)],
)  # fmt: skip
def test_sizes_take_binary_units(text: str, size: int):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "1.5M", "-1M", "1P", "M"])
def test_bad_sizes_are_refused(text: str):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size(text)


def test_piece_and_chunk_take_units(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f").write_bytes(b"x" * (3 * MiB + 5))
    out = tmp_path / "out"
    status, _, _ = cli(*acquire_args(source, out, "--piece", "1MiB", "--chunk", "4M", "--quiet"))
    assert status == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["piece_size"], manifest["chunk_size"]) == (MiB, 4 * MiB)
    assert [p["size"] for p in manifest["files"][0]["pieces"]] == [MiB, MiB, MiB, 5]
    with pytest.raises(SystemExit) as exited:  # argparse: usage error, status 2
        cli(*acquire_args(source, tmp_path / "o2", "--piece", "lots"))
    assert exited.value.code == 2


def test_verify_takes_root_or_source_not_both(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f").write_bytes(b"1")
    out = tmp_path / "out"
    assert cli(*acquire_args(source, out, "--quiet"))[0] == 0
    assert cli("verify", out, source, "--quiet")[0] == 0
    assert cli("verify", out, "--source", source, "--quiet")[0] == 0
    assert cli("verify", out, source, "--source", source) == (
        2,
        "",
        "cybercap evidence: give ROOT or --source, not both\n",
    )
    assert cli("verify", out, tmp_path / "nowhere", "--quiet") == (
        2,
        "",
        f"cybercap evidence: {tmp_path}/nowhere is not a directory\n",
    )


def test_the_passphrase_is_asked_twice_and_then_needed(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("CYBERCAP_KEY_PASSPHRASE", raising=False)
    answers = iter(["correct horse", "correct hors"])
    monkeypatch.setattr(evidence_cli.getpass, "getpass", lambda prompt: next(answers))
    key = tmp_path / "k.key"
    assert cli("custody", "keygen", "--output", key, "--passphrase") == (
        2,
        "",
        "cybercap evidence: the passphrases differ\n",
    )
    assert not key.exists()
    answers = iter(["correct horse", "correct horse", "correct horse"])
    assert cli("custody", "keygen", "--output", key, "--passphrase")[0] == 0
    log = tmp_path / "log.jsonl"
    args = ["custody", "record", log, "--key", key, "--action", "seize", "--case", "C",
            "--exhibit", "E", "--actor", "A"]  # fmt: skip
    assert cli(*args) == (2, "", "cybercap evidence: the secret key is protected: give its"
                          " passphrase\n")  # fmt: skip
    assert not log.exists()
    status, stdout, _ = cli(*args, "--passphrase")
    assert (status, stdout) == (0, f"recorded event 1 (seize) in {log}\n")


def test_commands_that_cannot_run_exit_2(tmp_path: Path, cli: CliRunner):
    key = tmp_path / "k.key"
    assert cli("custody", "keygen", "--output", key)[0] == 0
    log = tmp_path / "log.jsonl"
    base = ["--action", "seize", "--case", "C", "--exhibit", "E", "--actor", "A"]
    # a key file that is not there
    status, _, stderr = cli("custody", "record", log, "--key", tmp_path / "none.key", *base)
    assert (status, stderr) == (2, f"cybercap evidence: {tmp_path}/none.key: No such file or"
                                   " directory\n")  # fmt: skip
    # a log that is not a custody log: nothing appended
    log.write_bytes(b"not json\n")
    status, _, stderr = cli("custody", "record", log, "--key", key, *base)
    assert (status, stderr) == (2, "cybercap evidence: the log's first line is not a custody"
                                   " event\n")  # fmt: skip
    assert log.read_bytes() == b"not json\n"
    # a public key that is not one
    (tmp_path / "bad.pub").write_text("untrusted comment: x\nnot base64!\n")
    status, _, stderr = cli("custody", "verify", log, "--pubkey", tmp_path / "bad.pub")
    assert status == 2
    assert stderr.startswith("cybercap evidence: ")
    # export-case: --pubkey only with --custody
    status, _, stderr = cli(
        "export-case", tmp_path, "--pubkey", f"{key}.pub", "--output", tmp_path / "x.jsonld"
    )
    assert (status, stderr) == (2, "cybercap evidence: --pubkey checks a custody log: give"
                                   " --custody LOG too\n")  # fmt: skip
