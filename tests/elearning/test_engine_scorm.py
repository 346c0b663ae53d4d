"""SCORM 1.2 export: the manifest validates against the published XSDs, every reference
resolves, every listed file is in the zip."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from lxml import etree

from cybercap.elearning import scorm, xapi
from cybercap.elearning.models import Course
from cybercap.elearning.scorm import ADLCP, IMSCP, check_package, export_scorm12
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)


def test_the_package_is_sound_with_one_sco_per_module(course: Course) -> None:
    data = export_scorm12(course)
    assert check_package(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        page = archive.read("m5-computers/index.html").decode()
    assert {"imsmanifest.xml", "imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd"} <= names
    ns = {"cp": IMSCP}
    scos = [
        r.get("href")
        for r in manifest.iterfind("cp:resources/cp:resource", ns)
        if r.get(f"{{{ADLCP}}}scormtype") == "sco"
    ]
    assert scos == [f"{m.key}/index.html" for m in course.modules.order_by("position")]
    mastery = manifest.findtext(
        "cp:organizations/cp:organization/cp:item[@identifier='ITEM-m1-principles']"
        "/adlcp:masteryscore",
        namespaces={"cp": IMSCP, "adlcp": ADLCP},
    )
    assert mastery == "80"
    assert 'src="../shared/figures/order-of-volatility.svg"' in page
    assert '<script src="../shared/scorm.js"></script>' in page


def test_one_module_and_the_command(course: Course, tmp_path: Path) -> None:
    output = tmp_path / "m1.zip"
    call_command(
        "elearning", "export", "--format", "scorm12", "--module", "m1-principles",
        "--output", str(output),
    )  # fmt: skip
    data = output.read_bytes()
    assert check_package(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert [n for n in archive.namelist() if n.endswith("index.html")] == [
            "m1-principles/index.html"
        ]


def test_the_checks_catch_a_broken_package(course: Course) -> None:
    data = export_scorm12(course, "m1-principles")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    manifest = files["imsmanifest.xml"].decode()
    broken = (
        manifest.replace(
            "<schemaversion>1.2</schemaversion>", "<schemaversion>2004</schemaversion>"
        )
        .replace('identifierref="RES-shared"', 'identifierref="RES-nowhere"')
        .replace("<title>", "<titel>", 1)
        .replace("</title>", "</titel>", 1)
    )
    del files["shared/scorm.js"]
    files["imsmanifest.xml"] = broken.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    problems = check_package(buffer.getvalue())
    assert "schemaversion is '2004', not '1.2'" in problems
    assert "identifierref 'RES-nowhere' resolves to no resource" in problems
    assert "RES-shared: shared/scorm.js is not in the package" in problems
    assert any(p.startswith("schema: ") and "titel" in p for p in problems)


def test_the_pages_carry_the_scenarios_and_the_shared_runtime(course: Course) -> None:
    data = export_scorm12(course)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        pages = {
            m.key: archive.read(f"{m.key}/index.html").decode()
            for m in course.modules.order_by("position")
        }
        assert archive.read("shared/sco.js") == (scorm.ASSETS / "sco.js").read_bytes()
    shared = manifest.find("cp:resources/cp:resource[@identifier='RES-shared']", {"cp": IMSCP})
    listed = [f.get("href") for f in shared.iterfind("cp:file", {"cp": IMSCP})]
    assert listed[:3] == ["shared/sco.js", "shared/scorm.js", "shared/sco.css"]
    for module in course.modules.order_by("position"):
        page = pages[module.key]
        assert page.index('src="../shared/sco.js"') < page.index('src="../shared/scorm.js"')
        payload = json.loads(page.split('id="sco-data">', 1)[1].split("</script>", 1)[0])
        scenarios = list(module.scenarios.order_by("position"))
        assert [s["key"] for s in payload["scenarios"]] == [s.key for s in scenarios]
        for packed, scenario in zip(payload["scenarios"], scenarios, strict=True):
            assert packed["graph"] == scorm.scenario_runtime_graph(scenario.graph)
            assert packed["iri"] == xapi.scenario_iri(course.key, scenario.key)
            assert f'id="scenario-{scenario.key}"' in page
            for node in scenario.graph["nodes"]:
                assert f'data-node="{node["id"]}"' in page
                for choice in node.get("choices") or []:
                    assert f'data-fb="{node["id"]}/{choice["id"]}"' in page
        # the structure only: the words are in the page, not in the data
        assert '"feedback"' not in json.dumps(payload["scenarios"])
        assert scorm.suspend_bound(payload) < 200
    assert sum(len(scorm.scenario_runtime_graph(s.graph)["nodes"]) for s in course.scenarios.all())


def test_the_export_refuses_progress_that_could_outgrow_suspend_data(
    course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    # positions count within a module: order by module too, or PostgreSQL picks any of the firsts
    scenario = course.scenarios.order_by("module__position", "position").first()
    assert scenario is not None
    assert scorm.longest_path(scenario.graph) >= 3
    # patch the globals the exporter itself reads (robust to a re-imported module object)
    monkeypatch.setitem(export_scorm12.__globals__, "SUSPEND_LIMIT", 40)
    with pytest.raises(ValueError, match="could pass 40 characters"):
        export_scorm12(course, scenario.module.key)
    wide = json.loads(json.dumps(scenario.graph))
    choices = wide["nodes"][0]["choices"]
    wide["nodes"][0]["choices"] = (choices * 27)[:27]  # one more than there are letters
    with pytest.raises(ValueError, match="more than 26 choices"):
        scorm.scenario_runtime_graph(wide)
