"""SCORM 1.2 export: one SCO per module, the published XSDs at the zip root.

Each module becomes ``<module>/index.html``: its lessons (the same sanitised HTML as the web
pages, figures from ``shared/figures/``) and its quiz, played by ``shared/scorm.js``, which
finds the LMS ``API``, resumes from ``cmi.suspend_data``, scores the quiz with the platform's
rules and reports ``cmi.core.lesson_status``, ``cmi.core.score.*``, ``cmi.core.session_time``
and one ``cmi.interactions.n`` per item and per scenario choice. ``shared/sco.js`` (included by
both the SCORM and the cmi5 page) holds what the two runtimes share: quiz scoring, the branching
scenarios (played with the web engine's rules from the same parsed graph, see
:func:`scenario_runtime_graph`), the module's progress and its compact saved form.

:func:`check_package` validates a package: the manifest against the ADL/IMS schemas (with
lxml, using the two workarounds the standards README names), the schema version, every
``identifierref`` and every listed file.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from lxml import etree

from cybercap.elearning import xapi
from cybercap.elearning.localise import draft_notice, items_in, localise
from cybercap.elearning.models import Course, Module
from cybercap.quizzes.forms import display_options

HERE = Path(__file__).parent
XSD_DIR = HERE / "scorm12"
ASSETS = HERE / "scorm_assets"
XSDS = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"


def _ident(prefix: str, key: str) -> str:
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_.-]', '-', key)}"


# The saved progress keeps a scenario's path as one letter per choice (``"acb"``): a node has at
# most 26 choices. SCORM 1.2 keeps at most 4,096 characters of ``cmi.suspend_data``.
LETTERS = "abcdefghijklmnopqrstuvwxyz"
SUSPEND_LIMIT = 4096


def scenario_runtime_graph(graph: dict[str, Any]) -> dict[str, Any]:
    """What the packaged engine needs of a scenario's parsed graph (``Scenario.graph``, the
    content model as loaded): its structure without the text, which is in the page."""
    nodes = []
    for node in graph["nodes"]:
        if len(node.get("choices") or []) > len(LETTERS):
            raise ValueError(f"{graph['id']}/{node['id']}: more than {len(LETTERS)} choices")
        nodes.append(
            {
                "id": node["id"],
                "end": bool(node.get("end")),
                "outcome": node.get("outcome") or "",
                "choices": [
                    {
                        "id": choice["id"],
                        "score": choice.get("score", 0),
                        "effects": choice.get("effects") or {},
                        "set_flags": choice.get("set_flags") or [],
                        "next": choice["next"],
                    }
                    for choice in node.get("choices") or []
                ],
            }
        )
    return {
        "start": graph["start"],
        "max_score": graph["max_score"],
        "pass_score": graph["pass_score"],
        "variables": {
            name: {"initial": spec["initial"], "min": spec["min"], "max": spec["max"]}
            for name, spec in (graph.get("variables") or {}).items()
        },
        "nodes": nodes,
    }


def longest_path(graph: dict[str, Any]) -> int:
    """The most choices a run of the scenario can take (the graph has no cycle: checked)."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    depth: dict[str, int] = {}

    def walk(node_id: str) -> int:
        if node_id not in depth:
            targets: list[str] = []
            for choice in nodes[node_id].get("choices") or []:
                routes = choice["next"]
                targets += [routes] if isinstance(routes, str) else [r["to"] for r in routes]
            depth[node_id] = max((1 + walk(t) for t in targets), default=0)
        return depth[node_id]

    return walk(graph["start"])


def suspend_bound(data: dict[str, Any]) -> int:
    """The longest saved progress the module page can write: every lesson read, the quiz at
    100 %, every scenario finished and on its longest path (see ``shared/sco.js``)."""
    worst = {
        "r": list(range(len(data["lessons"]))),
        "q": [100, 1],
        "s": [[1, "z" * longest_path(s["graph"])] for s in data["scenarios"]],
        "w": [1, max(len(data["lessons"]), len(data["scenarios"]))],
        # the cmi5 runtime's own marks (statements already sent)
        "c": 1,
        "x": 1,
    }
    return len(json.dumps(worst, separators=(",", ":")))


def _sco_page(
    course: Course, module: Module, runtime: str = "scorm.js", language: str | None = None
) -> tuple[str, int]:
    """The module's page (played by ``shared/<runtime>``) and the number of quiz items in it.
    The cmi5 export uses the same page with its own runtime. ``language``: the page in that
    language, each piece it lacks in the course's own language and marked so."""
    language = language or course.language
    figures = f"/learn/{course.key}/figures/"
    lessons = list(module.lessons.order_by("position"))
    for lesson in lessons:
        lesson.module = module
        module.course = course
        localise(lesson, language, course.language)
        lesson.html = re.sub(
            rf"{re.escape(figures)}([^\"?]+)(\?language=[\w-]+)?",
            r"../shared/figures/\1",
            lesson.html,
        )
        lesson.html_after_slot = re.sub(
            rf"{re.escape(figures)}([^\"?]+)(\?language=[\w-]+)?",
            r"../shared/figures/\1",
            lesson.html_after_slot,
        )
    items = []
    if module.quiz is not None:
        pool = list(module.quiz.items.filter(retired=False).order_by("key"))
        items = pool[: module.quiz.draw] if module.quiz.draw else pool
    texts, untranslated_items = items_in(items, language)
    shown = [(item, display_options(item, "scorm")) for item in texts]
    scenarios = list(module.scenarios.order_by("position"))
    # the runtime plays the source graph (same ids in every language); the page shows the text
    runtime_graphs = [scenario_runtime_graph(scenario.graph) for scenario in scenarios]
    for scenario in scenarios:
        scenario.course = course
        localise(scenario, language, course.language)
        scenario.graph = getattr(scenario, "graph_shown", None) or scenario.graph
    data: dict[str, Any] = {
        "mastery": module.mastery if module.quiz is not None else 0,
        "lessons": [lesson.key for lesson in lessons],
        "items": [
            {
                "key": item.key,
                "type": item.type,
                "options": [o["id"] for o in item.options],
                "correct": item.correct,
                # for the cmi5 runtime's xAPI statements
                "iri": xapi.item_iri(course.key, item.key),
                "pattern": xapi.correct_pattern(item.type, item.correct),
            }
            for item in items
        ],
        "scenarios": [
            {
                "key": scenario.key,
                "iri": xapi.scenario_iri(course.key, scenario.key),
                "graph": graph,
            }
            for scenario, graph in zip(scenarios, runtime_graphs, strict=True)
        ],
    }
    if suspend_bound(data) > SUSPEND_LIMIT:
        raise ValueError(f"{module.key}: the saved progress could pass {SUSPEND_LIMIT} characters")
    payload = json.dumps(data).replace("<", "\\u003c")
    html = render_to_string(
        "elearning/scorm/sco.html",
        {
            "course": course,
            "module": module,
            "lessons": lessons,
            "items": shown,
            "scenarios": scenarios,
            "positions": range(1, 1 + max((len(i.options) for i in items), default=0)),
            "data": payload,
            "runtime": runtime,
            "language": language,
            "draft_translation": draft_notice(course, language),
            "untranslated_items": bool(untranslated_items),
        },
    )
    return html, len(items)


def _manifest(course: Course, modules: list[Module], files: dict[str, list[str]]) -> bytes:
    nsmap = {None: IMSCP, "adlcp": ADLCP, "xsi": XSI}
    root = etree.Element(
        f"{{{IMSCP}}}manifest",
        nsmap=nsmap,
        identifier=_ident("MANIFEST", f"{course.key}-{course.version}"),
        version=course.version,
    )
    root.set(
        f"{{{XSI}}}schemaLocation",
        f"{IMSCP} imscp_rootv1p1p2.xsd {IMSMD} imsmd_rootv1p2p1.xsd {ADLCP} adlcp_rootv1p2.xsd",
    )
    metadata = etree.SubElement(root, f"{{{IMSCP}}}metadata")
    etree.SubElement(metadata, f"{{{IMSCP}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{IMSCP}}}schemaversion").text = "1.2"
    # The LOM record (with the package's language) lives in metadata.xml, as SCORM 1.2 allows.
    etree.SubElement(metadata, f"{{{ADLCP}}}location").text = "metadata.xml"
    organizations = etree.SubElement(
        root, f"{{{IMSCP}}}organizations", default=_ident("ORG", course.key)
    )
    organization = etree.SubElement(
        organizations, f"{{{IMSCP}}}organization", identifier=_ident("ORG", course.key)
    )
    etree.SubElement(organization, f"{{{IMSCP}}}title").text = course.title
    resources = etree.SubElement(root, f"{{{IMSCP}}}resources")
    for module in modules:
        item = etree.SubElement(
            organization,
            f"{{{IMSCP}}}item",
            identifier=_ident("ITEM", module.key),
            identifierref=_ident("RES", module.key),
            isvisible="true",
        )
        etree.SubElement(item, f"{{{IMSCP}}}title").text = module.title
        if module.quiz is not None and module.mastery > 0:
            etree.SubElement(item, f"{{{ADLCP}}}masteryscore").text = str(
                round(module.mastery * 100)
            )
        resource = etree.SubElement(
            resources,
            f"{{{IMSCP}}}resource",
            identifier=_ident("RES", module.key),
            type="webcontent",
            href=f"{module.key}/index.html",
        )
        resource.set(f"{{{ADLCP}}}scormtype", "sco")
        for href in files[module.key]:
            etree.SubElement(resource, f"{{{IMSCP}}}file", href=href)
        etree.SubElement(resource, f"{{{IMSCP}}}dependency", identifierref="RES-shared")
    shared = etree.SubElement(
        resources, f"{{{IMSCP}}}resource", identifier="RES-shared", type="webcontent"
    )
    shared.set(f"{{{ADLCP}}}scormtype", "asset")
    for href in files["shared"]:
        etree.SubElement(shared, f"{{{IMSCP}}}file", href=href)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def localised_modules(course: Course, language: str | None) -> tuple[str, list[Module]]:
    """The export's language (the course's own when None) and the modules, both put in it."""
    language = language or course.language
    if language not in (course.languages or [course.language]):
        raise KeyError(language)
    localise(course, language, course.language)
    modules = list(course.modules.select_related("quiz").order_by("position"))
    for module in modules:
        module.course = course
        localise(module, language, course.language)
    return language, modules


def export_scorm12(
    course: Course, module_key: str | None = None, language: str | None = None
) -> bytes:
    """The SCORM 1.2 package of the course (or of one module) as zip bytes, in ``language``
    (the course's own by default); LOM metadata (metadata.xml) names the language."""
    language, modules = localised_modules(course, language)
    if module_key is not None:
        modules = [m for m in modules if m.key == module_key]
        if not modules:
            raise KeyError(module_key)
    content: dict[str, bytes] = {}
    files: dict[str, list[str]] = {"shared": []}
    for name in ("sco.js", "scorm.js", "sco.css"):
        content[f"shared/{name}"] = (ASSETS / name).read_bytes()
        files["shared"].append(f"shared/{name}")
    for figure in course.figures.order_by("name"):
        svg = (figure.translations or {}).get(language, figure.svg)
        content[f"shared/figures/{figure.name}"] = svg.encode()
        files["shared"].append(f"shared/figures/{figure.name}")
    content["metadata.xml"] = lom_metadata(course, language)
    files["shared"].append("metadata.xml")
    with translation.override(language):
        for module in modules:
            page, _items = _sco_page(course, module, language=language)
            content[f"{module.key}/index.html"] = page.encode()
            files[module.key] = [f"{module.key}/index.html"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", _manifest(course, modules, files))
        for name in XSDS:
            archive.write(XSD_DIR / name, name)
        for path, data in content.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def lom_metadata(course: Course, language: str) -> bytes:
    """IMS LOM 1.2.1 metadata: the package's title, description and language."""
    root = etree.Element(f"{{{IMSMD}}}lom", nsmap={None: IMSMD})
    general = etree.SubElement(root, f"{{{IMSMD}}}general")
    title = etree.SubElement(general, f"{{{IMSMD}}}title")
    etree.SubElement(title, f"{{{IMSMD}}}langstring").set(
        "{http://www.w3.org/XML/1998/namespace}lang", language
    )
    title[0].text = course.title
    etree.SubElement(general, f"{{{IMSMD}}}language").text = language
    description = etree.SubElement(general, f"{{{IMSMD}}}description")
    etree.SubElement(description, f"{{{IMSMD}}}langstring").set(
        "{http://www.w3.org/XML/1998/namespace}lang", language
    )
    description[0].text = course.description
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def package_language(data: bytes) -> str | None:
    """The language a SCORM package's LOM metadata names."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "metadata.xml" not in archive.namelist():
            return None
        lom = etree.fromstring(archive.read("metadata.xml"))
    return lom.findtext(f"{{{IMSMD}}}general/{{{IMSMD}}}language")


# --------------------------------------------------------------------------- checks


def _schema() -> etree.XMLSchema:
    """The imscp and adlcp schemas, as published, with ims_xml.xsd's default namespace dropped
    (libxml2 refuses it) and without the metadata schema (non-deterministic for libxml2)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd"):
            (folder / name).write_bytes((XSD_DIR / name).read_bytes())
        xml_xsd = (XSD_DIR / "ims_xml.xsd").read_text(encoding="utf-8-sig")
        xml_xsd = xml_xsd.replace('xmlns="http://www.w3.org/XML/1998/namespace" ', "", 1)
        (folder / "ims_xml.xsd").write_text(xml_xsd, encoding="utf-8")
        (folder / "all.xsd").write_text(
            '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'targetNamespace="urn:cybercap:all">'
            f'<xsd:import namespace="{IMSCP}" schemaLocation="imscp_rootv1p1p2.xsd"/>'
            f'<xsd:import namespace="{ADLCP}" schemaLocation="adlcp_rootv1p2.xsd"/>'
            "</xsd:schema>",
            encoding="utf-8",
        )
        return etree.XMLSchema(etree.parse(str(folder / "all.xsd")))


def check_package(data: bytes) -> list[str]:
    """Every problem of a SCORM 1.2 package; an empty list when it is sound."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "imsmanifest.xml" not in names:
            return ["imsmanifest.xml is not at the zip root"]
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    for name in XSDS:
        if name not in names:
            problems.append(f"{name} is not at the zip root")
    schema = _schema()
    if not schema.validate(manifest):
        problems += [f"schema: line {e.line}: {e.message}" for e in schema.error_log]
    ns = {"cp": IMSCP, "adlcp": ADLCP}
    version = manifest.findtext("cp:metadata/cp:schemaversion", namespaces=ns)
    if version != "1.2":
        problems.append(f"schemaversion is {version!r}, not '1.2'")
    if manifest.findtext("cp:metadata/cp:schema", namespaces=ns) != "ADL SCORM":
        problems.append("schema is not 'ADL SCORM'")
    resources = {r.get("identifier"): r for r in manifest.iterfind("cp:resources/cp:resource", ns)}
    for element in manifest.iter(f"{{{IMSCP}}}item", f"{{{IMSCP}}}dependency"):
        ref = element.get("identifierref")
        if ref is not None and ref not in resources:
            problems.append(f"identifierref {ref!r} resolves to no resource")
    for resource in resources.values():
        hrefs = [f.get("href") for f in resource.iterfind("cp:file", ns)]
        if resource.get("href") and resource.get("href") not in hrefs:
            problems.append(f"{resource.get('identifier')}: its href is not among its files")
        for href in hrefs:
            if href not in names:
                problems.append(f"{resource.get('identifier')}: {href} is not in the package")
        if resource.get(f"{{{ADLCP}}}scormtype") not in ("sco", "asset"):
            problems.append(f"{resource.get('identifier')}: no adlcp:scormtype")
    return problems
