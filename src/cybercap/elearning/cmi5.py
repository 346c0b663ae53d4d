"""cmi5 export: ``cmi5.xml`` at the zip root and one assignable unit (AU) per module.

Each AU is the same module page as the SCORM 1.2 export (lessons, branching scenarios and the
module quiz, played by ``shared/sco.js``), reported by ``shared/cmi5.js`` instead of the SCORM
runtime. The script follows the cmi5 launch sequence: it reads ``endpoint``, ``fetch``,
``actor``, ``registration`` and ``activityId`` from the launch URL, POSTs the fetch URL once for
the authorization token, GETs the ``LMS.LaunchData`` state document (context template, launch
mode, mastery score, return URL) and its own saved progress (state ``cybercap.au-progress``, see
docs/elearning-standards.md), sends ``initialized`` first, then ``answered`` per quiz item and
scenario choice, ``experienced`` per finished scenario run, ``passed`` or ``failed`` against the
mastery score, ``completed`` once every lesson is read, the quiz taken and every scenario
finished, and ``terminated`` last.

The AU and course ids are the platform's own xAPI activity IRIs (:mod:`cybercap.elearning.xapi`),
so statements from an outside LMS line up with the platform's.

Moving on: a module with a quiz and a mastery score needs ``CompletedAndPassed`` with that
``masteryScore``; a module without one (the orientation's pre-test is diagnostic, the capstone
has no quiz) needs ``Completed``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.utils import translation
from lxml import etree

from cybercap.elearning import xapi
from cybercap.elearning.models import Course, Module
from cybercap.elearning.scorm import _sco_page

HERE = Path(__file__).parent
XSD = HERE / "cmi5_schema" / "CourseStructure.xsd"
ASSETS = HERE / "cmi5_assets"
SCORM_ASSETS = HERE / "scorm_assets"
CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


def move_on(module: Module) -> tuple[str, float | None]:
    """The AU's moveOn and masteryScore (None: no score to reach)."""
    if module.quiz_id is not None and module.mastery > 0:
        return "CompletedAndPassed", round(module.mastery, 4)
    return "Completed", None


def _text(parent: etree._Element, name: str, value: str, language: str) -> None:
    element = etree.SubElement(parent, f"{{{CMI5}}}{name}")
    etree.SubElement(element, f"{{{CMI5}}}langstring", lang=language).text = value


def course_structure(course: Course, modules: list[Module], language: str | None = None) -> bytes:
    language = language or course.language
    root = etree.Element(f"{{{CMI5}}}courseStructure", nsmap={None: CMI5})
    element = etree.SubElement(root, f"{{{CMI5}}}course", id=xapi.course_iri(course.key))
    _text(element, "title", course.title, language)
    _text(element, "description", course.description, language)
    for module in modules:
        moves, mastery = move_on(module)
        au = etree.SubElement(
            root,
            f"{{{CMI5}}}au",
            id=xapi.module_iri(course.key, module.key),
            moveOn=moves,
            launchMethod="AnyWindow",
        )
        if mastery is not None:
            au.set("masteryScore", f"{mastery:g}")
        _text(au, "title", module.title, language)
        _text(au, "description", module.summary, language)
        etree.SubElement(au, f"{{{CMI5}}}url").text = f"{module.key}/index.html"
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def export_cmi5(
    course: Course, module_key: str | None = None, language: str | None = None
) -> bytes:
    """The cmi5 package of the course (or of one module) as zip bytes, in ``language`` (the
    course's own by default): the langstrings carry it, and so do the AUs' statements."""
    from cybercap.elearning.scorm import localised_modules

    language, modules = localised_modules(course, language)
    if module_key is not None:
        modules = [m for m in modules if m.key == module_key]
        if not modules:
            raise KeyError(module_key)
    content: dict[str, bytes] = {
        "shared/sco.js": (SCORM_ASSETS / "sco.js").read_bytes(),
        "shared/cmi5.js": (ASSETS / "cmi5.js").read_bytes(),
        "shared/sco.css": (SCORM_ASSETS / "sco.css").read_bytes(),
    }
    for figure in course.figures.order_by("name"):
        svg = (figure.translations or {}).get(language, figure.svg)
        content[f"shared/figures/{figure.name}"] = svg.encode()
    with translation.override(language):
        for module in modules:
            page, _items = _sco_page(course, module, runtime="cmi5.js", language=language)
            content[f"{module.key}/index.html"] = page.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cmi5.xml", course_structure(course, modules, language))
        for path, data in content.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def check_package(data: bytes) -> list[str]:
    """Every problem of a cmi5 package; an empty list when it is sound: ``cmi5.xml`` at the
    root and valid, one AU per url that is in the zip, ids unique, moveOn and masteryScore
    consistent."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "cmi5.xml" not in names:
            return ["cmi5.xml is not at the zip root"]
        structure = etree.fromstring(archive.read("cmi5.xml"))
    problems: list[str] = []
    checker = schema()
    if not checker.validate(structure):
        problems += [f"schema: line {e.line}: {e.message}" for e in checker.error_log]
    ids: set[str] = set()
    for au in structure.iter(f"{{{CMI5}}}au"):
        au_id = au.get("id", "")
        if au_id in ids:
            problems.append(f"AU id {au_id} is not unique")
        ids.add(au_id)
        url = au.findtext(f"{{{CMI5}}}url") or ""
        if "://" not in url and url.split("?")[0] not in names:
            problems.append(f"{au_id}: {url} is not in the package")
        if au.get("moveOn") in ("Passed", "CompletedAndPassed", "CompletedOrPassed") and (
            au.get("masteryScore") is None
        ):
            problems.append(f"{au_id}: moveOn {au.get('moveOn')} without a masteryScore")
    if not ids:
        problems.append("no AU in cmi5.xml")
    return problems
