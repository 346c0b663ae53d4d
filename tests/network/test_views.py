"""The pages of the shared vocabulary: scoping, filters, htmx partials and query counts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.models import Role
from cybercap.network.models import AgencyKind, Gender
from tests.factories import AgencyFactory, CountryFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _names(response: Any, pattern: str = r'href="/network/people/\d+/">([^<]+)<') -> list[str]:
    return re.findall(pattern, response.content.decode())


@pytest.fixture
def people(thailand: Any, vietnam: Any) -> dict[str, Any]:
    th_police = AgencyFactory(name="Technology Crime Suppression Division", country=thailand)
    th_dsi = AgencyFactory(
        name="Department of Special Investigation", country=thailand, kind=AgencyKind.MINISTRY
    )
    vn_police = AgencyFactory(name="Cyber Security Department", country=vietnam)
    return {
        "somchai": PersonFactory(full_name="Somchai Prasert", agency=th_police, gender=Gender.MALE),
        "malee": PersonFactory(full_name="Malee Chaiyo", agency=th_dsi, gender=Gender.FEMALE),
        "lan": PersonFactory(full_name="Nguyen Thi Lan", agency=vn_police, gender=Gender.FEMALE),
        "th_police": th_police,
        "th_dsi": th_dsi,
        "vn_police": vn_police,
    }


# --- people: scope ---------------------------------------------------------------------------


def test_a_thai_focal_point_sees_only_thai_people(
    client_for: Callable[..., Client], thailand: Any, people: dict[str, Any]
) -> None:
    client = client_for(Role.FOCAL_POINT, thailand)
    response = client.get("/network/people/")
    assert response.status_code == 200
    assert _names(response) == ["Malee Chaiyo", "Somchai Prasert"]


def test_a_thai_focal_point_gets_404_for_a_vietnamese_person(
    client_for: Callable[..., Client], thailand: Any, people: dict[str, Any]
) -> None:
    client = client_for(Role.FOCAL_POINT, thailand)
    assert client.get(f"/network/people/{people['lan'].pk}/").status_code == 404
    response = client.get(f"/network/people/{people['somchai'].pk}/")
    assert response.status_code == 200
    assert response.context["person"] == people["somchai"]


def test_staff_see_everyone(client_for: Callable[..., Client], people: dict[str, Any]) -> None:
    response = client_for(Role.STAFF).get("/network/people/")
    assert _names(response) == ["Malee Chaiyo", "Nguyen Thi Lan", "Somchai Prasert"]


def test_a_learner_sees_only_their_own_record(
    make_user: Callable[..., Any], people: dict[str, Any]
) -> None:
    user = make_user(Role.LEARNER)
    people["lan"].user = user
    people["lan"].save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    assert _names(client.get("/network/people/")) == ["Nguyen Thi Lan"]
    assert client.get(f"/network/people/{people['somchai'].pk}/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: Client, people: dict[str, Any]) -> None:
    response = client.get("/network/people/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/network/people/"


# --- people: filters and htmx ----------------------------------------------------------------


def test_people_filter_by_search_gender_country_and_agency(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    client = client_for(Role.STAFF)
    assert _names(client.get("/network/people/?q=malee")) == ["Malee Chaiyo"]
    assert _names(client.get("/network/people/?gender=female")) == [
        "Malee Chaiyo",
        "Nguyen Thi Lan",
    ]
    assert _names(client.get("/network/people/?country=VN")) == ["Nguyen Thi Lan"]
    agency = people["th_police"].pk
    response = client.get(f"/network/people/?country=TH&agency_country=TH&agency={agency}")
    assert _names(response) == ["Somchai Prasert"]


def test_the_filter_form_keeps_what_the_user_typed(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    response = client_for(Role.STAFF).get("/network/people/?q=Chai&gender=female")
    html = response.content.decode()
    assert 'name="q" value="Chai"' in html
    assert '<option value="female" selected>' in html
    assert _names(response) == ["Malee Chaiyo"]


def test_agency_choices_follow_the_chosen_country(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    client = client_for(Role.STAFF)
    form = client.get("/network/people/?country=TH").context["form"]
    assert list(form.fields["agency"].queryset) == [people["th_dsi"], people["th_police"]]
    form = client.get("/network/people/").context["form"]
    assert list(form.fields["agency"].queryset) == []


def test_changing_country_drops_the_agency_of_the_old_country(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    client = client_for(Role.STAFF)
    agency = people["th_police"].pk
    response = client.get(f"/network/people/?country=VN&agency_country=TH&agency={agency}")
    assert _names(response) == ["Nguyen Thi Lan"]
    assert response.context["form"].errors == {}


def test_an_htmx_request_gets_the_results_partial_only(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    client = client_for(Role.STAFF)
    response = client.get("/network/people/?q=lan", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates] == [
        "network/person_list_results.html",
        "components/pagination.html",
    ]
    assert "<html" not in html
    assert _names(response) == ["Nguyen Thi Lan"]
    assert "HX-Request" in response["Vary"]


def test_an_htmx_request_after_a_country_change_swaps_the_agency_choices(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    client = client_for(Role.STAFF)
    response = client.get(
        "/network/people/?country=TH&agency_country=", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="agency-filter" class="field-slot" hx-swap-oob="true"' in html
    assert f'<option value="{people["th_police"].pk}">' in html
    same = client.get(
        "/network/people/?country=TH&agency_country=TH", headers={"HX-Request": "true"}
    )
    assert "hx-swap-oob" not in same.content.decode()


def test_a_history_restore_gets_the_whole_page(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    response = client_for(Role.STAFF).get(
        "/network/people/",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert response.templates[0].name == "network/person_list.html"


def test_people_are_paginated(client_for: Callable[..., Client], thailand: Any) -> None:
    agency = AgencyFactory(country=thailand)
    for n in range(30):
        PersonFactory(full_name=f"Officer {n:02d}", agency=agency)
    client = client_for(Role.STAFF)
    first = client.get("/network/people/?gender=")
    assert len(_names(first)) == 25
    assert 'href="?gender=&amp;page=2" rel="next"' in first.content.decode()
    second = client.get("/network/people/?gender=&page=2")
    assert _names(second) == [f"Officer {n:02d}" for n in range(25, 30)]


# --- agencies --------------------------------------------------------------------------------


def test_agencies_filter_by_country_kind_and_search(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    client = client_for(Role.LEARNER)
    pattern = r'href="/network/agencies/\d+/">([^<]+)<'
    assert _names(client.get("/network/agencies/?country=TH"), pattern) == [
        "Department of Special Investigation",
        "Technology Crime Suppression Division",
    ]
    assert _names(client.get("/network/agencies/?kind=ministry"), pattern) == [
        "Department of Special Investigation"
    ]
    assert _names(client.get("/network/agencies/?q=cyber"), pattern) == [
        "Cyber Security Department"
    ]
    partial = client.get("/network/agencies/?q=cyber", headers={"HX-Request": "true"})
    assert partial.templates[0].name == "network/agency_list_results.html"


def test_agency_detail_lists_only_the_people_in_scope(
    client_for: Callable[..., Client], vietnam: Any, people: dict[str, Any]
) -> None:
    th = people["th_police"].pk
    response = client_for(Role.FOCAL_POINT, vietnam).get(f"/network/agencies/{th}/")
    assert response.status_code == 200
    assert response.context["people"] == []
    assert "Your role does not give you access to the people of this agency." in (
        response.content.decode()
    )
    staff = client_for(Role.STAFF).get(f"/network/agencies/{th}/")
    assert staff.context["people"] == [people["somchai"]]


def test_an_unknown_agency_is_404(client_for: Callable[..., Client]) -> None:
    assert client_for(Role.STAFF).get("/network/agencies/999999/").status_code == 404


# --- countries -------------------------------------------------------------------------------


def test_countries_list_members_with_join_dates_and_guests_apart(
    client_for: Callable[..., Client],
) -> None:
    CountryFactory(code="TL", name="Timor-Leste", asean_joined=dt.date(2025, 10, 26))
    CountryFactory(code="TH", name="Thailand", asean_joined=dt.date(1967, 8, 8))
    CountryFactory(code="JP", name="Japan", is_guest=True)
    response = client_for(Role.LEARNER).get("/network/countries/")
    assert [c.code for c in response.context["members"]] == ["TH", "TL"]
    assert [c.code for c in response.context["guests"]] == ["JP"]
    html = response.content.decode()
    assert "<td>8 August 1967</td>" in html
    assert "<td>26 October 2025</td>" in html


def test_country_detail_shows_people_only_within_scope(
    client_for: Callable[..., Client], thailand: Any, vietnam: Any, people: dict[str, Any]
) -> None:
    own = client_for(Role.FOCAL_POINT, thailand).get("/network/countries/th/")
    assert own.status_code == 200
    assert own.context["shows_people"] is True
    assert own.context["people"] == [people["malee"], people["somchai"]]
    other = client_for(Role.FOCAL_POINT, thailand).get("/network/countries/VN/")
    assert other.context["shows_people"] is False
    assert [a.name for a in other.context["agencies"]] == ["Cyber Security Department"]
    assert "Nguyen Thi Lan" not in other.content.decode()


def test_an_unknown_country_is_404(client_for: Callable[..., Client]) -> None:
    assert client_for(Role.STAFF).get("/network/countries/ZZ/").status_code == 404


# --- topics ----------------------------------------------------------------------------------


def test_topics_form_a_tree_without_retired_topics(client_for: Callable[..., Client]) -> None:
    forensics = TopicFactory(key="digital-forensics", name="Digital forensics", position=1)
    TopicFactory(key="mobile-forensics", name="Mobile forensics", parent=forensics)
    TopicFactory(key="old", name="Retired topic", retired=True)
    TopicFactory(key="legislation", name="Legislation", position=2)
    response = client_for(Role.LEARNER).get("/network/topics/")
    tree = response.context["tree"]
    assert [node["topic"].key for node in tree] == ["digital-forensics", "legislation"]
    assert [child["topic"].key for child in tree[0]["children"]] == ["mobile-forensics"]
    assert "Retired topic" not in response.content.decode()


# --- query counts: the same with 1 and with 3 rows --------------------------------------------


def _rows(n: int, country: Any) -> tuple[Any, Any]:
    """n agencies with one person each, and n topics (with one child each)."""
    for i in range(n):
        agency = AgencyFactory(country=country, name=f"Agency {i}")
        person = PersonFactory(agency=agency, full_name=f"Officer {i}")
        TopicFactory(parent=TopicFactory())
    return agency, person


# Queries per page (staff, focal point): session, user, verified device (staff only), role
# grants, then the page's own reads. The same whatever the number of rows (1 and 3).
PAGES = {
    "/network/countries/": (4, 3),
    "/network/countries/TH/": (7, 6),
    "/network/agencies/": (6, 5),
    "/network/agencies/?country=TH&kind=police_cyber_unit&q=Agency": (7, 6),
    "/network/agencies/{agency}/": (6, 5),
    # A focal point's agency filter lists the agencies of their one country.
    "/network/people/": (6, 6),
    "/network/people/?country=TH&agency_country=TH&q=Officer": (8, 7),
    "/network/people/{person}/": (4, 3),
    "/network/topics/": (4, 3),
}


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("url", list(PAGES))
@pytest.mark.parametrize("role", [Role.STAFF, Role.FOCAL_POINT])
def test_query_count_does_not_grow_with_rows(
    url: str,
    role: str,
    rows: int,
    client_for: Callable[..., Client],
    thailand: Any,
    django_assert_num_queries: Any,
) -> None:
    agency, person = _rows(rows, thailand)
    client = client_for(role, thailand if role == Role.FOCAL_POINT else None)
    target = url.format(agency=agency.pk, person=person.pk)
    client.get(target)  # the first request also reads the demo-data flag into the cache
    expected = PAGES[url][0 if role == Role.STAFF else 1]
    with django_assert_num_queries(expected):
        response = client.get(target)
    assert response.status_code == 200


def test_an_invalid_filter_is_named_and_not_applied(
    client_for: Callable[..., Client], people: dict[str, Any]
) -> None:
    response = client_for(Role.STAFF).get("/network/people/?gender=robot&q=Nguyen&page=x")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "gender": ["Select a valid choice. robot is not one of the available choices."]
    }
    assert _names(response) == ["Nguyen Thi Lan"]
    assert 'id="id_gender_error0"' in response.content.decode()
