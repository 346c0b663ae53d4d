"""Programme activities in the API: the list, one activity, its timetable; scoped like the web."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import field_validator

from cybercap.activities import selectors
from cybercap.activities.models import ActivityStatus, ActivityType
from cybercap.api.base import MAX_ID, Page, PageQuery, caller, paginate, responses

router = Router()

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ActivityId = Annotated[int, Field(ge=1, le=MAX_ID, description="The activity's id.")]


class ActivityOut(Schema):
    id: int
    kind: ActivityType = Field(description="Type of activity.")
    title: str
    phase: int = Field(description="Programme phase, from 1.")
    start_date: dt.date
    end_date: dt.date
    venue: str
    city: str
    online: bool
    time_zone: str = Field(description="The venue's IANA time zone; sessions are held in it.")
    host_country: str | None = Field(description="ISO code of the host country, or null.")
    status: ActivityStatus
    capacity: int
    working_languages: list[str] = Field(description="Language codes.")
    topics: list[str] = Field(description="Keys of the taxonomy topics.")

    @staticmethod
    def resolve_host_country(obj: Any) -> str | None:
        return obj.host_country.code if obj.host_country_id else None

    @staticmethod
    def resolve_working_languages(obj: Any) -> list[str]:
        return list(obj.languages)

    @staticmethod
    def resolve_topics(obj: Any) -> list[str]:
        return [topic.key for topic in obj.topics.all()]


class ActivityDetailOut(ActivityOut):
    description: str
    funding_source: str
    host_agency: str | None = Field(description="The host agency's name, or null.")

    @staticmethod
    def resolve_host_agency(obj: Any) -> str | None:
        return obj.host_agency.name if obj.host_agency_id else None


class SessionOut(Schema):
    id: int
    title: str
    room: str
    starts_at: dt.datetime = Field(description="Start, in UTC.")
    ends_at: dt.datetime = Field(description="End, in UTC.")
    starts_at_venue: str = Field(description="Start in the venue's time zone (ISO 8601).")
    ends_at_venue: str = Field(description="End in the venue's time zone (ISO 8601).")
    speakers: list[str] = Field(description="Speakers' names, as they write them.")

    @staticmethod
    def resolve_starts_at_venue(obj: Any) -> str:
        return str(obj.starts_at.astimezone(ZoneInfo(obj.activity.time_zone)).isoformat())

    @staticmethod
    def resolve_ends_at_venue(obj: Any) -> str:
        return str(obj.ends_at.astimezone(ZoneInfo(obj.activity.time_zone)).isoformat())

    @staticmethod
    def resolve_speakers(obj: Any) -> list[str]:
        return [person.full_name for person in obj.speakers.all()]


class ActivityFilter(Schema):
    # Not Optional: an absent parameter is None, but the document offers no null to send.
    kind: ActivityType = Field(None, description="Only this type.")  # type: ignore[assignment]
    topic: str = Field(  # type: ignore[assignment]
        None, pattern=r"^[-a-zA-Z0-9_]+$", max_length=60, description="A topic key."
    )
    country: str = Field(  # type: ignore[assignment]
        None,
        pattern=r"^[A-Za-z]{2}$",
        description="ISO code: activities hosted there or with seats for it.",
    )
    phase: int = Field(None, ge=1, le=100, description="Programme phase.")  # type: ignore[assignment]
    date_from: dt.date = Field(None, description="Ending on or after this day.")  # type: ignore[assignment]
    date_to: dt.date = Field(None, description="Starting on or before this day.")  # type: ignore[assignment]

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _iso_day_only(cls, value: Any) -> Any:
        # Pydantic would also read a number as seconds since 1970; the document says a date.
        if value is not None and not (isinstance(value, str) and ISO_DAY.match(value)):
            raise ValueError("Input should be a date as YYYY-MM-DD")
        return value


@router.get("/activities", response=responses(Page[ActivityOut], parses=True))
def activity_list(
    request: HttpRequest, page: Query[PageQuery], filters: Query[ActivityFilter]
) -> dict[str, Any]:
    """The activities the caller can see, latest first; filter by type, topic, country, phase
    and dates."""
    queryset = selectors.activities_for_user(user=caller(request))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.topic:
        queryset = queryset.filter(topics__key=filters.topic)
    if filters.country:
        code = filters.country.upper()
        queryset = queryset.filter(
            Q(host_country__code=code) | Q(quotas__country__code=code, quotas__seats__gt=0)
        )
    if filters.phase:
        queryset = queryset.filter(phase=filters.phase)
    if filters.date_from:
        queryset = queryset.filter(end_date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(start_date__lte=filters.date_to)
    queryset = queryset.distinct().prefetch_related("topics").order_by("-start_date", "title", "pk")
    return paginate(queryset, page)


@router.get("/activities/{id}", response=responses(ActivityDetailOut, lookup=True, parses=True))
def activity_detail(request: HttpRequest, id: Path[ActivityId]) -> Any:
    """One activity the caller can see."""
    return selectors.activity_get_for_user(user=caller(request), pk=id)


@router.get(
    "/activities/{id}/sessions",
    response=responses(list[SessionOut], lookup=True, parses=True),
)
def activity_sessions(request: HttpRequest, id: Path[ActivityId]) -> Any:
    """The activity's timetable, in order, with UTC and venue times."""
    activity = selectors.activity_get_for_user(user=caller(request), pk=id)
    return list(selectors.sessions_for_activity(activity=activity).select_related("activity"))
