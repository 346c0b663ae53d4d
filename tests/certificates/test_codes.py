"""Verification codes and initials: pure functions, no database."""

from __future__ import annotations

import re

import pytest

from cybercap.certificates import codes
from cybercap.certificates.naming import initials

CANONICAL = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_a_code_is_three_groups_of_four_from_crockfords_alphabet() -> None:
    for _ in range(200):
        code = codes.generate()
        assert CANONICAL.match(code), code
        assert codes.normalise(code) == code


def test_codes_do_not_repeat() -> None:
    generated = {codes.generate() for _ in range(5000)}
    assert len(generated) == 5000


def test_a_typed_code_is_read_generously() -> None:
    body = "K7QM3HXD92R"
    code = codes.display(body + codes.check_character(body))
    assert codes.normalise(code.lower()) == code
    assert codes.normalise(code.replace("-", " ")) == code
    assert codes.normalise(f"  {code.replace('-', '')}  ") == code
    # O reads as zero, I and L as one.
    zero_body = "K7QM3HXD90R"
    zero = codes.display(zero_body + codes.check_character(zero_body))
    assert codes.normalise(zero.replace("0", "O")) == zero
    one_body = "K7QM3HXD91R"
    one = codes.display(one_body + codes.check_character(one_body))
    assert codes.normalise(one.replace("1", "l")) == one
    assert codes.normalise(one.replace("1", "I")) == one


@pytest.mark.parametrize("typed", ["", "ABC", "K7QM-3HXD-92RT-XXXX", "K7QM-3HXD-92R!", "U" * 12])
def test_malformed_codes_are_refused(typed: str) -> None:
    with pytest.raises(codes.InvalidCode):
        codes.normalise(typed)


def test_a_huge_input_is_refused_without_work() -> None:
    with pytest.raises(codes.InvalidCode):
        codes.normalise("A" * 100_000)


def test_the_check_character_catches_every_single_substitution() -> None:
    for _ in range(50):
        compact = codes.generate().replace("-", "")
        for position in range(codes.LENGTH):
            for char in codes.ALPHABET:
                if char == compact[position]:
                    continue
                typo = compact[:position] + char + compact[position + 1 :]
                assert not codes.is_valid(typo), (compact, typo)


def test_the_check_character_catches_swapped_neighbours() -> None:
    for _ in range(200):
        compact = codes.generate().replace("-", "")
        for position in range(codes.LENGTH - 1):
            a, b = compact[position], compact[position + 1]
            if a == b:
                continue
            swapped = compact[:position] + b + a + compact[position + 2 :]
            # Luhn mod N misses exactly one pair of symbols (values 0 and N-1 swapped).
            if {a, b} == {codes.ALPHABET[0], codes.ALPHABET[-1]}:
                continue
            assert not codes.is_valid(swapped), (compact, swapped)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Nguyễn Thị Hằng", "N. T. H."),
        ("Đặng Văn Ánh", "Đ. V. Á."),
        ("สมชาย ใจดี", "ส. จ."),  # the leading vowel ใ is skipped: the initial is จ
        ("เพ็ญศรี แก้วมณี", "พ. ก."),
        ("សុខ ចាន់ថា", "ស. ច."),
        ("ສົມພອນ ແກ້ວມະນີ", "ສ. ກ."),
        ("အောင် ကျော်", "အ. က."),
        ("  maria   de la cruz ", "M. D. L. C."),
        ("", ""),
    ],
)
def test_initials_keep_their_script(name: str, expected: str) -> None:
    assert initials(name) == expected
