"""Pages of the shared vocabulary: countries, agencies, people and topics.

Every read goes through the scoped selectors in `network.selectors`; a person outside the
user's scope is a 404. Lists are plain GET forms that htmx updates in place (the same view
answers an htmx request with the results partial only).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.network import selectors
from cybercap.network.forms import AgencyFilterForm, PersonFilterForm
from cybercap.network.models import Country, Topic

PAGE_SIZE = 25
# How many people a country or agency page lists before pointing at the filtered people list.
PEOPLE_PREVIEW = 50


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx swap asks for the results only; a history restore needs the whole page."""
    htmx = request.htmx  # type: ignore[attr-defined]
    return bool(htmx) and not htmx.history_restore_request


def _render_list(
    request: HttpRequest, full: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    response = render(request, partial if _wants_partial(request) else full, context)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _reaches_people_of(user: Any, country: Country) -> bool:
    """Whether the user's scope reaches the people of a country (not just their own record)."""
    if access.is_staff(user):
        return True
    return country.pk in access.countries(user, Role.FOCAL_POINT, Role.INVESTIGATOR)


def _people_countries(user: Any) -> QuerySet[Country]:
    """Countries worth offering in the people filter: all for staff, the reach for others."""
    countries = selectors.countries_for_user(user=user)
    if access.is_staff(user):
        return countries
    return countries.filter(pk__in=access.countries(user, Role.FOCAL_POINT, Role.INVESTIGATOR))


@login_required
@require_GET
def country_list(request: HttpRequest) -> HttpResponse:
    countries = list(
        selectors.countries_for_user(user=request.user).annotate(agency_count=Count("agencies"))
    )
    members = sorted(
        (c for c in countries if c.asean_joined is not None),
        key=lambda c: (c.asean_joined, c.name),
    )
    guests = [c for c in countries if c.is_guest]
    others = [c for c in countries if c.asean_joined is None and not c.is_guest]
    context = {"members": members, "guests": guests, "others": others}
    return render(request, "network/country_list.html", context)


@login_required
@require_GET
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = selectors.country_get_for_user(user=request.user, code=code)
    agencies = list(
        selectors.agencies_for_user(user=request.user)
        .filter(country=country)
        .annotate(people_count=Count("people"))
    )
    context: dict[str, Any] = {
        "country": country,
        "agencies": agencies,
        "shows_people": False,
    }
    if _reaches_people_of(request.user, country):
        people = selectors.people_for_user(user=request.user).filter(country=country)
        context.update(
            shows_people=True,
            people=list(people[:PEOPLE_PREVIEW]),
            people_total=people.count(),
        )
    return render(request, "network/country_detail.html", context)


@login_required
@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    form = AgencyFilterForm(request.GET, countries=selectors.countries_for_user(user=request.user))
    agencies = form.apply(selectors.agencies_for_user(user=request.user))
    context = {"form": form, "page": _page(request, agencies)}
    return _render_list(
        request, "network/agency_list.html", "network/agency_list_results.html", context
    )


@login_required
@require_GET
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_get_for_user(user=request.user, pk=pk)
    people = selectors.people_for_user(user=request.user).filter(agency=agency)
    context = {
        "agency": agency,
        "people": list(people[:PEOPLE_PREVIEW]),
        "people_total": people.count(),
        "reaches_people": _reaches_people_of(request.user, agency.country),
    }
    return render(request, "network/agency_detail.html", context)


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    countries = _people_countries(user)
    # The agency filter lists the agencies of the chosen country, or of the user's one country.
    agencies = selectors.agencies_for_user(user=user)
    code = str(request.GET.get("country") or "").strip().upper()
    reach = access.countries(user, Role.FOCAL_POINT, Role.INVESTIGATOR)
    if code:
        agencies = agencies.filter(country__code=code)
    elif not access.is_staff(user) and len(reach) == 1:
        agencies = agencies.filter(country_id__in=reach)
    else:
        agencies = agencies.none()
    data: QueryDict = request.GET.copy()
    # `agency_country` is the country the agency choices were listed for: when the country
    # changed since, the agency chosen before no longer applies, and htmx gets fresh choices.
    country_changed = "agency_country" in data and str(data.get("agency_country")).upper() != code
    if country_changed:
        data.pop("agency", None)
    form = PersonFilterForm(data, countries=countries, agencies=agencies)
    people = form.apply(selectors.people_for_user(user=user))
    context = {
        "form": form,
        "page": _page(request, people),
        "agency_country": code,
        "swap_agency_choices": country_changed,
    }
    return _render_list(
        request, "network/person_list.html", "network/person_list_results.html", context
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    return render(request, "network/person_detail.html", {"person": person})


@login_required
@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = list(selectors.topics_for_user(user=request.user))
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    known = {topic.pk for topic in topics}

    def branch(parent: int | None) -> list[dict[str, Any]]:
        return [{"topic": t, "children": branch(t.pk)} for t in children.get(parent, [])]

    # Roots are topics without a parent, or whose parent is retired (so nothing is lost).
    roots = [t for t in topics if t.parent_id is None or t.parent_id not in known]
    tree = [{"topic": t, "children": branch(t.pk)} for t in roots]
    return render(request, "network/topic_list.html", {"tree": tree, "topic_count": len(topics)})
