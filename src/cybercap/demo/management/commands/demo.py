"""`cybercap demo`: set up SQLite with synthetic demo data, print the logins, serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from cybercap.demo.registry import DemoReport
from cybercap.demo.services import demo_setup


class Command(BaseCommand):
    help = "Set up the demo database with synthetic data, print the demo logins and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")
        parser.add_argument("--no-serve", action="store_true", help="set up, print and exit")
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="generate N times the demo data, for benchmarks (extra accounts cannot log in)",
        )
        parser.add_argument(
            "--learners",
            type=int,
            default=None,
            help="synthetic e-learning learners, apart from --scale (default 300 x scale)",
        )
        parser.add_argument(
            "--active-learners",
            type=int,
            default=None,
            help="of --learners, how many have progressed past enrolment (default all)",
        )

    def handle(
        self,
        *args: Any,
        port: int,
        no_serve: bool,
        scale: int,
        learners: int | None,
        active_learners: int | None,
        **options: Any,
    ) -> None:
        if scale < 1:
            self.stderr.write("--scale must be 1 or more.")
            raise SystemExit(2)
        if learners is not None and learners < 1:
            self.stderr.write("--learners must be 1 or more.")
            raise SystemExit(2)
        if active_learners is not None and active_learners < 0:
            self.stderr.write("--active-learners must be 0 or more.")
            raise SystemExit(2)
        if not 0 < port < 65536:
            self.stderr.write("--port must be between 1 and 65535.")
            raise SystemExit(2)
        report = demo_setup(scale=scale, learners=learners, active_learners=active_learners)
        self._print_report(report)
        if no_serve:
            return
        self.stdout.write(f"\nServing on http://127.0.0.1:{port}/ (Ctrl+C to stop)\n")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)

    def _print_report(self, report: DemoReport) -> None:
        out = self.stdout
        out.write("cybercap demo is ready. All data is synthetic (demo data).\n")
        for note in report.notes:
            out.write(f"  {note}\n")
        for label, number in sorted(report.counts.items()):
            out.write(f"  {label}: {number}\n")
        out.write("\nDemo logins (password, and for staff and reviewers two factors):\n")
        for login in report.logins:
            out.write(f"\n  {login.username:<20} {login.roles}\n")
            out.write(f"    password: {login.password}\n")
            if login.otpauth_uri:
                out.write(f"    TOTP:     {login.otpauth_uri}\n")
                out.write(f"    backup codes: {' '.join(login.backup_codes)}\n")
