"""Schemas of the reference content files, and the way from a schema error to a Problem.

Pure Python (no Django import): the checks run without a database.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from cybercap.core.contentkit import Problem
from cybercap.network.content.reader import YamlDocument

_ALPHA2 = re.compile(r"[A-Z]{2}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _alpha2(value: str) -> str:
    if not _ALPHA2.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. TH)"
        )
    return value


def _time_zone(value: str) -> str:
    if value not in _time_zones():
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Bangkok)")
    return value


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a key: use lower-case letters, digits and single hyphens "
            "(e.g. digital-forensics)"
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


Text = Annotated[str, AfterValidator(_not_blank)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CountrySpec(_Strict):
    code: Annotated[str, AfterValidator(_alpha2)]
    name: Annotated[Text, Field(max_length=100)]
    official_name: Annotated[str, Field(max_length=200)] = ""
    asean_joined: dt.date | None = None
    is_guest: bool = False
    region: Annotated[str, Field(max_length=100)] = ""
    time_zone: Annotated[str, AfterValidator(_time_zone)]


class CountriesFile(_Strict):
    version: Annotated[int, Field(ge=1)]
    countries: list[CountrySpec]


class TopicSpec(_Strict):
    key: Annotated[str, Field(max_length=60), AfterValidator(_slug)]
    name: Annotated[Text, Field(max_length=120)]
    description: Text
    children: list[TopicSpec] = []


class TopicsFile(_Strict):
    version: Annotated[int, Field(ge=1)]
    topics: list[TopicSpec]


_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "model_type": "must be a mapping of fields (name: value)",
    "list_type": "must be a list (items starting with '- ')",
}

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], doc: YamlDocument) -> tuple[M | None, list[Problem]]:
    """The validated model, or one Problem per schema error, each with its line and field."""
    if doc.data is None:
        return None, [Problem(doc.path, 0, "", "file is empty")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, [_problem(doc, error) for error in exc.errors(include_url=False)]


def _problem(doc: YamlDocument, error: Any) -> Problem:
    loc = tuple(error["loc"])
    message = _MESSAGES.get(error["type"]) or str(error["msg"]).removeprefix("Value error, ")
    return doc.problem(loc, message)
