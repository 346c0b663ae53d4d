"""Schemathesis fuzzes every operation of /api/v1/ with every one of its checks.

It loads the OpenAPI document from the application itself (WSGI, in this process, against the
test database) and sends each generated request with a real API token of a focal point. It
must find no server error, no response outside the document and no wrongly accepted or
rejected input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import CHECKS, load_all_checks

from cybercap.accounts.tokens import token_create
from tests.api.conftest import bearer
from tests.factories import AgencyFactory, CountryFactory, RoleFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())


@pytest.fixture
def demo_token(db: Any) -> str:
    thailand = CountryFactory(code="TH", name="Thailand")
    vietnam = CountryFactory(code="VN", name="Viet Nam")
    for country in (thailand, vietnam):
        AgencyFactory.create_batch(3, country=country)
    parent = TopicFactory(key="digital-forensics", name="Digital forensics")
    TopicFactory(key="mobile-forensics", name="Mobile forensics", parent=parent)
    TopicFactory(key="retired-topic", retired=True)
    user = UserFactory(username="fp-thailand", is_demo=True)
    RoleFactory(user=user, role="focal_point", country=thailand)
    _token, raw = token_create(user=user, name="fuzz")
    return raw


@pytest.fixture(autouse=True)
def _in_process(settings: Any) -> Iterator[None]:
    settings.ALLOWED_HOSTS = ["localhost"]
    # As Django's test client does: a request must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The document is read from the application, as any client reads it. (A lazy fixture-based
# schema would be nicer, but schemathesis' `from_fixture` does not work with pytest 9.)
with override_settings(ALLOWED_HOSTS=["localhost"], SECURE_SSL_REDIRECT=False):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


def test_every_registered_check_runs() -> None:
    names = {check.__name__ for check in ALL_CHECKS}
    assert names == {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
        "allow_header_conformance",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
        "object_level_authorization",
    }


@schema.parametrize()
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_document(case: Any, demo_token: str) -> None:
    case.call_and_validate(headers=bearer(demo_token), checks=ALL_CHECKS)
