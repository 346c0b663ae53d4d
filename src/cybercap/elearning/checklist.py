"""The pocket checklist for the scene, as a PDF: one page each for computers, phones and
packaging, from the course's ``<lang>/checklist.yaml`` (the same content the course teaches).

Read from the content files, not the database, so `cybercap elearning checklist` works before
any course is loaded. WeasyPrint renders templates/elearning/print/checklist.html with
checklist.css beside it (read from disk, never served); Noto fonts (Debian's fonts-noto-core)
cover the region's scripts for translated checklists.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from cybercap.core.gcpause import collection_paused
from cybercap.elearning import course_schema as cs

STYLESHEET = Path(__file__).parent / "templates" / "elearning" / "print" / "checklist.css"


class ChecklistError(Exception):
    """No such course or language, or its checklist file does not validate."""


def course_dir(course_key: str) -> Path:
    path = Path(settings.CONTENT_DIR) / "courses" / course_key
    if not (path / "course.yaml").is_file():
        raise ChecklistError(f"no course {course_key!r} under {path.parent}")
    return path


def checklist_languages(course_key: str) -> list[str]:
    manifest = yaml.safe_load((course_dir(course_key) / "course.yaml").read_text("utf-8"))
    return list(manifest.get("languages") or [manifest.get("language", "en")])


def checklist_load(course_key: str, language: str) -> cs.Checklist:
    root = course_dir(course_key)
    manifest = yaml.safe_load((root / "course.yaml").read_text("utf-8"))
    if language not in (manifest.get("languages") or []):
        raise ChecklistError(
            f"{course_key} has no {language!r} version (it has: "
            f"{', '.join(manifest.get('languages') or [])})"
        )
    path = root / manifest["layout"]["checklist"].format(lang=language)
    if not path.is_file():  # a language without its checklist yet: the course's own
        path = root / manifest["layout"]["checklist"].format(lang=manifest.get("language", "en"))
    try:
        return cs.Checklist.model_validate(yaml.safe_load(path.read_text("utf-8")))
    except (OSError, ValueError) as exc:
        raise ChecklistError(f"{path}: {exc}") from None


@collection_paused()  # many short-lived objects: see core.gcpause
def checklist_pdf(*, course_key: str = "first-responder", language: str = "en") -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    checklist = checklist_load(course_key, language)
    with translation.override(language):
        document = render_to_string(
            "elearning/print/checklist.html", {"checklist": checklist, "language": language}
        )
    fonts = FontConfiguration()
    css = CSS(filename=str(STYLESHEET), font_config=fonts)
    rendered = HTML(string=document).render(stylesheets=[css], font_config=fonts)
    rendered.metadata.title = checklist.title
    rendered.metadata.generator = "cybercap"
    pdf = rendered.write_pdf()
    assert pdf is not None
    return bytes(pdf)
