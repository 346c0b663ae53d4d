"""cmi5 export: cmi5.xml at the root, valid against the published CourseStructure.xsd, one AU
per module with moveOn and masteryScore, every AU's page in the zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from lxml import etree

from cybercap.elearning import cmi5, xapi
from cybercap.elearning.models import Course
from cybercap.elearning.scorm import check_package as scorm_check
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]

NS = {"c": cmi5.CMI5}


def published_xsd() -> Path:
    """The schema as published (shared/ beside the repository), else the copy shipped."""
    for candidate in (
        Path(settings.BASE_DIR).parent / "shared/standards/cmi5/CourseStructure.xsd",
        Path(settings.BASE_DIR).parent.parent / "shared/standards/cmi5/CourseStructure.xsd",
        Path("/work/shared/standards/cmi5/CourseStructure.xsd"),
    ):
        if candidate.exists():
            return candidate
    return cmi5.XSD


@pytest.fixture
def course(db: Any) -> Course:
    return Course.objects.get(key=COURSE_KEY)


def test_the_shipped_schema_is_the_published_one() -> None:
    assert cmi5.XSD.read_bytes() == published_xsd().read_bytes()


def test_cmi5_xml_is_valid_with_one_au_per_module(course: Course) -> None:
    data = cmi5.export_cmi5(course)
    assert cmi5.check_package(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        structure = etree.fromstring(archive.read("cmi5.xml"))
        page = archive.read("m1-principles/index.html").decode()
    schema = etree.XMLSchema(etree.parse(str(published_xsd())))
    assert schema.validate(structure), schema.error_log
    assert structure.find("c:course", NS).get("id") == xapi.course_iri(course.key)
    aus = structure.findall("c:au", NS)
    modules = list(course.modules.order_by("position"))
    assert [au.get("id") for au in aus] == [xapi.module_iri(course.key, m.key) for m in modules]
    for au, module in zip(aus, modules, strict=True):
        assert au.findtext("c:url", namespaces=NS) in names
        assert au.findtext("c:title/c:langstring", namespaces=NS) == module.title
        if module.quiz_id is not None and module.mastery > 0:
            assert au.get("moveOn") == "CompletedAndPassed"
            assert float(au.get("masteryScore")) == pytest.approx(module.mastery)
        else:
            assert au.get("moveOn") == "Completed"
            assert au.get("masteryScore") is None
    assert any(au.get("masteryScore") for au in aus)
    assert '<script src="../shared/cmi5.js"></script>' in page
    assert {"shared/sco.js", "shared/cmi5.js", "shared/sco.css"} <= names
    assert page.index('src="../shared/sco.js"') < page.index('src="../shared/cmi5.js"')
    figures = {f"shared/figures/{f.name}" for f in course.figures.all()}
    assert figures <= names


def test_a_broken_package_is_reported(course: Course) -> None:
    data = cmi5.export_cmi5(course, "m1-principles")
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for name in source.namelist():
            if name == "m1-principles/index.html":
                continue
            body = source.read(name)
            if name == "cmi5.xml":
                body = body.replace(b'moveOn="CompletedAndPassed"', b'moveOn="Sometimes"')
            target.writestr(name, body)
    problems = cmi5.check_package(buffer.getvalue())
    assert any(p.startswith("schema:") for p in problems)
    assert any("m1-principles/index.html is not in the package" in p for p in problems)
    assert cmi5.check_package(_without(data, "cmi5.xml")) == ["cmi5.xml is not at the zip root"]


def _without(data: bytes, name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for entry in source.namelist():
            if entry != name:
                target.writestr(entry, source.read(entry))
    return buffer.getvalue()


def test_the_cli_writes_a_checked_package(course: Course, tmp_path: Path) -> None:
    out = tmp_path / "course.zip"
    call_command("elearning", "export", "--format", "cmi5", "--output", str(out))
    assert cmi5.check_package(out.read_bytes()) == []
    one = tmp_path / "m1.zip"
    call_command(
        "elearning", "export", "--format", "cmi5", "--module", "m1-principles", "--output", str(one)
    )
    with zipfile.ZipFile(one) as archive:
        structure = etree.fromstring(archive.read("cmi5.xml"))
    assert len(structure.findall("c:au", NS)) == 1
    with pytest.raises(CommandError, match="no module"):
        call_command(
            "elearning", "export", "--format", "cmi5", "--module", "nope", "--output", str(one)
        )


def test_staff_download_both_packages_from_the_web(
    course: Course, client_for: Callable[..., Client], thailand: Any
) -> None:
    staff = client_for("staff")
    report = staff.get(f"/learn/{course.key}/report/").content.decode()
    for fmt in ("scorm12", "cmi5"):
        url = f"/learn/{course.key}/export/{fmt}.zip"
        assert f'href="{url}"' in report
        response = staff.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{course.key}-{course.version}-{fmt}.zip"'
        )
        checker = cmi5.check_package if fmt == "cmi5" else scorm_check
        assert checker(response.content) == []
    one = staff.get(f"/learn/{course.key}/export/cmi5.zip?module=m1-principles")
    with zipfile.ZipFile(io.BytesIO(one.content)) as archive:
        assert len(etree.fromstring(archive.read("cmi5.xml")).findall("c:au", NS)) == 1
    assert staff.get(f"/learn/{course.key}/export/cmi5.zip?module=nope").status_code == 404
    assert staff.get(f"/learn/{course.key}/export/scorm2004.zip").status_code == 404
    assert staff.get("/learn/no-such-course/export/cmi5.zip").status_code == 404


def test_focal_points_and_learners_cannot_download_packages(
    course: Course, client_for: Callable[..., Client], thailand: Any
) -> None:
    focal = client_for("focal_point", country=thailand)
    report = focal.get(f"/learn/{course.key}/report/")
    assert report.status_code == 200
    assert "/export/" not in report.content.decode()
    assert focal.get(f"/learn/{course.key}/export/cmi5.zip").status_code == 403
    learner = client_for("learner")
    assert learner.get(f"/learn/{course.key}/export/scorm12.zip").status_code == 403
