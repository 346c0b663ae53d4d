"""Ed25519 keys and signatures in minisign's formats, so `minisign -V` checks them.

Formats (minisign 0.11):

* public key: ``untrusted comment: ...`` then base64 of ``"Ed" || key_id(8) || pk(32)``;
* secret key: ``untrusted comment: ...`` then base64 of ``"Ed" || kdf("Sc" or 0000) ||
  "B2" || salt(32) || opslimit(u64le) || memlimit(u64le) || keynum_sk(104)`` where
  ``keynum_sk = key_id(8) || sk(64: seed || pk) || checksum(32)``, XORed with scrypt's
  output when a passphrase protects it; the checksum is BLAKE2b-256 of
  ``"Ed" || key_id || sk`` (all zeros in an unprotected key, as ``minisign -W`` writes);
* signature: ``untrusted comment``, base64 of ``"ED" || key_id || sig(64)`` where ``sig``
  signs BLAKE2b-512 of the file, ``trusted comment: TEXT``, and base64 of the global
  signature over ``sig || TEXT``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: `acquire` and `verify` need no cryptography
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# libsodium's scryptsalsa208sha256 "sensitive" limits, as minisign uses them.
OPSLIMIT = 33554432
MEMLIMIT = 1073741824
_KEYNUM_LEN = 104


class MinisignError(ValueError):
    """A key or signature file that is malformed, or a wrong passphrase."""


def _b64line(lines: list[str], index: int, what: str) -> bytes:
    try:
        return base64.b64decode(lines[index].strip(), validate=True)
    except (IndexError, ValueError):
        raise MinisignError(f"{what}: line {index + 1} is not base64") from None


def key_id_text(key_id: bytes) -> str:
    return key_id[::-1].hex().upper()


def _scrypt_params(opslimit: int, memlimit: int) -> tuple[int, int, int]:
    """libsodium's pickparams(): (N, r, p) from opslimit and memlimit."""
    opslimit = max(opslimit, 32768)
    r = 8
    if opslimit < memlimit // 32:
        p = 1
        max_n = opslimit // (r * 4)
    else:
        max_n = memlimit // (r * 128)
    n_log2 = 1
    while n_log2 < 63 and (1 << n_log2) <= max_n // 2:
        n_log2 += 1
    if not opslimit < memlimit // 32:
        max_rp = min((opslimit // 4) // (1 << n_log2), 0x3FFFFFFF)
        p = max_rp // r
    return 1 << n_log2, r, p


def _stream(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    n, r, p = _scrypt_params(opslimit, memlimit)
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=min(128 * r * n * p + 64 * 1024 * 1024, 2**31 - 1),
        dklen=_KEYNUM_LEN,
    )


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


@dataclass(frozen=True)
class SecretKey:
    key_id: bytes
    private: Ed25519PrivateKey

    @property
    def public(self) -> PublicKey:
        from cryptography.hazmat.primitives import serialization

        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return PublicKey(self.key_id, raw)

    def seed(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class PublicKey:
    key_id: bytes
    raw: bytes

    def text(self) -> str:
        blob = base64.b64encode(b"Ed" + self.key_id + self.raw).decode("ascii")
        return f"untrusted comment: minisign public key {key_id_text(self.key_id)}\n{blob}\n"

    def verify(self, signature: bytes, message: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def generate() -> SecretKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return SecretKey(key_id=secrets.token_bytes(8), private=Ed25519PrivateKey.generate())


def secret_key_text(key: SecretKey, passphrase: str | None) -> str:
    pk = key.public.raw
    sk = key.seed() + pk
    if passphrase:
        salt = secrets.token_bytes(32)
        checksum = hashlib.blake2b(b"Ed" + key.key_id + sk, digest_size=32).digest()
        keynum = _xor(key.key_id + sk + checksum, _stream(passphrase, salt, OPSLIMIT, MEMLIMIT))
        head = b"Ed" + b"Sc" + b"B2" + salt + struct.pack("<QQ", OPSLIMIT, MEMLIMIT)
        comment = "minisign encrypted secret key"
    else:
        keynum = key.key_id + sk + bytes(32)
        head = b"Ed" + b"\x00\x00" + b"B2" + bytes(32) + bytes(16)
        comment = "minisign encrypted secret key"  # minisign -W writes the same comment
    blob = base64.b64encode(head + keynum).decode("ascii")
    return f"untrusted comment: {comment}\n{blob}\n"


def load_secret_key(text: str, passphrase: str | None) -> SecretKey:
    blob = _b64line(text.splitlines(), 1, "secret key")
    if len(blob) != 158 or blob[:2] != b"Ed" or blob[4:6] != b"B2":
        raise MinisignError("not a minisign Ed25519 secret key")
    kdf = blob[2:4]
    salt = blob[6:38]
    opslimit, memlimit = struct.unpack("<QQ", blob[38:54])
    keynum = blob[54:]
    if kdf == b"Sc":
        if not passphrase:
            raise MinisignError("the secret key is protected: give its passphrase")
        keynum = _xor(keynum, _stream(passphrase, salt, opslimit, memlimit))
    elif kdf != b"\x00\x00":
        raise MinisignError("unknown key derivation in the secret key")
    key_id, sk, checksum = keynum[:8], keynum[8:72], keynum[72:]
    expected = hashlib.blake2b(b"Ed" + key_id + sk, digest_size=32).digest()
    if checksum != expected and not (kdf == b"\x00\x00" and checksum == bytes(32)):
        raise MinisignError("wrong passphrase for the secret key")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.from_private_bytes(sk[:32])
    key = SecretKey(key_id=key_id, private=private)
    if key.public.raw != sk[32:]:
        raise MinisignError("the secret key is inconsistent")
    return key


def load_public_key(text: str) -> PublicKey:
    lines = text.splitlines()
    index = 1 if lines and lines[0].startswith("untrusted comment:") else 0
    blob = _b64line(lines, index, "public key")
    if len(blob) != 42 or blob[:2] != b"Ed":
        raise MinisignError("not a minisign Ed25519 public key")
    return PublicKey(key_id=blob[2:10], raw=blob[10:])


def sign(key: SecretKey, message: bytes, trusted_comment: str) -> str:
    """The ``.minisig`` text for ``message`` (prehashed, as minisign signs by default)."""
    if "\n" in trusted_comment or "\r" in trusted_comment:
        raise MinisignError("a trusted comment is one line")
    digest = hashlib.blake2b(message, digest_size=64).digest()
    signature = key.private.sign(digest)
    comment = trusted_comment.encode("utf-8")
    global_signature = key.private.sign(signature + comment)
    return (
        f"untrusted comment: signature from cybercap secret key {key_id_text(key.key_id)}\n"
        + base64.b64encode(b"ED" + key.key_id + signature).decode("ascii")
        + f"\ntrusted comment: {trusted_comment}\n"
        + base64.b64encode(global_signature).decode("ascii")
        + "\n"
    )


def verify(keys: list[PublicKey], message: bytes, signature_text: str) -> tuple[PublicKey, str]:
    """Check a ``.minisig``; return the key that signed and the trusted comment."""
    lines = signature_text.splitlines()
    blob = _b64line(lines, 1, "signature")
    if len(blob) != 74 or blob[:2] not in {b"ED", b"Ed"}:
        raise MinisignError("not a minisign Ed25519 signature")
    key_id, signature = blob[2:10], blob[10:]
    matching = [key for key in keys if key.key_id == key_id]
    if not matching:
        raise MinisignError(f"signed by key {key_id_text(key_id)}, which is not among those given")
    key = matching[0]
    signed = hashlib.blake2b(message, digest_size=64).digest() if blob[:2] == b"ED" else message
    if not key.verify(signature, signed):
        raise MinisignError("the signature does not match the signed file")
    if len(lines) < 4 or not lines[2].startswith("trusted comment: "):
        raise MinisignError("the signature has no trusted comment")
    comment = lines[2][len("trusted comment: ") :]
    global_signature = _b64line(lines, 3, "signature")
    if not key.verify(global_signature, signature + comment.encode("utf-8")):
        raise MinisignError("the trusted comment's signature does not match")
    return key, comment


def write_private(path: str, text: str) -> None:
    """Create a file readable by its owner only; refuse to overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
