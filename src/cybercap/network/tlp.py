"""Traffic Light Protocol 2.0 sensitivity labels (FIRST, 2022)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TLP(models.TextChoices):
    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


TLP_MEANING = {
    TLP.CLEAR: _("Disclosure is not limited. May be shared publicly."),
    TLP.GREEN: _(
        "Limited disclosure: may be shared within the community, not through public channels."
    ),
    TLP.AMBER: _(
        "Limited disclosure: recipients may share only with members of their own organisation "
        "and its clients who need to know."
    ),
    TLP.AMBER_STRICT: _(
        "Limited disclosure: recipients may share only with members of their own organisation."
    ),
    TLP.RED: _("For the eyes and ears of individual recipients only, no further disclosure."),
}


def tlp_css_class(label: str) -> str:
    """The CSS modifier for a label's banner (`tlp--amber-strict` for AMBER+STRICT)."""
    return "tlp--" + label.lower().replace("+", "-")
