"""`cybercap content check|load [--root DIR]`: a thin wrapper over core/content_service.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cybercap.core.content_service import content_check, content_describe, content_load
from cybercap.core.contentkit import ContentError, Problem, registered


class Command(BaseCommand):
    help = (
        "Check every file under the content directory, or load the reference content into "
        "the database (all or nothing)."
    )
    # Content is checked on its own: a project-wide system check (URLs, templates, ...) is
    # not a precondition, and `content check` must work where the rest is being set up.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check,load}")
        for name, text in (
            ("check", "validate every content file; exit 1 naming file, line and field"),
            ("load", "check, then load idempotently; a problem writes nothing"),
        ):
            sub = actions.add_parser(name, help=text, description=text)
            sub.add_argument(
                "--root",
                type=Path,
                default=None,
                help="the content directory (default: settings.CONTENT_DIR)",
            )
            if name == "check":
                sub.add_argument(
                    "--require-complete",
                    action="append",
                    default=[],
                    metavar="LANG",
                    help="fail unless every course file has a current translation in LANG "
                    "(repeatable); without it, coverage below 100 %% is only reported",
                )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options.get("root") or settings.CONTENT_DIR)
        if options["action"] == "check":
            self._check(root, options.get("require_complete") or [])
        else:
            self._load(root)

    def _check(self, root: Path, complete: list[str]) -> None:
        problems = content_check(root)
        for content_type in registered():
            incomplete = content_type.extras.get("incomplete")
            if callable(incomplete):
                for language in complete:
                    problems += incomplete(root, language)
        if problems:
            self._fail(problems)
        for name, description in content_describe(root):
            self.stdout.write(f"{name}: {description}")

    def _load(self, root: Path) -> None:
        try:
            summaries = content_load(root)
        except ContentError as exc:
            self._fail(exc.problems, during_load=True)
        for line in summaries:
            self.stdout.write(line)

    def _fail(self, problems: list[Problem], *, during_load: bool = False) -> None:
        for problem in problems:
            self.stderr.write(str(problem))
        count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
        raise CommandError(f"{count}; nothing was loaded" if during_load else count, returncode=1)
