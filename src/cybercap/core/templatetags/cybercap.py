from __future__ import annotations

from django import template

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
