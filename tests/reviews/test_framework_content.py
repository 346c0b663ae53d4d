"""The National Cyber Review framework files, and the checks that guard them.

The real files under content/ must check clean; a copy of them with one fault injected must give
exactly one problem naming the file, the line, the field and the indicator.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cybercap.core.contentkit import ContentError, Problem
from cybercap.reviews.framework_schema import (
    ConditionError,
    check_frameworks,
    describe_frameworks,
    load_framework,
    load_topic_keys,
    parse_condition,
    summarise,
    word_count,
)
from cybercap.reviews.report.data import load_instruments

CONTENT = Path(__file__).resolve().parents[2] / "content"
V1 = CONTENT / "frameworks" / "ncr" / "v1"
INSTITUTIONAL = "frameworks/ncr/v1/institutional.yaml"
LEGAL = "frameworks/ncr/v1/legal.yaml"
OPERATIONAL = "frameworks/ncr/v1/operational.yaml"


@pytest.fixture(scope="module")
def framework():
    return load_framework(V1)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the framework files and the topic taxonomy."""
    shutil.copytree(CONTENT / "frameworks", tmp_path / "frameworks")
    shutil.copytree(CONTENT / "taxonomy", tmp_path / "taxonomy")
    return tmp_path


def edit(root: Path, rel: str, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in a file; return the 1-based line where it starts."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(root: Path, rel: str, needle: str, after: str | None = None) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def set_descriptor(root: Path, rel: str, indicator_id: str, level: int, text: str) -> int:
    """Replace one folded descriptor block with ``text``; return the line of its key."""
    path = root / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {indicator_id}")
    key = next(i for i in range(start, len(lines)) if lines[i].strip() == f"{level}: >-")
    end = key + 1
    while end < len(lines) and lines[end].startswith(" " * 8) and lines[end].strip():
        end += 1
    lines[key + 1 : end] = [f"        {text}\n"]
    path.write_text("".join(lines), encoding="utf-8")
    return key + 1


# --------------------------------------------------------------------------- the real files


def test_the_real_framework_checks_clean():
    assert check_frameworks(CONTENT) == []


def test_the_topic_taxonomy_is_there_so_topic_keys_are_really_checked():
    keys = load_topic_keys(CONTENT)
    assert keys is not None
    assert {"digital-forensics", "contact-points-24-7", "mutual-legal-assistance"} <= keys


def test_it_has_at_least_sixty_indicators_with_unique_ids(framework):
    ids = [i.id for i in framework.indicators]
    assert len(ids) == 64
    assert len(set(ids)) == len(ids)


def test_every_pillar_has_indicators_in_every_area(framework):
    counts = {p.key: len(framework.indicators_in(p.key)) for p in framework.meta.pillars}
    assert counts == {"institutional": 16, "legal": 20, "operational": 16, "technical": 12}
    used_areas = {i.area for i in framework.indicators}
    declared = {a.key for p in framework.meta.pillars for a in p.areas}
    assert used_areas == declared


def test_every_indicator_has_five_distinct_descriptors_of_fifteen_words_or_more(framework):
    seen: dict[str, str] = {}
    for indicator in framework.indicators:
        assert sorted(indicator.levels) == [1, 2, 3, 4, 5]
        for level, text in indicator.levels.items():
            assert word_count(text) >= 15, (indicator.id, level)
            key = " ".join(re.findall(r"\w+", text.lower()))
            assert key not in seen, (indicator.id, level, seen.get(key))
            seen[key] = f"{indicator.id}.{level}"
    assert len(seen) == 64 * 5


def test_every_legal_indicator_cites_the_articles_it_tests(framework):
    legal = framework.indicators_in("legal")
    assert all(i.articles is not None and i.articles.all() for i in legal)
    refs = [ref for i in legal if i.articles is not None for ref in i.articles.all()]
    cited = {ref for inst, ref in refs if inst == "budapest"}
    # Substantive offences, procedural powers, jurisdiction and the cooperation articles
    # that matter for electronic evidence are all tested by some indicator.
    expected = {str(n) for n in (*range(2, 10), *range(11, 20), 20, 21, 22, 23, 24, 25)}
    expected |= {"26", "27", "28", "29", "30", "31", "32", "35"}
    assert expected <= cited
    uncc = {ref for inst, ref in refs if inst == "uncc"}
    assert {"II.csam", "IV.preservation", "V.network-24-7", "V.mla"} <= uncc


def test_every_operational_indicator_names_the_figure_it_measures(framework):
    operational = framework.indicators_in("operational")
    assert [i.id for i in operational if i.metric is None] == []


def test_every_indicator_recommends_something_at_levels_one_and_two(framework):
    for indicator in framework.indicators:
        for level in (1, 2):
            assert indicator.recommendations_for(level), (indicator.id, level)
    assert [r.priority for r in framework.indicator("LEG-PROC-02").recommendations_for(1)] == [
        "high"
    ]
    assert framework.indicator("LEG-PROC-02").recommendations_for(5) == []


def test_the_summary_counts_indicators_and_words_per_pillar(framework):
    lines = summarise(framework)
    assert [line.split(":")[0] for line in lines] == [
        "ncr v1 institutional",
        "ncr v1 legal",
        "ncr v1 operational",
        "ncr v1 technical",
    ]
    assert lines[1].startswith("ncr v1 legal: 20 indicators, ")


def test_the_content_check_line_names_each_pillar(framework):
    words = {
        key: sum(word_count(t) for i in framework.indicators_in(key) for t in i.levels.values())
        for key in ("institutional", "legal", "operational", "technical")
    }
    assert describe_frameworks(CONTENT) == (
        f"ncr v1: 64 indicators (institutional 16 indicators / {words['institutional']} words, "
        f"legal 20 indicators / {words['legal']} words, "
        f"operational 16 indicators / {words['operational']} words, "
        f"technical 12 indicators / {words['technical']} words)"
    )


def test_a_broken_framework_is_described_as_not_valid(content):
    edit(content, INSTITUTIONAL, "- id: INS-STRAT-02\n", "- id: INS-STRAT-01\n")
    assert describe_frameworks(content) == "ncr v1: not valid"


# --------------------------------------------------------------------------- injected faults


def test_a_duplicate_id_is_reported_where_it_repeats(content):
    line = edit(content, INSTITUTIONAL, "- id: INS-STRAT-02\n", "- id: INS-STRAT-01\n")
    assert check_frameworks(content) == [
        Problem(
            INSTITUTIONAL,
            line,
            "indicators[1].id",
            f"INS-STRAT-01: id is already used in {INSTITUTIONAL}",
        )
    ]


def test_a_short_descriptor_is_reported_with_its_word_count(content):
    line = set_descriptor(content, LEGAL, "LEG-PROC-02", 3, "A preservation order exists in law.")
    assert check_frameworks(content) == [
        Problem(
            LEGAL,
            line,
            "indicators[7].levels.3",
            "LEG-PROC-02: descriptor has 6 words; at least 15 are required",
        )
    ]


def test_a_descriptor_repeated_from_another_indicator_names_the_first(content, framework):
    original = framework.indicator("INS-STRAT-01").levels[1]
    line = set_descriptor(content, OPERATIONAL, "OPS-FOR-01", 2, original)
    assert check_frameworks(content) == [
        Problem(
            OPERATIONAL,
            line,
            "indicators[4].levels.2",
            "OPS-FOR-01: descriptor repeats INS-STRAT-01 levels.1",
        )
    ]


def test_a_descriptor_that_leans_on_another_level_is_refused(content):
    text = "Same as the established level, with a budget for three more examiners and their tools."
    line = set_descriptor(content, OPERATIONAL, "OPS-FOR-01", 4, text)
    assert check_frameworks(content) == [
        Problem(
            OPERATIONAL,
            line,
            "indicators[4].levels.4",
            "OPS-FOR-01: descriptor must stand alone, not refer to another level",
        )
    ]


def test_a_missing_level_is_reported_on_the_levels_field(content):
    path = content / LEGAL
    text = path.read_text(encoding="utf-8")
    block = re.search(
        r"\n      5: >-\n        Preservation orders are issued.*?\n(?=    evidence:)", text, re.S
    )
    assert block is not None
    path.write_text(text.replace(block.group(0), "\n"), encoding="utf-8")
    line = line_of(content, LEGAL, "levels:", after="- id: LEG-PROC-02")
    assert check_frameworks(content) == [
        Problem(LEGAL, line, "indicators[7].levels", "LEG-PROC-02: level 5 has no descriptor")
    ]


def test_an_unknown_article_is_reported_on_its_list_item(content):
    line = edit(content, LEGAL, "budapest: [2, 3, 4, 5]", "budapest: [2, 3, 4, 99]")
    assert check_frameworks(content) == [
        Problem(
            LEGAL,
            line,
            "indicators[0].articles.budapest[3]",
            "LEG-SUB-01: budapest has no provision '99' in frameworks/instruments.yaml",
        )
    ]


def test_a_legal_indicator_without_articles_is_refused(content):
    old = "    articles:\n      budapest: [22]\n      uncc: [III.jurisdiction]\n"
    edit(content, LEGAL, old, "")
    line = line_of(content, LEGAL, "- id: LEG-COOP-01")
    assert check_frameworks(content) == [
        Problem(
            LEGAL,
            line,
            "indicators[14].articles",
            "LEG-COOP-01: a legal indicator must cite at least one article it tests",
        )
    ]


def test_an_unknown_topic_is_reported_on_its_list_item(content):
    old = "topics: [strategy-governance, cybercrime-strategy]"
    line = edit(content, INSTITUTIONAL, old, "topics: [strategy-governance, cyber-magic]")
    assert check_frameworks(content) == [
        Problem(
            INSTITUTIONAL,
            line,
            "indicators[0].topics[1]",
            "INS-STRAT-01: unknown topic 'cyber-magic' (not in taxonomy/topics.yaml)",
        )
    ]


def test_a_rule_condition_that_does_not_parse_is_reported(content):
    path = content / INSTITUTIONAL
    text = path.read_text(encoding="utf-8")
    first = text.index("      - when: level <= 2\n")
    path.write_text(
        text[:first]
        + "      - when: level <= 7\n"
        + text[first + len("      - when: level <= 2\n") :],
        encoding="utf-8",
    )
    line = text[:first].count("\n") + 1
    assert check_frameworks(content) == [
        Problem(
            INSTITUTIONAL,
            line,
            "indicators[0].recommendations[0].when",
            "INS-STRAT-01: cannot parse 'level <= 7': level 7 is outside 1 to 5",
        )
    ]


def test_rules_that_leave_level_one_without_a_recommendation_are_refused(content):
    path = content / INSTITUTIONAL
    text = path.read_text(encoding="utf-8")
    first = text.index("      - when: level <= 2\n")
    path.write_text(
        text[:first]
        + "      - when: level == 2\n"
        + text[first + len("      - when: level <= 2\n") :],
        encoding="utf-8",
    )
    line = line_of(content, INSTITUTIONAL, "recommendations:")
    assert check_frameworks(content) == [
        Problem(
            INSTITUTIONAL,
            line,
            "indicators[0].recommendations",
            "INS-STRAT-01: no rule gives a recommendation at level 1",
        )
    ]


def test_a_yaml_syntax_error_names_the_line(content):
    line = edit(content, INSTITUTIONAL, "title: Dedicated budget\n", "title: Dedicated: budget\n")
    assert check_frameworks(content) == [
        Problem(
            INSTITUTIONAL,
            line,
            "",
            "YAML syntax error: mapping values are not allowed in this context",
        )
    ]


def test_a_key_given_twice_is_reported(content):
    line = edit(
        content,
        INSTITUTIONAL,
        "    title: Dedicated budget\n",
        "    title: Dedicated budget\n    title: Budget\n",
    )
    assert check_frameworks(content) == [
        Problem(INSTITUTIONAL, line + 1, "indicators[2].title", "key appears twice")
    ]


def test_a_wrong_type_names_indicator_and_field(content):
    line = edit(
        content,
        OPERATIONAL,
        "    weight: 2\n    topics: [forensic-laboratory, digital",
        "    weight: -2\n    topics: [forensic-laboratory, digital",
    )
    assert check_frameworks(content) == [
        Problem(
            OPERATIONAL,
            line,
            "indicators[4].weight",
            "OPS-FOR-01: Input should be greater than 0",
        )
    ]


def test_an_area_of_another_pillar_is_refused(content):
    line = edit(
        content,
        INSTITUTIONAL,
        "- id: INS-PUB-04\n    area: public\n",
        "- id: INS-PUB-04\n    area: laboratory\n",
    )
    assert check_frameworks(content) == [
        Problem(
            INSTITUTIONAL,
            line + 1,
            "indicators[15].area",
            "INS-PUB-04: area 'laboratory' belongs to pillar 'technical', not 'institutional'",
        )
    ]


def test_load_framework_raises_with_every_problem(content):
    edit(content, INSTITUTIONAL, "- id: INS-STRAT-02\n", "- id: INS-STRAT-01\n")
    with pytest.raises(ContentError) as caught:
        load_framework(content / "frameworks" / "ncr" / "v1")
    assert [p.field for p in caught.value.problems] == ["indicators[1].id"]


# --------------------------------------------------------------------------- version mapping


def make_v2(content: Path, mapping: str) -> Path:
    v2 = content / "frameworks" / "ncr" / "v2"
    shutil.copytree(content / "frameworks" / "ncr" / "v1", v2)
    head = v2 / "framework.yaml"
    text = head.read_text(encoding="utf-8").replace("version: 1\n", "version: 2\n", 1)
    head.write_text(text.replace("mapping: null\n", mapping), encoding="utf-8")
    return v2


def test_a_new_version_maps_merged_and_retired_indicators(content):
    # v2 merges partial disclosure into preservation and drops the academia indicator.
    legal = content / "frameworks/ncr/v2/legal.yaml"
    make_v2(
        content,
        "mapping:\n"
        "  previous_version: 1\n"
        "  indicators:\n"
        "    - {id: LEG-PROC-02, previous: [LEG-PROC-02, LEG-PROC-03], relation: merged}\n"
        "  retired: [INS-PART-04]\n",
    )
    text = legal.read_text(encoding="utf-8")
    start = text.index("  - id: LEG-PROC-03\n")
    end = text.index("  - id: LEG-PROC-04\n")
    legal.write_text(text[:start] + text[end:], encoding="utf-8")
    inst = content / "frameworks/ncr/v2/institutional.yaml"
    text = inst.read_text(encoding="utf-8")
    start = text.index("  - id: INS-PART-04\n")
    end = text.index("  - id: INS-PUB-01\n")
    inst.write_text(text[:start] + text[end:], encoding="utf-8")
    # v2 repeats v1's descriptors, which the per-version uniqueness rule allows.
    assert check_frameworks(content) == []
    v2 = load_framework(content / "frameworks" / "ncr" / "v2")
    assert v2.meta.mapping is not None
    assert v2.meta.mapping.indicators[0].previous == ["LEG-PROC-02", "LEG-PROC-03"]
    assert len(v2.indicators) == 62


def test_mapping_references_must_point_at_real_indicators(content):
    make_v2(
        content,
        "mapping:\n"
        "  previous_version: 1\n"
        "  indicators:\n"
        "    - {id: LEG-PROC-09, previous: [LEG-PROC-02], relation: revised}\n"
        "    - {id: LEG-PROC-02, previous: [LEG-XXX-01], relation: revised}\n"
        "  retired: [TEC-LAB-09]\n",
    )
    head = "frameworks/ncr/v2/framework.yaml"
    line = line_of(content, head, "LEG-PROC-09")
    assert check_frameworks(content) == [
        Problem(
            head, line, "mapping.indicators[0].id", "LEG-PROC-09 is not an indicator of version 2"
        ),
        Problem(
            head,
            line + 1,
            "mapping.indicators[1].previous[0]",
            "LEG-XXX-01 is not an indicator of version 1",
        ),
        Problem(
            head, line + 2, "mapping.retired[0]", "TEC-LAB-09 is not an indicator of version 1"
        ),
    ]


def test_a_dropped_indicator_must_be_mapped_or_retired(content):
    make_v2(content, "mapping:\n  previous_version: 1\n")
    tech = content / "frameworks/ncr/v2/technical.yaml"
    text = tech.read_text(encoding="utf-8")
    start = text.index("  - id: TEC-INF-05\n")
    tech.write_text(text[:start], encoding="utf-8")
    head = "frameworks/ncr/v2/framework.yaml"
    assert check_frameworks(content) == [
        Problem(
            head,
            line_of(content, head, "mapping:"),
            "mapping",
            "TEC-INF-05 of version 1 is neither kept, mapped nor retired",
        )
    ]


# --------------------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("level <= 2", {1, 2}),
        ("level < 3", {1, 2}),
        ("level == 3", {3}),
        ("level != 3", {1, 2, 4, 5}),
        ("level >= 4", {4, 5}),
        ("level > 4", {5}),
        ("level in [1, 2]", {1, 2}),
        ("level not in [1,2,3]", {4, 5}),
        ("level >= 2 and level <= 3", {2, 3}),
        ("level == 1 or level == 5", {1, 5}),
        ("level == 1 or level >= 2 and level <= 3", {1, 2, 3}),
    ],
)
def test_conditions_select_levels(text, levels):
    assert parse_condition(text).levels() == frozenset(levels)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty condition"),
        ("level <= 6", "level 6 is outside 1 to 5"),
        ("score <= 2", "each clause must start with 'level'"),
        ("level = 2", "unexpected text at '= 2'"),
        ("level in [1, 2", "condition ends too early"),
        ("level in 1, 2", "expected '[' after 'in'"),
        ("level <= 2 but level > 1", "expected 'and' or 'or', found 'but'"),
        ("__import__('os')", "unexpected text at \"__import__('os')\""),
    ],
)
def test_bad_conditions_are_refused_with_a_reason(text, message):
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert str(caught.value) == message


# --------------------------------------------------------------------------- UN article numbers

INSTRUMENTS = "frameworks/instruments.yaml"


def test_un_article_numbers_are_only_the_verified_ones():
    instruments = load_instruments(CONTENT)
    uncc = next(i for i in instruments.instruments if i.key == "uncc")
    assert uncc.article_numbers == "verified-only"
    numbered = {p.ref: p.article for p in uncc.provisions if p.article is not None}
    assert numbered == {"II.csam": 14}
    assert all(p.verified for p in uncc.provisions if p.article is not None)
    assert {c.key: c.articles for c in uncc.chapters if c.articles} == {
        "II": "to Art. 21",
        "IV": "to Art. 34",
        "V": "Arts. 35-52",
    }


def test_a_un_article_number_without_its_verification_is_refused(content):
    line = edit(
        content,
        INSTRUMENTS,
        "{ref: V.extradition, chapter: V, group: cooperation, title: Extradition}",
        "{ref: V.extradition, chapter: V, article: 37, group: cooperation, title: Extradition}",
    )
    problems = check_frameworks(content)
    assert [(p.path, p.line, p.field, p.message) for p in problems] == [
        (
            INSTRUMENTS,
            line,
            "instruments[2].provisions[27].verified",
            "uncc 'V.extradition' gives article 37 without saying where the number was verified",
        )
    ]


def test_a_un_provision_without_article_needs_a_known_chapter(content):
    line = edit(
        content,
        INSTRUMENTS,
        "{ref: V.extradition, chapter: V, group: cooperation, title: Extradition}",
        "{ref: V.extradition, chapter: XI, group: cooperation, title: Extradition}",
    )
    problems = check_frameworks(content)
    assert [(p.path, p.line, p.field, p.message) for p in problems] == [
        (
            INSTRUMENTS,
            line,
            "instruments[2].provisions[27].chapter",
            "uncc 'V.extradition' has no article number, so it needs a chapter listed under "
            "the instrument's chapters",
        )
    ]
