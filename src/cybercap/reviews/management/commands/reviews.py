"""`cybercap reviews report --country TH [--cycle 2024] --format pdf|docx|html --output FILE`.

A thin wrapper for scripts run by an operator on the server (like any management command, it
is not scoped to a user): it takes the country's final review of the cycle, the latest final
one by default, maps it with ``selectors.report_data_for_review`` and renders it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cybercap.reviews.models import Review, ReviewState
from cybercap.reviews.report.export import FORMATS, render_report
from cybercap.reviews.selectors import report_data_for_review


def final_review_for_country(*, country_code: str, cycle: int | None) -> Review:
    """The country's final review of ``cycle``, or its latest final review; CommandError if none."""
    finals = Review.objects.filter(
        country__code=country_code.upper(), state=ReviewState.FINAL
    ).select_related("country", "framework")
    if cycle is not None:
        finals = finals.filter(cycle=cycle)
    review = finals.order_by("-cycle", "-pk").first()
    if review is None:
        cycles = sorted(
            Review.objects.filter(
                country__code=country_code.upper(), state=ReviewState.FINAL
            ).values_list("cycle", flat=True)
        )
        which = f"for cycle {cycle}" if cycle is not None else "at all"
        known = ", ".join(map(str, cycles)) if cycles else "none"
        raise CommandError(
            f"{country_code.upper()} has no final review {which} (final cycles: {known})."
        )
    return review


class Command(BaseCommand):
    help = "Reviews from the command line: `report` writes a country's review report to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{report}")
        text = "write the report of a country's final review as PDF, Word or HTML"
        report = actions.add_parser("report", help=text, description=text)
        report.add_argument("--country", required=True, help="ISO code, for example TH")
        report.add_argument(
            "--cycle", type=int, default=None, help="cycle year (default: the latest final review)"
        )
        report.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        report.add_argument("--output", type=Path, required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        review = final_review_for_country(country_code=options["country"], cycle=options["cycle"])
        data = report_data_for_review(review)
        content = render_report(data, options["fmt"])
        output: Path = options["output"]
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from exc
        self.stdout.write(
            f"{output}: {data.country_name} {data.cycle} ({options['fmt']}, "
            f"{len(content)} bytes, TLP:{data.tlp})"
        )
