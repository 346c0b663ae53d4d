"""Read a YAML content file and remember where everything came from.

Mappings come back as :class:`LineDict` and sequences as :class:`LineList`: ordinary ``dict``
and ``list`` that also know the 1-based line of each key and item, so that a schema error
found later can name the file, the line and the dotted path of the field at fault.

A duplicate key in a mapping is an error (PyYAML silently keeps the last one).

Pure Python (no Django import).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from cybercap.core.contentkit import Problem

Loc = Sequence[str | int]


class LineDict(dict[Any, Any]):
    """A mapping with the line of the mapping itself and of each of its keys."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence with the line of the sequence itself and of each of its items."""

    line: int = 0
    item_lines: list[int]


def field_path(loc: Loc) -> str:
    """``("topics", 2, "children", 0, "key")`` -> ``"topics[2].children[0].key"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _DuplicateKeyError(ConstructorError):
    def __init__(self, key: Any, line: int, first_line: int, path: str) -> None:
        super().__init__(problem=f"duplicate key {key!r} (first at line {first_line})")
        self.line = line
        self.path = path


# LibYAML's parser when PyYAML was built with it (about ten times faster), else pure Python;
# both give the same marks and the same safe constructors.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A SafeLoader that builds LineDict/LineList and refuses duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[str | int] = []

    def construct_line_mapping(self, node: MappingNode) -> LineDict:
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, Hashable):
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found an unhashable key",
                    key_node.start_mark,
                )
            if key in result:
                raise _DuplicateKeyError(
                    key, key_line, result.key_lines[key], field_path([*self._path, str(key)])
                )
            self._path.append(str(key))
            try:
                result[key] = self.construct_object(value_node, deep=True)
            finally:
                self._path.pop()
            result.key_lines[key] = key_line
        return result

    def construct_line_sequence(self, node: SequenceNode) -> LineList:
        result = LineList()
        result.line = node.start_mark.line + 1
        result.item_lines = []
        for index, item_node in enumerate(node.value):
            self._path.append(index)
            try:
                result.append(self.construct_object(item_node, deep=True))
            finally:
                self._path.pop()
            result.item_lines.append(item_node.start_mark.line + 1)
        return result


def _construct_mapping(loader: _LineLoader, node: Node) -> LineDict:
    assert isinstance(node, MappingNode)
    return loader.construct_line_mapping(node)


def _construct_sequence(loader: _LineLoader, node: Node) -> LineList:
    assert isinstance(node, SequenceNode)
    return loader.construct_line_sequence(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data, and the way back from a field to its line."""

    path: str  # relative to the content root, with forward slashes
    data: Any

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest part of ``loc`` that exists in the file.

        A missing field is reported at the line of the mapping that lacks it.
        """
        node = self.data
        line = getattr(node, "line", 1) or 1
        for part in loc:
            if isinstance(node, LineDict) and part in node:
                line = node.key_lines.get(part, line)
                node = node[part]
            elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
                line = node.item_lines[part]
                node = node[part]
            else:
                break
        return line

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.path, self.line_of(loc), field_path(loc), message)


def relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(root: Path, path: Path) -> tuple[str | None, list[Problem]]:
    """The file's text, or the problem that it is missing or not valid UTF-8."""
    rel = relative(root, path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(rel, 0, "", "file is missing")]
    except OSError as exc:
        return None, [Problem(rel, 0, "", f"cannot be read: {exc.strerror or exc}")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        return None, [
            Problem(rel, line, "", f"not valid UTF-8: byte 0x{byte:02x} at column {column}")
        ]


def read_yaml(root: Path, path: Path) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one YAML file; on failure, the problem names the file and the line."""
    rel = relative(root, path)
    text, problems = read_text(root, path)
    if text is None:
        return None, problems
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except _DuplicateKeyError as exc:
        return None, [Problem(rel, exc.line, exc.path, str(exc.problem))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        column = f" (column {mark.column + 1})" if mark is not None else ""
        what = exc.problem or exc.context or "cannot be parsed"
        if exc.context == "expected a single document in the stream":
            what, column = "a second document begins here; a content file holds one", ""
        elif exc.problem and exc.context and exc.context_mark is not None:
            # e.g. "... (column 18), while parsing a flow sequence that starts on line 40"
            started = exc.context_mark.line + 1
            what += f"{column}, {exc.context} that starts on line {started}"
            column = ""
        return None, [Problem(rel, line, "", f"invalid YAML: {what}{column}")]
    except yaml.YAMLError as exc:
        return None, [Problem(rel, 0, "", f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    return YamlDocument(rel, data), []
