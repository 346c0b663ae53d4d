"""An acquisition and its chain of custody as a CASE/UCO JSON-LD graph (no RDF library).

CASE (Cyber-investigation Analysis Standard Expression, https://caseontology.org) on UCO:

* every acquired file is a ``uco-observable:File`` with a ``FileFacet`` (name, path, size,
  times) and a ``ContentDataFacet`` whose ``uco-observable:hash`` points to ``uco-types:Hash``
  nodes (one ``hashMethod``, one ``hashValue`` typed ``xsd:hexBinary``). Hashes that UCO's
  vocabulary does not name (BLAKE2b, BLAKE3) stay in ``manifest.json`` only;
* the acquisition is a ``case-investigation:InvestigativeAction`` with its performer (the
  examiner), instrument (this tool), environment (the host), object (the source), result
  (the files and a ``ProvenanceRecord``), start and end times;
* each custody event is an ``InvestigativeAction`` (performer the actor, participant the
  counterparty, location, time) that takes the exhibit's previous ``ProvenanceRecord`` and
  the exhibit as its object and yields a new record and the exhibit as its result; the
  actions on one exhibit are ordered by ``case-investigation:wasInformedBy``. The custody
  ``acquire`` event that refers to this manifest (same case, exhibit and items) *is* the
  acquisition: one action, with the manifest's times and the custody record;
* everything is grouped in a ``case-investigation:Investigation`` named after the case.

IRIs are ``kb:<Class>-<UUID>`` with UUIDv5s derived from the case, the exhibit, the path and
the content (facets and hashes as ``case_utils.inherent_uuid`` derives them), so the same
inputs always give the same graph, byte for byte, and graphs of one case merge cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Iterable
from typing import Any

from cybercap.evidence.field import custody as custody_log
from cybercap.evidence.field import manifest as mf

KB = "http://example.org/kb/"
CONTEXT: dict[str, str] = {
    "kb": KB,
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-location": "https://ontology.unifiedcyberontology.org/uco/location/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# Our algorithm names -> UCO's HashNameVocab.
HASH_METHODS = {
    "md5": "MD5",
    "sha1": "SHA1",
    "sha224": "SHA224",
    "sha256": "SHA256",
    "sha384": "SHA384",
    "sha512": "SHA512",
    "sha3-256": "SHA3-256",
    "sha3-512": "SHA3-512",
}
# The root of every UUIDv5 below: one fixed namespace for cybercap's CASE exports.
ROOT = uuid.uuid5(uuid.NAMESPACE_URL, "urn:cybercap:evidence:case-export")
OBS = CONTEXT["uco-observable"]
_HEX = re.compile(r"[0-9a-f]+")


class CaseExportError(ValueError):
    """The manifest or custody entries cannot be expressed (not ours, or malformed)."""


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(ROOT, "\x00".join(parts)))


def _time(value: str) -> dict[str, str]:
    _instant(value)  # an xsd:dateTime, or CaseExportError
    return {"@type": "xsd:dateTime", "@value": value}


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _refs(iris: Iterable[str]) -> list[dict[str, str]]:
    return [_ref(iri) for iri in sorted(set(iris))]


def hash_iri(method: str, value: str) -> str:
    """As ``case_utils.inherent_uuid.hash_method_value_uuid``: a Hash is its method and value."""
    urn = f"urn:hash::{method}:{value.lower()}"
    return f"kb:Hash-{uuid.uuid5(uuid.NAMESPACE_URL, urn)}"


def facet_iri(object_iri: str, facet_class: str) -> str:
    """As ``case_utils.inherent_uuid.get_facet_uriref``: a facet inheres in its object."""
    object_uuid = uuid.UUID(object_iri[-36:])
    return f"kb:{facet_class}-{uuid.uuid5(object_uuid, OBS + facet_class)}"


class _Graph:
    """Nodes by IRI; a node added twice must say the same thing (or only add to it)."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}

    def add(self, node: dict[str, Any]) -> str:
        iri = node["@id"]
        existing = self.nodes.get(iri)
        if existing is None:
            self.nodes[iri] = node
        else:
            for key, value in node.items():
                existing.setdefault(key, value)
        return iri

    def extend(self, iri: str, key: str, refs: Iterable[str]) -> None:
        node = self.nodes[iri]
        have = {item["@id"] for item in node.get(key, [])}
        node[key] = _refs(have | set(refs))

    def as_jsonld(self) -> dict[str, Any]:
        return {"@context": dict(CONTEXT), "@graph": [self.nodes[k] for k in sorted(self.nodes)]}


class _Builder:
    def __init__(self, manifest: dict[str, Any]) -> None:
        self.graph = _Graph()
        self.case = str(manifest["case"])
        self.investigation = f"kb:Investigation-{_uuid('investigation', self.case)}"
        self.graph.add(
            {
                "@id": self.investigation,
                "@type": "case-investigation:Investigation",
                "uco-core:name": self.case,
                "case-investigation:investigationForm": "case",
                "uco-core:object": [],
            }
        )

    # -- identities, places, tools -------------------------------------------------------

    def person(self, name: str) -> str:
        return self.graph.add(
            {
                "@id": f"kb:Person-{_uuid(self.case, 'person', name)}",
                "@type": "uco-identity:Person",
                "uco-core:name": name,
            }
        )

    def identity(self, name: str) -> str:
        """A counterparty: a person or an organisation (an evidence store, a court)."""
        return self.graph.add(
            {
                "@id": f"kb:Identity-{_uuid(self.case, 'identity', name)}",
                "@type": "uco-identity:Identity",
                "uco-core:name": name,
            }
        )

    def location(self, text: str) -> str:
        return self.graph.add(
            {
                "@id": f"kb:Location-{_uuid(self.case, 'location', text)}",
                "@type": "uco-location:Location",
                "uco-core:name": text,
            }
        )

    def tool(self, tool: dict[str, Any]) -> str:
        name = str(tool.get("name") or "cybercap evidence")
        version = str(tool.get("version") or "")
        node: dict[str, Any] = {
            "@id": f"kb:Tool-{_uuid('tool', name, version)}",
            "@type": "uco-tool:Tool",
            "uco-core:name": name,
            "uco-tool:toolType": "evidence hashing and chain of custody",
        }
        if version:
            node["uco-tool:version"] = version
        return self.graph.add(node)

    def host(self, host: dict[str, Any]) -> str | None:
        hostname = host.get("hostname")
        if not hostname:
            return None
        node: dict[str, Any] = {
            "@id": f"kb:Device-{_uuid(self.case, 'host', str(hostname))}",
            "@type": "uco-observable:Device",
            "uco-core:name": str(hostname),
        }
        details = ", ".join(f"{key} {host[key]}" for key in ("platform", "python") if host.get(key))
        if details:
            node["uco-core:description"] = [details]
        return self.graph.add(node)

    # -- evidence items --------------------------------------------------------------------

    def exhibit(self, exhibit: str) -> str:
        """The exhibit as a whole: what is seized, held and handed over."""
        return self.graph.add(
            {
                "@id": f"kb:ObservableObject-{_uuid(self.case, 'exhibit', exhibit)}",
                "@type": "uco-observable:ObservableObject",
                "uco-core:name": exhibit,
                "uco-core:description": [f"Exhibit {exhibit} of case {self.case}"],
            }
        )

    def _content_facet(self, owner: str, size: int | None, hashes: dict[str, str]) -> str:
        refs = []
        for method in sorted(hashes):
            if method not in HASH_METHODS:
                continue  # not in UCO's HashNameVocab (blake2b, blake3)
            value = str(hashes[method]).lower()
            refs.append(
                self.graph.add(
                    {
                        "@id": hash_iri(method, value),
                        "@type": "uco-types:Hash",
                        "uco-types:hashMethod": HASH_METHODS[method],
                        "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": value},
                    }
                )
            )
        node: dict[str, Any] = {
            "@id": facet_iri(owner, "ContentDataFacet"),
            "@type": "uco-observable:ContentDataFacet",
            "uco-observable:hash": _refs(refs),
        }
        if size is not None:
            node["uco-observable:sizeInBytes"] = size
        return self.graph.add(node)

    def file(
        self,
        exhibit: str,
        path: str,
        *,
        size: int | None,
        hashes: dict[str, str],
        times: dict[str, str] | None = None,
        cls: str = "File",
    ) -> str:
        """A file (or a device's content) by case, exhibit, path and SHA-256."""
        for method, value in hashes.items():
            if method in HASH_METHODS and not _HEX.fullmatch(str(value).lower()):
                raise CaseExportError(f"{path}: the {method} hash is not hexadecimal: {value!r}")
        sha256 = str(hashes.get("sha256", "")).lower()
        iri = f"kb:{cls}-{_uuid(self.case, 'file', exhibit, path, sha256)}"
        if iri in self.graph.nodes:
            return iri
        facets = [self._content_facet(iri, size, hashes)]
        if cls == "File":
            facet: dict[str, Any] = {
                "@id": facet_iri(iri, "FileFacet"),
                "@type": "uco-observable:FileFacet",
                "uco-observable:fileName": [path.rsplit("/", 1)[-1]],
                "uco-observable:filePath": [path],
            }
            if size is not None:
                facet["uco-observable:sizeInBytes"] = size
            for ours, theirs in (
                ("mtime", "modifiedTime"),
                ("atime", "accessedTime"),
                ("ctime", "metadataChangeTime"),
            ):
                if times and times.get(ours):
                    facet[f"uco-observable:{theirs}"] = _time(times[ours])
            facets.append(self.graph.add(facet))
        else:  # a block device: a storage medium with its capacity
            facets.append(
                self.graph.add(
                    {
                        "@id": facet_iri(iri, "StorageMediumFacet"),
                        "@type": "uco-observable:StorageMediumFacet",
                        "uco-observable:totalStorageCapacityInBytes": size or 0,
                    }
                )
            )
        self.graph.add(
            {
                "@id": iri,
                "@type": f"uco-observable:{cls}",
                "uco-core:name": path,
                "uco-core:hasFacet": _refs(facets),
            }
        )
        return iri

    def directory(self, exhibit: str, path: str) -> str:
        iri = f"kb:Directory-{_uuid(self.case, 'directory', exhibit, path)}"
        facet = self.graph.add(
            {
                "@id": facet_iri(iri, "FileFacet"),
                "@type": "uco-observable:FileFacet",
                "uco-observable:filePath": [path],
                "uco-observable:isDirectory": [True],
            }
        )
        return self.graph.add(
            {
                "@id": iri,
                "@type": "uco-observable:Directory",
                "uco-core:name": path,
                "uco-core:hasFacet": [_ref(facet)],
            }
        )

    def symlink(self, exhibit: str, link: dict[str, Any]) -> str:
        path = str(link["path"])
        iri = f"kb:SymbolicLink-{_uuid(self.case, 'symlink', exhibit, path, str(link['target']))}"
        facet = self.graph.add(
            {
                "@id": facet_iri(iri, "FileFacet"),
                "@type": "uco-observable:FileFacet",
                "uco-observable:fileName": [path.rsplit("/", 1)[-1]],
                "uco-observable:filePath": [path],
            }
        )
        return self.graph.add(
            {
                "@id": iri,
                "@type": "uco-observable:SymbolicLink",
                "uco-core:name": path,
                "uco-core:description": [
                    f"symbolic link to {link['target']} ({link.get('state', 'unknown')});"
                    " recorded, not followed"
                ],
                "uco-core:hasFacet": [_ref(facet)],
            }
        )

    # -- actions and records ---------------------------------------------------------------

    def record(self, iri: str, exhibit: str, root_exhibit: str, items: list[str], text: str) -> str:
        node: dict[str, Any] = {
            "@id": iri,
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": exhibit,
            "case-investigation:rootExhibitNumber": [root_exhibit],
            "uco-core:object": _refs(items),
        }
        if text:
            node["uco-core:description"] = [text]
        return self.graph.add(node)

    def contains(self, iris: Iterable[str]) -> None:
        self.graph.extend(self.investigation, "uco-core:object", iris)


def _check_manifest(manifest: Any) -> None:
    """Enough of the shape that the graph cannot come out malformed (uploads are input)."""
    if not isinstance(manifest, dict) or manifest.get("format") != mf.FORMAT:
        raise CaseExportError("not a cybercap evidence manifest")
    for key in ("case", "exhibit", "examiner", "source", "files", "started_at", "finished_at"):
        if key not in manifest:
            raise CaseExportError(f"the manifest has no {key!r}")
    if not isinstance(manifest["source"], dict) or not isinstance(manifest["files"], list):
        raise CaseExportError("the manifest's source or files are malformed")
    for number, record in enumerate(manifest["files"], start=1):
        if not (
            isinstance(record, dict)
            and isinstance(record.get("path"), str)
            and isinstance(record.get("size"), int)
            and isinstance(record.get("hashes"), dict)
            and "sha256" in record["hashes"]
        ):
            raise CaseExportError(f"file {number} of the manifest is malformed")
    for key, fields in (("symlinks", ("path", "target")), ("errors", ("path", "kind"))):
        items = manifest.get(key) or []
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and all(isinstance(item.get(f), str) for f in fields)
            for item in items
        ):
            raise CaseExportError(f"the manifest's {key} are malformed")


def _item_key(items: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((str(item.get("path")), str(item.get("sha256", "")).lower()) for item in items)


def _is_this_acquisition(event: dict[str, Any], manifest: dict[str, Any]) -> bool:
    reference = event.get("manifest") or {}
    return (
        event.get("action") == "acquire"
        and reference.get("case") == manifest["case"]
        and reference.get("exhibit") == manifest["exhibit"]
        and _item_key(event.get("items") or [])
        == _item_key(
            {"path": record["path"], "sha256": record["hashes"].get("sha256")}
            for record in manifest["files"]
        )
    )


def build_case_graph(
    manifest: dict[str, Any], custody_entries: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The acquisition in ``manifest`` and the custody chain as a CASE/UCO JSON-LD graph.

    ``manifest`` is a parsed ``manifest.json``; ``custody_entries`` the parsed JSON lines of
    a custody log, in log order. Checking the log's chain and signature is the caller's
    business (``custody.verify``); this only expresses what the entries say. Raises
    :class:`CaseExportError` for input that is not a manifest or not custody events.
    """
    _check_manifest(manifest)
    entries = list(custody_entries or [])
    for number, event in enumerate(entries, start=1):
        if not isinstance(event, dict) or not {"action", "exhibit", "time", "actor"} <= set(event):
            raise CaseExportError(f"custody entry {number} is not a custody event")
    b = _Builder(manifest)
    case, exhibit = b.case, str(manifest["exhibit"])

    # The acquisition from the manifest.
    source = manifest["source"]
    kind = source.get("kind")
    started, finished = str(manifest["started_at"]), str(manifest["finished_at"])
    files = [
        b.file(
            exhibit,
            str(record["path"]),
            size=record.get("size"),
            hashes=record.get("hashes") or {},
            times=record,
            cls="StorageMedium" if kind == "block-device" else "File",
        )
        for record in manifest["files"]
    ]
    links = [b.symlink(exhibit, link) for link in manifest.get("symlinks") or []]
    if kind == "directory":
        source_items = [b.directory(exhibit, str(source.get("path")))]
    else:  # one file or one device: the source is the item it produced
        source_items = files[:1]
    acquisition = f"kb:InvestigativeAction-{_uuid(case, 'acquisition', exhibit, started)}"
    acq_record = f"kb:ProvenanceRecord-{_uuid(case, 'acquisition-record', exhibit, started)}"
    summary = manifest.get("summary") or {}
    clean = bool(summary.get("clean", not manifest.get("errors")))
    algorithms = ", ".join(manifest.get("algorithms") or [])
    description = [
        f"Acquisition of {source.get('path')} ({kind}) by hashing with {algorithms}:"
        f" {summary.get('files', len(files))} files, {summary.get('bytes', '?')} bytes"
        f" ({'clean' if clean else 'NOT CLEAN'})"
    ]
    description += [
        f"error: ./{error.get('path')}: {error.get('kind')}: {error.get('detail')}"
        for error in manifest.get("errors") or []
    ]
    description += [f"warning: {warning}" for warning in manifest.get("warnings") or []]
    action: dict[str, Any] = {
        "@id": acquisition,
        "@type": "case-investigation:InvestigativeAction",
        "uco-core:name": "acquire",
        "uco-core:description": description,
        "uco-action:actionStatus": "Success" if clean else "Error",
        "uco-action:performer": _ref(b.person(str(manifest["examiner"]))),
        "uco-action:instrument": [_ref(b.tool(manifest.get("tool") or {}))],
        "uco-action:object": _refs(source_items),
        "uco-action:result": _refs([*files, *links, acq_record]),
        "uco-action:startTime": _time(started),
        "uco-action:endTime": _time(finished),
    }
    host = b.host(manifest.get("host") or {})
    if host:
        action["uco-action:environment"] = _ref(host)
    b.graph.add(action)
    b.record(
        acq_record,
        exhibit,
        exhibit,
        [*files, *links],
        f"Exhibit {exhibit} as acquired: the files and their hashes",
    )
    b.contains([acquisition, acq_record])

    # The custody chain of each exhibit, in log order. The acquisition takes its place in
    # its exhibit's chain: at the custody event that records it, or else by its start time,
    # before the first event of a later second (events are recorded to the second; within
    # the same second the log's events come first).
    matched = next(
        (
            index
            for index, event in enumerate(entries)
            if str(event.get("case_id") or case) == case and _is_this_acquisition(event, manifest)
        ),
        None,
    )
    chain = _Chain(b)
    placed = False
    for index, event in enumerate(entries):
        event_exhibit = str(event["exhibit"])
        if (
            not placed
            and matched is None
            and event_exhibit == exhibit
            and _instant(started).replace(microsecond=0) < _instant(str(event["time"]))
        ):
            chain.step(exhibit, acquisition, acq_record, [*files, *links])
            placed = True
        if index == matched:
            chain.step(exhibit, acquisition, acq_record, [*files, *links])
            chain.describe(acquisition, acq_record, event, timed=False)
            placed = True
            continue
        seq, log_id = str(event.get("seq")), str(event.get("log_id"))
        action_iri = f"kb:InvestigativeAction-{_uuid(case, 'custody', log_id, seq)}"
        record_iri = f"kb:ProvenanceRecord-{_uuid(case, 'custody-record', log_id, seq)}"
        carried = [
            b.file(
                event_exhibit,
                str(entry.get("path")),
                size=entry.get("size"),
                hashes={k: str(v) for k, v in entry.items() if k in HASH_METHODS and v},
            )
            for entry in event.get("items") or []
        ]
        b.graph.add(
            {
                "@id": action_iri,
                "@type": "case-investigation:InvestigativeAction",
                "uco-core:name": str(event["action"]),
            }
        )
        b.record(record_iri, event_exhibit, chain.root(event_exhibit), [], "")
        chain.step(event_exhibit, action_iri, record_iri, carried)
        chain.describe(action_iri, record_iri, event, timed=True)
    if not placed and exhibit in chain.last:
        chain.step(exhibit, acquisition, acq_record, [*files, *links])
    return b.graph.as_jsonld()


def _instant(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CaseExportError(f"not an RFC 3339 time: {text!r}") from None


class _Chain:
    """Action -> ProvenanceRecord -> action, one chain per exhibit."""

    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.last: dict[str, tuple[str, str]] = {}  # exhibit -> (last action, its record)
        self.roots: dict[str, str] = {}

    def root(self, exhibit: str) -> str:
        return self.roots.setdefault(exhibit, exhibit)

    def step(self, exhibit: str, action: str, record: str, carried: list[str]) -> None:
        """``action`` takes the previous record and what it held; yields ``record``."""
        graph = self.b.graph
        item = self.b.exhibit(exhibit)
        self.root(exhibit)
        objects = []  # the first action (a seizure) has only a result
        if exhibit in self.last:
            previous_action, previous_record = self.last[exhibit]
            objects += [item, previous_record]
            objects += [ref["@id"] for ref in graph.nodes[previous_record]["uco-core:object"]]
            graph.extend(action, "case-investigation:wasInformedBy", [previous_action])
        graph.extend(action, "uco-action:object", objects)
        graph.extend(action, "uco-action:result", [item, record, *carried])
        graph.extend(record, "uco-core:object", [item, *carried])
        self.b.contains([action, record])
        self.last[exhibit] = (action, record)

    def describe(self, action: str, record: str, event: dict[str, Any], *, timed: bool) -> None:
        """Who, to whom, where, when and why, and where the event is in the signed log."""
        b = self.b
        node = b.graph.nodes[action]
        node["uco-action:performer"] = _ref(b.person(str(event["actor"])))
        b.graph.extend(action, "uco-action:instrument", [b.tool(event.get("tool") or {})])
        if timed:
            node["uco-action:startTime"] = _time(str(event["time"]))
            node["uco-action:endTime"] = _time(str(event["time"]))
        if event.get("counterparty"):
            b.graph.extend(
                action, "uco-action:participant", [b.identity(str(event["counterparty"]))]
            )
        if event.get("location"):
            b.graph.extend(action, "uco-action:location", [b.location(str(event["location"]))])
        text = f"{event['action']} of exhibit {event['exhibit']} by {event['actor']}"
        if event.get("counterparty"):
            text += f" to {event['counterparty']}"
        if event.get("reason"):
            text += f"; reason: {event['reason']}"
        line = custody_log.line_hash(custody_log.canonical(event))
        text += (
            f"; custody log {event.get('log_id')} entry {event.get('seq')}"
            f" at {event['time']} (line SHA-256 {line})"
        )
        node["uco-core:description"] = sorted({*node.get("uco-core:description", []), text})
        record_node = b.graph.nodes[record]
        record_node["uco-core:description"] = sorted(
            {*record_node.get("uco-core:description", []), text}
        )


def jsonld_bytes(graph: dict[str, Any]) -> bytes:
    """The graph as UTF-8 JSON, keys sorted, one node a line: the same graph always gives the
    same bytes (and the C encoder does the work: no ``indent``, which is pure Python)."""
    dump = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
    nodes = ",\n".join("    " + dump(node) for node in graph["@graph"])
    extra = {key: value for key, value in graph.items() if key not in {"@context", "@graph"}}
    lines = [
        "{",
        f'  "@context": {dump(graph["@context"])},',
        *(f"  {dump(key)}: {dump(value)}," for key, value in sorted(extra.items())),
        f'  "@graph": [\n{nodes}\n  ]',
        "}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_graph(path: str, graph: dict[str, Any]) -> None:
    """Write atomically: a fsynced temporary file renamed over ``path``, then the directory
    fsynced, so ``path`` is either the old file or the whole new one, never half of one."""
    data = jsonld_bytes(graph)
    directory = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        if os.path.lexists(temp):
            os.unlink(temp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
