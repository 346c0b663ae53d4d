"""`cybercap elearning export --format scorm12|cmi5 [--course KEY] [--module ID] --output FILE.zip`
and `cybercap elearning statements --output FILE.json [--since WHEN]`;
`cybercap elearning checklist --output FILE.pdf [--language en]`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from cybercap.elearning import cmi5, xapi
from cybercap.elearning.models import Course
from cybercap.elearning.scorm import check_package, export_scorm12


def _since(text: str) -> dt.datetime:
    """An ISO 8601 date or date-time (UTC when it names no offset)."""
    when = parse_datetime(text.replace("Z", "+00:00"))
    if when is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(text)
        when = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(when):
        when = when.replace(tzinfo=dt.UTC)
    return when


class Command(BaseCommand):
    help = "Export a loaded course (SCORM 1.2 or cmi5), or the stored xAPI statements."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{export,statements,checklist}"
        )
        export = actions.add_parser("export", help="write a package")
        export.add_argument("--format", required=True, choices=["scorm12", "cmi5"])
        export.add_argument("--course", default="first-responder", help="the course key")
        export.add_argument("--module", default=None, help="only this module")
        export.add_argument(
            "--language",
            default=None,
            help="the package's language (one of the course's languages; default its own)",
        )
        export.add_argument("--output", required=True, type=Path, help="the .zip to write")
        statements = actions.add_parser(
            "statements", help="write the stored xAPI statements as a JSON array"
        )
        statements.add_argument("--output", required=True, type=Path, help="the .json to write")
        statements.add_argument(
            "--since",
            default=None,
            help="only statements stored after this ISO 8601 date or date-time",
        )
        checklist = actions.add_parser("checklist", help="write the pocket checklist as PDF")
        checklist.add_argument("--course", default="first-responder", help="the course key")
        checklist.add_argument("--language", default="en", help="the checklist's language")
        checklist.add_argument("--output", required=True, type=Path, help="the .pdf to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "statements":
            self._statements(options)
            return
        if options["action"] == "checklist":
            self._checklist(options)
            return
        course = Course.objects.filter(key=options["course"]).first()
        if course is None:
            raise CommandError(
                f"no course {options['course']!r}: run `cybercap content load` first"
            )
        exporter, checker, label = {
            "scorm12": (export_scorm12, check_package, "SCORM 1.2"),
            "cmi5": (cmi5.export_cmi5, cmi5.check_package, "cmi5"),
        }[options["format"]]
        language = options.get("language")
        if language and language not in (course.languages or [course.language]):
            raise CommandError(
                f"{course.key} has no {language!r} version (it has: "
                f"{', '.join(course.languages or [course.language])})"
            )
        try:
            data = exporter(course, options["module"], language)
        except KeyError:
            raise CommandError(f"no module {options['module']!r} in {course.key}") from None
        problems = checker(data)
        if problems:
            raise CommandError("the package is not sound:\n" + "\n".join(problems))
        options["output"].write_bytes(data)
        self.stdout.write(
            f"{options['output']}: {label}, {language or course.language}, {len(data)} bytes, "
            "checked"
        )

    def _statements(self, options: dict[str, Any]) -> None:
        since = None
        if options["since"]:
            try:
                since = _since(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since {options['since']!r} is not an ISO 8601 date or date-time"
                ) from None
        path: Path = options["output"]
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8") as out:
            count = xapi.write_statements(out, xapi.statements_queryset(since=since))
        partial.replace(path)
        self.stdout.write(f"{path}: {count} xAPI statements")

    def _checklist(self, options: dict[str, Any]) -> None:
        from cybercap.elearning.checklist import ChecklistError, checklist_pdf

        try:
            data = checklist_pdf(course_key=options["course"], language=options["language"])
        except ChecklistError as exc:
            raise CommandError(str(exc)) from None
        options["output"].write_bytes(data)
        self.stdout.write(f"{options['output']}: pocket checklist, {len(data)} bytes")
