"""issue_certificate and revoke_certificate: idempotent issue, audited writes, clear refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cybercap.certificates import services
from cybercap.certificates.models import Certificate
from cybercap.certificates.services import (
    CertificateError,
    issue_certificate,
    revoke_certificate,
)
from cybercap.core import audit
from cybercap.core.models import AuditEntry
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

MARCH = {"starts": dt.date(2026, 3, 2), "ends": dt.date(2026, 3, 4)}


def test_issuing_twice_returns_the_same_certificate(
    activity: Any, people: dict[str, Any], staff: Any
) -> None:
    first = issue_certificate(
        holder_person=people["th"],
        kind="attendance",
        title=activity.title,
        activity=activity,
        issued_by=staff,
        **MARCH,
    )
    again = issue_certificate(
        holder_person=people["th"],
        kind="attendance",
        title=activity.title,
        activity=activity,
        **MARCH,
    )
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1
    assert (first.holder_name, first.kind, first.issued_by) == ("สมชาย ใจดี", "attendance", staff)


def test_each_kind_and_subject_is_its_own_certificate(
    activity: Any, people: dict[str, Any]
) -> None:
    attendance = issue_certificate(
        holder_person=people["th"], kind="attendance", title="T", activity=activity, **MARCH
    )
    achievement = issue_certificate(
        holder_person=people["th"], kind="achievement", title="T", activity=activity, **MARCH
    )
    other = issue_certificate(
        holder_person=people["vn"], kind="attendance", title="T", activity=activity, **MARCH
    )
    assert len({attendance.code, achievement.code, other.code}) == 3


def test_a_course_certificate_is_idempotent_per_user(make_user: Callable[..., Any]) -> None:
    user = make_user("learner", first_name="Trần", last_name="Văn Đức")
    first = issue_certificate(
        holder_user=user,
        kind="achievement",
        title="First response",
        course_key="first-responder",
        **MARCH,
    )
    again = issue_certificate(
        holder_user=user,
        kind="achievement",
        title="First response",
        course_key="first-responder",
        **MARCH,
    )
    assert again.pk == first.pk
    assert first.holder_name == "Trần Văn Đức"
    assert first.activity is None


def test_the_name_comes_from_the_person_record_in_its_script(
    make_user: Callable[..., Any], people: dict[str, Any]
) -> None:
    user = make_user("learner", first_name="Somchai", last_name="Jaidee")
    people["th"].user = user
    people["th"].save()
    cert = issue_certificate(
        holder_user=user, kind="achievement", title="Course", course_key="c", **MARCH
    )
    assert cert.holder_name == "สมชาย ใจดี"


def test_a_person_with_an_account_gets_it_as_holder_too(
    activity: Any, make_user: Callable[..., Any], thailand: Any
) -> None:
    user = make_user("learner")
    person = PersonFactory(user=user, full_name="ประเสริฐ มั่นคง")
    cert = issue_certificate(
        holder_person=person, kind="attendance", title="T", activity=activity, **MARCH
    )
    assert cert.holder_user == user
    # Asked again through the account, it is the same certificate.
    assert (
        issue_certificate(
            holder_user=user, kind="attendance", title="T", activity=activity, **MARCH
        )
        == cert
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"holder_person": None}, "A certificate needs a holder."),
        ({"kind": "participation"}, "Unknown kind of certificate: participation."),
        ({"course_key": "first-responder"}, "A certificate is for one activity or one course."),
        ({"activity": None}, "A certificate is for one activity or one course."),
        ({"title": "  "}, "A certificate needs a title."),
        ({"ends": dt.date(2026, 3, 1)}, "The last day comes before the first."),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_saved(
    activity: Any, people: dict[str, Any], changes: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {
        "holder_person": people["th"],
        "kind": "attendance",
        "title": "T",
        "activity": activity,
        **MARCH,
    }
    arguments.update(changes)
    with pytest.raises(CertificateError) as error:
        issue_certificate(**arguments)
    assert str(error.value) == message
    assert Certificate.objects.count() == 0


def test_a_race_returns_the_certificate_the_other_request_issued(
    activity: Any, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = issue_certificate(
        holder_person=people["th"], kind="attendance", title="T", activity=activity, **MARCH
    )
    real = services._existing
    calls: list[int] = []

    def not_yet(**lookup: Any) -> Any:
        # The first look finds nothing, as if the other request had not committed yet.
        calls.append(1)
        return None if len(calls) == 1 else real(**lookup)

    monkeypatch.setattr(services, "_existing", not_yet)
    mine = issue_certificate(
        holder_person=people["th"], kind="attendance", title="T", activity=activity, **MARCH
    )
    assert mine.pk == theirs.pk
    assert Certificate.objects.count() == 1


def test_revoking_keeps_the_reason_and_allows_a_new_certificate(
    attendance_cert: Callable[..., Any], staff: Any
) -> None:
    cert = attendance_cert()
    revoke_certificate(cert, reason="  Issued to the wrong person. ", by=staff)
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    assert (cert.revoke_reason, cert.revoked_by, cert.is_valid) == (
        "Issued to the wrong person.",
        staff,
        False,
    )
    again = attendance_cert()
    assert again.pk != cert.pk and again.code != cert.code and again.is_valid


def test_revoking_needs_a_reason_and_happens_once(
    attendance_cert: Callable[..., Any], staff: Any
) -> None:
    cert = attendance_cert()
    with pytest.raises(CertificateError) as error:
        revoke_certificate(cert, reason="   ", by=staff)
    assert str(error.value) == "Give the reason for revoking the certificate."
    with pytest.raises(CertificateError):
        revoke_certificate(cert, reason="x" * 501, by=staff)
    cert.refresh_from_db()
    assert cert.revoked_at is None
    revoke_certificate(cert, reason="Duplicate", by=staff)
    with pytest.raises(CertificateError) as error:
        revoke_certificate(cert, reason="Again", by=staff)
    assert str(error.value) == "This certificate is already revoked."
    cert.refresh_from_db()
    assert cert.revoke_reason == "Duplicate"


def test_issuing_and_revoking_are_in_the_audit_log(
    attendance_cert: Callable[..., Any], staff: Any
) -> None:
    with audit.acting_as(audit.actor_for_user(staff)):
        cert = attendance_cert()
        revoke_certificate(cert, reason="Attendance was misrecorded", by=staff)
    entries = list(
        AuditEntry.objects.filter(model="certificates.Certificate", object_id=str(cert.pk))
        .order_by("pk")
        .values_list("action", "actor_label", "changes")
    )
    assert [(action, actor) for action, actor, _ in entries] == [
        ("create", "staff-x"),
        ("update", "staff-x"),
    ]
    assert entries[0][2]["code"] == [None, cert.code]
    assert entries[1][2]["revoke_reason"] == ["", "Attendance was misrecorded"]


def test_the_initials_choice_carries_over_to_new_certificates(
    activity: Any, make_user: Callable[..., Any]
) -> None:
    user = make_user("learner")
    first = issue_certificate(
        holder_user=user, kind="achievement", title="A", course_key="a", **MARCH
    )
    changed = services.holder_initials_set(
        certificates=Certificate.objects.filter(pk=first.pk), initials_only=True
    )
    assert changed == 1
    second = issue_certificate(
        holder_user=user, kind="attendance", title="B", activity=activity, **MARCH
    )
    assert second.show_initials_only is True


def test_a_holder_with_certificates_cannot_be_deleted(
    attendance_cert: Callable[..., Any], people: dict[str, Any]
) -> None:
    from django.db.models import ProtectedError

    cert = attendance_cert("kh")
    with pytest.raises(ProtectedError):
        people["kh"].delete()
    cert.refresh_from_db()
    assert cert.holder_person == people["kh"]
