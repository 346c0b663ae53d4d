"""Reading settings from the environment, with clear errors.

No Django import here: `settings.py` uses these helpers, and a bad value stops
start-up with `ImproperlyConfigured` naming the variable.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from pathlib import Path


class ImproperlyConfiguredError(Exception):
    """Raised for a bad environment value; settings re-raise it as Django's."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Typed access to ``CYBERCAP_*`` (and a few standard) environment variables.

    Every getter also reads ``NAME_FILE``: the value is then the file's content,
    stripped of the trailing newline, so secrets can come from mounted files.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def raw(self, name: builtins.str) -> builtins.str | None:
        file_name = self.environ.get(f"{name}_FILE")
        if file_name:
            if name in self.environ:
                raise ImproperlyConfiguredError(f"{name} and {name}_FILE are both set: use one.")
            try:
                return Path(file_name).read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise ImproperlyConfiguredError(
                    f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}."
                ) from exc
        return self.environ.get(name)

    def str(self, name: builtins.str, default: builtins.str = "") -> builtins.str:
        value = self.raw(name)
        return default if value is None else value

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfiguredError(
            f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
        )

    def int(
        self, name: builtins.str, default: builtins.int, *, minimum: builtins.int | None = None
    ) -> builtins.int:
        value = self.raw(name)
        if value is None or value.strip() == "":
            return default
        try:
            number = builtins.int(value.strip())
        except ValueError:
            raise ImproperlyConfiguredError(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfiguredError(f"{name}={number} is below the minimum of {minimum}.")
        return number

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str] | None = None
    ) -> builtins.list[builtins.str]:
        value = self.raw(name)
        if value is None:
            return builtins.list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(
        self, name: builtins.str, choices: tuple[builtins.str, ...], default: builtins.str
    ) -> builtins.str:
        value = self.str(name, default).strip()
        if value not in choices:
            raise ImproperlyConfiguredError(
                f"{name}={value!r} is not one of: {', '.join(choices)}."
            )
        return value
