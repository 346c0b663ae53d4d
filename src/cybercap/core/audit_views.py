"""The audit log browser, for programme staff: who changed what, when, and how.

Staff only: a signed-in user without the ``staff`` role gets 403 (see accounts.views).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cybercap.accounts import access
from cybercap.accounts.views import staff_required
from cybercap.core import audit
from cybercap.core.models import AuditAction, AuditEntry

ENTRIES_PER_PAGE = 50


def audit_entries_for_user(*, user: Any) -> QuerySet[AuditEntry]:
    """The whole log for staff, newest first; nobody else reads it."""
    if not access.is_staff(user):
        return AuditEntry.objects.none()
    return AuditEntry.objects.select_related("actor").order_by("-at", "-id")


def _model_choices() -> list[tuple[str, str]]:
    labels = set(audit.registered_models()) | {"accounts.User"}
    return [("", str(_("Any record type"))), *((label, label) for label in sorted(labels))]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Who"),
        required=False,
        max_length=150,
        help_text=_("User name or name, or part of it."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    model = forms.ChoiceField(label=_("Record type"), required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *AuditAction.choices]
    )
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Dates are in your time zone; both ends are included."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = _model_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries_filter(
    queryset: QuerySet[AuditEntry], form: AuditFilterForm
) -> QuerySet[AuditEntry]:
    if not form.is_valid():
        return queryset.none()
    data = form.cleaned_data
    if data["actor"]:
        term = data["actor"].strip()
        queryset = queryset.filter(
            Q(actor_label__icontains=term)
            | Q(actor__first_name__icontains=term)
            | Q(actor__last_name__icontains=term)
        )
    if data["model"]:
        queryset = queryset.filter(model=data["model"])
    if data["action"]:
        queryset = queryset.filter(action=data["action"])
    if data["object_id"]:
        queryset = queryset.filter(object_id=data["object_id"].strip())
    if data["date_from"]:
        queryset = queryset.filter(at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        queryset = queryset.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    return queryset


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


def changes_of(entry: AuditEntry) -> list[Change]:
    """The entry's changes as rows, field by field, in a stable order."""
    recorded = entry.changes if isinstance(entry.changes, dict) else {}
    rows = []
    for name in sorted(recorded):
        pair = recorded[name]
        before, after = (
            (pair[0], pair[1]) if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        )
        rows.append(Change(field=name, before=before, after=after))
    return rows


@staff_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    entries = audit_entries_filter(audit_entries_for_user(user=request.user), form)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(entry, changes_of(entry)) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )
