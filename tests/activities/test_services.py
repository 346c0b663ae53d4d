"""Services: transitions, quotas, nominations, decisions with wait-list promotion, uploads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from cybercap.activities import services
from cybercap.activities.models import (
    ActivityStatus,
    ActivityTransition,
    Registration,
    RegistrationStatus,
)

pytestmark = pytest.mark.django_db


def test_transitions_are_recorded_and_only_allowed_steps_pass(
    make_activity: Any, staff_user: Any
) -> None:
    activity = make_activity(status=ActivityStatus.PLANNED)
    with pytest.raises(services.NotAllowed):
        services.activity_transition(
            activity=activity, to_status=ActivityStatus.DELIVERED, by=staff_user
        )
    for status in ("open", "confirmed", "delivered", "reported"):
        services.activity_transition(activity=activity, to_status=status, by=staff_user)
    activity.refresh_from_db()
    assert activity.status == "reported"
    steps = list(
        ActivityTransition.objects.filter(activity=activity).values_list(
            "from_status", "to_status", "by_id"
        )
    )
    assert steps == [
        ("planned", "open", staff_user.pk),
        ("open", "confirmed", staff_user.pk),
        ("confirmed", "delivered", staff_user.pk),
        ("delivered", "reported", staff_user.pk),
    ]


def test_the_database_refuses_dates_out_of_order(make_activity: Any) -> None:
    activity = make_activity()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(activity).objects.filter(pk=activity.pk).update(end_date=dt.date(2026, 3, 1))


def test_a_person_is_registered_once_per_activity(
    make_activity: Any, thailand: Any, people: Any, staff_user: Any
) -> None:
    activity = make_activity(quotas={thailand: 5})
    services.nominate(activity=activity, person=people["th1"], by=staff_user)
    with pytest.raises(services.ActivityError):
        services.nominate(activity=activity, person=people["th1"], by=staff_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            activity=activity,
            person=people["th1"],
            country=thailand,
            nominated_at=activity.created_at,
        )
    assert Registration.objects.filter(activity=activity).count() == 1


def test_a_focal_point_nominates_only_their_own_country(
    make_activity: Any, thailand: Any, vietnam: Any, people: Any, focal_th: Any
) -> None:
    activity = make_activity(quotas={thailand: 2, vietnam: 2})
    with pytest.raises(services.NotAllowed):
        services.nominate(activity=activity, person=people["vn1"], by=focal_th)
    registration = services.nominate(activity=activity, person=people["th1"], by=focal_th)
    assert (registration.country_id, registration.status, registration.nominated_by_id) == (
        thailand.pk,
        "nominated",
        focal_th.pk,
    )


def test_nominations_need_an_open_activity(
    make_activity: Any, thailand: Any, people: Any, focal_th: Any
) -> None:
    activity = make_activity(status=ActivityStatus.PLANNED, quotas={thailand: 2})
    with pytest.raises(services.NotAllowed):
        services.nominate(activity=activity, person=people["th1"], by=focal_th)


def test_the_quota_holds_one_nomination_after_another(
    make_activity: Any, thailand: Any, people: Any, focal_th: Any
) -> None:
    """A sequential proof (SQLite): the seat count is read inside the locked transaction."""
    activity = make_activity(quotas={thailand: 2})
    services.nominate(activity=activity, person=people["th1"], by=focal_th)
    services.nominate(activity=activity, person=people["th2"], by=focal_th)
    with pytest.raises(services.QuotaFull):
        services.nominate(activity=activity, person=people["th3"], by=focal_th)
    assert services.seats_taken(activity, thailand) == 2
    with pytest.raises(services.QuotaFull):
        services.quota_set(activity=activity, country=thailand, seats=1)


def test_the_activity_row_is_locked_before_seats_are_counted(
    make_activity: Any, thailand: Any, people: Any, focal_th: Any
) -> None:
    """On PostgreSQL the lock is SELECT ... FOR UPDATE; SQLite locks the whole database."""
    from django.test.utils import CaptureQueriesContext

    activity = make_activity(quotas={thailand: 2})
    with CaptureQueriesContext(connection) as queries:
        services.nominate(activity=activity, person=people["th1"], by=focal_th)
    statements = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if '"activities_activity"' in sql)
    count = next(i for i, sql in enumerate(statements) if "COUNT(" in sql)
    assert lock < count
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in statements[lock]
    else:
        assert connection.vendor == "sqlite"


def test_wait_list_moves_up_when_a_seat_frees(
    make_activity: Any, thailand: Any, people: Any, focal_th: Any, staff_user: Any
) -> None:
    activity = make_activity(quotas={thailand: 2})
    first = services.nominate(activity=activity, person=people["th1"], by=focal_th)
    second = services.nominate(activity=activity, person=people["th2"], by=focal_th)
    services.registration_decide(registration=first, decision="approve", by=staff_user)
    services.registration_decide(registration=second, decision="wait_list", by=staff_user)
    # The wait-listed seat is free again: a third person can be nominated into it.
    third = services.nominate(activity=activity, person=people["th3"], by=focal_th)
    services.registration_decide(registration=third, decision="approve", by=staff_user)
    assert services.seats_taken(activity, thailand) == 2
    promoted = services.registration_decide(registration=first, decision="decline", by=staff_user)
    assert promoted is not None and promoted.pk == second.pk
    statuses = dict(
        Registration.objects.filter(activity=activity).values_list("person__full_name", "status")
    )
    assert statuses == {
        "สมชาย ใจดี": "declined",
        "สมหญิง รักไทย": "approved",
        "ประเสริฐ มั่นคง": "approved",
    }


def test_approval_respects_capacity(
    make_activity: Any, thailand: Any, people: Any, staff_user: Any
) -> None:
    activity = make_activity(quotas={thailand: 3}, capacity=1)
    first = services.nominate(activity=activity, person=people["th1"], by=staff_user)
    second = services.nominate(activity=activity, person=people["th2"], by=staff_user)
    services.registration_decide(registration=first, decision="approve", by=staff_user)
    with pytest.raises(services.QuotaFull):
        services.registration_decide(registration=second, decision="approve", by=staff_user)
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.NOMINATED


def test_a_declined_registration_cannot_be_approved(
    make_activity: Any, thailand: Any, people: Any, staff_user: Any
) -> None:
    activity = make_activity(quotas={thailand: 3})
    registration = services.nominate(activity=activity, person=people["th1"], by=staff_user)
    services.registration_decide(registration=registration, decision="decline", by=staff_user)
    with pytest.raises(services.NotAllowed):
        services.registration_decide(registration=registration, decision="approve", by=staff_user)


def test_sessions_need_aware_times_in_order(make_activity: Any) -> None:
    activity = make_activity()
    with pytest.raises(services.ActivityError):
        services.session_add(
            activity=activity,
            title="Naive",
            starts_at=dt.datetime(2026, 3, 2, 9, 0),
            ends_at=dt.datetime(2026, 3, 2, 10, 0),
        )
    with pytest.raises(services.ActivityError):
        services.session_add(
            activity=activity,
            title="Backwards",
            starts_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC),
        )
    assert activity.sessions.count() == 0


def test_trainers_must_hold_the_trainer_role(
    make_activity: Any, trainer: Any, make_user: Any
) -> None:
    activity = make_activity()
    assignment = services.trainer_assign(activity=activity, user=trainer, lead=True)
    assert (assignment.user_id, assignment.lead) == (trainer.pk, True)
    with pytest.raises(services.ActivityError):
        services.trainer_assign(activity=activity, user=make_user("learner"))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("slides.exe", b"MZ\x90\x00", "are not accepted"),
        ("slides.pdf", b"not really a pdf", "does not match"),
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"abc\x00def", "binary"),
    ],
)
def test_material_uploads_are_checked_by_type_and_content(
    make_activity: Any, staff_user: Any, name: str, data: bytes, message: str
) -> None:
    activity = make_activity()
    with pytest.raises(services.ActivityError) as error:
        services.material_upload(
            activity=activity,
            upload=SimpleUploadedFile(name, data),
            title="T",
            kind="slides",
            tlp="GREEN",
            by=staff_user,
        )
    assert message in str(error.value)
    assert activity.materials.count() == 0


def test_material_uploads_are_checked_by_size(
    make_activity: Any, staff_user: Any, settings: Any
) -> None:
    settings.MAX_UPLOAD_BYTES = 10
    activity = make_activity()
    with pytest.raises(services.ActivityError) as error:
        services.material_upload(
            activity=activity,
            upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7 and more bytes"),
            title="T",
            kind="slides",
            tlp="GREEN",
            by=staff_user,
        )
    assert str(error.value) == "The file is larger than the limit of 0 MB."
    assert activity.materials.count() == 0


def test_a_good_material_is_stored_with_its_label(make_activity: Any, staff_user: Any) -> None:
    activity = make_activity()
    material = services.material_upload(
        activity=activity,
        upload=SimpleUploadedFile("deck.pdf", b"%PDF-1.7\n..."),
        title="Deck",
        kind="slides",
        tlp="AMBER",
        by=staff_user,
    )
    assert (material.tlp, material.content_type, material.size, material.original_name) == (
        "AMBER",
        "application/pdf",
        12,
        "deck.pdf",
    )
    with material.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.7\n..."


def test_an_approved_participant_can_be_recorded_as_confirmed(
    make_activity: Any, thailand: Any, people: Any, staff_user: Any
) -> None:
    activity = make_activity(quotas={thailand: 3})
    registration = services.nominate(activity=activity, person=people["th1"], by=staff_user)
    with pytest.raises(services.NotAllowed):
        services.registration_decide(registration=registration, decision="confirm", by=staff_user)
    services.registration_decide(registration=registration, decision="approve", by=staff_user)
    services.registration_decide(registration=registration, decision="confirm", by=staff_user)
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"
    assert services.seats_taken(activity, thailand) == 1
