"""Who sees which case, on the web and in the API, for every role; and the list's queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cybercap.accounts.tokens import token_create
from cybercap.core.models import AuditEntry
from cybercap.evidence import services
from cybercap.evidence.models import Case
from cybercap.evidence.services import EvidenceError
from tests.conftest import login
from tests.evidence.test_register_support import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user: Callable[..., Any], thailand: Any, vietnam: Any) -> dict[str, Any]:
    users = {
        "staff": make_user("staff"),
        "inv_th_owner": make_user("investigator", thailand),
        "inv_th_named": make_user("investigator", thailand),
        "inv_th_other": make_user("investigator", thailand),
        "inv_vn": make_user("investigator", vietnam),
        "trainer_named": make_user("trainer"),
        "trainer_owner": make_user("trainer"),
        "trainer_other": make_user("trainer"),
        "reviewer": make_user("reviewer"),
        "focal_th": make_user("focal_point", thailand),
        "learner": make_user("learner"),
    }
    th_case, _ = make_case(
        users["inv_th_owner"],
        thailand,
        "TRAIN-TH-01",
        members=(users["inv_th_named"], users["trainer_named"]),
    )
    # Named on the Thai case behind the service's back: the country still keeps them out.
    th_case.members.add(users["inv_vn"])
    vn_case, _ = make_case(users["trainer_owner"], vietnam, "EXER-VN-01")
    return {"users": users, "th": th_case, "vn": vn_case}


VISIBLE = {
    "staff": ["EXER-VN-01", "TRAIN-TH-01"],
    "inv_th_owner": ["TRAIN-TH-01"],
    "inv_th_named": ["TRAIN-TH-01"],
    "inv_th_other": [],
    "inv_vn": [],
    "trainer_named": ["TRAIN-TH-01"],
    "trainer_owner": ["EXER-VN-01"],
    "trainer_other": [],
}
NOT_USERS = ["reviewer", "focal_th", "learner"]


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_each_user_of_the_register_sees_their_cases_on_the_web(
    world: dict[str, Any], persona: str
) -> None:
    client = login(Client(), world["users"][persona])
    response = client.get("/evidence/")
    assert response.status_code == 200
    assert sorted(case.reference for case in response.context["cases"]) == VISIBLE[persona]
    assert "Training and exercise cases only." in response.content.decode()
    for name in ("th", "vn"):
        case = world[name]
        expected = 200 if case.reference in VISIBLE[persona] else 404
        assert client.get(f"/evidence/{case.pk}/").status_code == expected


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_each_user_of_the_register_sees_their_cases_in_the_api(
    world: dict[str, Any], persona: str
) -> None:
    _, token = token_create(user=world["users"][persona], name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = client.get("/api/v1/evidence/cases").json()
    assert sorted(item["reference"] for item in body["items"]) == VISIBLE[persona]
    assert body["count"] == len(VISIBLE[persona])
    for name in ("th", "vn"):
        case = world[name]
        response = client.get(f"/api/v1/evidence/cases/{case.pk}")
        if case.reference in VISIBLE[persona]:
            assert (response.status_code, response.json()["reference"]) == (200, case.reference)
        else:
            assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("persona", NOT_USERS)
def test_other_roles_see_nothing(world: dict[str, Any], persona: str) -> None:
    client = login(Client(), world["users"][persona])
    assert client.get("/evidence/").status_code == 403
    assert client.get(f"/evidence/{world['th'].pk}/").status_code == 403
    _, token = token_create(user=world["users"][persona], name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.get("/api/v1/evidence/cases")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert api.get(f"/api/v1/evidence/cases/{world['th'].pk}").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(world: dict[str, Any]) -> None:
    response = Client().get("/evidence/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/evidence/",
    )
    assert Client().get("/api/v1/evidence/cases").status_code == 401


def test_an_investigator_opens_cases_only_in_their_country(
    world: dict[str, Any], vietnam: Any
) -> None:
    with pytest.raises(EvidenceError) as caught:
        services.case_create(
            by=world["users"]["inv_th_owner"],
            reference="TRAIN-VN-09",
            title="Elsewhere",
            kind="training",
            country=vietnam,
        )
    assert caught.value.message_dict == {
        "country": ["You may open cases only in your own country."]
    }


def test_only_trainers_and_the_countrys_investigators_may_be_named(
    world: dict[str, Any],
) -> None:
    users = world["users"]
    with pytest.raises(EvidenceError) as caught:
        services.case_members_set(
            by=users["inv_th_owner"], case=world["th"], members=[users["inv_vn"]]
        )
    assert list(caught.value.message_dict) == ["members"]
    with pytest.raises(EvidenceError):
        services.case_members_set(
            by=users["inv_th_owner"], case=world["th"], members=[users["focal_th"]]
        )


def test_a_named_investigator_may_not_rename_the_case_members(world: dict[str, Any]) -> None:
    client = login(Client(), world["users"]["inv_th_named"])
    response = client.post(f"/evidence/{world['th'].pk}/members/", {"members": []})
    assert response.status_code == 403
    assert world["th"].members.count() == 3


def test_the_owner_opens_a_case_on_the_web(make_user: Callable[..., Any], thailand: Any) -> None:
    owner = make_user("investigator", thailand)
    trainer = make_user("trainer")
    client = login(Client(), owner)
    response = client.post(
        "/evidence/new/",
        {
            "reference": "TRAIN-TH-2026-07",
            "title": "Phone seizure drill",
            "kind": "exercise",
            "country": thailand.pk,
            "members": [trainer.pk],
            "training_only": "on",
        },
    )
    case = owner.evidence_cases_owned.get()
    assert response["Location"] == f"/evidence/{case.pk}/"
    assert (case.reference, case.kind, list(case.members.all())) == (
        "TRAIN-TH-2026-07",
        "exercise",
        [trainer],
    )
    members_audit = AuditEntry.objects.get(model="evidence.Case", changes__has_key="members")
    assert (members_audit.actor_id, members_audit.changes) == (
        owner.pk,
        {"members": [[], [trainer.username]]},
    )
    response = client.post(f"/evidence/{case.pk}/exhibits/", {"number": "EX-01"})
    exhibit = case.exhibits.get()
    assert response["Location"] == f"/evidence/{case.pk}/exhibits/{exhibit.pk}/"
    response = client.post(f"/evidence/{case.pk}/exhibits/", {"number": "EX-01"})
    assert response.status_code == 422
    assert response.context["exhibit_form"].errors == {
        "number": ["This case already has an exhibit with this ID."]
    }


def test_a_case_must_be_declared_a_training_or_exercise_case(
    make_user: Callable[..., Any], thailand: Any
) -> None:
    client = login(Client(), make_user("investigator", thailand))
    response = client.post(
        "/evidence/new/",
        {"reference": "REAL-1", "title": "A real case", "kind": "training", "country": thailand.pk},
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["training_only"]
    assert not Case.objects.exists()


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/evidence/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["staff", "investigator", "trainer"])
def test_the_list_page_costs_the_same_queries_for_one_case_or_three(
    make_user: Callable[..., Any], thailand: Any, role: str
) -> None:
    user = make_user(role, thailand if role == "investigator" else None)
    owner = user if role != "staff" else make_user("investigator", thailand)
    client = login(Client(), user)
    make_case(owner, thailand, "TRAIN-TH-01")
    _list_queries(client)  # warm the session cache
    one = _list_queries(client)
    for number in (2, 3):
        case, _ = make_case(owner, thailand, f"TRAIN-TH-0{number}")
        services.exhibit_create(by=owner, case=case, number="EX-02")
    three = _list_queries(client)
    assert one == three
    assert three <= 8
