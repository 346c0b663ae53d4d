"""Reads of activities, scoped by the user who asks.

- Staff see every activity and registration.
- Trainers see the activities assigned to them, with their participants (to run attendance).
- Focal points see the activities open to their country (a seat quota for it, or a nomination
  from it) and only their own country's nominations: never another country's participants.
- Everyone sees the activities they are registered for, and their own registrations.
Anything outside that scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.activities.models import (
    SEAT_TAKING,
    Activity,
    Material,
    Registration,
    SeatQuota,
    Session,
)
from cybercap.network.models import Country, Person
from cybercap.network.tlp import TLP


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _assigned_ids(user: Any) -> QuerySet[Any]:
    return Activity.objects.filter(trainer_assignments__user_id=user.pk).values("pk")


def activities_for_user(*, user: Any) -> QuerySet[Activity]:
    if not _signed_in(user):
        return Activity.objects.none()
    queryset = Activity.objects.select_related("host_country", "host_agency")
    if access.is_staff(user):
        return queryset
    reach = Q(pk__in=Registration.objects.filter(person__user_id=user.pk).values("activity_id"))
    if access.has_role(user, Role.TRAINER):
        reach |= Q(pk__in=_assigned_ids(user))
    focal = access.countries(user, Role.FOCAL_POINT)
    if focal:
        reach |= Q(
            pk__in=SeatQuota.objects.filter(country_id__in=focal, seats__gt=0).values("activity_id")
        )
        reach |= Q(pk__in=Registration.objects.filter(country_id__in=focal).values("activity_id"))
    return queryset.filter(reach)


def activity_get_for_user(*, user: Any, pk: int) -> Activity:
    return access.get_or_404(activities_for_user(user=user), pk=pk)


def registrations_for_user(*, user: Any) -> QuerySet[Registration]:
    if not _signed_in(user):
        return Registration.objects.none()
    queryset = Registration.objects.select_related(
        "person", "person__agency", "country", "activity"
    )
    if access.is_staff(user):
        return queryset
    reach = Q(person__user_id=user.pk)
    if access.has_role(user, Role.TRAINER):
        reach |= Q(activity_id__in=_assigned_ids(user))
    focal = access.countries(user, Role.FOCAL_POINT)
    if focal:
        reach |= Q(country_id__in=focal)
    return queryset.filter(reach)


def registration_get_for_user(*, user: Any, pk: int) -> Registration:
    return access.get_or_404(registrations_for_user(user=user), pk=pk)


def sessions_for_activity(*, activity: Activity) -> QuerySet[Session]:
    """An activity's timetable (the activity was fetched through the scoped selector)."""
    return Session.objects.filter(activity=activity).prefetch_related("speakers")


def materials_for_activity(*, user: Any, activity: Activity) -> QuerySet[Material]:
    """An activity's materials; TLP:RED ones only for staff and the activity's trainers."""
    queryset = Material.objects.filter(activity=activity).select_related("uploaded_by")
    if not can_manage(user, activity):
        queryset = queryset.exclude(tlp=TLP.RED)
    return queryset


def material_get_for_user(*, user: Any, activity_pk: int, pk: int) -> Material:
    activity = activity_get_for_user(user=user, pk=activity_pk)
    return access.get_or_404(materials_for_activity(user=user, activity=activity), pk=pk)


def can_manage(user: Any, activity: Activity) -> bool:
    """Staff, and the trainers assigned to the activity (attendance, materials)."""
    if access.is_staff(user):
        return True
    return (
        access.has_role(user, Role.TRAINER)
        and activity.trainer_assignments.filter(user_id=user.pk).exists()
    )


def nominating_countries(user: Any, activity: Activity) -> QuerySet[Country]:
    """The countries for which the user may nominate people to this activity."""
    if access.is_staff(user):
        return Country.objects.filter(seat_quotas__activity=activity)
    return Country.objects.filter(
        seat_quotas__activity=activity, pk__in=access.countries(user, Role.FOCAL_POINT)
    )


def quota_overview(*, user: Any, activity: Activity) -> list[dict[str, Any]]:
    """Seats per country in the user's reach: quota, taken and left, in one query."""
    quotas = SeatQuota.objects.filter(activity=activity).select_related("country")
    if not access.is_staff(user):
        quotas = quotas.filter(country_id__in=access.countries(user, Role.FOCAL_POINT))
    quotas = quotas.annotate(
        taken=Count(
            "activity__registrations",
            filter=Q(activity__registrations__country_id=F("country_id"))
            & Q(activity__registrations__status__in=SEAT_TAKING),
        )
    )
    return [
        {
            "country": q.country,
            "seats": q.seats,
            "taken": q.taken,
            "left": max(q.seats - q.taken, 0),
        }
        for q in quotas
    ]


def nominable_people(*, user: Any, activity: Activity) -> QuerySet[Person]:
    """People the user may nominate: of their quota countries, not yet registered."""
    countries = nominating_countries(user, activity)
    return (
        Person.objects.filter(country__in=countries)
        .exclude(registrations__activity=activity)
        .select_related("agency", "country")
        .order_by("country__name", "full_name", "pk")
    )


def session_get_for_activity(*, activity: Activity, pk: int) -> Session:
    return access.get_or_404(Session.objects.filter(activity=activity), pk=pk)


def expected_participants(*, activity: Activity) -> QuerySet[Registration]:
    """Those expected at the sessions: approved, confirmed or already attending."""
    from cybercap.activities.models import RegistrationStatus

    return (
        Registration.objects.filter(
            activity=activity,
            status__in=[
                RegistrationStatus.APPROVED,
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.ATTENDED,
            ],
        )
        .select_related("person", "person__agency", "country")
        .order_by("country__name", "person__full_name", "pk")
    )


def check_in_list(*, session: Session) -> list[dict[str, Any]]:
    """The participants expected at a session, each with whether they are marked present."""
    from cybercap.activities.models import Attendance

    present = set(
        Attendance.objects.filter(session=session).values_list("registration_id", flat=True)
    )
    return [
        {"registration": r, "present": r.pk in present}
        for r in expected_participants(activity=session.activity)
    ]
