"""Progress: a rich bar with bytes, throughput and ETA on a terminal, log lines otherwise."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

LOG_EVERY_SECONDS = 10.0


def human_bytes(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(count) < 1024 or unit == "TiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


class Progress:
    """Thread-safe progress for one acquisition or verification."""

    def __init__(self, label: str, *, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = (not quiet) and self.stream.isatty()
        self.total_bytes = 0
        self.total_files = 0
        self.done_bytes = 0
        self.done_files = 0
        self._start = time.monotonic()
        self._last_log = self._start
        self._lock = threading.Lock()
        self._rich: Any = None
        self._task: Any = None

    def start(self, *, total_bytes: int, total_files: int) -> None:
        self.total_bytes = total_bytes
        self.total_files = total_files
        self._start = self._last_log = time.monotonic()
        if self.tty:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            self._rich = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                DownloadColumn(binary_units=True),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[files]}"),
                console=Console(file=self.stream),
                transient=False,
            )
            self._rich.start()
            self._task = self._rich.add_task(
                self.label, total=max(total_bytes, 1), files=f"0/{total_files} files"
            )
        elif not self.quiet:
            self.log(f"{self.label}: {total_files} files, {human_bytes(total_bytes)} to read")

    def log(self, message: str) -> None:
        if self.quiet:
            return
        if self._rich is not None:
            self._rich.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=self.stream, flush=True)

    def advance(self, count: int) -> None:
        with self._lock:
            self.done_bytes += count
            if self._rich is not None:
                self._rich.update(self._task, advance=count)
                return
            now = time.monotonic()
            if self.quiet or now - self._last_log < LOG_EVERY_SECONDS:
                return
            self._last_log = now
        self.log(self._line(now))

    def file_done(self) -> None:
        with self._lock:
            self.done_files += 1
            if self._rich is not None:
                self._rich.update(self._task, files=f"{self.done_files}/{self.total_files} files")

    def _line(self, now: float) -> str:
        elapsed = max(now - self._start, 1e-9)
        rate = self.done_bytes / elapsed
        percent = 100.0 * self.done_bytes / self.total_bytes if self.total_bytes else 100.0
        left = (self.total_bytes - self.done_bytes) / rate if rate else 0.0
        return (
            f"{self.label}: {human_bytes(self.done_bytes)} of {human_bytes(self.total_bytes)}"
            f" ({percent:.0f}%), {human_bytes(rate)}/s, ETA {left:.0f} s,"
            f" {self.done_files}/{self.total_files} files"
        )

    def finish(self) -> float:
        """Stop the display; return the elapsed seconds."""
        elapsed = time.monotonic() - self._start
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
        elif not self.quiet:
            rate = self.done_bytes / max(elapsed, 1e-9)
            self.log(
                f"{self.label}: read {human_bytes(self.done_bytes)} in {elapsed:.1f} s"
                f" ({human_bytes(rate)}/s), {self.done_files} files"
            )
        return elapsed
