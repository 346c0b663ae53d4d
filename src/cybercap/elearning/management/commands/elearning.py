"""`cybercap elearning export --format scorm12 [--course KEY] [--module ID] --output FILE.zip`;
`cybercap elearning checklist --output FILE.pdf [--language en]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cybercap.elearning.models import Course
from cybercap.elearning.scorm import check_package, export_scorm12


class Command(BaseCommand):
    help = "Export a loaded course as a SCORM 1.2 package (one SCO per module)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export,checklist}")
        export = actions.add_parser("export", help="write a package")
        export.add_argument("--format", required=True, choices=["scorm12"])
        export.add_argument("--course", default="first-responder", help="the course key")
        export.add_argument("--module", default=None, help="only this module")
        export.add_argument("--output", required=True, type=Path, help="the .zip to write")
        checklist = actions.add_parser("checklist", help="write the pocket checklist as PDF")
        checklist.add_argument("--course", default="first-responder", help="the course key")
        checklist.add_argument("--language", default="en", help="the checklist's language")
        checklist.add_argument("--output", required=True, type=Path, help="the .pdf to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checklist":
            self.checklist(**options)
            return
        course = Course.objects.filter(key=options["course"]).first()
        if course is None:
            raise CommandError(
                f"no course {options['course']!r}: run `cybercap content load` first"
            )
        try:
            data = export_scorm12(course, options["module"])
        except KeyError:
            raise CommandError(f"no module {options['module']!r} in {course.key}") from None
        problems = check_package(data)
        if problems:
            raise CommandError("the package is not sound:\n" + "\n".join(problems))
        options["output"].write_bytes(data)
        self.stdout.write(f"{options['output']}: SCORM 1.2, {len(data)} bytes, checked")

    def checklist(self, **options: Any) -> None:
        from cybercap.elearning.checklist import ChecklistError, checklist_pdf

        try:
            data = checklist_pdf(course_key=options["course"], language=options["language"])
        except ChecklistError as exc:
            raise CommandError(str(exc)) from None
        options["output"].write_bytes(data)
        self.stdout.write(f"{options['output']}: pocket checklist, {len(data)} bytes")
