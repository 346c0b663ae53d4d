"""Countries, agencies and topics over the API, for each persona; pagination; no N+1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.tokens import token_authenticate
from tests.factories import AgencyFactory, CountryFactory, TopicFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found.", "code": "not_found", "errors": []}
NOT_AUTHENTICATED = {
    "detail": "Authentication required: send a valid API token.",
    "code": "not_authenticated",
    "errors": [],
}
PERSONAS = [("staff", False), ("focal_point", True), ("learner", False), ("investigator", True)]


@pytest.fixture
def persona(request: Any, api_client_for: Callable[..., Client], thailand: Any) -> Client:
    role, scoped = request.param
    return api_client_for(role, thailand if scoped else None)


def test_anonymous_gets_401_everywhere(client: Client, thailand: Any) -> None:
    agency = AgencyFactory(country=thailand)
    topic = TopicFactory()
    for url in (
        "/api/v1/countries",
        "/api/v1/countries/TH",
        "/api/v1/agencies",
        f"/api/v1/agencies/{agency.pk}",
        "/api/v1/topics",
        f"/api/v1/topics/{topic.key}",
        "/api/v1/me",
    ):
        response = client.get(url)
        assert (url, response.status_code, response.json()) == (url, 401, NOT_AUTHENTICATED)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_every_signed_in_persona_reads_the_reference_data(
    persona: Client, thailand: Any, vietnam: Any
) -> None:
    thai_unit = AgencyFactory(country=thailand, name="Thai CCIB", acronym="CCIB")
    viet_unit = AgencyFactory(country=vietnam, name="A05", kind="ministry")
    root = TopicFactory(key="forensics", name="Digital forensics", position=1)
    TopicFactory(key="mobile", name="Mobile forensics", parent=root, position=2)
    TopicFactory(key="old", retired=True)

    countries = persona.get("/api/v1/countries").json()
    assert countries["count"] == 2
    assert [c["code"] for c in countries["items"]] == ["TH", "VN"]
    assert persona.get("/api/v1/countries/th").json()["name"] == "Thailand"

    agencies = persona.get("/api/v1/agencies").json()
    assert [a["id"] for a in agencies["items"]] == [thai_unit.pk, viet_unit.pk]
    assert persona.get(f"/api/v1/agencies/{viet_unit.pk}").json() == {
        "id": viet_unit.pk,
        "name": "A05",
        "acronym": "",
        "kind": "ministry",
        "country": "VN",
        "website": "",
    }

    topics = persona.get("/api/v1/topics").json()
    assert [(t["key"], t["parent"]) for t in topics["items"]] == [
        ("forensics", None),
        ("mobile", "forensics"),
    ]
    assert persona.get("/api/v1/topics/old").status_code == 404


def test_a_country_has_its_fields(api_client_for: Callable[..., Client]) -> None:
    import datetime as dt

    CountryFactory(
        code="TL",
        name="Timor-Leste",
        official_name="Democratic Republic of Timor-Leste",
        asean_joined=dt.date(2025, 10, 26),
        region="South-East Asia",
        time_zone="Asia/Dili",
    )
    response = api_client_for("learner").get("/api/v1/countries/TL")
    assert response.status_code == 200
    assert response.json() == {
        "code": "TL",
        "name": "Timor-Leste",
        "official_name": "Democratic Republic of Timor-Leste",
        "asean_member": True,
        "asean_joined": "2025-10-26",
        "is_guest": False,
        "region": "South-East Asia",
        "time_zone": "Asia/Dili",
    }


def test_agencies_filter_by_country_and_kind(
    api_client_for: Callable[..., Client], thailand: Any, vietnam: Any
) -> None:
    police = AgencyFactory(country=thailand, name="Police", kind="police_cyber_unit")
    cert = AgencyFactory(country=thailand, name="ThaiCERT", kind="cert")
    AgencyFactory(country=vietnam, name="VNCERT", kind="cert")
    client = api_client_for("focal_point", thailand)

    def ids(query: str) -> list[int]:
        return [a["id"] for a in client.get(f"/api/v1/agencies?{query}").json()["items"]]

    assert ids("country=th") == [police.pk, cert.pk]
    assert ids("country=TH&kind=cert") == [cert.pk]
    assert ids("country=SG") == []
    response = client.get("/api/v1/agencies?kind=bakery")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "kind"]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/countries/XX", "/api/v1/agencies/999999", "/api/v1/topics/nothing", "/api/v1/nope"],
)
def test_missing_objects_are_404_with_the_error_body(
    api_client_for: Callable[..., Client], url: str
) -> None:
    response = api_client_for("staff").get(url)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("url", "loc"),
    [
        ("/api/v1/countries?page_size=abc", ["query", "page_size"]),
        ("/api/v1/countries?page_size=101", ["query", "page_size"]),
        ("/api/v1/topics?page=0", ["query", "page"]),
        ("/api/v1/countries/THA", ["path", "code"]),
        ("/api/v1/agencies/abc", ["path", "id"]),
        ("/api/v1/agencies/0", ["path", "id"]),
        ("/api/v1/agencies/99999999999999999999", ["path", "id"]),
        ("/api/v1/agencies?country=T1", ["query", "country"]),
        ("/api/v1/topics/a%20b", ["path", "key"]),
    ],
)
def test_invalid_input_is_422_with_the_error_body(
    api_client_for: Callable[..., Client], url: str, loc: list[str]
) -> None:
    response = api_client_for("learner").get(url)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request is not valid: see errors."
    assert body["code"] == "invalid"
    assert [error["loc"] for error in body["errors"]] == [loc]
    assert body["errors"][0]["msg"]


def test_pagination(api_client_for: Callable[..., Client]) -> None:
    for n in range(5):
        TopicFactory(key=f"t{n}", position=n)
    client = api_client_for("learner")

    first = client.get("/api/v1/topics?page_size=2").json()
    assert (first["count"], first["page"], first["pages"]) == (5, 1, 3)
    assert [t["key"] for t in first["items"]] == ["t0", "t1"]
    last = client.get("/api/v1/topics?page_size=2&page=3").json()
    assert [t["key"] for t in last["items"]] == ["t4"]
    beyond = client.get("/api/v1/topics?page_size=2&page=4").json()
    assert (beyond["count"], beyond["page"], beyond["pages"], beyond["items"]) == (5, 4, 3, [])
    default = client.get("/api/v1/topics").json()
    assert (default["pages"], len(default["items"])) == (1, 5)


def test_an_empty_list_has_no_pages(api_client_for: Callable[..., Client]) -> None:
    assert api_client_for("learner").get("/api/v1/topics").json() == {
        "count": 0,
        "page": 1,
        "pages": 0,
        "items": [],
    }


def _warm(client: Client) -> None:
    """A first request stamps the token's last use; later ones within a minute do not."""
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("items", [1, 3])
@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/countries", lambda n: CountryFactory.create_batch(n)),
        ("/api/v1/agencies", lambda n: AgencyFactory.create_batch(n)),
        (
            "/api/v1/topics",
            lambda n: [TopicFactory(parent=TopicFactory()) for _ in range(n)],
        ),
    ],
)
def test_lists_take_a_fixed_number_of_queries(
    api_client_for: Callable[..., Client],
    django_assert_num_queries: Any,
    url: str,
    make: Callable[[int], Any],
    items: int,
) -> None:
    make(items)
    client = api_client_for("focal_point", CountryFactory(code="TH"))
    _warm(client)
    # The token (with its user), the count, the page.
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.json()["items"]) >= items


def test_token_lookup_is_one_query(
    make_user: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    from cybercap.accounts.tokens import token_create

    _token, raw = token_create(user=make_user("learner"), name="x")
    token_authenticate(raw)
    with django_assert_num_queries(1):
        assert token_authenticate(raw) is not None
