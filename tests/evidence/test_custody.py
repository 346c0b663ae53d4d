"""The custody log: every tampering case is caught and located; minisign checks our signature."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.evidence.conftest import CliRunner, acquire_args, run, tool


@pytest.fixture
def keys(tmp_path: Path, cli: CliRunner) -> Path:
    key = tmp_path / "keys" / "examiner.key"
    key.parent.mkdir()
    status, stdout, _ = cli("custody", "keygen", "--output", key)
    assert status == 0
    assert stdout.endswith(f": {key}, {key}.pub\n")
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    return key


def record(cli: CliRunner, log: Path, key: Path, action: str, *extra: object) -> None:
    args = ["custody", "record", log, "--key", key, "--action", action, "--case", "TH-1",
            "--exhibit", "EX-01", "--actor", "Somchai P.", *extra]  # fmt: skip
    status, _, stderr = cli(*args)
    assert status == 0, stderr


@pytest.fixture
def log(tmp_path: Path, cli: CliRunner, keys: Path) -> Path:
    """Five events: seize, acquire (with a manifest), transfer, access, copy."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "phone.img").write_bytes(b"image bytes")
    assert cli(*acquire_args(source, tmp_path / "out", "--algorithms", "md5"))[0] == 0
    path = tmp_path / "custody.jsonl"
    record(cli, path, keys, "seize", "--location", "Bangkok, flat 3B")
    record(cli, path, keys, "acquire", "--manifest", tmp_path / "out" / "manifest.json")
    record(cli, path, keys, "transfer", "--to", "Lab evidence store", "--reason", "Order 12/2026")
    record(cli, path, keys, "access", "--reason", "analysis")
    record(cli, path, keys, "copy", "--reason", "working copy")
    return path


def verify(cli: CliRunner, log: Path, keys: Path) -> tuple[int, list[str]]:
    status, stdout, _ = cli("custody", "verify", log, "--pubkey", f"{keys}.pub")
    return status, stdout.splitlines()


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_an_intact_log_verifies(cli: CliRunner, log: Path, keys: Path):
    status, out = verify(cli, log, keys)
    assert status == 0
    assert out[0].startswith("VERIFIED: 5 entries, head ")
    events = [json.loads(line) for line in lines_of(log)]
    assert [e["action"] for e in events] == ["seize", "acquire", "transfer", "access", "copy"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert events[0]["prev"] == "0" * 64
    assert events[2]["counterparty"] == "Lab evidence store"
    assert events[2]["reason"] == "Order 12/2026"
    assert log.with_name("custody.jsonl.head").read_text().splitlines()[2] == "entries 5"


def test_the_items_carry_the_manifest_hashes(tmp_path: Path, log: Path):
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    acquire_event = json.loads(lines_of(log)[1])
    record_ = manifest["files"][0]
    assert acquire_event["items"] == [
        {
            "path": "phone.img",
            "size": 11,
            "sha256": record_["hashes"]["sha256"],
            "md5": record_["hashes"]["md5"],
        }
    ]
    assert acquire_event["manifest"]["exhibit"] == "EX-01"


def test_minisign_checks_the_checkpoint_without_cybercap(log: Path, keys: Path, tmp_path: Path):
    head = f"{log}.head"
    done = run([tool("minisign"), "-Vm", head, "-p", f"{keys}.pub"], cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == b"Signature and comment signature verified"
    # one changed byte in the checkpoint, and minisign refuses it
    text = Path(head).read_text().replace("entries 5", "entries 4")
    Path(head).write_text(text)
    refused = run([tool("minisign"), "-Vm", head, "-p", f"{keys}.pub"], cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr == b"Signature verification failed\n"


def test_minisign_can_sign_with_our_secret_key(keys: Path, tmp_path: Path):
    message = tmp_path / "note.txt"
    message.write_bytes(b"signed by minisign with a cybercap key\n")
    signed = run([tool("minisign"), "-S", "-s", str(keys), "-m", str(message)], cwd=tmp_path)
    assert signed.returncode == 0, signed.stderr
    checked = run([tool("minisign"), "-Vm", str(message), "-p", f"{keys}.pub"], cwd=tmp_path)
    assert checked.returncode == 0


def test_an_edited_entry_is_located(cli: CliRunner, log: Path, keys: Path):
    lines = lines_of(log)
    lines[1] = lines[1].replace(b'"actor":"Somchai P."', b'"actor":"Somchai Q."')
    log.write_bytes(b"".join(lines))
    status, out = verify(cli, log, keys)
    assert status == 1
    assert out[1:] == [
        "  line 3: its prev is not the SHA-256 of line 2 (an entry before it was edited,"
        " inserted, deleted or reordered)"
    ]


def test_an_edited_last_entry_is_caught_by_the_signed_head(cli: CliRunner, log: Path, keys: Path):
    lines = lines_of(log)
    lines[-1] = lines[-1].replace(b"working copy", b"working cop")
    log.write_bytes(b"".join(lines))
    assert verify(cli, log, keys) == (
        1,
        [
            f"TAMPERED OR INCOMPLETE: {log}",
            "  line 5 (the last): its SHA-256 is not the signed head hash (edited)",
        ],
    )


def test_a_reformatted_entry_is_caught(cli: CliRunner, log: Path, keys: Path):
    lines = lines_of(log)
    lines[2] = json.dumps(json.loads(lines[2]), sort_keys=True).encode() + b"\n"
    log.write_bytes(b"".join(lines))
    status, out = verify(cli, log, keys)
    assert status == 1
    assert out[1] == "  line 3: not in canonical form (edited)"


def test_a_deleted_entry_is_located(cli: CliRunner, log: Path, keys: Path):
    lines = lines_of(log)
    del lines[2]
    log.write_bytes(b"".join(lines))
    status, out = verify(cli, log, keys)
    assert status == 1
    assert out[1:] == [
        "  line 3: its prev is not the SHA-256 of line 2 (an entry before it was edited,"
        " inserted, deleted or reordered)",
        "  line 3: seq is 4, expected 3",
        "  line 4: seq is 5, expected 4",
        "  checkpoint: signed for 5 entries, the log has 4 (truncated: entry 5 is gone)",
    ]


def test_an_inserted_entry_is_located(cli: CliRunner, log: Path, keys: Path):
    lines = lines_of(log)
    forged = json.loads(lines[1])
    forged["action"] = "release"
    lines.insert(2, json.dumps(forged, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    log.write_bytes(b"".join(lines))
    status, out = verify(cli, log, keys)
    assert status == 1
    assert out[1] == (
        "  line 3: its prev is not the SHA-256 of line 2 (an entry before it was edited,"
        " inserted, deleted or reordered)"
    )
    assert out[-1] == (
        "  checkpoint: signed for 5 entries, the log has 6 (entry 6 is not covered by a signature)"
    )


def test_reordered_entries_are_located(cli: CliRunner, log: Path, keys: Path):
    lines = lines_of(log)
    lines[2], lines[3] = lines[3], lines[2]
    log.write_bytes(b"".join(lines))
    status, out = verify(cli, log, keys)
    assert status == 1
    assert out[1:4] == [
        "  line 3: its prev is not the SHA-256 of line 2 (an entry before it was edited,"
        " inserted, deleted or reordered)",
        "  line 3: seq is 4, expected 3",
        "  line 4: its prev is not the SHA-256 of line 3 (an entry before it was edited,"
        " inserted, deleted or reordered)",
    ]


def test_a_truncated_log_is_caught(cli: CliRunner, log: Path, keys: Path):
    lines = lines_of(log)
    log.write_bytes(b"".join(lines[:3]))
    assert verify(cli, log, keys) == (
        1,
        [
            f"TAMPERED OR INCOMPLETE: {log}",
            "  checkpoint: signed for 5 entries, the log has 3"
            " (truncated: entries 4 to 5 are gone)",
        ],
    )


def test_a_bad_signature_is_caught(cli: CliRunner, log: Path, keys: Path):
    signature = Path(f"{log}.head.minisig")
    lines = signature.read_text().splitlines()
    lines[2] = lines[2].replace("entries 5", "entries 9")  # the trusted comment
    signature.write_text("\n".join(lines) + "\n")
    assert verify(cli, log, keys)[1][1] == (
        "  checkpoint: bad signature: the trusted comment's signature does not match"
    )


def test_another_key_is_refused(cli: CliRunner, log: Path, tmp_path: Path):
    other = tmp_path / "other.key"
    cli("custody", "keygen", "--output", other)
    status, out = verify(cli, log, other)
    assert status == 1
    assert out[1].startswith("  checkpoint: bad signature: signed by key ")
    assert out[1].endswith(", which is not among those given")


def test_a_protected_key_needs_its_passphrase(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    key = tmp_path / "protected.key"
    monkeypatch.setenv("CYBERCAP_KEY_PASSPHRASE", "correct horse")
    assert cli("custody", "keygen", "--output", key)[0] == 0
    log = tmp_path / "log.jsonl"
    record(cli, log, key, "seize")
    monkeypatch.setenv("CYBERCAP_KEY_PASSPHRASE", "wrong horse")
    args = ["custody", "record", log, "--key", key, "--action", "access", "--case", "TH-1",
            "--exhibit", "EX-01", "--actor", "X"]  # fmt: skip
    assert cli(*args) == (2, "", "cybercap evidence: wrong passphrase for the secret key\n")
    assert len(lines_of(log)) == 1
    assert verify(cli, log, key)[0] == 0


def test_show_lists_the_events(cli: CliRunner, log: Path):
    status, stdout, _ = cli("custody", "show", log)
    assert status == 0
    rows = stdout.splitlines()
    assert len(rows) == 5
    assert rows[2].split("  ")[2:] == [
        "transfer",
        "TH-1/EX-01",
        "Somchai P. -> Lab evidence store",
        "items=0",
    ]
    assert os.path.exists(f"{log}.head")


def _chain(lines: list[bytes]) -> list[bytes]:
    """Recompute every prev after an edit, as a forger without the key would."""
    out: list[bytes] = []
    prev = "0" * 64
    for line in lines:
        event = json.loads(line)
        event["prev"] = prev
        rebuilt = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        out.append(rebuilt.encode() + b"\n")
        prev = hashlib.sha256(out[-1]).hexdigest()
    return out


def test_an_appended_unsigned_entry_is_caught(cli: CliRunner, log: Path, keys: Path):
    lines = lines_of(log)
    extra = json.loads(lines[-1])
    extra.update(seq=6, action="release", reason="forged")
    log.write_bytes(b"".join(_chain([*lines, json.dumps(extra).encode()])))
    assert verify(cli, log, keys) == (
        1,
        [
            f"TAMPERED OR INCOMPLETE: {log}",
            "  checkpoint: signed for 5 entries, the log has 6"
            " (entry 6 is not covered by a signature)",
        ],
    )


def test_a_rewritten_chain_is_caught_by_the_signed_head(cli: CliRunner, log: Path, keys: Path):
    """An edited entry with every later prev recomputed: the chain is whole again, but the
    last line no longer has the signed head hash, and the forger cannot sign another."""
    lines = lines_of(log)
    lines[1] = lines[1].replace(b'"actor":"Somchai P."', b'"actor":"Somchai Q."')
    log.write_bytes(b"".join(_chain(lines)))
    assert verify(cli, log, keys) == (
        1,
        [
            f"TAMPERED OR INCOMPLETE: {log}",
            "  line 5 (the last): its SHA-256 is not the signed head hash (edited)",
        ],
    )
    # rewriting LOG.head to match breaks its signature, for us and for minisign
    head = Path(f"{log}.head")
    text = head.read_text().splitlines()
    text[3] = "head " + hashlib.sha256(lines_of(log)[-1]).hexdigest()
    head.write_text("\n".join(text) + "\n")
    status, out = verify(cli, log, keys)
    assert status == 1
    assert out[1] == "  checkpoint: bad signature: the signature does not match the signed file"
    refused = run([tool("minisign"), "-Vm", str(head), "-p", f"{keys}.pub"], cwd=log.parent)
    assert refused.returncode == 1


def test_a_missing_checkpoint_is_caught(cli: CliRunner, log: Path, keys: Path):
    Path(f"{log}.head.minisig").unlink()
    status, out = verify(cli, log, keys)
    assert status == 1
    assert out[1].startswith(f"  checkpoint: cannot read {log}.head(.minisig): ")


def test_the_checkpoint_of_another_log_is_refused(
    cli: CliRunner, log: Path, keys: Path, tmp_path: Path
):
    """A genuine checkpoint, signed by the same key, of another log with as many entries."""
    other = tmp_path / "other.jsonl"
    for action in ("seize", "acquire", "transfer", "access", "copy"):
        record(cli, other, keys, action)
    for suffix in (".head", ".head.minisig"):
        Path(f"{log}{suffix}").write_bytes(Path(f"{other}{suffix}").read_bytes())
    status, out = verify(cli, log, keys)
    assert status == 1
    other_id = json.loads(lines_of(other)[0])["log_id"]
    assert out[1:] == [
        f"  checkpoint: signed for log {other_id}, not this one",
        "  line 5 (the last): its SHA-256 is not the signed head hash (edited)",
    ]


def test_a_torn_last_line_is_caught(cli: CliRunner, log: Path, keys: Path):
    """A write cut short (a crash, a full disk) or a truncation inside the last entry."""
    data = log.read_bytes()
    log.write_bytes(data[:-20])
    status, out = verify(cli, log, keys)
    assert status == 1
    assert "  line 5: incomplete last line (no newline)" in out
    # and nothing more is appended to it until someone has looked
    args = ["custody", "record", log, "--key", keys, "--action", "access", "--case", "TH-1",
            "--exhibit", "EX-01", "--actor", "X"]  # fmt: skip
    assert cli(*args) == (
        2,
        "",
        "cybercap evidence: the log's last line is incomplete; run `custody verify`\n",
    )
