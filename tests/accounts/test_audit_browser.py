"""The audit log browser: filters, paging, time zone, changes, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cybercap.accounts.models import User
from cybercap.core.models import AuditEntry
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _staff(client_for: Callable[..., Client], **kwargs: Any) -> tuple[Client, User]:
    client = client_for("staff", username="auditor", **kwargs)
    return client, User.objects.get(username="auditor")


def _entry(**fields: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "actor_label": "system",
        "action": "update",
        "model": "network.Topic",
        "object_id": "1",
        "object_repr": "Topic",
        "changes": {},
    }
    values.update(fields)
    return AuditEntry.objects.create(**values)


def _ids(response: Any) -> list[int]:
    return [entry.pk for entry, _changes in response.context["rows"]]


def test_newest_first_with_who_when_what_and_the_changes(
    client_for: Callable[..., Client],
) -> None:
    client, auditor = _staff(client_for, time_zone="Asia/Yangon")
    older = _entry(at=dt.datetime(2026, 3, 1, 1, 0, tzinfo=UTC), object_id="7")
    newer = _entry(
        at=dt.datetime(2026, 3, 2, 23, 45, tzinfo=UTC),
        actor=auditor,
        actor_label="auditor",
        object_id="8",
        object_repr="Ransomware",
        changes={"name": ["Ransom", "Ransomware"], "retired": [False, True]},
    )
    response = client.get("/audit/?model=network.Topic")
    assert response.status_code == 200
    assert _ids(response) == [newer.pk, older.pk]
    _entry_row, changes = response.context["rows"][0]
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("name", "Ransom", "Ransomware"),
        ("retired", False, True),
    ]
    html = response.content.decode()
    # 23:45 UTC on 2 March is 06:15 on 3 March in Yangon (UTC+6:30).
    assert '<time datetime="2026-03-03T06:15:00+06:30">2026-03-03 06:15:00</time>' in html
    assert "<code>name</code>: Ransom → Ransomware" in html
    assert "Test " in html and "(auditor)" in html
    assert "network.Topic #8<br>Ransomware" in html


def test_it_filters_by_actor_model_action_object_and_dates(
    client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    client, _auditor = _staff(client_for)
    somchai = make_user("learner", username="somchai", first_name="Somchai")
    AuditEntry.objects.all().delete()
    a = _entry(at=dt.datetime(2026, 1, 10, 12, tzinfo=UTC), actor=somchai, actor_label="somchai")
    b = _entry(at=dt.datetime(2026, 1, 20, 12, tzinfo=UTC), action="create", object_id="2")
    c = _entry(
        at=dt.datetime(2026, 2, 5, 12, tzinfo=UTC),
        model="accounts.User",
        object_id=str(somchai.pk),
        action="login",
        actor=somchai,
        actor_label="somchai",
    )

    assert _ids(client.get("/audit/?actor=somch")) == [c.pk, a.pk]
    assert _ids(client.get("/audit/?actor=Somchai")) == [c.pk, a.pk]
    assert _ids(client.get("/audit/?model=network.Topic")) == [b.pk, a.pk]
    assert _ids(client.get("/audit/?action=create")) == [b.pk]
    assert _ids(client.get("/audit/?model=network.Topic&object_id=2")) == [b.pk]
    assert _ids(client.get("/audit/?date_from=2026-01-15")) == [c.pk, b.pk]
    assert _ids(client.get("/audit/?date_to=2026-01-20")) == [b.pk, a.pk]
    assert _ids(client.get("/audit/?date_from=2026-01-11&date_to=2026-02-04")) == [b.pk]


def test_dates_are_read_in_the_viewers_time_zone(client_for: Callable[..., Client]) -> None:
    client, _auditor = _staff(client_for, time_zone="Asia/Jayapura")  # UTC+9
    AuditEntry.objects.all().delete()
    late = _entry(at=dt.datetime(2026, 1, 10, 20, tzinfo=UTC))  # 11 January, 05:00 in Jayapura
    assert _ids(client.get("/audit/?date_from=2026-01-11&date_to=2026-01-11")) == [late.pk]
    assert _ids(client.get("/audit/?date_to=2026-01-10")) == []


def test_invalid_filters_show_errors_and_no_rows(client_for: Callable[..., Client]) -> None:
    client, _auditor = _staff(client_for)
    response = client.get("/audit/?date_from=2026-02-01&date_to=2026-01-01")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date_to": ["The end date is before the start date."]
    }
    assert response.context["rows"] == []
    unknown = client.get("/audit/?model=secrets.Vault")
    assert list(unknown.context["form"].errors) == ["model"]


def test_pages_hold_fifty_entries(client_for: Callable[..., Client]) -> None:
    client, _auditor = _staff(client_for)
    AuditEntry.objects.bulk_create(
        AuditEntry(action="update", model="network.Topic", object_id=str(n), actor_label="x")
        for n in range(60)
    )
    first = client.get("/audit/?model=network.Topic")
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 60
    second = client.get("/audit/?model=network.Topic&page=2")
    assert len(second.context["rows"]) == 10


def test_real_writes_appear_with_their_actor(client_for: Callable[..., Client]) -> None:
    client, auditor = _staff(client_for)
    client.post(
        "/accounts/profile/",
        {"first_name": "Ana", "last_name": "Lima", "email": "ana@example.org"},
    )
    response = client.get(f"/audit/?model=accounts.User&object_id={auditor.pk}&action=update")
    rows = response.context["rows"]
    assert len(rows) == 1
    entry, changes = rows[0]
    assert entry.actor_id == auditor.pk
    assert {c.field: (c.before, c.after) for c in changes}["first_name"] == ("Test", "Ana")


@pytest.mark.parametrize("count", [1, 3])
def test_the_browser_runs_a_fixed_number_of_queries(
    count: int, client_for: Callable[..., Client], django_assert_num_queries: Any
) -> None:
    client, _auditor = _staff(client_for)
    for _number in range(count):
        TopicFactory()
    assert AuditEntry.objects.filter(model="network.Topic").count() == count
    client.get("/audit/")  # warm the session's last-seen mark
    # user, OTP device, role grants, count, page (with the actor joined); the session is cached
    with django_assert_num_queries(5):
        response = client.get("/audit/?model=network.Topic")
    assert len(response.context["rows"]) == count
