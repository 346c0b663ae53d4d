"""What every content type under `content/` shares: problems that name file, line and field,
and one registry that `cybercap content check` and `cybercap content load` walk.

Pure Python (no Django import) so that content schemas are testable alone. Each app registers
its content types in its AppConfig.ready() with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the content root
    line: int  # 1-based; 0 when the problem is the file as a whole
    field: str  # dotted path of the field at fault, e.g. "indicators[3].levels.2"
    message: str

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line else self.path
        return (
            f"{location}: {self.field}: {self.message}"
            if self.field
            else f"{location}: {self.message}"
        )


class ContentError(Exception):
    """Raised by a load when any content file is malformed; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ContentType:
    """One kind of content file.

    ``check(root)`` returns every problem in that kind's files (an empty list when all is well);
    ``load(root)`` (optional) writes the content to the database, inside the caller's
    transaction, and returns a short summary of what it did. It runs only after every
    registered type has checked clean.
    """

    name: str
    check: Callable[[Path], list[Problem]]
    load: Callable[[Path], str] | None = None
    order: int = 100  # loads run in ascending order (reference data first)
    extras: dict[str, Any] = field(default_factory=dict)


_registry: dict[str, ContentType] = {}


def register(content_type: ContentType) -> None:
    _registry[content_type.name] = content_type


def registered() -> list[ContentType]:
    return sorted(_registry.values(), key=lambda ct: (ct.order, ct.name))
