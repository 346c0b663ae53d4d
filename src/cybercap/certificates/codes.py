"""Verification codes: short, typeable, unguessable, with a check character. No Django here.

A code is eleven random characters and one check character from Crockford's base-32 alphabet
(digits and capitals without I, L, O and U, so nothing reads as another thing), shown in three
groups of four: ``K7QM-3HXD-92RT``. Eleven random characters are 55 bits from the operating
system's random source, so guessing a valid code is hopeless; the public page is rate-limited
besides.

The check character is Luhn mod N over the alphabet: it catches every single mistyped
character and every swap of two neighbouring characters, so a typing mistake is told apart
from a code that was never issued without a database lookup.

When reading a code as typed, case, spaces and hyphens do not matter, and the letters people
confuse with digits are read as those digits (O as 0; I and L as 1).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = len(ALPHABET)  # 32
RANDOM_LENGTH = 11
LENGTH = RANDOM_LENGTH + 1
GROUP = 4
# The canonical form's length, hyphens included: 12 characters in three groups.
DISPLAY_LENGTH = LENGTH + LENGTH // GROUP - 1
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
_READ_AS = {"O": "0", "I": "1", "L": "1"}


class InvalidCode(ValueError):
    """The text is not a well-formed code, or its check character does not match."""


def check_character(body: str) -> str:
    """The Luhn mod 32 check character of ``body`` (characters of the alphabet)."""
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * _VALUE[char]
        total += addend // BASE + addend % BASE
        factor = 1 if factor == 2 else 2
    return ALPHABET[(BASE - total % BASE) % BASE]


def is_valid(compact: str) -> bool:
    """Whether a compact code (no hyphens, capitals) passes its check character."""
    if len(compact) != LENGTH or any(char not in _VALUE for char in compact):
        return False
    return check_character(compact[:-1]) == compact[-1]


def display(compact: str) -> str:
    """``K7QM3HXD92RT`` -> ``K7QM-3HXD-92RT``."""
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))


def generate() -> str:
    """A new random code in its canonical (display) form."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return display(body + check_character(body))


def normalise(typed: str) -> str:
    """The canonical form of a code as someone typed it; :class:`InvalidCode` if it is not one.

    Raises for the wrong length, characters outside the alphabet, or a check character that does
    not match (a typing mistake).
    """
    if len(typed) > 4 * DISPLAY_LENGTH:
        raise InvalidCode(typed[:DISPLAY_LENGTH])
    compact = "".join(typed.split()).replace("-", "").upper()
    compact = "".join(_READ_AS.get(char, char) for char in compact)
    if len(compact) != LENGTH or any(char not in _VALUE for char in compact):
        raise InvalidCode(typed)
    if check_character(compact[:-1]) != compact[-1]:
        raise InvalidCode(typed)
    return display(compact)
