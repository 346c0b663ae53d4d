"""Pages and API of activities: filters, scoping per role, times in two zones, query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cybercap.accounts.tokens import token_create
from cybercap.activities import services
from cybercap.activities.models import ActivityTransition, Registration
from tests.conftest import login
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(response: Any) -> list[str]:
    return re.findall(r'<a href="/activities/\d+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def staff(staff_user: Any) -> Client:
    return login(Client(), staff_user)


# --- the list -----------------------------------------------------------------------------------


def test_the_list_filters_by_type_topic_country_phase_and_date(
    staff: Client, make_activity: Any, thailand: Any, vietnam: Any
) -> None:
    forensics = TopicFactory(key="forensics", name="Forensics")
    make_activity(
        title="A: Bangkok forensics",
        kind="training",
        phase=1,
        start_date=dt.date(2017, 5, 1),
        end_date=dt.date(2017, 5, 3),
        topics=[forensics],
    )
    make_activity(
        title="B: Hanoi seminar",
        kind="seminar",
        phase=2,
        host_country=vietnam,
        start_date=dt.date(2026, 6, 1),
        end_date=dt.date(2026, 6, 1),
    )
    make_activity(
        title="C: Online workshop",
        kind="workshop",
        phase=2,
        host_country=None,
        online=True,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2026, 9, 2),
        quotas={vietnam: 2},
    )
    assert titles(staff.get("/activities/")) == [
        "C: Online workshop",
        "B: Hanoi seminar",
        "A: Bangkok forensics",
    ]
    assert titles(staff.get("/activities/?kind=seminar")) == ["B: Hanoi seminar"]
    assert titles(staff.get("/activities/?topic=forensics")) == ["A: Bangkok forensics"]
    assert titles(staff.get("/activities/?country=VN")) == [
        "C: Online workshop",
        "B: Hanoi seminar",
    ]
    assert titles(staff.get("/activities/?phase=1")) == ["A: Bangkok forensics"]
    assert titles(staff.get("/activities/?date_from=2026-01-01&date_to=2026-07-01")) == [
        "B: Hanoi seminar"
    ]
    assert titles(staff.get("/activities/?q=online")) == ["C: Online workshop"]
    # htmx gets the results only.
    partial = staff.get("/activities/?kind=seminar", headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<p class="result-count" role="status">1 activity')


def test_an_invalid_filter_is_named_and_not_applied(staff: Client, make_activity: Any) -> None:
    make_activity(title="Only one")
    response = staff.get("/activities/?phase=9&date_from=notadate")
    assert titles(response) == ["Only one"]
    assert response.content.decode().count('class="error"') == 2


def test_the_list_shows_each_role_its_own_activities(
    client_for: Any,
    make_activity: Any,
    thailand: Any,
    vietnam: Any,
    people: Any,
    staff_user: Any,
    trainer: Any,
) -> None:
    regional = make_activity(title="Regional", quotas={thailand: 2, vietnam: 2})
    vn_only = make_activity(title="VN only", quotas={vietnam: 2})
    assigned = make_activity(title="Assigned")
    services.trainer_assign(activity=assigned, user=trainer)
    learner = UserFactory()
    people["th1"].user = learner
    people["th1"].save(update_fields=["user"])
    services.nominate(activity=regional, person=people["th1"], by=staff_user)
    services.nominate(activity=vn_only, person=people["vn1"], by=staff_user)
    from tests.factories import RoleFactory

    RoleFactory(user=learner, role="learner")
    assert titles(client_for("focal_point", thailand).get("/activities/")) == ["Regional"]
    assert sorted(titles(client_for("focal_point", vietnam).get("/activities/"))) == [
        "Regional",
        "VN only",
    ]
    assert titles(login(Client(), trainer).get("/activities/")) == ["Assigned"]
    assert titles(login(Client(), learner).get("/activities/")) == ["Regional"]
    assert titles(client_for("reviewer").get("/activities/")) == []
    assert titles(client_for("investigator", thailand).get("/activities/")) == []


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_runs_a_fixed_number_of_queries(
    staff: Client,
    make_activity: Any,
    thailand: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    topic = TopicFactory()
    for i in range(count):
        make_activity(title=f"Activity {i}", topics=[topic], quotas={thailand: 2})
    staff.get("/activities/")  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = staff.get("/activities/")
    assert len(titles(response)) == count


LIST_QUERIES = 8


@pytest.mark.parametrize("count", [1, 3])
def test_the_api_list_runs_a_fixed_number_of_queries(
    staff_user: Any, make_activity: Any, count: int, django_assert_num_queries: Any
) -> None:
    topic = TopicFactory()
    for i in range(count):
        make_activity(title=f"Activity {i}", topics=[topic])
    _, token = token_create(user=staff_user, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with django_assert_num_queries(API_LIST_QUERIES):
        body = client.get("/api/v1/activities").json()
    assert body["count"] == count
    assert [item["topics"] for item in body["items"]] == [[topic.key]] * count


API_LIST_QUERIES = 7


# --- the detail page ------------------------------------------------------------------------------


def test_the_detail_shows_sessions_in_the_venue_and_the_viewer_time_zone(
    make_user: Any, make_activity: Any, people: Any
) -> None:
    activity = make_activity(time_zone="Asia/Yangon", title="Yangon training")
    services.session_add(
        activity=activity,
        title="Evidence handling",
        starts_at=dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC),
        speakers=[people["th1"]],
    )
    viewer = make_user("staff", is_staff=True, time_zone="Asia/Manila")
    body = login(Client(), viewer).get(f"/activities/{activity.pk}/").content.decode()
    assert "Venue time (Asia/Yangon)" in body
    assert "Your time (Asia/Manila)" in body
    assert (
        '<time datetime="2026-03-02T09:00:00+06:30">2026-03-02 09:00\u201310:30 (UTC+0630)</time>'
        in (body)
    )
    assert (
        '<time datetime="2026-03-02T10:30:00+08:00">2026-03-02 10:30\u201312:00 (UTC+0800)</time>'
        in (body)
    )
    assert "สมชาย ใจดี" in body


def test_a_thai_focal_point_never_sees_vietnamese_participants(
    client_for: Any, make_activity: Any, thailand: Any, vietnam: Any, people: Any, staff_user: Any
) -> None:
    activity = make_activity(quotas={thailand: 2, vietnam: 2})
    services.nominate(activity=activity, person=people["th1"], by=staff_user)
    services.nominate(activity=activity, person=people["vn1"], by=staff_user)
    focal = client_for("focal_point", thailand)
    for path in (
        f"/activities/{activity.pk}/",
        f"/activities/{activity.pk}/nominations/",
        f"/api/v1/activities/{activity.pk}",
        f"/api/v1/activities/{activity.pk}/sessions",
    ):
        body = focal.get(path).content.decode()
        assert "สมชาย ใจดี" in body or path.startswith("/api/")
        assert "Nguyễn Thị Hằng" not in body
        assert "Viet Nam" not in body or path.startswith("/api/")
    staff_body = login(Client(), staff_user).get(f"/activities/{activity.pk}/").content.decode()
    assert "Nguyễn Thị Hằng" in staff_body


# --- nominations and decisions --------------------------------------------------------------------


def test_a_focal_point_nominates_within_the_quota_on_the_page(
    client_for: Any, make_activity: Any, thailand: Any, vietnam: Any, people: Any
) -> None:
    activity = make_activity(quotas={thailand: 1, vietnam: 2})
    focal = client_for("focal_point", thailand)
    page = focal.get(f"/activities/{activity.pk}/nominations/").content.decode()
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', page)
    assert sorted(name for _, name in options) == sorted(
        ["สมชาย ใจดี", "สมหญิง รักไทย", "ประเสริฐ มั่นคง"]
    )
    assert "<td>Thailand</td><td>1</td><td>0</td><td>1</td>" in page
    response = focal.post(f"/activities/{activity.pk}/nominations/", {"person": people["th1"].pk})
    assert response.status_code == 302
    response = focal.post(f"/activities/{activity.pk}/nominations/", {"person": people["th2"].pk})
    assert "Thailand has no seat left on this activity (quota 1)." in response.content.decode()
    # Another country's person is not even a choice.
    response = focal.post(f"/activities/{activity.pk}/nominations/", {"person": people["vn1"].pk})
    assert response.status_code == 200
    assert list(Registration.objects.values_list("person__full_name", flat=True)) == ["สมชาย ใจดี"]


def test_staff_decide_and_the_wait_list_moves_up(
    staff: Client, make_activity: Any, thailand: Any, people: Any, staff_user: Any
) -> None:
    activity = make_activity(quotas={thailand: 2})
    first = services.nominate(activity=activity, person=people["th1"], by=staff_user)
    second = services.nominate(activity=activity, person=people["th2"], by=staff_user)
    url = f"/activities/{activity.pk}/decisions/"
    staff.post(url, {"registration": first.pk, "decision": "approve"})
    staff.post(url, {"registration": second.pk, "decision": "wait_list"})
    response = staff.post(url, {"registration": first.pk, "decision": "decline"}, follow=True)
    assert "สมหญิง รักไทย moved up from the wait-list." in response.content.decode()
    assert dict(Registration.objects.values_list("person_id", "status")) == {
        people["th1"].pk: "declined",
        people["th2"].pk: "approved",
    }


def test_staff_move_an_activity_along_and_the_step_is_recorded(
    staff: Client, make_activity: Any, staff_user: Any
) -> None:
    activity = make_activity()
    response = staff.post(f"/activities/{activity.pk}/status/", {"to_status": "confirmed"})
    assert response.status_code == 302
    response = staff.post(
        f"/activities/{activity.pk}/status/", {"to_status": "reported"}, follow=True
    )
    assert "An activity cannot go from “Confirmed” to “Reported”." in response.content.decode()
    assert list(ActivityTransition.objects.values_list("to_status", flat=True)) == [
        "open",
        "confirmed",
    ]


# --- materials ----------------------------------------------------------------------------------


def test_an_assigned_trainer_uploads_and_participants_download(
    make_activity: Any, thailand: Any, trainer: Any, client_for: Any
) -> None:
    activity = make_activity(quotas={thailand: 2})
    services.trainer_assign(activity=activity, user=trainer)
    client = login(Client(), trainer)
    response = client.post(
        f"/activities/{activity.pk}/materials/",
        {
            "title": "Slides day 1",
            "kind": "slides",
            "tlp": "AMBER",
            "file": SimpleUploadedFile("day1.pdf", b"%PDF-1.7 slides"),
        },
    )
    assert response.status_code == 302
    material = activity.materials.get()
    focal = client_for("focal_point", thailand)
    page = focal.get(f"/activities/{activity.pk}/materials/").content.decode()
    assert "TLP:AMBER" in page
    assert "Slides day 1" in page
    download = focal.get(f"/activities/{activity.pk}/materials/{material.pk}/")
    assert download.content == b"%PDF-1.7 slides"
    assert download["Content-Disposition"] == 'attachment; filename="day1.pdf"'
    assert focal.post(f"/activities/{activity.pk}/materials/").status_code == 403
    assert (
        client_for("learner").get(f"/activities/{activity.pk}/materials/{material.pk}/").status_code
        == 404
    )


def test_an_unassigned_trainer_sees_nothing(
    make_activity: Any, make_user: Any, thailand: Any
) -> None:
    activity = make_activity(quotas={thailand: 2})
    client = login(Client(), make_user("trainer"))
    assert client.get(f"/activities/{activity.pk}/").status_code == 404
    assert client.get(f"/activities/{activity.pk}/materials/").status_code == 404


# --- the API ------------------------------------------------------------------------------------


def test_the_api_gives_activities_and_sessions_in_scope(
    make_activity: Any, thailand: Any, vietnam: Any, focal_th: Any
) -> None:
    topic = TopicFactory(key="cyber-law", name="Cyber law")
    regional = make_activity(
        title="Regional", quotas={thailand: 2}, topics=[topic], working_languages="en, th"
    )
    vn_only = make_activity(title="VN only", quotas={vietnam: 2})
    services.session_add(
        activity=regional,
        title="Opening",
        starts_at=dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC),
    )
    _, token = token_create(user=focal_th, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listing = client.get("/api/v1/activities").json()
    assert [item["title"] for item in listing["items"]] == ["Regional"]
    detail = client.get(f"/api/v1/activities/{regional.pk}").json()
    assert (detail["host_country"], detail["topics"], detail["working_languages"]) == (
        "TH",
        ["cyber-law"],
        ["en", "th"],
    )
    sessions = client.get(f"/api/v1/activities/{regional.pk}/sessions").json()
    assert [(s["title"], s["starts_at_venue"]) for s in sessions] == [
        ("Opening", "2026-03-02T09:00:00+07:00")
    ]
    assert client.get(f"/api/v1/activities/{vn_only.pk}").status_code == 404
    assert client.get(f"/api/v1/activities/{vn_only.pk}/sessions").status_code == 404
    assert client.get("/api/v1/activities?country=VN").json()["count"] == 0
    assert client.get("/api/v1/activities?phase=0").status_code == 422
    assert client.get("/api/v1/activities?date_to=0").status_code == 422
    assert client.get("/api/v1/activities?date_from=2026-01-01").json()["count"] == 1
    assert Client().get("/api/v1/activities").status_code == 401


@pytest.mark.parametrize("count", [1, 3])
def test_the_detail_runs_a_fixed_number_of_queries(
    staff: Client,
    make_activity: Any,
    thailand: Any,
    people: Any,
    staff_user: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    activity = make_activity(quotas={thailand: 5}, topics=[TopicFactory()])
    for i, key in enumerate(["th1", "th2", "th3"][:count]):
        services.nominate(activity=activity, person=people[key], by=staff_user)
        services.session_add(
            activity=activity,
            title=f"Session {i}",
            starts_at=dt.datetime(2026, 3, 2, 2 + i, 0, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 3, 2, 3 + i, 0, tzinfo=dt.UTC),
            speakers=[people[key]],
        )
    staff.get(f"/activities/{activity.pk}/")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = staff.get(f"/activities/{activity.pk}/")
    assert response.content.decode().count("<td>Nominated</td>") == count


DETAIL_QUERIES = 12


def test_red_materials_are_for_staff_and_the_activity_trainers_only(
    make_activity: Any, thailand: Any, trainer: Any, staff_user: Any, client_for: Any
) -> None:
    activity = make_activity(quotas={thailand: 2})
    services.trainer_assign(activity=activity, user=trainer)
    red = services.material_upload(
        activity=activity,
        upload=SimpleUploadedFile("case.txt", b"case notes\n"),
        title="Live case notes",
        kind="handout",
        tlp="RED",
        by=staff_user,
    )
    focal = client_for("focal_point", thailand)
    assert (
        "Live case notes" not in focal.get(f"/activities/{activity.pk}/materials/").content.decode()
    )
    assert focal.get(f"/activities/{activity.pk}/materials/{red.pk}/").status_code == 404
    for user in (trainer, staff_user):
        client = login(Client(), user)
        assert client.get(f"/activities/{activity.pk}/materials/{red.pk}/").content == (
            b"case notes\n"
        )


def test_a_participant_sees_their_own_registrations_only(
    make_activity: Any, thailand: Any, people: Any, staff_user: Any, make_user: Any
) -> None:
    activity = make_activity(title="Mine", quotas={thailand: 3})
    learner = make_user("learner")
    people["th1"].user = learner
    people["th1"].save(update_fields=["user"])
    mine = services.nominate(activity=activity, person=people["th1"], by=staff_user)
    services.nominate(activity=activity, person=people["th2"], by=staff_user)
    client = login(Client(), learner)
    page = client.get("/activities/mine/").content.decode()
    assert titles(page_response := client.get("/activities/mine/")) == ["Mine"]
    assert "<td>Nominated</td>" in page
    assert mine.badge_code not in page  # shown once approved
    services.registration_decide(registration=mine, decision="approve", by=staff_user)
    assert mine.badge_code in client.get("/activities/mine/").content.decode()
    assert "สมหญิง รักไทย" not in page_response.content.decode()
    assert "สมหญิง รักไทย" not in client.get(f"/activities/{activity.pk}/").content.decode()
