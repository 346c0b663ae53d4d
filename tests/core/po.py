"""A small reader for gettext .po/.pot files (what the catalogue tests need, no dependency).

Reads entries with their references, flags, context, singular/plural ids and translations;
obsolete entries (``#~``) are skipped, as msgfmt skips them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def files(self) -> set[str]:
        """The source files the entry comes from (references without their line numbers)."""
        return {ref.rsplit(":", 1)[0] for ref in self.references}

    @property
    def translated(self) -> bool:
        return "fuzzy" not in self.flags and bool(self.msgstr) and all(self.msgstr.values())


def _string(text: str) -> str:
    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def parse(path: Path) -> list[Entry]:
    """The entries of a catalogue, header (msgid "") included as the first one."""
    entries: list[Entry] = []
    entry = Entry()
    started = False
    target: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#:"):
            if started and target and target[0] == "msgstr":
                flush()
            entry.references.extend(line[2:].split())
        elif line.startswith("#,"):
            if started and target and target[0] == "msgstr":
                flush()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}: continuation line without a keyword: {raw}"
            name, index = target
            value = _string(line)
            if name == "msgid":
                entry.msgid += value
            elif name == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            elif name == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            else:
                entry.msgstr[index] += value
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in {"msgctxt", "msgid"} and started and target and target[0] == "msgstr":
                flush()
            started = True
            value = _string(rest)
            if keyword == "msgctxt":
                entry.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, ("msgid_plural", 0)
            elif keyword == "msgstr":
                entry.msgstr[0], target = value, ("msgstr", 0)
            elif keyword.startswith("msgstr["):
                index = int(keyword[7:-1])
                entry.msgstr[index], target = value, ("msgstr", index)
            else:
                raise ValueError(f"{path}: unknown line: {raw}")
    flush()
    return entries
