"""The report's charts, drawn with matplotlib from :class:`~.data.ReportData`.

One overview chart (a radar of every area's level against the target) and one bar chart per
pillar (its areas' levels, the target and, when there is one, the previous cycle). Each chart
comes as SVG (web page and PDF) or PNG (Word) with a text alternative that states the same
figures in words, so a reader without the picture loses nothing.

Output is deterministic: the Agg backend, the bundled DejaVu Sans font, a fixed SVG hash salt
and no date or software metadata, so the same data gives the same bytes.

Speed (``bench/bench_reports.py``): a chart is drawn once per distinct input (the figures it
shows, not the whole report) and kept in a small in-process cache, so the PDF, the web page and
every later request reuse it. SVG output is made lighter before use: matplotlib wraps every
artist in a ``<g id=...>`` that carries nothing else, adds RDF metadata and no-op
``rotate(-0 ...)`` transforms; these are removed (about half the elements), which halves the time
WeasyPrint spends drawing the charts into the PDF. Each element's ``style`` attribute becomes
the equivalent presentation attributes, and the one stylesheet rule matplotlib writes
(``*{stroke-linejoin: round; stroke-linecap: butt}``) becomes attributes of the root element,
inherited by every element that does not set its own: WeasyPrint then parses no CSS per element
and matches no selector (about a tenth fewer Python calls for the charts in the PDF). The
picture is unchanged.
"""

from __future__ import annotations

import base64
import io
import math
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from xml.etree import ElementTree

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.projections.polar import PolarAxes

from cybercap.reviews.report.data import PillarData, ReportData

Format = Literal["svg", "png"]

matplotlib.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "svg.fonttype": "none",  # text stays text: smaller, selectable, searchable
        "svg.hashsalt": "cybercap-report",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

COLOURS = {"level": "#1f5f8b", "previous": "#9fb8c9", "target": "#b3261e", "grid": "#d0d7de"}
_METADATA: dict[str, dict[str, str | None]] = {
    "svg": {"Date": None, "Creator": None},
    "png": {"Software": None},
}


@dataclass(frozen=True)
class Chart:
    key: str  # "overview" or a pillar key
    title: str
    alt: str  # the text alternative
    fmt: Format
    content: bytes

    @property
    def mime(self) -> str:
        return "image/svg+xml" if self.fmt == "svg" else "image/png"

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.content).decode('ascii')}"


def _level(value: float | None) -> str:
    return "no answer" if value is None else f"{value:.1f}"


def _save(figure: Figure, fmt: Format) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata=_METADATA[fmt], dpi=150 if fmt == "png" else 72)
    content = buffer.getvalue()
    return lighten_svg(content) if fmt == "svg" else content


_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
ElementTree.register_namespace("", _SVG)
ElementTree.register_namespace("xlink", _XLINK)
_NO_OP_ROTATE = re.compile(r"^rotate\(-?0(\.0+)? [-\d.]+ [-\d.]+\)$")


def lighten_svg(content: bytes) -> bytes:
    """The same picture with fewer elements: see the module docstring. Deterministic."""
    root = ElementTree.fromstring(content)  # noqa: S314 -- our own matplotlib output

    def flatten(parent: ElementTree.Element) -> list[ElementTree.Element]:
        out: list[ElementTree.Element] = []
        for child in list(parent):
            tag = child.tag
            if tag == f"{{{_SVG}}}metadata":
                continue
            transform = child.get("transform")
            if transform is not None and _NO_OP_ROTATE.match(transform):
                del child.attrib["transform"]
            style = child.attrib.pop("style", None)
            if style is not None:
                for name, value in _declarations(style):
                    child.set(name, value)
            if tag == f"{{{_SVG}}}g" and set(child.attrib) <= {"id"}:
                out.extend(flatten(child))  # a bare group: its children take its place
                continue
            child[:] = flatten(child)
            out.append(child)
        return out

    root[:] = flatten(root)
    _inline_universal_rule(root)
    body = ElementTree.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + body).encode("utf-8")


_INHERITED = frozenset({"stroke-linejoin", "stroke-linecap", "fill", "stroke"})
_UNIVERSAL_RULE = re.compile(r"^\s*\*\s*\{([^{}]*)\}\s*$")


def _declarations(style: str) -> list[tuple[str, str]]:
    """``fill: none; stroke: #000`` as [("fill", "none"), ("stroke", "#000")]."""
    pairs = []
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if colon and name.strip():
            pairs.append((name.strip(), value.strip()))
    return pairs


def _inline_universal_rule(root: ElementTree.Element) -> None:
    """Move a lone ``*{...}`` stylesheet rule onto the root element as inherited attributes.

    Equivalent only when every property of the rule is inherited in SVG and no element that
    passes values on (one with children, or a ``<use>``) sets one of them itself: then every
    element either sets the property (which beat the rule as an inline style and beats the
    inherited value as an attribute) or inherits the root's. Otherwise the rule stays.
    """
    use = f"{{{_SVG}}}use"
    for defs in root.findall(f"{{{_SVG}}}defs"):
        for style in defs.findall(f"{{{_SVG}}}style"):
            match = _UNIVERSAL_RULE.match(style.text or "")
            if match is None:
                continue
            declarations = _declarations(match.group(1))
            names = {name for name, _ in declarations}
            passes_on = (
                element
                for element in root.iter()
                if element is not root and (len(element) or element.tag == use)
            )
            if not names <= _INHERITED or any(
                element.get(name) is not None for element in passes_on for name in names
            ):
                continue
            for name, value in declarations:
                root.set(name, value)
            defs.remove(style)
        if len(defs) == 0:
            root.remove(defs)


def target_of(data: ReportData) -> int:
    targets = {i.target for i in data.indicators}
    return max(targets) if targets else 3


def overview_alt(data: ReportData) -> str:
    target = target_of(data)
    parts = [f"{p.name} {_level(p.score.value)}" for p in data.pillars]
    areas = [f"{a.name} {_level(a.score.value)}" for p in data.pillars for a in p.areas]
    return (
        f"Radar chart of the level of each area on a scale of 1 to 5, against a target of "
        f"{target}. Overall level {_level(data.overall.value)}. Pillars: {'; '.join(parts)}. "
        f"Areas: {'; '.join(areas)}."
    )


def pillar_alt(data: ReportData, pillar: PillarData) -> str:
    target = target_of(data)
    previous = _previous_area_levels(data, pillar)
    items = []
    for area in pillar.areas:
        text = f"{area.name} {_level(area.score.value)}"
        if previous is not None:
            text += f" (previously {_level(previous[area.key])})"
        items.append(text)
    return (
        f"Bar chart of the level of each area of the {pillar.name} pillar on a scale of 1 to 5, "
        f"against a target of {target}: {'; '.join(items)}."
    )


def _previous_area_levels(data: ReportData, pillar: PillarData) -> dict[str, float | None] | None:
    """Unweighted mean previous level per area, when the report has a progress section."""
    if data.progress is None:
        return None
    previous = {r.indicator_id: r.previous_level for r in data.progress.rows}
    out: dict[str, float | None] = {}
    for area in pillar.areas:
        levels = [previous[i.id] for i in area.indicators if previous.get(i.id) is not None]
        out[area.key] = round(sum(lv for lv in levels if lv) / len(levels), 2) if levels else None
    return out


def overview_chart(data: ReportData, fmt: Format) -> Chart:
    labels = tuple(f"{p.code}-{a.code}" for p in data.pillars for a in p.areas)
    values = tuple(a.score.value or 0.0 for p in data.pillars for a in p.areas)
    return Chart(
        key="overview",
        title="Level of every area",
        alt=overview_alt(data),
        fmt=fmt,
        content=_overview_drawing(labels, values, target_of(data), fmt),
    )


@lru_cache(maxsize=256)
def _overview_drawing(
    labels: tuple[str, ...], values: tuple[float, ...], target: int, fmt: Format
) -> bytes:
    """The radar chart's bytes; drawn once per distinct input (see the module docstring)."""
    angles = [2 * math.pi * n / len(labels) for n in range(len(labels))]
    figure = Figure(figsize=(6.0, 5.0))
    axes = figure.add_subplot(projection="polar")
    assert isinstance(axes, PolarAxes)
    closed = [*angles, angles[0]]
    axes.plot(closed, [*values, values[0]], color=COLOURS["level"], linewidth=1.6, label="Level")
    axes.fill(closed, [*values, values[0]], color=COLOURS["level"], alpha=0.2)
    axes.plot(
        closed,
        [target] * len(closed),
        color=COLOURS["target"],
        linewidth=1.0,
        linestyle="--",
        label=f"Target ({target})",
    )
    axes.set_xticks(angles)
    axes.set_xticklabels(labels, fontsize=7)
    axes.set_ylim(0, 5)
    axes.set_rlabel_position(360 / len(labels) / 2)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_yticklabels(["1", "2", "3", "4", "5"], fontsize=6)
    axes.legend(loc="upper right", bbox_to_anchor=(1.25, 1.1), fontsize=7, frameon=False)
    # Fixed margins rather than tight_layout, which draws the figure once more to measure it.
    figure.subplots_adjust(left=0.1, right=0.84, top=0.9, bottom=0.08)
    return _save(figure, fmt)


def pillar_chart(data: ReportData, pillar: PillarData, fmt: Format) -> Chart:
    previous = _previous_area_levels(data, pillar)
    compared = None
    if previous is not None and data.progress is not None:
        compared = (
            str(data.progress.previous_cycle),
            tuple(previous[a.key] or 0.0 for a in pillar.areas),
        )
    content = _pillar_drawing(
        tuple(a.name for a in pillar.areas),
        tuple(a.score.value or 0.0 for a in pillar.areas),
        str(data.cycle),
        compared,
        target_of(data),
        fmt,
    )
    return Chart(
        key=pillar.key, title=pillar.name, alt=pillar_alt(data, pillar), fmt=fmt, content=content
    )


@lru_cache(maxsize=256)
def _pillar_drawing(
    area_names: tuple[str, ...],
    values: tuple[float, ...],
    cycle: str,
    compared: tuple[str, tuple[float, ...]] | None,
    target: int,
    fmt: Format,
) -> bytes:
    """A pillar's bar chart; ``compared`` is (previous cycle, its area levels) or None."""
    names = [textwrap.fill(name, 26) for name in area_names]
    height_in = 0.6 + 0.6 * len(names)
    figure = Figure(figsize=(6.0, height_in))
    axes = figure.add_subplot()
    positions = list(range(len(names)))
    height = 0.38 if compared is not None else 0.6
    axes.barh(
        [p - (height / 2 if compared is not None else 0) for p in positions],
        values,
        height=height,
        color=COLOURS["level"],
        label=cycle,
    )
    if compared is not None:
        previous_cycle, previous_values = compared
        axes.barh(
            [p + height / 2 for p in positions],
            previous_values,
            height=height,
            color=COLOURS["previous"],
            label=previous_cycle,
        )
    axes.axvline(target, color=COLOURS["target"], linestyle="--", linewidth=1.0, label="Target")
    axes.set_yticks(positions)
    axes.set_yticklabels(names)
    axes.invert_yaxis()
    axes.set_xlim(0, 5)
    axes.set_xticks([0, 1, 2, 3, 4, 5])
    axes.grid(axis="x", color=COLOURS["grid"], linewidth=0.5)
    axes.set_axisbelow(True)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    # Fixed margins (names wrapped to 26 characters) rather than tight_layout, which would
    # draw the figure a second time to measure it.
    figure.subplots_adjust(left=0.3, right=0.86, top=1 - 0.15 / height_in, bottom=0.35 / height_in)
    return _save(figure, fmt)


def report_charts(data: ReportData, fmt: Format) -> dict[str, Chart]:
    """The overview chart and one chart per pillar, keyed "overview" and by pillar key."""
    charts = {"overview": overview_chart(data, fmt)}
    for pillar in data.pillars:
        charts[pillar.key] = pillar_chart(data, pillar, fmt)
    return charts
