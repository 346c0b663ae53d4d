"""The .ics calendar: parsed back with a small RFC 5545 reader, TZID and times checked."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cybercap.activities import ics, services

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    """Content lines: every line ends in CRLF; a line starting with a space continues the last."""
    assert text.endswith("\r\n")
    raw = text[:-2].split("\r\n")
    lines: list[str] = []
    for line in raw:
        assert len(line.encode("utf-8")) <= 75, line
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def parse(text: str) -> list[dict[str, Any]]:
    """Components as dicts: name, properties [(name, params, value)], children."""
    stack: list[dict[str, Any]] = [{"name": "ROOT", "props": [], "children": []}]
    for line in unfold(text):
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        if name == "BEGIN":
            component = {"name": value, "props": [], "children": []}
            stack[-1]["children"].append(component)
            stack.append(component)
        elif name == "END":
            assert stack.pop()["name"] == value
        else:
            stack[-1]["props"].append((name, dict(p.split("=", 1) for p in params), value))
    assert len(stack) == 1
    return stack[0]["children"]


def unescape(value: str) -> str:
    out, i = "", 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out += "\n" if nxt in "nN" else nxt
            i += 2
        else:
            out += value[i]
            i += 1
    return out


def prop(component: dict[str, Any], name: str) -> tuple[dict[str, str], str]:
    found = [(params, value) for n, params, value in component["props"] if n == name]
    assert len(found) == 1, (name, found)
    return found[0]


def test_the_calendar_has_the_sessions_in_the_venue_time_zone(
    client_for: Any, make_activity: Any, thailand: Any, people: Any, staff_user: Any
) -> None:
    activity = make_activity(
        title="Yangon seminar; cybercrime, evidence", time_zone="Asia/Yangon", city="Yangon"
    )
    session = services.session_add(
        activity=activity,
        title="Opening, and the programme's aims",
        # 02:30 UTC is 09:00 in Yangon (UTC+6:30).
        starts_at=dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC),
        room="Hall A",
        speakers=[people["th1"]],
    )
    response = client_for("staff").get(f"/activities/{activity.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    (calendar,) = parse(response.content.decode("utf-8"))
    assert calendar["name"] == "VCALENDAR"
    assert prop(calendar, "VERSION")[1] == "2.0"
    zones = [c for c in calendar["children"] if c["name"] == "VTIMEZONE"]
    events = [c for c in calendar["children"] if c["name"] == "VEVENT"]
    assert len(zones) == 1 and len(events) == 1
    assert prop(zones[0], "TZID")[1] == "Asia/Yangon"
    (standard,) = zones[0]["children"]
    assert standard["name"] == "STANDARD"
    assert prop(standard, "TZOFFSETTO")[1] == "+0630"
    assert prop(standard, "TZOFFSETFROM")[1] == "+0630"
    event = events[0]
    assert prop(event, "DTSTART") == ({"TZID": "Asia/Yangon"}, "20260302T090000")
    assert prop(event, "DTEND") == ({"TZID": "Asia/Yangon"}, "20260302T103000")
    assert unescape(prop(event, "SUMMARY")[1]) == (
        "Yangon seminar; cybercrime, evidence: Opening, and the programme's aims"
    )
    assert prop(event, "SUMMARY")[1] == (
        "Yangon seminar\\; cybercrime\\, evidence: Opening\\, and the programme's aims"
    )
    assert unescape(prop(event, "LOCATION")[1]) == "Hall A, Yangon"
    assert unescape(prop(event, "DESCRIPTION")[1]) == "สมชาย ใจดี"
    assert prop(event, "UID")[1] == f"activity-{activity.pk}-session-{session.pk}@testserver"
    # The times read back in the zone are the stored instants.
    start = dt.datetime.strptime(prop(event, "DTSTART")[1], "%Y%m%dT%H%M%S").replace(
        tzinfo=ZoneInfo("Asia/Yangon")
    )
    assert start == session.starts_at


def test_folding_splits_long_lines_at_75_octets_without_breaking_characters() -> None:
    line = "SUMMARY:" + "ຝຶກອົບຮົມ " * 20  # Lao: three octets per character
    folded = ics.fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert pieces[0] + "".join(p[1:] for p in pieces[1:]) == line
    assert ics.fold("SHORT:x") == "SHORT:x"


def test_escaping_of_text_values() -> None:
    assert ics.escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_a_zone_with_daylight_saving_gets_both_observances() -> None:
    """A guest country's venue (Paris) across the March change: CET, then CEST."""
    paris = ZoneInfo("Europe/Paris")
    calendar = ics.Calendar(
        name="Guest meeting",
        time_zone="Europe/Paris",
        events=[
            ics.Event(
                uid="e1@test",
                summary="Before",
                start=dt.datetime(2026, 3, 27, 9, 0, tzinfo=paris),
                end=dt.datetime(2026, 3, 27, 10, 0, tzinfo=paris),
            ),
            ics.Event(
                uid="e2@test",
                summary="After",
                start=dt.datetime(2026, 3, 30, 9, 0, tzinfo=paris),
                end=dt.datetime(2026, 3, 30, 10, 0, tzinfo=paris),
            ),
        ],
        stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    (cal,) = parse(ics.render(calendar))
    (zone,) = [c for c in cal["children"] if c["name"] == "VTIMEZONE"]
    observances = [
        (c["name"], prop(c, "DTSTART")[1], prop(c, "TZOFFSETFROM")[1], prop(c, "TZOFFSETTO")[1])
        for c in zone["children"]
    ]
    assert observances == [
        ("STANDARD", "20260101T010000", "+0100", "+0100"),
        ("DAYLIGHT", "20260329T020000", "+0100", "+0200"),
        ("STANDARD", "20261025T030000", "+0200", "+0100"),
    ]
    events = [c for c in cal["children"] if c["name"] == "VEVENT"]
    assert [prop(e, "DTSTART")[1] for e in events] == ["20260327T090000", "20260330T090000"]
    assert [prop(e, "DTSTAMP")[1] for e in events] == ["20260101T000000Z"] * 2


def test_the_calendar_is_scoped_like_the_activity(
    client_for: Any, make_activity: Any, vietnam: Any
) -> None:
    activity = make_activity(quotas={vietnam: 2})
    assert (
        client_for("focal_point", vietnam)
        .get(f"/activities/{activity.pk}/calendar.ics")
        .status_code
        == 200
    )
    assert client_for("learner").get(f"/activities/{activity.pk}/calendar.ics").status_code == 404
