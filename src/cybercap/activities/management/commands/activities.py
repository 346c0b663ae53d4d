"""`cybercap activities donor-report --format xlsx|pdf --output FILE [--phase N]`.

A thin wrapper for operators on the server (like any management command, not scoped to a
user: it reports on every country): the programme indicators of ``programme.scope_all``,
rendered by ``donor_report.render`` - the same figures as the staff dashboard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cybercap.activities import donor_report, programme
from cybercap.activities.models import Activity


class Command(BaseCommand):
    help = "Activities from the command line: `donor-report` writes the donor report to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{donor-report}")
        text = "write the donor report (programme indicators) as Excel or PDF"
        report = actions.add_parser("donor-report", help=text, description=text)
        report.add_argument("--format", choices=donor_report.FORMATS, required=True, dest="fmt")
        report.add_argument("--output", type=Path, required=True, help="the file to write")
        report.add_argument(
            "--phase", type=int, default=None, help="one programme phase (default: all phases)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        phase = options["phase"]
        if phase is not None and not Activity.objects.filter(phase=phase).exists():
            known = sorted(set(Activity.objects.values_list("phase", flat=True)))
            raise CommandError(
                f"no activity in phase {phase} (phases with activities: "
                f"{', '.join(map(str, known)) or 'none'})."
            )
        ind = programme.indicators(programme.scope_all(phase=phase))
        content = donor_report.render(ind, options["fmt"])
        output: Path = options["output"]
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from exc
        self.stdout.write(
            f"{output}: donor report, {donor_report.scope_label(ind)} ({options['fmt']}, "
            f"{len(content)} bytes): {ind.activities} activities, {ind.participants} "
            f"participants, {ind.countries} countries"
        )
