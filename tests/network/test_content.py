"""`cybercap content check` and `cybercap content load` against the real `content/` files,
and against copies of them with faults injected: every problem names file, line and field,
and a malformed file writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cybercap.core import contentkit
from cybercap.core.content_service import content_check, content_load
from cybercap.core.contentkit import ContentError, ContentType, Problem
from cybercap.core.models import AuditEntry
from cybercap.network.content.checks import known_topic_keys
from cybercap.network.models import Country, Topic
from tests.factories import CountryFactory

COUNTRIES = "reference/countries.yaml"
TOPICS = "taxonomy/topics.yaml"
CYBERCAP = Path(sys.executable).parent / "cybercap"

MEMBERS = ["BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "TL", "VN"]
GUESTS = ["AU", "BR", "CL", "FJ", "IN", "JP", "KE", "KR", "LK", "NG", "NZ", "PG"]


# Helpers ----------------------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the repository's content directory, free to break."""
    copy = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """The 1-based line on which ``text`` (which must occur once) begins."""
    content = path.read_text(encoding="utf-8")
    assert content.count(text) == 1
    return content[: content.index(text)].count("\n") + 1


def topic_keys_in(path: Path) -> list[str]:
    """The topic keys in file order, read with plain PyYAML (independently of our reader)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    keys: list[str] = []
    for area in data["topics"]:
        keys.append(area["key"])
        keys.extend(child["key"] for child in area.get("children", []))
    return keys


def run(*args: str) -> tuple[str, str]:
    """Run the management command in-process; returns (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("content", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("content", *args, stdout=out, stderr=err)
    assert raised.value.returncode == 1
    return str(raised.value), err.getvalue()


def summary(out: str, name: str) -> str:
    """The one line of a load's or check's output about content type ``name``."""
    (line,) = [line for line in out.splitlines() if line.startswith(f"{name}: ")]
    return line


def ours(err: str, *prefixes: str) -> list[str]:
    """The reported lines about our files (other content types may report consequences, e.g.
    references to a taxonomy that no longer parses)."""
    return [line for line in err.splitlines() if line.startswith(prefixes or (COUNTRIES, TOPICS))]


def counts() -> tuple[int, int, int]:
    return Country.objects.count(), Topic.objects.count(), AuditEntry.objects.count()


# The repository's content -----------------------------------------------------------------


def test_the_repository_content_checks_clean() -> None:
    assert content_check(settings.CONTENT_DIR) == []


def test_check_prints_one_summary_line_per_content_type() -> None:
    out, err = run("check")
    topic_count = len(topic_keys_in(settings.CONTENT_DIR / TOPICS))
    lines = out.splitlines()
    assert [line for line in lines if line.startswith(("countries:", "topics:"))] == [
        "countries: 23 countries (11 ASEAN members, 12 guests), version 1",
        f"topics: 14 areas and {topic_count - 14} topics within them, version 1",
    ]
    assert lines[0].startswith("files: ")
    assert err == ""


def test_the_cli_checks_the_default_content_directory_and_exits_zero() -> None:
    result = subprocess.run(
        [str(CYBERCAP), "content", "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "countries: 23 countries (11 ASEAN members, 12 guests), version 1" in (
        result.stdout.splitlines()
    )


@pytest.mark.django_db
def test_load_creates_the_eleven_members_and_the_guests() -> None:
    out, _ = run("load")
    topic_keys = topic_keys_in(settings.CONTENT_DIR / TOPICS)
    assert [summary(out, "countries"), summary(out, "topics")] == [
        f"countries: 23 created, 0 updated, 0 unchanged ({COUNTRIES}, version 1)",
        f"topics: {len(topic_keys)} created, 0 updated, 0 retired, 0 unchanged "
        f"({TOPICS}, version 1)",
    ]
    members = Country.objects.filter(asean_joined__isnull=False)
    assert sorted(members.values_list("code", flat=True)) == MEMBERS
    guests = Country.objects.filter(is_guest=True)
    assert sorted(guests.values_list("code", flat=True)) == GUESTS
    timor = Country.objects.get(code="TL")
    assert (timor.name, timor.asean_joined, timor.time_zone, timor.region) == (
        "Timor-Leste",
        dt.date(2025, 10, 26),
        "Asia/Dili",
        "Southeast Asia",
    )
    joined = dict(members.values_list("code", "asean_joined"))
    assert joined["BN"] == dt.date(1984, 1, 7)
    assert joined["KH"] == dt.date(1999, 4, 30)
    assert joined["LA"] == joined["MM"] == dt.date(1997, 7, 23)
    assert joined["VN"] == dt.date(1995, 7, 28)
    assert {joined[code] for code in ["ID", "MY", "PH", "SG", "TH"]} == {dt.date(1967, 8, 8)}
    assert Country.objects.get(code="ID").time_zone == "Asia/Jakarta"


@pytest.mark.django_db
def test_load_keeps_the_taxonomy_order_and_parents() -> None:
    run("load")
    keys = topic_keys_in(settings.CONTENT_DIR / TOPICS)
    assert list(Topic.objects.order_by("position").values_list("key", flat=True)) == keys
    ransomware = Topic.objects.select_related("parent").get(key="ransomware")
    assert ransomware.parent is not None
    assert ransomware.parent.key == "system-attacks"
    assert Topic.objects.get(key="digital-forensics").parent is None
    assert set(Topic.objects.values_list("taxonomy_version", "retired").distinct()) == {(1, False)}
    covered = {
        "digital-forensics",
        "malware-analysis",
        "cyber-investigations",
        "darknet-cryptocurrency",
        "first-response",
        "online-fraud",
        "ransomware",
        "child-sexual-exploitation",
        "legislation",
        "international-cooperation",
        "strategy-governance",
    }
    assert Topic.objects.filter(key__in=covered).count() == len(covered)


@pytest.mark.django_db
def test_a_second_load_changes_nothing() -> None:
    run("load")
    before = counts()
    out, _ = run("load")
    topic_count = len(topic_keys_in(settings.CONTENT_DIR / TOPICS))
    assert [summary(out, "countries"), summary(out, "topics")] == [
        f"countries: 0 created, 0 updated, 23 unchanged ({COUNTRIES}, version 1)",
        f"topics: 0 created, 0 updated, 0 retired, {topic_count} unchanged ({TOPICS}, version 1)",
    ]
    assert counts() == before


@pytest.mark.django_db
def test_load_is_recorded_in_the_audit_log() -> None:
    run("load")
    entries = AuditEntry.objects.filter(model="network.Country", object_repr="Timor-Leste")
    assert list(entries.values_list("action", "actor_label")) == [("create", "content load")]
    assert entries.get().changes["asean_joined"] == [None, "2025-10-26"]


@pytest.mark.django_db
def test_a_changed_field_is_updated_and_audited(root: Path) -> None:
    run("load", "--root", str(root))
    edit(root / COUNTRIES, "name: Viet Nam\n", "name: Vietnam\n")
    out, _ = run("load", "--root", str(root))
    assert summary(out, "countries") == (
        f"countries: 0 created, 1 updated, 22 unchanged ({COUNTRIES}, version 1)"
    )
    assert Country.objects.get(code="VN").name == "Vietnam"
    update = AuditEntry.objects.get(model="network.Country", action="update")
    assert update.changes == {"name": ["Viet Nam", "Vietnam"]}


@pytest.mark.django_db
def test_countries_not_in_the_file_are_left_as_they_are() -> None:
    CountryFactory(code="FR", name="France", time_zone="Europe/Paris")  # INTERPOL's seat
    out, _ = run("load")
    assert summary(out, "countries") == (
        f"countries: 23 created, 0 updated, 0 unchanged ({COUNTRIES}, version 1); "
        "1 not in the file left as they are"
    )
    assert Country.objects.get(code="FR").name == "France"


@pytest.mark.django_db
def test_a_topic_removed_from_the_file_is_retired_not_deleted(root: Path) -> None:
    original = (root / TOPICS).read_text(encoding="utf-8")
    unchanged = len(topic_keys_in(root / TOPICS))
    run("load", "--root", str(root))
    # A topic added at the end of the last area, so that no other topic changes place.
    (root / TOPICS).write_text(
        original
        + "      - key: zz-short-lived\n"
        + "        name: Short-lived topic\n"
        + "        description: Added, then removed again.\n",
        encoding="utf-8",
    )
    out, _ = run("load", "--root", str(root))
    assert summary(out, "topics") == (
        f"topics: 1 created, 0 updated, 0 retired, {unchanged} unchanged ({TOPICS}, version 1)"
    )

    (root / TOPICS).write_text(original, encoding="utf-8")
    out, _ = run("load", "--root", str(root))
    assert summary(out, "topics") == (
        f"topics: 0 created, 0 updated, 1 retired, {unchanged} unchanged ({TOPICS}, version 1)"
    )
    retired = Topic.objects.select_related("parent").get(key="zz-short-lived")
    assert (retired.retired, retired.parent.key if retired.parent else None) == (
        True,
        "victims-prevention",
    )
    assert Topic.objects.filter(retired=False).count() == unchanged

    # A later load leaves it retired; putting it back makes it current again.
    out, _ = run("load", "--root", str(root))
    assert summary(out, "topics") == (
        f"topics: 0 created, 0 updated, 0 retired, {unchanged} unchanged ({TOPICS}, version 1)"
    )
    (root / TOPICS).write_text(
        original
        + "      - key: zz-short-lived\n"
        + "        name: Short-lived topic\n"
        + "        description: Added, then removed again.\n",
        encoding="utf-8",
    )
    out, _ = run("load", "--root", str(root))
    assert summary(out, "topics") == (
        f"topics: 0 created, 1 updated, 0 retired, {unchanged} unchanged ({TOPICS}, version 1)"
    )
    assert Topic.objects.get(key="zz-short-lived").retired is False


def test_other_content_types_can_check_topic_references() -> None:
    keys = known_topic_keys(settings.CONTENT_DIR)
    assert keys == frozenset(topic_keys_in(settings.CONTENT_DIR / TOPICS))


def test_topic_references_are_not_checked_against_a_broken_taxonomy(root: Path) -> None:
    edit(root / TOPICS, "      - key: ddos\n", "      - key: DDoS\n")
    assert known_topic_keys(root) is None


# Faults: each names file, line and field --------------------------------------------------


def test_the_cli_names_file_line_and_field_and_exits_one(root: Path) -> None:
    edit(root / COUNTRIES, "  - code: TH\n", "  - code: THA\n")
    line = line_of(root / COUNTRIES, "  - code: THA\n")
    result = subprocess.run(
        [str(CYBERCAP), "content", "check", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert ours(result.stderr) == [
        f"{COUNTRIES}:{line}: countries[4].code: 'THA' is not an ISO 3166-1 alpha-2 code "
        "(two capital letters, e.g. TH)",
    ]
    problems = len(result.stderr.splitlines()) - 1
    assert result.stderr.splitlines()[-1] == (
        f"CommandError: {problems} problem{'' if problems == 1 else 's'}"
    )


def test_a_yaml_syntax_error_names_the_line(root: Path) -> None:
    edit(root / COUNTRIES, "    name: Singapore\n", "    name: [Singapore\n")
    opened = line_of(root / COUNTRIES, "    name: [Singapore\n")
    line = line_of(root / COUNTRIES, "    official_name: Republic of Singapore\n")
    message, err = run_failing("check", "--root", str(root))
    assert ours(err) == [
        f"{COUNTRIES}:{line}: invalid YAML: did not find expected ',' or ']' (column 18), "
        f"while parsing a flow sequence that starts on line {opened}"
    ]
    total = len(err.splitlines())
    assert message == f"{total} problem{'' if total == 1 else 's'}"


def test_a_missing_field_is_reported_at_its_mapping(root: Path) -> None:
    edit(root / COUNTRIES, "    time_zone: Asia/Manila\n", "")
    line = line_of(root / COUNTRIES, "  - code: PH\n")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [f"{COUNTRIES}:{line}: countries[2].time_zone: required field is missing"]


def test_several_faults_are_all_reported_in_order(root: Path) -> None:
    edit(root / COUNTRIES, "time_zone: Asia/Colombo", "time_zone: Asia/Kandy")
    edit(root / TOPICS, "    name: Legislation\n", "    name: Legislation\n    nmae: Law\n")
    edit(root / TOPICS, "      - key: ddos\n", "      - key: DDoS\n")
    edit(root / TOPICS, "      - key: identity-theft\n", "      - key: phishing\n")
    phishing = line_of(root / TOPICS, "      - key: phishing\n        name: Phishing")
    duplicate = line_of(root / TOPICS, "      - key: phishing\n        name: Identity theft")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [
        f"{COUNTRIES}:{line_of(root / COUNTRIES, 'Asia/Kandy')}: countries[14].time_zone: "
        "'Asia/Kandy' is not an IANA time zone (e.g. Asia/Bangkok)",
        f"{TOPICS}:{line_of(root / TOPICS, 'nmae')}: topics[1].nmae: unknown field",
        f"{TOPICS}:{line_of(root / TOPICS, 'DDoS')}: topics[7].children[2].key: 'DDoS' is not "
        "a key: use lower-case letters, digits and single hyphens (e.g. digital-forensics)",
        f"{TOPICS}:{duplicate}: topics[8].children[6].key: duplicate key 'phishing' "
        f"(first at line {phishing})",
    ]


def test_a_duplicate_topic_key_names_both_lines(root: Path) -> None:
    first = line_of(root / TOPICS, "      - key: phishing\n")
    edit(root / TOPICS, "      - key: identity-theft\n", "      - key: phishing\n")
    second = line_of(root / TOPICS, "key: phishing\n        name: Identity theft")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [
        f"{TOPICS}:{second}: topics[8].children[6].key: duplicate key 'phishing' "
        f"(first at line {first})"
    ]


def test_a_duplicate_country_code_names_both_lines(root: Path) -> None:
    first = line_of(root / COUNTRIES, "  - code: JP\n")
    edit(root / COUNTRIES, "  - code: KR\n", "  - code: JP\n")
    second = line_of(root / COUNTRIES, "code: JP\n    name: Republic of Korea")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [
        f"{COUNTRIES}:{second}: countries[12].code: duplicate code 'JP' (first at line {first})"
    ]


def test_a_duplicate_yaml_key_is_an_error_not_silently_the_last(root: Path) -> None:
    edit(root / COUNTRIES, "    name: Malaysia\n", "    name: Malaysia\n    name: Malaya\n")
    first = line_of(root / COUNTRIES, "    name: Malaysia\n")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [
        f"{COUNTRIES}:{first + 1}: countries[1].name: duplicate key 'name' (first at line {first})"
    ]


def test_a_member_cannot_be_a_guest(root: Path) -> None:
    edit(root / COUNTRIES, "    name: Japan\n", "    name: Japan\n    asean_joined: 2030-01-01\n")
    line = line_of(
        root / COUNTRIES, "is_guest: true\n    region: East Asia\n    time_zone: Asia/Tokyo"
    )
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [
        f"{COUNTRIES}:{line}: countries[11].is_guest: an ASEAN member (with asean_joined) "
        "cannot also be a guest country"
    ]


def test_the_taxonomy_has_two_levels(root: Path) -> None:
    edit(
        root / TOPICS,
        "      - key: botnets\n",
        "      - key: botnets\n"
        "        children:\n"
        "          - key: botnet-takedown\n"
        "            name: Botnet takedown\n"
        "            description: Dismantling a botnet.\n",
    )
    line = line_of(root / TOPICS, "        children:\n          - key: botnet-takedown")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [
        f"{TOPICS}:{line}: topics[6].children[2].children: the taxonomy has 2 levels: "
        "a topic under 'malware-analysis' cannot have children"
    ]


def test_a_file_of_the_wrong_shape_is_named(root: Path) -> None:
    (root / COUNTRIES).write_text("- code: TH\n", encoding="utf-8")
    (root / TOPICS).write_text("version: 1\ntopics:\n  key: law\n", encoding="utf-8")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [
        f"{COUNTRIES}:1: must be a mapping of fields (name: value)",
        f"{TOPICS}:2: topics: must be a list (items starting with '- ')",
    ]


def test_an_empty_file_is_named(root: Path) -> None:
    (root / TOPICS).write_text("# nothing yet\n", encoding="utf-8")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [f"{TOPICS}: file is empty"]


def test_a_missing_file_is_named(root: Path) -> None:
    (root / COUNTRIES).unlink()
    _, err = run_failing("check", "--root", str(root))
    assert ours(err) == [f"{COUNTRIES}: file is missing"]


def test_every_yaml_and_markdown_file_is_read_whatever_its_type(root: Path) -> None:
    (root / "zz-scratch").mkdir(exist_ok=True)
    (root / "zz-scratch" / "zz-broken.yml").write_text("title: [a, b\n", encoding="utf-8")
    (root / "zz-scratch" / "zz-twice.yaml").write_text("a: 1\n---\na: 2\n", encoding="utf-8")
    (root / "zz-scratch" / "zz-latin1.md").write_bytes(b"# Title\n\nna\xefve\n")
    (root / ".hidden.yaml").write_text("{", encoding="utf-8")
    _, err = run_failing("check", "--root", str(root))
    assert ours(err, "zz-scratch/", ".hidden") == [
        "zz-scratch/zz-broken.yml:2: invalid YAML: did not find expected ',' or ']' (column 1), "
        "while parsing a flow sequence that starts on line 1",
        "zz-scratch/zz-latin1.md:3: not valid UTF-8: byte 0xef at column 3",
        "zz-scratch/zz-twice.yaml:2: invalid YAML: a second document begins here; "
        "a content file holds one",
    ]


# A malformed file writes nothing ----------------------------------------------------------


@pytest.mark.django_db
def test_a_malformed_file_stops_the_load_and_writes_nothing(root: Path) -> None:
    # countries.yaml is valid and would load first; topics.yaml is not.
    edit(root / TOPICS, "      - key: ddos\n", "      - key: DDoS\n")
    before = counts()
    message, err = run_failing("load", "--root", str(root))
    total = len(err.splitlines())
    assert message == f"{total} problem{'' if total == 1 else 's'}; nothing was loaded"
    assert len(ours(err)) == 1
    assert counts() == before


@pytest.mark.django_db
def test_a_malformed_file_leaves_loaded_data_as_it_was(root: Path) -> None:
    run("load", "--root", str(root))
    before = counts()
    edit(root / COUNTRIES, "name: Viet Nam\n", "name: Vietnam\n")
    edit(root / TOPICS, "    name: Legislation\n", "    name: Laws\n    nmae: x\n")
    with pytest.raises(ContentError) as raised:
        content_load(root)
    assert [p.field for p in raised.value.problems if p.path == TOPICS] == ["topics[1].nmae"]
    assert counts() == before
    assert Country.objects.get(code="VN").name == "Viet Nam"
    assert Topic.objects.get(key="legislation").name == "Legislation"


@pytest.fixture
def failing_type() -> Iterator[None]:
    """A content type that checks clean but whose load fails after the countries are written."""

    def explode(root: Path) -> str:
        assert Country.objects.filter(code="TL").exists()  # the countries were written
        raise RuntimeError("disk full")

    contentkit.register(
        ContentType(name="zz-explodes", check=lambda root: [], load=explode, order=15)
    )
    try:
        yield
    finally:
        contentkit._registry.pop("zz-explodes")  # the registry has no public unregister


@pytest.mark.django_db
@pytest.mark.usefixtures("failing_type")
def test_a_load_that_fails_part_way_changes_nothing() -> None:
    before = counts()
    with pytest.raises(RuntimeError, match="disk full"):
        content_load(settings.CONTENT_DIR)
    assert counts() == before


def test_problems_print_as_path_line_field_message() -> None:
    assert str(Problem("a.yaml", 3, "x[0].y", "bad")) == "a.yaml:3: x[0].y: bad"
    assert str(Problem("a.yaml", 0, "", "file is missing")) == "a.yaml: file is missing"


def test_check_needs_no_database(root: Path) -> None:
    # Not marked django_db: any query would fail the test.
    assert content_check(root) == []
