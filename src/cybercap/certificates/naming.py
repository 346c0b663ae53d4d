"""A name's initials, in its own script. No Django here.

Each word gives its first letter followed by a full stop: "Nguyễn Thị Hằng" gives "N. T. H.",
"สมชาย ใจดี" gives "ส. จ.". Marks that combine with a letter (tones, vowel signs) are dropped,
and so are the vowels that Thai and Lao write before the consonant they follow in speech
(เ แ โ ใ ไ), so the initial is the word's first consonant, as Thai and Lao readers expect.
"""

from __future__ import annotations

import unicodedata

# Thai and Lao vowels written before their consonant.
_LEADING_VOWELS = set("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")


def _initial(word: str) -> str:
    composed = unicodedata.normalize("NFC", word)
    for char in composed:
        if char in _LEADING_VOWELS:
            continue
        if unicodedata.category(char)[0] in ("L", "N"):
            # A precomposed letter stays whole (Đ, Ư, Á).
            return char.upper()
    return ""


def initials(name: str) -> str:
    letters = [initial for initial in (_initial(word) for word in name.split()) if initial]
    return " ".join(f"{letter}." for letter in letters)
