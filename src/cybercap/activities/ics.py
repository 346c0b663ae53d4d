"""iCalendar (RFC 5545) for an activity's timetable, written by hand (no Django import).

Each session is a VEVENT with DTSTART/DTEND in the venue's time zone (TZID), and the calendar
carries a VTIMEZONE for that zone built from the zone database: one observance per offset that
applies in the years the sessions span (the region's zones, UTC+6:30 to UTC+9, have had no
daylight saving for decades, so they get a single STANDARD observance). Text is escaped
(backslash, semicolon, comma, newline) and lines are folded at 75 octets without splitting a
UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

PRODID = "-//cybercap//activities//EN"
UTC = dt.UTC


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    start: dt.datetime  # aware
    end: dt.datetime  # aware
    location: str = ""
    description: str = ""
    url: str = ""


@dataclass
class Calendar:
    name: str
    time_zone: str
    events: list[Event] = field(default_factory=list)
    stamp: dt.datetime | None = None


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, joined by CRLF and a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current = ""
            size = 0
            limit = 74  # continuation lines start with one space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _local(value: dt.datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _utc(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(delta: dt.timedelta | None) -> str:
    seconds = int((delta or dt.timedelta()).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _transitions(zone: ZoneInfo, first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """UTC instants in [first, last] where the zone's offset changes, to the minute."""
    found: list[dt.datetime] = []
    day = dt.timedelta(days=1)
    cursor = first
    while cursor < last:
        step_end = min(cursor + day, last)
        if cursor.astimezone(zone).utcoffset() != step_end.astimezone(zone).utcoffset():
            low, high = cursor, step_end
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                if low.astimezone(zone).utcoffset() == middle.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        cursor = step_end
    return found


def vtimezone(time_zone: str, events: Iterable[Event]) -> list[str]:
    zone = ZoneInfo(time_zone)
    starts = [e.start for e in events]
    year_from = min(starts).astimezone(zone).year if starts else 1970
    year_to = max(starts).astimezone(zone).year if starts else 1970
    first = dt.datetime(year_from, 1, 1, tzinfo=UTC)
    last = dt.datetime(year_to + 1, 1, 1, tzinfo=UTC)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{time_zone}"]
    changes = _transitions(zone, first, last)
    before = first.astimezone(zone)
    # The offset in force at the start of the period, as an observance from the period's start.
    observances = [(before, before.utcoffset(), before.utcoffset(), before.tzname(), before.dst())]
    for instant in changes:
        previous = (instant - dt.timedelta(minutes=1)).astimezone(zone)
        after = instant.astimezone(zone)
        onset = (instant + (previous.utcoffset() or dt.timedelta())).replace(tzinfo=None)
        observances.append(
            (onset, previous.utcoffset(), after.utcoffset(), after.tzname(), after.dst())
        )
    for onset, offset_from, offset_to, name, dst in observances:
        kind = "DAYLIGHT" if dst else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{onset.strftime('%Y%m%dT%H%M%S')}",
            f"TZOFFSETFROM:{_offset(offset_from)}",
            f"TZOFFSETTO:{_offset(offset_to)}",
        ]
        if name:
            lines.append(f"TZNAME:{escape_text(name)}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return lines


def render(calendar: Calendar) -> str:
    zone = ZoneInfo(calendar.time_zone)
    stamp = calendar.stamp or dt.datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(calendar.name)}",
        f"X-WR-TIMEZONE:{calendar.time_zone}",
    ]
    lines += vtimezone(calendar.time_zone, calendar.events)
    for event in calendar.events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART;TZID={calendar.time_zone}:{_local(event.start, zone)}",
            f"DTEND;TZID={calendar.time_zone}:{_local(event.end, zone)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
