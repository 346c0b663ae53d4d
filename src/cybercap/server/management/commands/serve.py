"""`cybercap serve`: the production server (gunicorn), refusing unsafe settings."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cybercap.server.services import UnsafeSettingsError, server_start


class Command(BaseCommand):
    help = "Run the production server (gunicorn). Refuses to start with unsafe settings."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("CYBERCAP_BIND", "127.0.0.1:8000"),
            help="address:port to listen on (CYBERCAP_BIND, default 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("CYBERCAP_WORKERS", str(2 * (os.cpu_count() or 1) + 1))),
            help="gunicorn worker processes (CYBERCAP_WORKERS, default 2 x cores + 1)",
        )
        parser.add_argument("--timeout", type=int, default=60, help="worker timeout in seconds")

    def handle(self, *args: Any, bind: str, workers: int, timeout: int, **options: Any) -> None:
        try:
            server_start(bind=bind, workers=workers, timeout=timeout)
        except UnsafeSettingsError as exc:
            self.stderr.write("cybercap serve refuses to start with unsafe settings:")
            for problem in exc.problems:
                self.stderr.write(f"  - {problem}")
            raise SystemExit(2) from None
