"""Pages of programme activities: list, detail, calendar, nominations, decisions, materials, import.

Every object comes through the scoped selectors: an activity outside the user's scope is a 404.
Pages that need a role answer 403 to a signed-in user in scope without it. Views are thin: a
form parses, a selector fetches, a service writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.accounts.views import staff_required, verified_login_required
from cybercap.activities import ics, selectors, services
from cybercap.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    DecisionForm,
    MaterialForm,
    NominateForm,
    QuotaForm,
    SessionForm,
    TrainerForm,
    TransitionForm,
)
from cybercap.activities.models import (
    ACTIVITY_TRANSITIONS,
    Activity,
    ActivityStatus,
    RegistrationStatus,
)
from cybercap.network.selectors import countries_for_user, people_for_user, topics_for_user

PAGE_SIZE = 25


def _wants_partial(request: HttpRequest) -> bool:
    htmx = request.htmx  # type: ignore[attr-defined]
    return bool(htmx) and not htmx.history_restore_request


@verified_login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ActivityFilterForm(
        request.GET, topics=topics_for_user(user=user), countries=countries_for_user(user=user)
    )
    activities = form.apply(selectors.activities_for_user(user=user)).prefetch_related("topics")
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    template = (
        "activities/activity_list_results.html"
        if _wants_partial(request)
        else "activities/activity_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response


def _session_rows(activity: Activity) -> list[dict[str, Any]]:
    venue = ZoneInfo(activity.time_zone)
    viewer = timezone.get_current_timezone()
    return [
        {
            "session": s,
            "venue_start": s.starts_at.astimezone(venue),
            "venue_end": s.ends_at.astimezone(venue),
            "viewer_start": s.starts_at.astimezone(viewer),
            "viewer_end": s.ends_at.astimezone(viewer),
        }
        for s in selectors.sessions_for_activity(activity=activity)
    ]


@verified_login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    registrations = list(
        selectors.registrations_for_user(user=user)
        .filter(activity=activity)
        .order_by("country__name", "person__full_name", "pk")
    )
    is_staff = access.is_staff(user)
    context = {
        "activity": activity,
        "topics": list(activity.topics.all()),
        "sessions": _session_rows(activity),
        "viewer_zone": str(timezone.get_current_timezone()),
        "registrations": registrations,
        "quotas": selectors.quota_overview(user=user, activity=activity),
        "transitions": list(activity.transitions.select_related("by")),
        "next_statuses": [ActivityStatus(s) for s in ACTIVITY_TRANSITIONS.get(activity.status, ())]
        if is_staff
        else [],
        "is_staff": is_staff,
        "can_manage": selectors.can_manage(user, activity),
        "can_nominate": selectors.nominating_countries(user, activity).exists()
        and (is_staff or access.has_role(user, Role.FOCAL_POINT)),
        "trainers": list(activity.trainer_assignments.select_related("user")),
    }
    return render(request, "activities/activity_detail.html", context)


@verified_login_required
@require_GET
def activity_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    host = request.get_host().split(":")[0] or "cybercap"
    location = ", ".join(part for part in (activity.venue, activity.city) if part)
    if activity.online:
        location = location or _("Online")
    url = request.build_absolute_uri(reverse("activities:activity_detail", args=[activity.pk]))
    events = [
        ics.Event(
            uid=f"activity-{activity.pk}-session-{s.pk}@{host}",
            summary=f"{activity.title}: {s.title}",
            start=s.starts_at,
            end=s.ends_at,
            location=", ".join(part for part in (s.room, location) if part),
            description=", ".join(p.full_name for p in s.speakers.all()),
            url=url,
        )
        for s in selectors.sessions_for_activity(activity=activity)
    ]
    body = ics.render(
        ics.Calendar(name=activity.title, time_zone=activity.time_zone, events=events)
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="activity-{activity.pk}.ics"'
    return response


@staff_required
@require_POST
def activity_transition(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.activity_transition(
                activity=activity,
                to_status=form.cleaned_data["to_status"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Status changed."))
        except services.ActivityError as exc:
            messages.error(request, str(exc))
    return redirect("activities:activity_detail", pk=activity.pk)


@verified_login_required
@require_http_methods(["GET", "POST"])
def activity_nominations(request: HttpRequest, pk: int) -> HttpResponse:
    """A focal point's page: their country's nominations, the seats left, and a nomination form."""
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    if not (access.is_staff(user) or access.has_role(user, Role.FOCAL_POINT)):
        raise PermissionDenied
    people = selectors.nominable_people(user=user, activity=activity)
    form = NominateForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.nominate(
                activity=activity,
                person=form.cleaned_data["person"],
                by=user,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Nomination recorded."))
            return redirect("activities:activity_nominations", pk=activity.pk)
        except services.ActivityError as exc:
            form.add_error(None, str(exc))
    registrations = list(
        selectors.registrations_for_user(user=user)
        .filter(activity=activity)
        .order_by("country__name", "person__full_name", "pk")
    )
    context = {
        "activity": activity,
        "form": form,
        "registrations": registrations,
        "quotas": selectors.quota_overview(user=user, activity=activity),
        "is_open": activity.status == ActivityStatus.OPEN,
    }
    return render(request, "activities/activity_nominations.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def activity_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    if request.method == "POST":
        raw = str(request.POST.get("registration", ""))
        registration = access.get_or_404(
            selectors.registrations_for_user(user=user).filter(activity=activity),
            pk=int(raw) if raw.isdigit() and len(raw) < 19 else 0,
        )
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                promoted = services.registration_decide(
                    registration=registration,
                    decision=form.cleaned_data["decision"],
                    by=user,
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Decision recorded."))
                if promoted is not None:
                    messages.info(
                        request,
                        _("%(name)s moved up from the wait-list.")
                        % {"name": promoted.person.full_name},
                    )
            except services.ActivityError as exc:
                messages.error(request, str(exc))
        else:
            messages.error(request, _("Choose a decision."))
        return redirect("activities:activity_decisions", pk=activity.pk)
    registrations = list(
        selectors.registrations_for_user(user=user)
        .filter(activity=activity)
        .order_by("status", "country__name", "nominated_at", "pk")
    )
    context = {
        "activity": activity,
        "registrations": registrations,
        "quotas": selectors.quota_overview(user=user, activity=activity),
        "decidable": {
            RegistrationStatus.NOMINATED,
            RegistrationStatus.WAIT_LISTED,
            RegistrationStatus.APPROVED,
        },
    }
    return render(request, "activities/activity_decisions.html", context)


@verified_login_required
@require_http_methods(["GET", "POST"])
def material_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    can_manage = selectors.can_manage(user, activity)
    form = MaterialForm(request.POST or None, request.FILES or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.material_upload(
                    activity=activity,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                    tlp=form.cleaned_data["tlp"],
                    by=user,
                )
                messages.success(request, _("Material uploaded."))
                return redirect("activities:material_list", pk=activity.pk)
            except services.ActivityError as exc:
                form.add_error("file", str(exc))
    context = {
        "activity": activity,
        "materials": list(selectors.materials_for_activity(user=user, activity=activity)),
        "form": form,
    }
    return render(request, "activities/material_list.html", context)


@verified_login_required
@require_GET
def material_download(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    material = selectors.material_get_for_user(user=request.user, activity_pk=pk, pk=material_pk)
    # Read whole (uploads are capped at MAX_UPLOAD_BYTES) rather than streamed, so that every
    # answer has a body the access matrix can search for leaks.
    with material.file.open("rb") as handle:
        body = handle.read()
    response = HttpResponse(body, content_type=material.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=material.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- planning (staff) -----------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                topics=form.cleaned_data["topics"], **form.fields_for_service()
            )
            messages.success(request, _("Activity planned."))
            return redirect("activities:activity_plan", pk=activity.pk)
        except (services.ActivityError, ValidationError) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
    return render(request, "activities/activity_form.html", {"form": form, "activity": None})


@staff_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                activity=activity, topics=form.cleaned_data["topics"], **form.fields_for_service()
            )
            messages.success(request, _("Activity saved."))
            return redirect("activities:activity_detail", pk=activity.pk)
        except (services.ActivityError, ValidationError) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


def _session_times(activity: Activity, data: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(activity.time_zone)
    starts = dt.datetime.combine(data["day"], data["starts"]).replace(tzinfo=zone)
    ends = dt.datetime.combine(data["day"], data["ends"]).replace(tzinfo=zone)
    return starts, ends


@staff_required
@require_http_methods(["GET", "POST"])
def activity_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Timetable, seat quotas and trainers: one page, one form per kind of change."""
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    people = people_for_user(user=user).order_by("full_name", "pk")
    session_form = SessionForm(request.POST if action == "session" else None, people=people)
    quota_form = QuotaForm(request.POST if action == "quota" else None)
    trainer_form = TrainerForm(request.POST if action == "trainer" else None)
    forms_by_action = {"session": session_form, "quota": quota_form, "trainer": trainer_form}
    form = forms_by_action.get(action or "")
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "session":
                starts, ends = _session_times(activity, data)
                services.session_add(
                    activity=activity,
                    title=data["title"],
                    starts_at=starts,
                    ends_at=ends,
                    room=data["room"],
                    speakers=data["speakers"],
                )
            elif action == "quota":
                services.quota_set(activity=activity, country=data["country"], seats=data["seats"])
            else:
                services.trainer_assign(activity=activity, user=data["user"], lead=data["lead"])
            messages.success(request, _("Saved."))
            return redirect("activities:activity_plan", pk=activity.pk)
        except services.ActivityError as exc:
            form.add_error(None, str(exc))
    context = {
        "activity": activity,
        "sessions": _session_rows(activity),
        "quotas": selectors.quota_overview(user=user, activity=activity),
        "trainers": list(activity.trainer_assignments.select_related("user")),
        "session_form": session_form,
        "quota_form": quota_form,
        "trainer_form": trainer_form,
    }
    return render(request, "activities/activity_plan.html", context)


@verified_login_required
@require_GET
def my_registrations(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own registrations, whatever their role."""
    registrations = list(
        selectors.registrations_for_user(user=request.user)
        .filter(person__user_id=request.user.pk or 0)  # signed in: the pk is set
        .order_by("-activity__start_date", "pk")
    )
    return render(request, "activities/my_registrations.html", {"registrations": registrations})
