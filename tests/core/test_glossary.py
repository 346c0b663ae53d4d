"""Translation glossaries: the schema, the cross-language and English-usage checks, term usage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cybercap.core import glossary
from cybercap.core.contentkit import Problem

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "courses/demo/en").mkdir(parents=True)
    (tmp_path / "courses/demo/en/lesson.md").write_text(
        "Seal the Faraday bag and fill in the custody form. Two custody forms, one SIM.\n",
        encoding="utf-8",
    )
    (tmp_path / "glossaries").mkdir()
    return tmp_path


def write(root: Path, language: str, body: str) -> None:
    (root / "glossaries" / f"{language}.yaml").write_text(body, encoding="utf-8")


GOOD_TH = """language: th
name: ไทย
status: draft
terms:
  - {key: faraday-bag, en: Faraday bag, term: ถุงฟาราเดย์}
  - {key: custody-form, en: custody form, term: แบบบันทึกการครอบครอง}
  - {key: sim, en: SIM, keep: true}
"""


def test_the_shipped_glossaries_check_clean_and_cover_the_same_terms() -> None:
    assert glossary.check(CONTENT) == []
    shipped = glossary.load_glossaries(CONTENT)
    assert set(shipped) >= {"id", "th", "vi"}
    keys = {language: {t.key for t in g.terms} for language, g in shipped.items()}
    assert keys["th"] == keys["vi"] == keys["id"]
    for term in ("chain-of-custody", "faraday-bag", "write-blocker", "order-of-volatility"):
        assert term in keys["th"]


def test_the_shipped_glossaries_say_they_are_drafts() -> None:
    assert "draft, awaiting a native reviewer" in glossary.describe(CONTENT)


def test_a_good_glossary_passes(root: Path) -> None:
    write(root, "th", GOOD_TH)
    assert glossary.check(root) == []


def test_problems_name_the_file_the_line_and_the_field(root: Path) -> None:
    write(
        root,
        "th",
        GOOD_TH
        + "  - {key: faraday-bag, en: Faraday bag, term: ถุง}\n"
        + "  - {key: hash-value, en: hash value, term: ค่าแฮช}\n",
    )
    problems = glossary.check(root)
    assert Problem("glossaries/th.yaml", 5, "terms[3].key", "'faraday-bag' twice") in problems
    unused = [p for p in problems if p.field == "terms[4].en"]
    assert unused and "does not occur in the English course" in unused[0].message
    assert unused[0].line == 9


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (("term: ถุงฟาราเดย์", "term: ''"), "terms.0", "give the translation"),
        (("keep: true", "keep: true, term: ซิม"), "terms.2", "a kept term has no translation"),
        (("status: draft", "status: reviewed"), "", "names its `reviewer`"),
        (("status: draft", "status: final"), "status", "Input should be 'draft' or 'reviewed'"),
    ],
)
def test_schema_errors(root: Path, edit: tuple[str, str], field: str, message: str) -> None:
    write(root, "th", GOOD_TH.replace(*edit))
    problems = glossary.check(root)
    assert any(p.field == field and message in p.message for p in problems), problems


def test_the_language_matches_the_file_name(root: Path) -> None:
    write(root, "vi", GOOD_TH)
    assert glossary.check(root) == [
        Problem("glossaries/vi.yaml", 0, "language", "is 'th'; the file name says 'vi'")
    ]


def test_every_language_has_the_same_terms(root: Path) -> None:
    write(root, "th", GOOD_TH)
    write(
        root,
        "vi",
        "language: vi\nname: Tiếng Việt\nstatus: reviewed\nreviewer: Nguyễn Văn A\n"
        "reviewed_on: 2026-11-01\nterms:\n"
        "  - {key: faraday-bag, en: Faraday bag, term: túi Faraday}\n",
    )
    problems = glossary.check(root)
    assert {(p.path, p.message) for p in problems} == {
        ("glossaries/vi.yaml", "lacks 'custody-form' (custody form), which other glossaries have"),
        ("glossaries/vi.yaml", "lacks 'sim' (SIM), which other glossaries have"),
    }
    assert "vi 1 terms (reviewed by Nguyễn Văn A on 2026-11-01)" in glossary.describe(root)


def test_term_counts_match_whole_phrases_plurals_and_hyphen_or_space() -> None:
    text = "A write-blocker, two write blockers; rewrite blocker is not one. Chain of custody."
    assert glossary.count_term(text, "write-blocker") == 2
    assert glossary.count_term(text, "chain of custody") == 1
    assert glossary.count_term("custodyform", "custody form") == 0


def test_term_usage_reports_terms_a_translation_renders_otherwise(root: Path) -> None:
    write(root, "th", GOOD_TH)
    th = glossary.load_glossaries(root)["th"]
    english = "Put the phone in the Faraday bag and record it on the custody form; note the SIM."
    good = "ใส่โทรศัพท์ในถุงฟาราเดย์และบันทึกในแบบบันทึกการครอบครอง จดหมายเลข SIM"
    assert all(use.found for use in glossary.term_usage(th, english, good))
    bad = "ใส่โทรศัพท์ในถุงกันสัญญาณและบันทึกในแบบบันทึกการครอบครอง จดหมายเลขซิม"
    missing = {u.key for u in glossary.term_usage(th, english, bad) if not u.found}
    assert missing == {"faraday-bag", "sim"}


def test_content_check_runs_the_glossary_check(tmp_path: Path) -> None:
    from cybercap.core.content_service import content_check

    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    (copy / "glossaries/th.yaml").write_text(
        (copy / "glossaries/th.yaml")
        .read_text(encoding="utf-8")
        .replace("status: draft", "status: done"),
        encoding="utf-8",
    )
    problems = content_check(copy)
    assert any(p.path == "glossaries/th.yaml" and p.field == "status" for p in problems)


def test_term_usage_ignores_line_breaks_and_a_terms_other_senses() -> None:
    shipped = glossary.load_glossaries(Path(__file__).resolve().parents[2] / "content")["id"]
    # a rendering wrapped across two lines of Markdown is still the rendering
    uses = glossary.term_usage(shipped, "Use a Faraday bag.", "Pakai kantong\n  Faraday.")
    assert [u.found for u in uses if u.key == "faraday-bag"] == [True]
    # "dark clouds" is weather, not cloud computing: no use of the term to check
    weather = glossary.term_usage(shipped, "Dark clouds are building.", "Awan gelap datang.")
    assert [u.key for u in weather] == []
    # ...but the computing sense in the same text still counts
    both = "Dark clouds outside; a cloud account on screen."
    assert [u.key for u in glossary.term_usage(shipped, both, "Awan gelap; akun di layar.")] == [
        "cloud"
    ]
