"""Translatable labels shared by the three renderers (web page, PDF, Word).

The templates write the same section titles with ``{% translate %}``; these msgids are kept
identical so one translation serves every form of the report.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cybercap.reviews.report.data import AnswerStatus, Coverage, IndicatorFinding

# Section key -> title, in report order. "progress" appears only when a previous cycle exists.
SECTIONS: dict[str, Promise] = {
    "summary": _("Executive summary"),
    "methodology": _("Methodology"),
    "profile": _("Country profile"),
    "findings": _("Findings by pillar"),
    "legislation": _("Legislation map"),
    "recommendations": _("Recommendations"),
    "progress": _("Progress since the previous cycle"),
    "annex": _("Annex: every indicator"),
}

COVERAGE: dict[str, Promise] = {
    Coverage.COVERED: _("Covered"),
    Coverage.PARTLY: _("Partly covered"),
    Coverage.MISSING: _("Missing"),
    Coverage.NOT_ASSESSED: _("Not assessed"),
}

PRIORITY: dict[str, Promise] = {"high": _("High"), "medium": _("Medium"), "low": _("Low")}
PRIORITY_HEADING: dict[str, Promise] = {
    "high": _("High priority"),
    "medium": _("Medium priority"),
    "low": _("Low priority"),
}
HORIZON: dict[str, Promise] = {
    "short": _("Short term"),
    "medium": _("Medium term"),
    "long": _("Long term"),
}
CONFIDENCE: dict[str, Promise] = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}
STATE: dict[str, Promise] = {"draft": _("Draft"), "final": _("Final")}

SYNTHETIC = _("Synthetic demo data")
SYNTHETIC_LONG = _(
    "Synthetic demo data: every country figure, agency and finding in this report is invented."
)
EMPTY = "\u2013"  # an en dash: no value
NOT_APPLICABLE = _("N/A")
UNANSWERED = _("Unanswered")


def level_text(finding: IndicatorFinding) -> str:
    """ "3", "N/A" or "Unanswered"."""
    if finding.level is not None:
        return str(finding.level)
    if finding.status == AnswerStatus.NOT_APPLICABLE:
        return str(NOT_APPLICABLE)
    return str(UNANSWERED)


def score_text(value: float | None) -> str:
    return EMPTY if value is None else f"{value:.2f}"


def citation_note(verified: tuple[str, ...]) -> str:
    """Under an instrument cited partly by chapter: which article numbers are verified."""
    which = ", ".join(verified) if verified else gettext("none yet")
    return gettext(
        "This convention is cited by chapter: an article number is given only where it has been "
        "verified against the adopted text (verified: %(which)s). For the other provisions the "
        "map names the chapter and, where known, the articles the chapter spans; each provision "
        "is still assessed on its own."
    ) % {"which": which}
