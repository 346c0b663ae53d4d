"""`cybercap content check` on translations: one pseudo-translated course, one fault at a time."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cybercap.elearning import translation
from cybercap.elearning.content import check_all
from tests.elearning.i18n_fixtures import COURSE, translated_content

TH = Path("courses") / COURSE / "th"


@pytest.fixture(scope="module")
def clean_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return translated_content(tmp_path_factory.mktemp("clean"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return translated_content(tmp_path)


def _problems(root: Path, rel: str | None = None, full: bool = False) -> list[str]:
    """Problems under th/ (``full``: the whole course check too, slower)."""
    if full:
        found = [str(p) for p in check_all(root)]
    else:
        found = [str(p) for p in translation.check_language(root / "courses" / COURSE, root, "th")]
    return [p for p in found if rel is None or p.startswith(str(TH / rel))]


def _edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / TH / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_faithful_translation_passes_and_coverage_is_reported(clean_root: Path) -> None:
    assert _problems(clean_root, full=True) == []
    rows = translation.file_statuses(clean_root / "courses" / COURSE, "th")
    cov = {c.module: c for c in translation.coverage(rows)}
    assert (cov["m3-scene"].translated, cov["m3-scene"].files) == (4, 4)  # 2 lessons, items, sc
    assert cov["m1-principles"].translated == 0
    assert 0 < cov["all"].percent < 100
    assert cov["all"].draft == len(
        [r for r in rows if r.translated]
    )  # every file a draft, none reviewed
    text = translation.describe(clean_root)
    assert f"{COURSE} th: 7/" in text and "draft" in text and "m3-scene 4/4" in text


def test_coverage_below_100_fails_only_with_require_complete(clean_root: Path) -> None:
    for folder in ("frameworks", "reference"):
        if not (clean_root / folder).exists():
            shutil.copytree(settings.CONTENT_DIR / folder, clean_root / folder)
    out = io.StringIO()
    call_command("content", "check", "--root", str(clean_root), stdout=out)
    assert "translations:" in out.getvalue()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "content", "check", "--root", str(clean_root), "--require-complete", "th", stderr=err
        )
    assert "m1-four-principles.md: not translated: coverage below 100 %" in err.getvalue()


def test_missing_and_invalid_status_blocks(root: Path) -> None:
    _edit(root, "items/m3-scene.yaml", "translation:", "translated:")
    _edit(root, "checklist.yaml", "status: draft", "status: reviewed")
    problems = _problems(root)
    assert any("items/m3-scene.yaml" in p and "no translation status block" in p for p in problems)
    assert any(
        "checklist.yaml" in p and "names its reviewer and reviewed_on" in p for p in problems
    )


def test_an_outdated_translation_is_reported_not_failed(root: Path) -> None:
    english = root / "courses" / COURSE / "en" / "checklist.yaml"
    english.write_text(english.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _problems(root) == []
    assert "1 outdated" in translation.describe(root)
    assert any("outdated" in str(p) for p in translation.incomplete(root, "th"))


def test_yaml_ids_answers_and_next_pointers_must_stay(root: Path) -> None:
    _edit(root, "items/m3-scene.yaml", "correct:\n  - b", "correct:\n  - c")
    _edit(root, "scenarios/sc-quick-check.yaml", "next: ", "next: x", 1)
    problems = _problems(root)
    assert any(
        "items/m3-scene.yaml" in p and "correct" in p and "stay as in" in p for p in problems
    )
    assert any("sc-quick-check.yaml" in p and "next" in p for p in problems)


def test_yaml_keys_and_list_lengths_must_match(root: Path) -> None:
    path = root / TH / "course.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    objective = next(i for i, line in enumerate(lines) if line.startswith("- ท"))
    del lines[objective]
    lines.append("extra_key: ทx")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = _problems(root, "course.yaml")
    assert any("objectives" in p and "English has 8 entries" in p for p in problems), problems
    assert any("keys differ from English: extra extra_key" in p for p in problems)


def test_strings_left_in_english_fail_except_names_and_kept_terms(root: Path) -> None:
    _edit(root, "scenarios/sc-quick-check.yaml", "title: ท", "title: ")
    problems = _problems(root, "scenarios/sc-quick-check.yaml")
    assert any("title: identical to English" in p for p in problems), problems
    assert translation._exempt("SIM", ("SIM",))
    assert translation._exempt("ISO/IEC 27037", ())
    assert not translation._exempt("Summary of the scene", ())


def test_glossary_terms_must_be_used(root: Path) -> None:
    glossary = root / "glossaries" / "th.yaml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.replace("term: Faraday bag", "term: ถุงฟาราเดย์"), encoding="utf-8")
    problems = _problems(root)
    wanted = "glossary: English uses 'Faraday bag'; expected ถุงฟาราเดย์"
    assert any(wanted in p for p in problems)
    # A warning in the report; an error only when the language must be complete.
    assert not any(wanted in str(p) for p in translation.check_translations(root))
    assert any(wanted in str(p) for p in translation.incomplete(root, "th"))
    assert "glossary warnings" in translation.describe(root) and wanted in translation.describe(
        root
    )


def test_markdown_structure_must_match(root: Path) -> None:
    rel = "modules/m3-scene/m3-securing-the-scene.md"
    path = root / TH / rel
    text = path.read_text(encoding="utf-8")
    first_h2 = text.index("\n## ")
    text = text[:first_h2] + "\n#" + text[first_h2 + 1 :]  # an h2 becomes an h3
    first_h2 = text.index("\n## ")
    text = text[:first_h2] + "\n\nท extra paragraph.\n" + text[first_h2:]  # one paragraph more
    path.write_text(text, encoding="utf-8")
    problems = _problems(root, rel)
    assert any("body.headings: English has" in p for p in problems), problems
    assert any("body.paragraphs" in p for p in problems)


def test_legal_slot_and_placeholders_must_match(root: Path) -> None:
    rel = "modules/m3-scene/m3-securing-the-scene.md"
    _edit(root, rel, "## ทKey points", "<!-- slot: legal-basis -->\n\n## ทKey points")
    problems = _problems(root, rel)
    assert any("legal-basis slot" in p for p in problems), problems
    assert any("placeholders or comments differ" in p for p in problems)


def test_section_titles_come_from_the_language(root: Path) -> None:
    _edit(root, "course.yaml", "key_points: ทKey points", "key_points: ทจุดสำคัญ")
    problems = _problems(root, "modules/m3-scene", full=True)
    assert any("no '## ทจุดสำคัญ' heading" in p for p in problems), problems


def test_svg_geometry_must_stay(root: Path) -> None:
    _edit(root, "figures/custody-form.svg", 'width="344"', 'width="340"')
    problems = _problems(root, "figures/custody-form.svg")
    assert any("geometry, attributes or elements differ" in p for p in problems), problems


def test_a_file_english_lacks_is_reported(root: Path) -> None:
    extra = root / TH / "items" / "m99.yaml"
    extra.write_text("items: []\n", encoding="utf-8")
    assert any("no English file of that name" in p for p in _problems(root, "items/m99.yaml"))
