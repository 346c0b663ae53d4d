"""`cybercap worker` runs queued background tasks from the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from cybercap.core.tasks import send_email

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_sends_queued_mail_and_records_the_result(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    result = send_email.enqueue(subject="Invitation", body="Welcome", to=["fp@example.org"])
    assert mail.outbox == []
    assert DBTaskResult.objects.get(id=result.id).status == "READY"

    call_command("worker", "--batch", "--interval", "0.1")

    assert [(m.subject, m.to) for m in mail.outbox] == [("Invitation", ["fp@example.org"])]
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == 1
