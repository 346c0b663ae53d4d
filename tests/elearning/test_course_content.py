"""The first-responder course checks clean, and the course schema names file, line and field.

The fault tests build a small course of their own in a temporary directory, break one thing,
and expect exactly the problem that names it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from cybercap.core.contentkit import Problem
from cybercap.elearning.course_schema import (
    check_courses,
    count_words,
    course_stats,
)

CONTENT = Path(__file__).resolve().parents[2] / "content"
COURSE = CONTENT / "courses" / "first-responder"
SVG = "{http://www.w3.org/2000/svg}"


# --------------------------------------------------------------------------- a small course

MANIFEST = """\
id: demo
version: 0.1.0
language: en
languages: [en]
layout:
  strings: "{lang}/course.yaml"
  lessons: "{lang}/modules/{module}/{lesson}.md"
  figures: "{lang}/figures"
  items: "{lang}/items"
  scenarios: "{lang}/scenarios"
  checklist: "{lang}/checklist.yaml"
  legal_basis: "{lang}/legal-basis/{country}.md"
countries: [TH]
min_lesson_words: 600
final_test: {items: 2, pass_mark: 0.8, attempts: 2, minutes: 10}
modules:
  - id: m0
    kind: orientation
    minutes: 10
    lessons: [m0-intro]
    quiz: {pool: pre-test, items: 1, mastery: 0.0, minutes: 5}
  - id: m1
    kind: module
    minutes: 40
    lessons: [m1-lesson]
    quiz: {pool: module-quiz, items: 2, mastery: 0.8, minutes: 5}
    scenarios: [sc-demo]
  - id: m9
    kind: capstone
    minutes: 5
    lessons: [m9-end]
"""

STRINGS = """\
language: en
title: Demo
description: A demo course.
audience: Testers.
objectives: [Learn.]
modules:
  m0: {title: Orientation, summary: Start.}
  m1: {title: One, summary: The module.}
  m9: {title: Capstone, summary: End.}
legal_basis_heading: The law
legal_basis_empty: Not written yet.
"""


def body(words: int, extra: str = "") -> str:
    prose = " ".join(f"word{i}" for i in range(words))
    return f"# Lesson\n\n{prose}\n\n{extra}\n## Key points\n\n- one\n\n## Summary\n\nDone.\n"


def lesson(lesson_id: str, words: int = 220, extra: str = "", front: str | None = None) -> str:
    front = front or (
        f"id: {lesson_id}\ntitle: A lesson\nminutes: 4\nobjectives: [Know it.]\n"
        "topics: [first-response, volatile-data]\n"
    )
    return f"---\n{front}---\n{body(words, extra)}"


ITEMS = """\
items:
  - id: i-single
    module: m1
    topic: digital-forensics
    type: single
    pools: [module-quiz, final-test, pre-test]
    stem: Pick one.
    options:
      - {id: a, text: Right, explanation: It is right.}
      - {id: b, text: Wrong, explanation: It is wrong.}
    correct: [a]
  - id: i-multiple
    module: m1
    topic: digital-forensics
    type: multiple
    pools: [module-quiz, final-test]
    stem: Pick two.
    options:
      - {id: a, text: One, explanation: Right.}
      - {id: b, text: Two, explanation: Right.}
      - {id: c, text: Three, explanation: Wrong.}
    correct: [a, b]
  - id: i-tf
    module: m1
    topic: digital-forensics
    type: true_false
    pools: [module-quiz]
    stem: True?
    options:
      - {id: "true", text: "True", explanation: Yes.}
      - {id: "false", text: "False", explanation: No.}
    correct: ["true"]
  - id: i-order
    module: m1
    topic: digital-forensics
    type: ordering
    pools: [module-quiz]
    stem: Order them.
    options:
      - {id: ram, text: Memory, explanation: First.}
      - {id: disk, text: Disk, explanation: Second.}
      - {id: tape, text: Tape, explanation: Last.}
    correct: [ram, disk, tape]
  - id: i-match
    module: m1
    topic: digital-forensics
    type: matching
    pools: [module-quiz]
    stem: Match them.
    options:
      - {id: phone, text: Phone, explanation: It has a radio.}
      - {id: drive, text: Drive, explanation: Static harms it.}
    targets:
      - {id: faraday, text: Faraday bag}
      - {id: antistatic, text: Anti-static bag}
      - {id: plastic, text: Plastic bag}
    correct: {phone: faraday, drive: antistatic}
"""

SCENARIO = """\
id: sc-demo
title: Demo
module: m1
topics: [first-response, volatile-data]
objectives: [Decide.]
setting: A room.
variables:
  evidence_integrity: {label: Integrity, initial: 100, min: 0, max: 100}
flags: [touched]
start: n1
max_score: 10
pass_score: 5
nodes:
  - id: n1
    text: A laptop is on.
    choices:
      - id: photo
        text: Photograph it.
        feedback: Good.
        score: 10
        next: good
      - id: touch
        text: Touch it.
        feedback: Bad.
        effects: {evidence_integrity: -50}
        set_flags: [touched]
        next:
          - when: {flag: touched}
            to: bad
          - to: good
  - id: good
    end: true
    outcome: success
    text: Well done.
    debrief: You kept it intact.
  - id: bad
    end: true
    outcome: failure
    text: Changed.
    debrief: You changed it.
debrief: [Photograph first.]
"""

CHECKLIST = """\
title: Pocket checklist
footer: Call a specialist.
pages:
  - id: computers
    title: Computers
    sections:
      - heading: Switched off
        lines: [Leave it off.]
  - id: phones
    title: Phones
    sections:
      - heading: Switched on
        lines: [Faraday bag.]
  - id: packaging
    title: Packaging
    sections:
      - heading: Bags
        lines: [No plastic.]
"""

TAXONOMY = """\
version: 1
topics:
  - key: first-response
    name: First response
    description: What an officer at a scene does.
    children:
      - key: volatile-data
        name: Volatile data
        description: Order of volatility.
  - key: digital-forensics
    name: Digital forensics
    description: Work of specialists.
"""

FIGURE = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">
  <title>A chart</title>
  <desc>A described chart.</desc>
  <text x="1" y="5">label</text>
</svg>
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A small valid course at tmp_path/courses/demo; returns the content root."""
    root = tmp_path
    write(root / "taxonomy/topics.yaml", TAXONOMY)
    c = root / "courses" / "demo"
    write(c / "course.yaml", MANIFEST)
    write(c / "en/course.yaml", STRINGS)
    write(c / "en/modules/m0/m0-intro.md", lesson("m0-intro"))
    figure = "![A chart of the order](../../figures/chart.svg)\n\n<!-- slot: legal-basis -->\n"
    write(c / "en/modules/m1/m1-lesson.md", lesson("m1-lesson", extra=figure))
    write(c / "en/modules/m9/m9-end.md", lesson("m9-end"))
    write(c / "en/figures/chart.svg", FIGURE)
    write(c / "en/items/m1.yaml", ITEMS)
    write(c / "en/scenarios/sc-demo.yaml", SCENARIO)
    write(c / "en/checklist.yaml", CHECKLIST)
    write(c / "en/legal-basis/TH.md", "---\ncountry: TH\nstatus: empty\n---\n")
    return root


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


D = "courses/demo/en"


# --------------------------------------------------------------------------- the real course


@pytest.fixture(scope="module")
def stats() -> dict[str, Any]:
    return course_stats(COURSE)


def test_the_first_responder_course_checks_clean() -> None:
    assert [str(p) for p in check_courses(CONTENT)] == []


def test_it_has_orientation_eight_modules_and_a_capstone(stats: dict[str, Any]) -> None:
    kinds = [m["kind"] for m in stats["modules"]]
    assert kinds[0] == "orientation"
    assert kinds[-1] == "capstone"
    assert kinds.count("module") >= 8
    assert [m["id"] for m in stats["modules"]] == [
        "m0-orientation",
        "m1-principles",
        "m2-preparation",
        "m3-scene",
        "m4-documenting",
        "m5-computers",
        "m6-mobile-iot",
        "m7-packaging",
        "m8-custody",
        "m9-capstone",
    ]


def test_it_holds_at_least_25000_words_of_lesson_text(stats: dict[str, Any]) -> None:
    assert stats["words"] >= 25_000
    assert stats["words"] == sum(m["words"] for m in stats["modules"])
    assert all(m["words"] >= 1_000 for m in stats["modules"])


def test_it_holds_at_least_100_items_of_all_five_types_in_three_pools(
    stats: dict[str, Any],
) -> None:
    assert stats["items"] >= 100
    assert sorted(stats["items_by_type"]) == sorted(
        ["single", "multiple", "true_false", "ordering", "matching"]
    )
    assert all(count >= 5 for count in stats["items_by_type"].values())
    assert stats["items_by_pool"]["pre-test"] >= 15
    assert stats["items_by_pool"]["final-test"] >= 30
    for module in stats["modules"][1:-1]:
        assert module["items"] >= 8, module["id"]


def test_it_holds_at_least_five_scenarios_whose_paths_all_end(stats: dict[str, Any]) -> None:
    assert stats["scenarios"] >= 5
    assert stats["problems"] == 0
    assert len(stats["scenario_paths"]) == stats["scenarios"]
    assert all(paths >= 4 for paths in stats["scenario_paths"].values())


def test_its_figures_are_well_formed_svg_with_a_title() -> None:
    figures = sorted((COURSE / "en" / "figures").glob("*.svg"))
    names = {f.stem for f in figures}
    assert {"order-of-volatility", "packaging-decision", "custody-form"} <= names
    for figure in figures:
        root = ET.parse(figure).getroot()  # noqa: S314 - our own repository file
        assert root.tag == f"{SVG}svg"
        title = root.find(f"{SVG}title")
        assert title is not None and (title.text or "").strip(), figure.name
        assert root.find(f".//{SVG}text") is not None, figure.name


def test_every_country_has_a_legal_basis_file_that_starts_empty() -> None:
    files = sorted(p.stem for p in (COURSE / "en" / "legal-basis").glob("*.md"))
    assert files == ["BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"]


# --------------------------------------------------------------------------- the schema


def test_the_small_course_checks_clean(course: Path) -> None:
    assert check_courses(course) == []
    stats = course_stats(course / "courses" / "demo")
    assert stats["items_by_type"] == {
        "single": 1,
        "multiple": 1,
        "true_false": 1,
        "ordering": 1,
        "matching": 1,
    }
    assert stats["scenario_paths"] == {"sc-demo": 2}
    assert stats["words"] == 3 * count_words(body(220)) + count_words("A chart of the order")


def test_word_count_ignores_markdown_syntax_and_image_paths() -> None:
    text = "# A title\n\n- one two\n\n![alt text](../figures/x-y.svg)\n<!-- slot: x -->\n"
    assert count_words(text) == 6


def test_a_missing_front_matter_field_is_named(course: Path) -> None:
    path = course / "courses/demo/en/modules/m1/m1-lesson.md"
    replace(path, "minutes: 4\n", "")
    assert check_courses(course) == [
        Problem(f"{D}/modules/m1/m1-lesson.md", 2, "minutes", "Field required")
    ]


def test_an_unknown_lesson_topic_is_named_at_its_line(course: Path) -> None:
    path = course / "courses/demo/en/modules/m0/m0-intro.md"
    replace(path, "topics: [first-response, volatile-data]", "topics: [volatile-data, gardening]")
    assert check_courses(course) == [
        Problem(
            f"{D}/modules/m0/m0-intro.md",
            6,
            "topics[1]",
            "unknown topic 'gardening': not in taxonomy/topics.yaml",
        )
    ]


def test_a_retired_course_only_topic_is_unknown(course: Path) -> None:
    path = course / "courses/demo/en/modules/m1/m1-lesson.md"
    replace(
        path,
        "topics: [first-response, volatile-data]",
        "topics: [first-response-digital-evidence]",
    )
    assert check_courses(course) == [
        Problem(
            f"{D}/modules/m1/m1-lesson.md",
            6,
            "topics[0]",
            "unknown topic 'first-response-digital-evidence': not in taxonomy/topics.yaml",
        )
    ]


def test_an_unknown_item_topic_is_named_at_its_line(course: Path) -> None:
    path = course / "courses/demo/en/items/m1.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "topic: digital-forensics\n    type: ordering",
            "topic: procedural-law\n    type: ordering",
        )
    )
    assert check_courses(course) == [
        Problem(
            f"{D}/items/m1.yaml",
            line_of(path, "topic: procedural-law"),
            "items[3].topic",
            "unknown topic 'procedural-law': not in taxonomy/topics.yaml",
        )
    ]


def test_an_unknown_scenario_topic_is_named_at_its_line(course: Path) -> None:
    path = course / "courses/demo/en/scenarios/sc-demo.yaml"
    replace(path, "topics: [first-response, volatile-data]", "topics: [first-response, legal]")
    assert check_courses(course) == [
        Problem(
            f"{D}/scenarios/sc-demo.yaml",
            4,
            "topics[1]",
            "unknown topic 'legal': not in taxonomy/topics.yaml",
        )
    ]


def test_a_topic_that_is_not_a_slug_is_named(course: Path) -> None:
    path = course / "courses/demo/en/modules/m0/m0-intro.md"
    replace(path, "topics: [first-response, volatile-data]", "topics: [First Response]")
    assert check_courses(course) == [
        Problem(
            f"{D}/modules/m0/m0-intro.md",
            6,
            "topics[0]",
            "String should match pattern '^[a-z0-9][a-z0-9-]*$'",
        )
    ]


def test_a_missing_taxonomy_is_named_once_per_course(course: Path) -> None:
    (course / "taxonomy/topics.yaml").unlink()
    assert check_courses(course) == [
        Problem(
            "taxonomy/topics.yaml",
            0,
            "",
            "file is missing: the topics of courses/demo cannot be checked",
        )
    ]


def test_a_missing_figure_is_named_at_its_line(course: Path) -> None:
    path = course / "courses/demo/en/modules/m1/m1-lesson.md"
    replace(path, "figures/chart.svg", "figures/nope.svg")
    line = line_of(path, "nope.svg")
    assert check_courses(course) == [
        Problem(
            f"{D}/modules/m1/m1-lesson.md",
            line,
            "figure.src",
            "../../figures/nope.svg does not exist",
        )
    ]


def test_a_figure_without_alt_text_is_named(course: Path) -> None:
    path = course / "courses/demo/en/modules/m1/m1-lesson.md"
    replace(path, "![A chart of the order]", "![]")
    assert check_courses(course) == [
        Problem(
            f"{D}/modules/m1/m1-lesson.md",
            line_of(path, "chart.svg"),
            "figure.alt",
            "alt text is empty",
        )
    ]


def test_a_missing_summary_section_is_named(course: Path) -> None:
    path = course / "courses/demo/en/modules/m9/m9-end.md"
    replace(path, "## Summary", "## The end")
    assert check_courses(course) == [
        Problem(f"{D}/modules/m9/m9-end.md", 8, "sections.Summary", "no '## Summary' heading")
    ]


def test_too_few_words_are_reported(course: Path) -> None:
    replace(course / "courses/demo/course.yaml", "min_lesson_words: 600", "min_lesson_words: 9000")
    total = course_stats(course / "courses/demo")["words"]
    assert check_courses(course) == [
        Problem(
            "courses/demo/course.yaml",
            0,
            "min_lesson_words",
            f"lessons hold {total} words, fewer than 9000",
        )
    ]


def test_a_correct_option_that_does_not_exist_is_named(course: Path) -> None:
    path = course / "courses/demo/en/items/m1.yaml"
    replace(path, "correct: [a]\n", "correct: [z]\n")
    assert check_courses(course) == [
        Problem(
            f"{D}/items/m1.yaml",
            line_of(path, "correct: [z]"),
            "items[0].correct[0]",
            "no option 'z'",
        )
    ]


def test_a_single_choice_with_two_answers_is_named(course: Path) -> None:
    path = course / "courses/demo/en/items/m1.yaml"
    replace(path, "correct: [a]\n", "correct: [a, b]\n")
    assert check_courses(course) == [
        Problem(
            f"{D}/items/m1.yaml",
            line_of(path, "correct: [a, b]"),
            "items[0].correct",
            "exactly one correct option",
        )
    ]


def test_a_missing_explanation_is_named(course: Path) -> None:
    path = course / "courses/demo/en/items/m1.yaml"
    replace(path, "{id: b, text: Wrong, explanation: It is wrong.}", "{id: b, text: Wrong}")
    assert check_courses(course) == [
        Problem(
            f"{D}/items/m1.yaml",
            line_of(path, "{id: b, text: Wrong}"),
            "items[0].options[1].explanation",
            "Field required",
        )
    ]


def test_an_ordering_that_is_not_a_permutation_is_named(course: Path) -> None:
    path = course / "courses/demo/en/items/m1.yaml"
    replace(path, "correct: [ram, disk, tape]", "correct: [ram, disk]")
    assert check_courses(course) == [
        Problem(
            f"{D}/items/m1.yaml",
            line_of(path, "correct: [ram, disk]"),
            "items[3].correct",
            "must be a permutation of the option ids",
        )
    ]


def test_an_unpaired_matching_option_is_named(course: Path) -> None:
    path = course / "courses/demo/en/items/m1.yaml"
    replace(path, "{phone: faraday, drive: antistatic}", "{phone: faraday, drive: sponge}")
    line = line_of(path, "drive: sponge")
    assert check_courses(course) == [
        Problem(f"{D}/items/m1.yaml", line, "items[4].correct.drive", "no target 'sponge'")
    ]
    replace(path, "{phone: faraday, drive: sponge}", "{phone: faraday}")
    assert check_courses(course) == [
        Problem(f"{D}/items/m1.yaml", line, "items[4].correct", "option 'drive' is not paired")
    ]


def test_a_true_false_item_needs_true_and_false(course: Path) -> None:
    path = course / "courses/demo/en/items/m1.yaml"
    replace(
        path,
        '{id: "false", text: "False", explanation: No.}',
        "{id: maybe, text: Maybe, explanation: No.}",
    )
    assert check_courses(course) == [
        Problem(
            f"{D}/items/m1.yaml",
            line_of(path, "type: true_false") + 3,
            "items[2].options",
            "options must be 'true' and 'false'",
        )
    ]


def test_an_item_pool_too_small_for_its_quiz_is_named(course: Path) -> None:
    replace(course / "courses/demo/course.yaml", "items: 2, mastery: 0.8", "items: 9, mastery: 0.8")
    assert check_courses(course) == [
        Problem(
            "courses/demo/course.yaml",
            0,
            "modules.m1.quiz.items",
            "9 asked but the module-quiz pool holds 5",
        )
    ]


def test_an_unknown_scenario_target_is_named(course: Path) -> None:
    path = course / "courses/demo/en/scenarios/sc-demo.yaml"
    replace(path, "        next: good\n", "        next: nowhere\n")
    assert check_courses(course) == [
        Problem(
            f"{D}/scenarios/sc-demo.yaml",
            line_of(path, "next: nowhere"),
            "nodes[0].choices[0].next",
            "unknown target 'nowhere'",
        )
    ]


def test_an_unreachable_scenario_node_is_named(course: Path) -> None:
    path = course / "courses/demo/en/scenarios/sc-demo.yaml"
    # the flag is always set on that branch, so `good` is reached only through `photo`
    replace(path, "        next: good\n", "        next: bad\n")
    assert check_courses(course) == [
        Problem(
            f"{D}/scenarios/sc-demo.yaml",
            line_of(path, "nodes:"),
            "nodes",
            "no path reaches a success ending",
        ),
        Problem(
            f"{D}/scenarios/sc-demo.yaml",
            line_of(path, "- id: good"),
            "nodes[1].id",
            "not reachable from start",
        ),
    ]


def test_a_dead_end_and_a_cycle_are_named(course: Path) -> None:
    path = course / "courses/demo/en/scenarios/sc-demo.yaml"
    replace(path, "  - id: bad\n    end: true\n    outcome: failure\n", "  - id: bad\n")
    assert check_courses(course) == [
        Problem(
            f"{D}/scenarios/sc-demo.yaml",
            line_of(path, "- id: bad"),
            "nodes[2].choices",
            "dead end: no choices, not an end",
        )
    ]
    replace(
        path,
        "    text: Changed.\n    debrief: You changed it.\n",
        "    text: Changed.\n"
        "    choices:\n"
        "      - {id: again, text: Again, feedback: Again., next: n1}\n",
    )
    assert check_courses(course) == [
        Problem(
            f"{D}/scenarios/sc-demo.yaml",
            line_of(path, "- id: bad"),
            "nodes[2]",
            "cycle, path never ends: n1 -> bad -> n1",
        )
    ]


def test_a_score_outside_the_bounds_is_named(course: Path) -> None:
    path = course / "courses/demo/en/scenarios/sc-demo.yaml"
    replace(path, "        feedback: Bad.\n", "        feedback: Bad.\n        score: -5\n")
    assert check_courses(course) == [
        Problem(
            f"{D}/scenarios/sc-demo.yaml",
            line_of(path, "- id: bad"),
            "nodes[2]",
            "a path ends here with score -5, outside 0..10",
        )
    ]


def test_a_figure_without_a_title_is_named(course: Path) -> None:
    path = course / "courses/demo/en/figures/chart.svg"
    replace(path, "  <title>A chart</title>\n", "")
    assert check_courses(course) == [
        Problem(f"{D}/figures/chart.svg", 1, "title", "the <svg> needs a non-empty <title>")
    ]
    path.write_text("<svg><title>x</title")
    assert [(p.path, p.line, p.field) for p in check_courses(course)] == [
        (f"{D}/figures/chart.svg", 1, "")
    ]


def test_a_filled_status_with_an_empty_body_is_named(course: Path) -> None:
    path = course / "courses/demo/en/legal-basis/TH.md"
    replace(path, "status: empty", "status: published")
    assert check_courses(course) == [
        Problem(f"{D}/legal-basis/TH.md", 3, "status", "'published' but the body is empty")
    ]


def test_a_checklist_line_too_long_for_the_pocket_is_named(course: Path) -> None:
    path = course / "courses/demo/en/checklist.yaml"
    long = "Photograph " * 10
    replace(path, "lines: [No plastic.]", f"lines: [No plastic., {long.strip()}]")
    assert check_courses(course) == [
        Problem(
            f"{D}/checklist.yaml",
            line_of(path, "No plastic."),
            "pages[2].sections[0].lines[1]",
            "109 characters, more than 90",
        )
    ]


def test_a_yaml_boolean_where_an_id_belongs_is_named_without_union_noise(course: Path) -> None:
    path = course / "courses/demo/en/items/m1.yaml"
    replace(
        path,
        "{id: a, text: Right, explanation: It is right.}",
        "{id: off, text: Right, explanation: It is right.}",
    )
    assert check_courses(course) == [
        Problem(
            f"{D}/items/m1.yaml",
            line_of(path, "{id: off"),
            "items[0].options[0].id",
            "Input should be a valid string",
        )
    ]


def test_a_scenario_that_does_not_validate_is_not_reported_missing(course: Path) -> None:
    path = course / "courses/demo/en/scenarios/sc-demo.yaml"
    replace(path, "\nflags: [touched]", "\nflags: [Touched!]")
    assert check_courses(course) == [
        Problem(
            f"{D}/scenarios/sc-demo.yaml",
            line_of(path, "flags: [Touched!]"),
            "flags[0]",
            "String should match pattern '^[a-z][a-z0-9_]*$'",
        )
    ]
