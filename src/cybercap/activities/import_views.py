"""Pages of the participant-list import: upload, column mapping, preview and save (staff)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cybercap.accounts import access
from cybercap.accounts.views import staff_required
from cybercap.activities import participant_import, selectors, services
from cybercap.activities.forms import (
    FIELD_LABELS,
    ImportMappingForm,
    ImportUploadForm,
)
from cybercap.activities.models import (
    ImportStatus,
    ParticipantImport,
)
from cybercap.network.selectors import countries_for_user


def _import_for(request: HttpRequest, pk: int, import_pk: int) -> ParticipantImport:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    return access.get_or_404(
        ParticipantImport.objects.filter(activity=activity).select_related("activity", "country"),
        pk=import_pk,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, countries=countries_for_user(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = participant_import.import_upload(
                activity=activity,
                country=form.cleaned_data["country"],
                upload=form.cleaned_data["file"],
                by=request.user,
            )
            return redirect("activities:import_map", pk=activity.pk, import_pk=batch.pk)
        except services.ActivityError as exc:
            form.add_error("file", str(exc))
    return render(request, "activities/import_upload.html", {"activity": activity, "form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    batch = _import_for(request, pk, import_pk)
    if batch.status != ImportStatus.UPLOADED:
        return redirect("activities:import_preview", pk=pk, import_pk=batch.pk)
    try:
        table = participant_import.import_table(batch)
    except services.ActivityError as exc:
        messages.error(request, str(exc))
        return redirect("activities:import_upload", pk=pk)
    form = ImportMappingForm(
        request.POST or None, headers=table.headers, initial_columns=batch.columns
    )
    if request.method == "POST" and form.is_valid():
        participant_import.import_map(batch=batch, columns=dict(form.cleaned_data))
        return redirect("activities:import_preview", pk=pk, import_pk=batch.pk)
    context = {
        "activity": batch.activity,
        "batch": batch,
        "form": form,
        "headers": table.headers,
        "sample": table.rows[:3],
    }
    return render(request, "activities/import_map.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    batch = _import_for(request, pk, import_pk)
    if batch.status == ImportStatus.SAVED:
        return render(
            request, "activities/import_saved.html", {"activity": batch.activity, "batch": batch}
        )
    if request.method == "POST":
        keep_new = [int(v) for v in request.POST.getlist("new_person") if v.isdigit()]
        try:
            count = participant_import.import_save(
                batch=batch, by=request.user, new_despite_duplicate=keep_new
            )
            messages.success(
                request, _("%(count)d participants saved and nominated.") % {"count": count}
            )
            return redirect("activities:activity_decisions", pk=pk)
        except services.ActivityError as exc:
            messages.error(request, str(exc))
    try:
        preview = participant_import.import_preview(batch=batch)
    except services.ActivityError as exc:
        messages.error(request, str(exc))
        return redirect("activities:import_upload", pk=pk)
    context = {
        "activity": batch.activity,
        "batch": batch,
        "preview": preview,
        "mapping": [(FIELD_LABELS[k], v) for k, v in batch.columns.items() if k in FIELD_LABELS],
    }
    return render(request, "activities/import_preview.html", context)
