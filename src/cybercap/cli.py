"""The `cybercap` command.

Own subcommands (`demo`, `serve`, `content`, `token`, `worker`, `evidence`) are thin wrappers
over services; any other word goes to Django's management commands (`cybercap migrate`,
`cybercap createsuperuser`, `cybercap check --deploy`, ...).

Nothing here imports Django at module level: `cybercap evidence ...` must run on a laptop
with no settings and no database.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cybercap.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"cybercap: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _management(argv: Sequence[str]) -> int:
    _django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cybercap", *argv])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "evidence":
        from cybercap.evidence.field.cli import main as evidence_main

        return evidence_main(args[1:])
    if args and args[0] == "demo":
        # The demo runs with demo settings: SQLite under var/, console e-mail, plain HTTP.
        os.environ.setdefault("CYBERCAP_DEMO", "1")
    if args and args[0] in {"demo", "serve", "content", "token", "worker"}:
        # Each is a management command of the same name, so `manage.py`-style use works too.
        return _management(args)
    if not args:
        args = ["help"]
    return _management(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
