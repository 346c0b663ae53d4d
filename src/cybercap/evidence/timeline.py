"""The chain of custody as a timeline: who held the exhibit after each event. No Django import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# After these, the actor holds the exhibit; after a transfer, the one it went to; after a
# release or disposal, nobody in the chain does.
HOLDING = {"seize", "acquire", "verify", "access", "copy"}
LETTING_GO = {"release", "dispose"}


@dataclass(frozen=True)
class Step:
    seq: int
    time: dt.datetime | None
    time_text: str
    action: str
    exhibit: str
    actor: str
    counterparty: str
    holder: str
    reason: str
    location: str
    items: int
    item_bytes: int
    manifest_sha256: str


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value)[:limit]


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def steps(events: list[dict[str, Any]]) -> list[Step]:
    """One step per event, in the log's order, with the holder after it."""
    holder = ""
    out = []
    for number, event in enumerate(events, start=1):
        action = _text(event.get("action"), 20)
        actor = _text(event.get("actor"), 200)
        counterparty = _text(event.get("counterparty"), 200)
        if action == "transfer":
            holder = counterparty or holder
        elif action in HOLDING:
            holder = holder if action in {"verify", "access", "copy"} and holder else actor
        elif action in LETTING_GO:
            holder = counterparty
        raw_items = event.get("items")
        items: list[Any] = raw_items if isinstance(raw_items, list) else []
        raw_manifest = event.get("manifest")
        manifest: dict[str, Any] = raw_manifest if isinstance(raw_manifest, dict) else {}
        out.append(
            Step(
                seq=number,
                time=_time(event.get("time")),
                time_text=_text(event.get("time"), 64),
                action=action,
                exhibit=_text(event.get("exhibit"), 200),
                actor=actor,
                counterparty=counterparty,
                holder=holder,
                reason=_text(event.get("reason"), 500),
                location=_text(event.get("location"), 500),
                items=len(items),
                item_bytes=sum(
                    i["size"]
                    for i in items
                    if isinstance(i, dict) and isinstance(i.get("size"), int)
                ),
                manifest_sha256=_text(manifest.get("sha256"), 64),
            )
        )
    return out
