"""Number formats of the programme dashboard and donor report."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()
NO_DATA = "\u2013"  # an en dash: no figure


@register.filter
def percent(value: Any) -> str:
    """0.256 → "25.6 %"; None (no data) → an en dash."""
    if value is None or value == "":
        return NO_DATA
    return f"{float(value) * 100:.1f} %"


@register.filter
def decimal2(value: Any) -> str:
    if value is None or value == "":
        return NO_DATA
    return f"{float(value):.2f}"
