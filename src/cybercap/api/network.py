"""The shared vocabulary: countries, agencies and topics, read through the scoped selectors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from cybercap.accounts import access
from cybercap.api.base import MAX_ID, Page, PageQuery, caller, paginate, responses
from cybercap.network.models import AgencyKind
from cybercap.network.selectors import (
    agencies_for_user,
    agency_get_for_user,
    countries_for_user,
    country_get_for_user,
    topics_for_user,
)

router = Router()

CountryCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z]{2}$",
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2 code, e.g. TH.",
    ),
]
TopicKey = Annotated[
    str,
    Field(pattern=r"^[-a-zA-Z0-9_]+$", min_length=1, max_length=60, description="Topic key."),
]


class CountryOut(Schema):
    code: str = Field(description="ISO 3166-1 alpha-2 code.")
    name: str
    official_name: str
    asean_member: bool = Field(alias="is_asean_member")
    asean_joined: dt.date | None = Field(description="ASEAN member since; null for others.")
    is_guest: bool = Field(description="A country beyond ASEAN joining programme activities.")
    region: str
    time_zone: str


class AgencyOut(Schema):
    id: int
    name: str
    acronym: str
    kind: AgencyKind
    country: str = Field(alias="country.code", description="The country's ISO code.")
    website: str


class TopicOut(Schema):
    key: str
    name: str
    description: str
    parent: str | None = Field(description="The broader topic's key; null at the top.")
    position: int

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.key if obj.parent_id else None


class AgencyFilter(Schema):
    # Not Optional: an absent parameter is None, but the document offers no null to send.
    country: CountryCode = Field(None, description="Only this country's agencies.")  # type: ignore[assignment]
    kind: AgencyKind = Field(None, description="Only agencies of this kind.")  # type: ignore[assignment]


@router.get("/countries", response=responses(Page[CountryOut], parses=True))
def country_list(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Countries: ASEAN members and guest countries."""
    return paginate(countries_for_user(user=caller(request)).order_by("name", "code"), page)


@router.get("/countries/{code}", response=responses(CountryOut, lookup=True, parses=True))
def country_detail(request: HttpRequest, code: Path[CountryCode]) -> Any:
    """One country by its ISO code."""
    return country_get_for_user(user=caller(request), code=code)


@router.get("/agencies", response=responses(Page[AgencyOut], parses=True))
def agency_list(
    request: HttpRequest, page: Query[PageQuery], filters: Query[AgencyFilter]
) -> dict[str, Any]:
    """Agencies, by country and name; filter by country code and kind."""
    queryset = agencies_for_user(user=caller(request))
    if filters.country:
        queryset = queryset.filter(country__code=filters.country.upper())
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    return paginate(queryset.order_by("country__name", "name", "pk"), page)


@router.get("/agencies/{id}", response=responses(AgencyOut, lookup=True, parses=True))
def agency_detail(request: HttpRequest, id: Path[Annotated[int, Field(ge=1, le=MAX_ID)]]) -> Any:
    """One agency by its id."""
    return agency_get_for_user(user=caller(request), pk=id)


@router.get("/topics", response=responses(Page[TopicOut], parses=True))
def topic_list(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The capacity taxonomy, in its order; retired topics are left out."""
    return paginate(topics_for_user(user=caller(request)).order_by("position", "key"), page)


@router.get("/topics/{key}", response=responses(TopicOut, lookup=True, parses=True))
def topic_detail(request: HttpRequest, key: Path[TopicKey]) -> Any:
    """One topic by its key."""
    return access.get_or_404(topics_for_user(user=caller(request)), key=key)
