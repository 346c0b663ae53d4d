from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from cybercap.network.tlp import TLP, TLP_MEANING, tlp_css_class

register = template.Library()


@register.filter
def tlp_class(label: str) -> str:
    return tlp_css_class(str(label))


@register.filter
def tlp_meaning(label: str) -> str:
    try:
        return str(TLP_MEANING[TLP(str(label))])
    except ValueError:
        return ""


@register.simple_tag(takes_context=True)
def aria_current(context: template.Context, href: str, exact: bool = False) -> SafeString:
    """` aria-current="page"` on the link to the page shown, `"true"` on its section's link."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return mark_safe("")
    path = request.path
    if path == href:
        return mark_safe(' aria-current="page"')
    if not exact and href != "/" and path.startswith(href):
        return mark_safe(' aria-current="true"')
    return mark_safe("")


@register.simple_tag
def field_widget(field: BoundField) -> Any:
    """The field's widget, described by its help text and errors for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.extend(f"{field.auto_id}_error{n}" for n in range(len(field.errors)))
    attrs: dict[str, str | bool] = {"aria-describedby": " ".join(described)} if described else {}
    return field.as_widget(attrs=attrs)
