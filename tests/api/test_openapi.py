"""The OpenAPI document is honest: every operation lists every status it can answer with."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/Error"}

# Operations anyone may call without a token: (path, method) -> the statuses they declare.
PUBLIC = {
    # No 401/403 (no authentication); 429 when an address looked up too many unknown codes.
    ("/api/v1/certificates/verify/{code}", "get"): {"200", "404", "422", "429"},
}


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_it_lists_the_operations(document: dict[str, Any]) -> None:
    assert sorted((path, method) for path, method, _op in _operations(document)) == [
        ("/api/v1/activities", "get"),
        ("/api/v1/activities/{id}", "get"),
        ("/api/v1/activities/{id}/sessions", "get"),
        ("/api/v1/agencies", "get"),
        ("/api/v1/agencies/{id}", "get"),
        ("/api/v1/certificates/mine", "get"),
        ("/api/v1/certificates/verify/{code}", "get"),
        ("/api/v1/countries", "get"),
        ("/api/v1/countries/{code}", "get"),
        ("/api/v1/courses", "get"),
        ("/api/v1/courses/{key}", "get"),
        ("/api/v1/learn/progress", "get"),
        ("/api/v1/me", "get"),
        ("/api/v1/reviews", "get"),
        ("/api/v1/reviews/{id}", "get"),
        ("/api/v1/reviews/{id}/answers", "get"),
        ("/api/v1/reviews/{id}/answers/{code}", "put"),
        ("/api/v1/reviews/{id}/gaps", "get"),
        ("/api/v1/reviews/{id}/recommendations", "get"),
        ("/api/v1/reviews/{id}/scores", "get"),
        ("/api/v1/topics", "get"),
        ("/api/v1/topics/{key}", "get"),
    ]


def test_every_operation_declares_each_status_it_can_give(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        parameters = operation.get("parameters", [])
        expected = {"200", "401", "403"}
        if any(p["in"] == "path" for p in parameters):
            expected.add("404")
        if parameters or "requestBody" in operation:
            expected.add("422")
        expected = PUBLIC.get((path, method), expected)
        assert (path, method, set(operation["responses"])) == (path, method, expected)
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert (path, status, schema) == (path, status, ERROR_REF)


def test_every_operation_requires_a_token_or_a_session(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        if (path, method) in PUBLIC:
            assert "security" not in operation
            continue
        assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"


def test_the_error_body_is_documented(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code", "errors"}
    assert set(error["required"]) == {"detail", "code"}


def test_lists_are_paginated_with_a_bounded_page_size(document: dict[str, Any]) -> None:
    for path in ("/api/v1/countries", "/api/v1/agencies", "/api/v1/topics"):
        parameters = {p["name"]: p["schema"] for p in document["paths"][path]["get"]["parameters"]}
        assert parameters["page_size"]["maximum"] == 100
        assert parameters["page_size"]["minimum"] == 1
        assert parameters["page"]["minimum"] == 1
        ref = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        page = document["components"]["schemas"][ref["schema"]["$ref"].rsplit("/", 1)[1]]
        assert set(page["required"]) == {"count", "page", "pages", "items"}
