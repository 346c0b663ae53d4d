"""`cybercap worker`: run background tasks from the database queue (django-tasks-db)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run background tasks (e-mail, reports, imports) from the database queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", action="append", dest="queues", help="queue(s) to serve")
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0, help="poll interval (s)")

    def handle(
        self, *args: Any, queues: list[str] | None, batch: bool, interval: float, **options: Any
    ) -> None:
        argv = ["--interval", str(interval), "--no-reload"]
        argv += ["--queue-name", ",".join(queues)] if queues else ["--queue-name", "*"]
        if batch:
            argv += ["--batch", "--no-startup-delay"]
        call_command("db_worker", *argv)
