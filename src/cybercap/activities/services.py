"""Every write to activities: validated, in a transaction, named ``<entity>_<action>``.

Quotas hold under concurrent nominations: the activity row is locked (SELECT ... FOR UPDATE on
PostgreSQL; SQLite serialises writers with its IMMEDIATE transactions) before the seats are
counted, so two focal points nominating at once cannot both take the last seat.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import secrets
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.activities.models import (
    ACTIVITY_TRANSITIONS,
    PLACE_TAKING,
    SEAT_TAKING,
    Activity,
    ActivityStatus,
    ActivityTransition,
    Attendance,
    AttendanceMethod,
    Material,
    Registration,
    RegistrationStatus,
    SeatQuota,
    Session,
    TrainerAssignment,
)
from cybercap.network.models import Country, Person, Topic

# Badge codes: no 0/O, 1/I/L, so that a code read aloud or typed by hand is not mistaken.
BADGE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BADGE_LENGTH = 8


def new_badge_code() -> str:
    return "".join(secrets.choice(BADGE_ALPHABET) for _i in range(BADGE_LENGTH))


class ActivityError(Exception):
    """The one root of domain errors in activities; its message is shown to the user."""


class QuotaFull(ActivityError):
    pass


class NotAllowed(ActivityError):
    pass


ACTIVITY_FIELDS = (
    "kind",
    "title",
    "phase",
    "start_date",
    "end_date",
    "venue",
    "city",
    "online",
    "time_zone",
    "host_country",
    "host_agency",
    "funding_source",
    "working_languages",
    "capacity",
    "description",
)


def _check_dates(activity: Activity) -> None:
    if activity.end_date < activity.start_date:
        raise ActivityError(_("The last day is before the first day."))
    agency, country = activity.host_agency, activity.host_country
    if agency is not None and country is not None and agency.country_id != country.pk:
        raise ActivityError(_("The host agency is not in the host country."))


@transaction.atomic
def activity_create(
    *, topics: Iterable[Topic] = (), is_demo: bool = False, **fields: Any
) -> Activity:
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    activity = Activity(is_demo=is_demo, **fields)
    _check_dates(activity)
    activity.full_clean(exclude=["topics"])
    activity.save()
    activity.topics.set(list(topics))
    return activity


@transaction.atomic
def activity_update(
    *, activity: Activity, topics: Iterable[Topic] | None = None, **fields: Any
) -> Activity:
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(activity, name, value)
    _check_dates(activity)
    activity.full_clean(exclude=["topics"])
    if fields:
        activity.save(update_fields=[*fields, "updated_at"])
    if topics is not None:
        activity.topics.set(list(topics))
    return activity


@transaction.atomic
def activity_transition(
    *, activity: Activity, to_status: str, by: Any, note: str = ""
) -> ActivityTransition:
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    allowed = ACTIVITY_TRANSITIONS.get(locked.status, ())
    if to_status not in allowed:
        raise NotAllowed(
            _("An activity cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": ActivityStatus(locked.status).label,
                "to": ActivityStatus(to_status).label
                if to_status in ActivityStatus.values
                else to_status,
            }
        )
    transition = ActivityTransition.objects.create(
        activity=locked,
        from_status=locked.status,
        to_status=to_status,
        at=timezone.now(),
        by=by,
        note=note[:300],
    )
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    activity.status = to_status
    return transition


@transaction.atomic
def session_add(
    *,
    activity: Activity,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: str = "",
    speakers: Iterable[Person] = (),
) -> Session:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ActivityError(_("Session times must carry their time zone."))
    if ends_at <= starts_at:
        raise ActivityError(_("A session must end after it starts."))
    session = Session.objects.create(
        activity=activity, title=title, starts_at=starts_at, ends_at=ends_at, room=room
    )
    session.speakers.set(list(speakers))
    return session


@transaction.atomic
def quota_set(*, activity: Activity, country: Country, seats: int) -> SeatQuota:
    if seats < 0:
        raise ActivityError(_("Seats cannot be negative."))
    Activity.objects.select_for_update().get(pk=activity.pk)
    taken = Registration.objects.filter(
        activity=activity, country=country, status__in=SEAT_TAKING
    ).count()
    if seats < taken:
        raise QuotaFull(
            _("%(country)s already holds %(taken)d seats; the quota cannot go below that.")
            % {"country": country.name, "taken": taken}
        )
    quota, _created = SeatQuota.objects.update_or_create(
        activity=activity, country=country, defaults={"seats": seats}
    )
    return quota


@transaction.atomic
def trainer_assign(*, activity: Activity, user: Any, lead: bool = False) -> TrainerAssignment:
    if not access.has_role(user, Role.TRAINER):
        raise ActivityError(_("Only users with the trainer role can be assigned."))
    assignment, _created = TrainerAssignment.objects.get_or_create(
        activity=activity, user=user, defaults={"lead": lead, "assigned_at": timezone.now()}
    )
    return assignment


def seats_taken(activity: Activity, country: Country | int) -> int:
    country_id = country if isinstance(country, int) else country.pk
    return Registration.objects.filter(
        activity=activity, country_id=country_id, status__in=SEAT_TAKING
    ).count()


def quota_seats(activity: Activity, country_id: int) -> int:
    quota = SeatQuota.objects.filter(activity=activity, country_id=country_id).first()
    return quota.seats if quota else 0


@transaction.atomic
def nominate(
    *, activity: Activity, person: Person, by: Any, note: str = "", staff_override: bool = False
) -> Registration:
    """A focal point nominates one of their country's people within the country's quota."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.status != ActivityStatus.OPEN and not staff_override:
        raise NotAllowed(_("This activity is not open for nominations."))
    if not access.is_staff(by) and person.country_id not in access.countries(by, Role.FOCAL_POINT):
        raise NotAllowed(_("You can only nominate people of your own country."))
    seats = quota_seats(locked, person.country_id)
    if seats_taken(locked, person.country_id) >= seats:
        raise QuotaFull(
            _("%(country)s has no seat left on this activity (quota %(seats)d).")
            % {"country": person.country.name, "seats": seats}
        )
    if Registration.objects.filter(activity=locked, person=person).exists():
        raise ActivityError(_("%(name)s is already nominated.") % {"name": person.full_name})
    try:
        with transaction.atomic():
            return Registration.objects.create(
                activity=locked,
                person=person,
                country_id=person.country_id,
                nominated_by=by,
                nominated_at=timezone.now(),
                note=note[:300],
                badge_code=new_badge_code(),
            )
    except IntegrityError:
        raise ActivityError(
            _("%(name)s is already nominated.") % {"name": person.full_name}
        ) from None


DECISIONS = {
    "approve": RegistrationStatus.APPROVED,
    "wait_list": RegistrationStatus.WAIT_LISTED,
    "decline": RegistrationStatus.DECLINED,
    # The participant said yes (until signed confirmation links exist, staff record it).
    "confirm": RegistrationStatus.CONFIRMED,
}
_DECIDABLE_FROM = {
    RegistrationStatus.CONFIRMED: (RegistrationStatus.APPROVED,),
    RegistrationStatus.APPROVED: (RegistrationStatus.NOMINATED, RegistrationStatus.WAIT_LISTED),
    RegistrationStatus.WAIT_LISTED: (RegistrationStatus.NOMINATED, RegistrationStatus.APPROVED),
    RegistrationStatus.DECLINED: (
        RegistrationStatus.NOMINATED,
        RegistrationStatus.WAIT_LISTED,
        RegistrationStatus.APPROVED,
        RegistrationStatus.CONFIRMED,
    ),
}


def _places_taken(activity: Activity) -> int:
    return Registration.objects.filter(activity=activity, status__in=PLACE_TAKING).count()


def _promote_wait_listed(activity: Activity, country_id: int, by: Any) -> Registration | None:
    """When a seat frees, the longest-waiting wait-listed person of that country moves up."""
    if _places_taken(activity) >= activity.capacity:
        return None
    if seats_taken(activity, country_id) >= quota_seats(activity, country_id):
        return None
    waiting = (
        Registration.objects.filter(
            activity=activity, country_id=country_id, status=RegistrationStatus.WAIT_LISTED
        )
        .order_by("nominated_at", "pk")
        .first()
    )
    if waiting is None:
        return None
    waiting.status = RegistrationStatus.APPROVED
    waiting.decided_by = by
    waiting.decided_at = timezone.now()
    waiting.save(update_fields=["status", "decided_by", "decided_at"])
    return waiting


@transaction.atomic
def registration_decide(
    *, registration: Registration, decision: str, by: Any, note: str = ""
) -> Registration | None:
    """Staff approve, wait-list, decline or confirm; returns the wait-listed person promoted."""
    if decision not in DECISIONS:
        raise ActivityError(_("Unknown decision."))
    activity = Activity.objects.select_for_update().get(pk=registration.activity_id)
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    target = DECISIONS[decision]
    if current.status not in _DECIDABLE_FROM[target]:
        raise NotAllowed(
            _("A registration that is “%(status)s” cannot be changed this way.")
            % {"status": RegistrationStatus(current.status).label}
        )
    if target == RegistrationStatus.APPROVED:
        if _places_taken(activity) >= activity.capacity:
            raise QuotaFull(_("The activity is full (capacity %(n)d).") % {"n": activity.capacity})
        if current.status == RegistrationStatus.WAIT_LISTED and seats_taken(
            activity, current.country_id
        ) >= quota_seats(activity, current.country_id):
            raise QuotaFull(_("The country has no seat left on this activity."))
    freed = current.status in SEAT_TAKING and target not in SEAT_TAKING
    current.status = target
    current.decided_by = by
    current.decided_at = timezone.now()
    if note:
        current.note = note[:300]
    current.save(update_fields=["status", "decided_by", "decided_at", "note"])
    registration.status = current.status
    promoted = None
    if freed and target == RegistrationStatus.DECLINED:
        # A seat freed by a decline goes to the longest-waiting; wait-listing someone frees a
        # seat for a new nomination instead.
        promoted = _promote_wait_listed(activity, current.country_id, by)
    return promoted


ALLOWED_MATERIAL_TYPES = {
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".zip": "application/zip",
}
# The first bytes each type must start with (text types have none).
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".pptx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def check_upload(upload: UploadedFile, allowed: dict[str, str]) -> tuple[str, str]:
    """(safe file name, content type) of an upload whose size, extension and bytes agree."""
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in allowed:
        raise ActivityError(
            _("Files of type “%(suffix)s” are not accepted; use one of: %(allowed)s.")
            % {"suffix": suffix or "?", "allowed": ", ".join(sorted(allowed))}
        )
    size = upload.size or 0
    if size > settings.MAX_UPLOAD_BYTES:
        raise ActivityError(
            _("The file is larger than the limit of %(mb)d MB.")
            % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise ActivityError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    magic = _MAGIC.get(suffix)
    if magic is not None and not any(head.startswith(m) for m in magic):
        raise ActivityError(
            _("The file's content does not match its “%(suffix)s” name.") % {"suffix": suffix}
        )
    if magic is None and b"\x00" in head:
        raise ActivityError(_("A text file must not contain binary data."))
    return name, allowed.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


@transaction.atomic
def material_upload(
    *, activity: Activity, upload: UploadedFile, title: str, kind: str, tlp: str, by: Any
) -> Material:
    name, content_type = check_upload(upload, ALLOWED_MATERIAL_TYPES)
    material = Material(
        activity=activity,
        title=title or name,
        kind=kind,
        tlp=tlp,
        original_name=name,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=by,
        uploaded_at=timezone.now(),
    )
    material.full_clean(exclude=["file"])
    material.file.save(name, upload, save=False)
    material.save()
    return material


# --- attendance -----------------------------------------------------------------------------------

CHECK_IN_STATUSES = (
    RegistrationStatus.APPROVED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
)


@transaction.atomic
def attendance_mark(
    *,
    session: Session,
    registration: Registration,
    present: bool,
    by: Any,
    method: str = AttendanceMethod.MANUAL,
) -> Attendance | None:
    """Mark a participant present at a session (or not); the first presence makes them attended."""
    if registration.activity_id != session.activity_id:
        raise NotAllowed(_("This participant is not registered for this activity."))
    if registration.status not in CHECK_IN_STATUSES:
        raise NotAllowed(
            _("%(name)s is “%(status)s”, not expected at the sessions.")
            % {
                "name": registration.person.full_name,
                "status": RegistrationStatus(registration.status).label,
            }
        )
    if not present:
        Attendance.objects.filter(session=session, registration=registration).delete()
        return None
    attendance, _created = Attendance.objects.get_or_create(
        session=session,
        registration=registration,
        defaults={"method": method, "marked_by": by, "marked_at": timezone.now()},
    )
    if registration.status != RegistrationStatus.ATTENDED:
        registration.status = RegistrationStatus.ATTENDED
        registration.save(update_fields=["status"])
    return attendance


def attendance_by_badge(*, session: Session, code: str, by: Any) -> Registration:
    """Check in the participant whose badge carries this code (typed, or by a scanner)."""
    cleaned = "".join(code.split()).upper()
    registration = (
        Registration.objects.filter(activity_id=session.activity_id, badge_code=cleaned)
        .select_related("person")
        .first()
    )
    if registration is None or not cleaned:
        raise ActivityError(
            _("No participant of this activity has the badge code “%(code)s”.")
            % {"code": cleaned[:20]}
        )
    attendance_mark(
        session=session,
        registration=registration,
        present=True,
        by=by,
        method=AttendanceMethod.BADGE,
    )
    return registration
