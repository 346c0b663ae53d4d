"""Running cybercap in production: the gunicorn server and the task worker."""

from __future__ import annotations

import os
import shutil
import sys

from cybercap.core.checks import unsafe_settings


class UnsafeSettingsError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def gunicorn_argv(*, bind: str, workers: int, timeout: int) -> list[str]:
    return [
        "gunicorn",
        "cybercap.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("CYBERCAP_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


def server_start(*, bind: str, workers: int, timeout: int) -> None:
    """Refuse unsafe settings, then replace this process with gunicorn."""
    problems = unsafe_settings()
    if problems:
        raise UnsafeSettingsError(problems)
    argv = gunicorn_argv(bind=bind, workers=workers, timeout=timeout)
    executable = shutil.which("gunicorn") or os.path.join(
        os.path.dirname(sys.executable), "gunicorn"
    )
    os.execv(executable, argv)  # noqa: S606 - a fixed argv, no shell
