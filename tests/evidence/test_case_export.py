"""``export-case``: the acquisition and the custody chain as CASE/UCO, checked by case_validate.

``case_validate`` (PyPI case-utils, with the CASE ontology bundled) is the independent
check; rdflib (which it brings) reads our graph back to check what it says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import rdflib
from case_utils import inherent_uuid
from case_utils.namespace import NS_UCO_OBSERVABLE

from cybercap.evidence.field.case import CONTEXT, CaseExportError, build_case_graph
from tests.evidence.conftest import CliRunner, MiB, acquire_args, tool

CASE_VALIDATE = Path(sys.executable).with_name("case_validate")
PREFIXES = "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in CONTEXT.items())


def case_validate(*graphs: Path) -> subprocess.CompletedProcess[str]:
    assert CASE_VALIDATE.exists(), "case-utils is in the [test] extras"
    return subprocess.run(
        [str(CASE_VALIDATE), *map(str, graphs)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_valid(path: Path) -> None:
    done = case_validate(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Conforms: True" in done.stdout
    assert "NonExistentCDOConcept" not in done.stderr  # every class and property is CASE's


def triples_expected(document: dict[str, Any]) -> int:
    """One triple per @type and per value of every other key (lists count each item)."""
    count = 0
    for node in document["@graph"]:
        for key, value in node.items():
            if key == "@id":
                continue
            count += len(value) if isinstance(value, list) else 1
    return count


def load(path: Path) -> tuple[dict[str, Any], rdflib.Graph]:
    document = json.loads(path.read_text(encoding="utf-8"))
    graph = rdflib.Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    # JSON-LD drops keys missing from @context silently: every key must have made a triple.
    assert len(graph) == triples_expected(document)
    return document, graph


def _text(value: Any) -> str:
    """A result as text; times in the RFC 3339 form with Z that our files use."""
    if isinstance(value, rdflib.Literal) and value.datatype == rdflib.XSD.dateTime:
        return value.toPython().isoformat().replace("+00:00", "Z")
    return str(value)


def query(graph: rdflib.Graph, text: str) -> list[tuple[str, ...]]:
    rows = graph.query(PREFIXES + text)
    return sorted(tuple(_text(value) for value in row) for row in rows)  # type: ignore[union-attr]


def record(cli: CliRunner, log: Path, key: Path, action: str, *extra: object) -> None:
    args = ["custody", "record", log, "--key", key, "--action", action, "--case", "TH-2026-001",
            "--exhibit", "EX-01", "--actor", "Somchai P.", *extra]  # fmt: skip
    status, _, stderr = cli(*args)
    assert status == 0, stderr


@pytest.fixture
def key(tmp_path: Path, cli: CliRunner) -> Path:
    path = tmp_path / "examiner.key"
    assert cli("custody", "keygen", "--output", path)[0] == 0
    return path


def custody_chain(cli: CliRunner, tmp_path: Path, key: Path, manifest: Path) -> Path:
    """seize, acquire (this manifest), transfer, verify."""
    log = tmp_path / "custody.jsonl"
    record(cli, log, key, "seize", "--location", "Bangkok, flat 3B")
    record(cli, log, key, "acquire", "--manifest", manifest)
    record(cli, log, key, "transfer", "--to", "Evidence store", "--reason", "Court order 12/2026")
    record(cli, log, key, "verify", "--manifest", manifest, "--location", "Lab 2")
    return log


def acquired(cli: CliRunner, source: Path, out: Path) -> dict[str, Any]:
    status, _, stderr = cli(*acquire_args(source, out, "--quiet"))
    assert status in (0, 1), stderr
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def assert_files_and_hashes(graph: rdflib.Graph, manifest: dict[str, Any]) -> None:
    rows = query(
        graph,
        """SELECT ?path ?method ?value ?size WHERE {
            ?file a uco-observable:File ; uco-core:hasFacet ?ff, ?cdf .
            ?ff a uco-observable:FileFacet ; uco-observable:filePath ?path .
            ?cdf a uco-observable:ContentDataFacet ; uco-observable:hash ?h ;
                 uco-observable:sizeInBytes ?size .
            ?h uco-types:hashMethod ?method ; uco-types:hashValue ?value .
        }""",
    )
    names = {"sha256": "SHA256", "sha1": "SHA1", "md5": "MD5"}
    expected = sorted(
        (record["path"], names[alg], value.upper(), str(record["size"]))
        for record in manifest["files"]
        for alg, value in record["hashes"].items()
    )
    # rdflib gives hexBinary back in upper case; the value is the same
    assert [(p, m, v.upper(), s) for p, m, v, s in rows] == expected


def test_a_directory_acquisition_without_custody(tree: Path, tmp_path: Path, cli: CliRunner):
    manifest = acquired(cli, tree, tmp_path / "out")  # not clean: the tree has a symlink loop
    export = tmp_path / "case.jsonld"
    status, stdout, stderr = cli(
        "export-case", tmp_path / "out" / "manifest.json", "--output", export
    )
    assert status == 0, stderr
    assert stdout.startswith("exported the acquisition as CASE/UCO JSON-LD (")
    assert_valid(export)
    document, graph = load(export)
    assert_files_and_hashes(graph, manifest)
    [action] = query(
        graph,
        """SELECT ?name ?performer ?tool ?version ?start ?end ?status ?dir WHERE {
            ?a a case-investigation:InvestigativeAction ; uco-core:name ?name ;
               uco-action:performer/uco-core:name ?performer ;
               uco-action:instrument [ uco-core:name ?tool ; uco-tool:version ?version ] ;
               uco-action:startTime ?start ; uco-action:endTime ?end ;
               uco-action:actionStatus ?status ;
               uco-action:object [ a uco-observable:Directory ; uco-core:name ?dir ] .
        }""",
    )
    assert action == (
        "acquire", "Somchai P.", "cybercap evidence", manifest["tool"]["version"],
        manifest["started_at"], manifest["finished_at"], "Error", str(tree),
    )  # fmt: skip
    # the provenance record holds every file and the exhibit number
    [(exhibit, root, held)] = query(
        graph,
        """SELECT ?ex ?root (COUNT(?o) AS ?n) WHERE {
            ?a a case-investigation:InvestigativeAction ; uco-action:result ?r .
            ?r a case-investigation:ProvenanceRecord ; case-investigation:exhibitNumber ?ex ;
               case-investigation:rootExhibitNumber ?root ; uco-core:object ?o .
        } GROUP BY ?ex ?root""",
    )
    assert (exhibit, root) == ("EX-01", "EX-01")
    assert int(held) == len(manifest["files"]) + len(manifest["symlinks"])
    # names that are not UTF-8 and symlinks are there, in the manifest's escaped form
    paths = {row[0] for row in query(graph, "SELECT ?p WHERE { ?f uco-observable:filePath ?p }")}
    assert {"latin1-\\xe9t\\xe9", "back\\\\slash", "loop-a", "ünïcödé 名前.txt"} <= paths
    described = {row[0] for row in query(graph, "SELECT ?d WHERE { ?a uco-core:description ?d }")}
    assert any(text.startswith("error: ./loop-a: symlink-loop") for text in described)
    # no blank nodes; every node's IRI ends in a UUID
    for node in document["@graph"]:
        assert node["@id"].startswith("kb:")
        uuid.UUID(node["@id"][-36:])
    assert not any(isinstance(s, rdflib.BNode) for s, _p, _o in graph)


def test_a_single_file_with_its_custody_chain(tmp_path: Path, cli: CliRunner, key: Path):
    source = tmp_path / "seized"
    source.mkdir()
    (source / "phone.img").write_bytes(os.urandom(3 * MiB))
    manifest = acquired(cli, source / "phone.img", tmp_path / "out")
    log = custody_chain(cli, tmp_path, key, tmp_path / "out" / "manifest.json")
    export = tmp_path / "case.jsonld"
    status, stdout, stderr = cli(
        "export-case", tmp_path / "out" / "manifest.json", "--custody", log,
        "--pubkey", f"{key}.pub", "--output", export,
    )  # fmt: skip
    assert status == 0, stderr
    assert "and 4 custody events" in stdout
    assert_valid(export)
    _document, graph = load(export)
    assert_files_and_hashes(graph, manifest)
    # the actions are ordered by wasInformedBy: seize <- acquire <- transfer <- verify
    order = query(
        graph,
        """SELECT ?name ?before WHERE {
            ?a a case-investigation:InvestigativeAction ; uco-core:name ?name .
            OPTIONAL { ?a case-investigation:wasInformedBy/uco-core:name ?before }
        }""",
    )
    assert order == [
        ("acquire", "seize"),
        ("seize", "None"),
        ("transfer", "acquire"),
        ("verify", "transfer"),
    ]
    # one acquisition: the logged event and the manifest are the same action
    [(start, end, who)] = query(
        graph,
        """SELECT ?s ?e ?who WHERE { ?a uco-core:name "acquire" ; uco-action:startTime ?s ;
           uco-action:endTime ?e ; uco-action:performer/uco-core:name ?who }""",
    )
    assert (start, end, who) == (manifest["started_at"], manifest["finished_at"], "Somchai P.")
    # each action takes the previous record as its object and yields a new one
    chain = query(
        graph,
        """SELECT ?name ?prev_name ?ex WHERE {
            ?a uco-core:name ?name ; case-investigation:wasInformedBy ?p ;
               uco-action:object ?pr .
            ?p uco-core:name ?prev_name ; uco-action:result ?pr .
            ?pr a case-investigation:ProvenanceRecord ; case-investigation:exhibitNumber ?ex .
        }""",
    )
    assert chain == [
        ("acquire", "seize", "EX-01"),
        ("transfer", "acquire", "EX-01"),
        ("verify", "transfer", "EX-01"),
    ]
    # the seizure has only a result
    assert query(graph, 'SELECT ?o WHERE { ?a uco-core:name "seize" ; uco-action:object ?o }') == []
    # the transfer's counterparty and reason, the seizure's place
    assert query(
        graph,
        """SELECT ?to WHERE { ?a uco-core:name "transfer" ;
           uco-action:participant/uco-core:name ?to }""",
    ) == [("Evidence store",)]
    assert query(
        graph,
        """SELECT ?where WHERE { ?a uco-core:name "seize" ;
           uco-action:location/uco-core:name ?where }""",
    ) == [("Bangkok, flat 3B",)]
    reasons = query(
        graph, 'SELECT ?d WHERE { ?a uco-core:name "transfer" ; uco-core:description ?d }'
    )
    assert "reason: Court order 12/2026" in reasons[0][0]
    # the verify event carried the same items: the same File nodes, not new ones
    assert len(query(graph, "SELECT ?f WHERE { ?f a uco-observable:File }")) == 1


def test_a_directory_with_a_custody_log_not_recording_the_acquisition(
    tmp_path: Path, cli: CliRunner, key: Path
):
    """The acquisition takes its place in the chain by time when no event names it."""
    source = tmp_path / "src"
    (source / "docs").mkdir(parents=True)
    (source / "docs" / "a.txt").write_bytes(b"a\n")
    (source / "empty").write_bytes(b"")
    manifest = acquired(cli, source, tmp_path / "out")
    log = tmp_path / "custody.jsonl"
    record(cli, log, key, "seize")
    record(cli, log, key, "transfer", "--to", "Evidence store")
    events = [json.loads(line) for line in log.read_bytes().splitlines()]
    events[0]["time"] = "2000-01-01T00:00:00Z"  # before the acquisition
    events[1]["time"] = "2100-01-01T00:00:00Z"  # after it
    graph_path = tmp_path / "case.jsonld"
    graph_path.write_text(json.dumps(build_case_graph(manifest, events)), encoding="utf-8")
    assert_valid(graph_path)
    _document, graph = load(graph_path)
    order = query(
        graph,
        """SELECT ?name ?before WHERE { ?a case-investigation:wasInformedBy/uco-core:name ?before ;
           uco-core:name ?name }""",
    )
    assert order == [("acquire", "seize"), ("transfer", "acquire")]
    assert_files_and_hashes(graph, manifest)
    # and the same through the command, with the log as recorded
    status, _, stderr = cli(
        "export-case", tmp_path / "out", "--custody", log, "--output", tmp_path / "cli.jsonld"
    )
    assert status == 0, stderr


def test_a_block_device_is_a_storage_medium(tmp_path: Path, cli: CliRunner):
    image = tmp_path / "disk.img"
    image.write_bytes(os.urandom(2 * MiB))
    device = subprocess.run(
        [tool("losetup"), "--find", "--show", "--read-only", str(image)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        manifest = acquired(cli, Path(device), tmp_path / "out")
    finally:
        subprocess.run([tool("losetup"), "--detach", device], check=True)
    graph = build_case_graph(manifest)
    path = tmp_path / "case.jsonld"
    path.write_text(json.dumps(graph), encoding="utf-8")
    assert_valid(path)
    _document, rdf = load(path)
    [(capacity, value)] = query(
        rdf,
        """SELECT ?cap ?v WHERE { ?a uco-core:name "acquire" ; uco-action:object ?d .
           ?d a uco-observable:StorageMedium ; uco-core:hasFacet ?s, ?c .
           ?s uco-observable:totalStorageCapacityInBytes ?cap .
           ?c uco-observable:hash [ uco-types:hashMethod "SHA256" ; uco-types:hashValue ?v ] }""",
    )
    assert int(capacity) == 2 * MiB
    assert value.lower() == manifest["files"][0]["hashes"]["sha256"]


def test_case_validate_rejects_a_broken_graph(tmp_path: Path, cli: CliRunner):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f.txt").write_bytes(b"evidence\n")
    manifest = acquired(cli, source, tmp_path / "out")
    good = build_case_graph(manifest)
    # a hash value that is not hexadecimal, and an action with two performers
    broken = json.loads(json.dumps(good))
    for node in broken["@graph"]:
        if node["@type"] == "uco-types:Hash" and node["uco-types:hashMethod"] == "SHA256":
            node["uco-types:hashValue"]["@value"] = "not-hex"
        if node["@type"] == "case-investigation:InvestigativeAction":
            node["uco-action:performer"] = [
                node["uco-action:performer"],
                {"@id": "kb:Person-00000000-0000-4000-8000-000000000000"},
            ]
    broken["@graph"].append(
        {
            "@id": "kb:Person-00000000-0000-4000-8000-000000000000",
            "@type": "uco-identity:Person",
        }
    )
    path = tmp_path / "broken.jsonld"
    path.write_text(json.dumps(broken), encoding="utf-8")
    done = case_validate(path)
    assert done.returncode == 1
    assert "Conforms: False" in done.stdout
    assert "hexBinary" in done.stdout
    assert "performer" in done.stdout
    # a misspelt property (not in the ontology) fails it too
    typo = json.dumps(good).replace('"uco-observable:fileName"', '"uco-observable:filename"')
    path.write_text(typo, encoding="utf-8")
    done = case_validate(path)
    assert done.returncode == 1
    assert "filename" in done.stderr
    # and a key missing from the context would make no triple: our own check sees it
    dropped = json.loads(json.dumps(good))
    dropped["@graph"][0]["size"] = 1
    path.write_text(json.dumps(dropped), encoding="utf-8")
    with pytest.raises(AssertionError):
        load(path)


def test_the_export_is_reproducible_and_uses_inherent_uuids(
    tmp_path: Path, cli: CliRunner, key: Path
):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f.txt").write_bytes(b"evidence\n")
    manifest = acquired(cli, source, tmp_path / "out")
    log = custody_chain(cli, tmp_path, key, tmp_path / "out" / "manifest.json")
    first, second = tmp_path / "1.jsonld", tmp_path / "2.jsonld"
    for target in (first, second):
        assert cli("export-case", tmp_path / "out", "--custody", log, "--output", target)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place
    # Hash and facet IRIs are those case_utils.inherent_uuid derives
    document = json.loads(first.read_text(encoding="utf-8"))
    kb = rdflib.Namespace(CONTEXT["kb"])
    nodes = {node["@id"]: node for node in document["@graph"]}
    sha256 = manifest["files"][0]["hashes"]["sha256"]
    expected = inherent_uuid.hash_method_value_uuid(
        rdflib.Literal("SHA256"), rdflib.Literal(sha256, datatype=rdflib.XSD.hexBinary)
    )
    assert f"kb:Hash-{expected}" in nodes
    [file_iri] = [iri for iri, node in nodes.items() if node["@type"] == "uco-observable:File"]
    for facet in ("FileFacet", "ContentDataFacet"):
        uri = inherent_uuid.get_facet_uriref(
            kb[file_iri.removeprefix("kb:")], NS_UCO_OBSERVABLE[facet], namespace=kb
        )
        assert f"kb:{str(uri).removeprefix(str(kb))}" in nodes
    # another acquisition of the same exhibit is another action on the same files
    again = acquired(cli, source, tmp_path / "out2")
    other = build_case_graph(again)
    ids = {node["@id"] for node in other["@graph"]}
    assert file_iri in ids
    [acquisition] = [i for i in ids if i.startswith("kb:InvestigativeAction-")]
    assert acquisition not in nodes


def test_export_refuses_a_tampered_or_foreign_log(tmp_path: Path, cli: CliRunner, key: Path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f.txt").write_bytes(b"evidence\n")
    acquired(cli, source, tmp_path / "out")
    log = custody_chain(cli, tmp_path, key, tmp_path / "out" / "manifest.json")
    export = tmp_path / "case.jsonld"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(lines[0] + lines[1].replace(b"Somchai", b"Somchay") + b"".join(lines[2:]))
    status, stdout, _ = cli("export-case", tmp_path / "out", "--custody", log, "--output", export)
    assert status == 1
    assert "does not verify; nothing exported" in stdout
    assert "line 2: not in canonical form" in stdout or "line 3: its prev" in stdout
    assert not export.exists()
    # an intact chain whose signed checkpoint is from another key
    log.write_bytes(b"".join(lines))
    other = tmp_path / "other.key"
    assert cli("custody", "keygen", "--output", other)[0] == 0
    status, stdout, _ = cli(
        "export-case", tmp_path / "out", "--custody", log, "--pubkey", f"{other}.pub",
        "--output", export,
    )  # fmt: skip
    assert status == 1
    assert "checkpoint: bad signature" in stdout
    assert not export.exists()
    # a log of another case
    foreign = tmp_path / "foreign.jsonl"
    args = ["custody", "record", foreign, "--key", key, "--action", "seize", "--case", "VN-1",
            "--exhibit", "EX-01", "--actor", "Lan"]  # fmt: skip
    assert cli(*args)[0] == 0
    status, _, stderr = cli(
        "export-case", tmp_path / "out", "--custody", foreign, "--output", export
    )
    assert status == 2
    assert "events of case VN-1, but the manifest is of case TH-2026-001" in stderr
    # not a manifest; an output that cannot be written
    (tmp_path / "notes.json").write_text("{}")
    status, _, stderr = cli("export-case", tmp_path / "notes.json", "--output", export)
    assert (status, "is not a cybercap evidence manifest" in stderr) == (2, True)
    status, _, stderr = cli(
        "export-case", tmp_path / "out", "--output", tmp_path / "no" / "such" / "dir.jsonld"
    )
    assert (status, "No such file or directory" in stderr) == (2, True)
    assert not export.exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda m: m.update(format="other"), "not a cybercap evidence manifest"),
        (lambda m: m.pop("examiner"), "the manifest has no 'examiner'"),
        (lambda m: m["files"][0].pop("hashes"), "file 1 of the manifest is malformed"),
        (
            lambda m: m["files"][0]["hashes"].update(md5="zz"),
            "f.txt: the md5 hash is not hexadecimal: 'zz'",
        ),
        (lambda m: m.update(started_at="yesterday"), "not an RFC 3339 time: 'yesterday'"),
        (lambda m: m.update(symlinks=[{"path": "x"}]), "the manifest's symlinks are malformed"),
        (lambda m: m.update(errors=["oops"]), "the manifest's errors are malformed"),
    ],
)
def test_a_malformed_manifest_is_refused_with_a_reason(
    tmp_path: Path, cli: CliRunner, damage: Any, message: str
):
    """Manifests come back as uploads too: nothing malformed reaches the graph."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "f.txt").write_bytes(b"evidence\n")
    manifest = acquired(cli, source, tmp_path / "out")
    damage(manifest)
    with pytest.raises(CaseExportError) as refused:
        build_case_graph(manifest)
    assert str(refused.value) == message
    events = [{"action": "seize", "exhibit": "EX-01", "time": "2026-01-01T00:00:00Z"}]
    with pytest.raises(CaseExportError, match="custody entry 1 is not a custody event"):
        build_case_graph(acquired(cli, source, tmp_path / "out2"), events)
