"""Activities in the role x URL matrix.

Two activities: a regional one with seats for Thailand and Viet Nam (nominations from both, the
trainer assigned, the learner registered), and a Vietnamese-only one. The Thai focal point sees
the regional activity with its Thai nominations only, and never the Vietnamese one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cybercap.activities import participant_import, services
from cybercap.activities.models import ActivityStatus, Registration
from tests.access import Rule, World, everyone, only

# Who reaches the regional activity: staff, the Thai focal point (seats for TH), the assigned
# trainer and the registered learner. The reviewer and the investigator have nothing there.
REGIONAL = ["staff", "focal_th", "trainer", "learner"]


def populate(world: World) -> None:
    if "regional_activity" in world.extra:
        return
    staff = world.users["staff"]
    regional = services.activity_create(
        kind="training",
        title="Regional digital forensics training",
        phase=2,
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 4),
        city="Bangkok",
        time_zone="Asia/Bangkok",
        host_country=world.th,
        capacity=20,
        topics=[world.topic],
    )
    services.activity_transition(activity=regional, to_status=ActivityStatus.OPEN, by=staff)
    for country in (world.th, world.vn):
        services.quota_set(activity=regional, country=country, seats=3)
    session = services.session_add(
        activity=regional,
        title="Opening",
        starts_at=dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC),
    )
    services.trainer_assign(activity=regional, user=world.users["trainer"])
    services.nominate(activity=regional, person=world.th_person, by=staff)
    services.nominate(activity=regional, person=world.vn_person, by=staff)
    learner_person = world.users["learner"].person
    services.nominate(activity=regional, person=learner_person, by=staff)
    material = services.material_upload(
        activity=regional,
        upload=SimpleUploadedFile("agenda.txt", b"Day 1: opening\n", content_type="text/plain"),
        title="Agenda",
        kind="agenda",
        tlp="GREEN",
        by=staff,
    )
    batch = participant_import.import_upload(
        activity=regional,
        country=world.th,
        upload=SimpleUploadedFile(
            "list.csv",
            "Full name,E-mail,Agency\n"
            "สมชาย ใจดี,somchai@example.org,Thai Police Cyber Unit\n".encode(),
        ),
        by=staff,
    )
    vn_only = services.activity_create(
        kind="workshop",
        title="Hanoi best-practice workshop",
        phase=2,
        start_date=dt.date(2026, 5, 5),
        end_date=dt.date(2026, 5, 5),
        city="Hanoi",
        time_zone="Asia/Ho_Chi_Minh",
        host_country=world.vn,
    )
    services.quota_set(activity=vn_only, country=world.vn, seats=2)
    Registration.objects.create(
        activity=vn_only,
        person=world.vn_person,
        country=world.vn,
        nominated_at=regional.created_at,
    )
    vn_material = services.material_upload(
        activity=vn_only,
        upload=SimpleUploadedFile("notes.txt", b"notes\n", content_type="text/plain"),
        title="Notes",
        kind="handout",
        tlp="AMBER",
        by=staff,
    )
    world.extra.update(
        regional_activity=regional,
        vn_activity=vn_only,
        regional_material=material,
        vn_material=vn_material,
        regional_import=batch,
        regional_session=session,
    )


def _get(world: World, key: str) -> Any:
    populate(world)
    return world.extra[key]


def regional(w: World) -> dict[str, Any]:
    return {"pk": _get(w, "regional_activity").pk}


def vn_only(w: World) -> dict[str, Any]:
    return {"pk": _get(w, "vn_activity").pk}


def regional_material(w: World) -> dict[str, Any]:
    return {"pk": _get(w, "regional_activity").pk, "material_pk": _get(w, "regional_material").pk}


def vn_material(w: World) -> dict[str, Any]:
    return {"pk": _get(w, "vn_activity").pk, "material_pk": _get(w, "vn_material").pk}


def regional_import(w: World) -> dict[str, Any]:
    return {"pk": _get(w, "regional_activity").pk, "import_pk": _get(w, "regional_import").pk}


def regional_session(w: World) -> dict[str, Any]:
    return {"pk": _get(w, "regional_activity").pk, "session_pk": _get(w, "regional_session").pk}


def regional_pre(w: World) -> dict[str, Any]:
    return {"pk": _get(w, "regional_activity").pk, "kind": "pre"}


def regional_post(w: World) -> dict[str, Any]:
    return {"pk": _get(w, "regional_activity").pk, "kind": "post"}


def api_regional(w: World) -> dict[str, Any]:
    return {"id": _get(w, "regional_activity").pk}


def api_vn_only(w: World) -> dict[str, Any]:
    return {"id": _get(w, "vn_activity").pk}


STAFF_ONLY = only(["staff"], 200, 403)
# Staff and the assigned trainer manage; others in scope 403; out of scope 404.
MANAGERS = {
    "anonymous": 302,
    "staff": 200,
    "trainer": 200,
    "focal_th": 403,
    "learner": 403,
    "reviewer": 404,
    "investigator_th": 404,
}
# Nobody in the matrix world has a place on the regional activity (the learner is nominated).
PARTICIPANTS_ONLY = {**MANAGERS, "staff": 403, "trainer": 403}
IN_REGIONAL = only(REGIONAL, 200, 404)
ONLY_STAFF_SEES_VN = only(["staff"], 200, 404)

RULES: list[Rule] = [
    Rule("activities:activity_list", everyone(200, anonymous=302)),
    Rule("activities:my_registrations", everyone(200, anonymous=302)),
    Rule("activities:activity_detail", IN_REGIONAL, kwargs=regional, label="regional"),
    Rule("activities:activity_detail", ONLY_STAFF_SEES_VN, kwargs=vn_only, label="VN only"),
    Rule("activities:activity_calendar", IN_REGIONAL, kwargs=regional, label="regional"),
    Rule("activities:activity_calendar", ONLY_STAFF_SEES_VN, kwargs=vn_only, label="VN only"),
    Rule(
        "activities:activity_transition",
        only(["staff"], 405, 403),
        kwargs=regional,
        label="GET",
    ),
    Rule(
        "activities:activity_transition",
        only(["staff"], 302, 403),
        kwargs=vn_only,
        method="POST",
        label="no status given",
    ),
    Rule(
        "activities:activity_nominations",
        {
            "anonymous": 302,
            "staff": 200,
            "focal_th": 200,
            "trainer": 403,
            "learner": 403,
            "reviewer": 404,
            "investigator_th": 404,
        },
        kwargs=regional,
        label="regional",
    ),
    Rule("activities:activity_nominations", ONLY_STAFF_SEES_VN, kwargs=vn_only, label="VN only"),
    Rule(
        "activities:activity_nominations",
        {
            "anonymous": 302,
            "staff": 200,  # an empty form is shown again with its errors
            "focal_th": 200,
            "trainer": 403,
            "learner": 403,
            "reviewer": 404,
            "investigator_th": 404,
        },
        kwargs=regional,
        method="POST",
        label="empty form",
    ),
    Rule("activities:activity_decisions", STAFF_ONLY, kwargs=regional),
    Rule(
        "activities:activity_decisions",
        only(["staff"], 404, 403),
        kwargs=regional,
        method="POST",
        label="no registration named",
    ),
    Rule("activities:material_list", IN_REGIONAL, kwargs=regional, label="regional"),
    Rule("activities:material_list", ONLY_STAFF_SEES_VN, kwargs=vn_only, label="VN only"),
    Rule(
        "activities:material_list",
        {
            "anonymous": 302,
            "staff": 200,  # the empty form again, with its errors
            "trainer": 200,
            "focal_th": 403,
            "learner": 403,
            "reviewer": 404,
            "investigator_th": 404,
        },
        kwargs=regional,
        method="POST",
        label="empty upload",
    ),
    Rule("activities:material_download", IN_REGIONAL, kwargs=regional_material, label="regional"),
    Rule("activities:material_download", ONLY_STAFF_SEES_VN, kwargs=vn_material, label="VN only"),
    Rule("activities:import_upload", STAFF_ONLY, kwargs=regional),
    Rule("activities:activity_create", STAFF_ONLY),
    # attendance: staff and the assigned trainer
    Rule(
        "activities:activity_badges",
        {
            "anonymous": 302,
            "staff": 200,
            "trainer": 200,
            "focal_th": 403,
            "learner": 403,
            "reviewer": 404,
            "investigator_th": 404,
        },
        kwargs=regional,
    ),
    Rule(
        "activities:session_sign_in_sheet",
        {
            "anonymous": 302,
            "staff": 200,
            "trainer": 200,
            "focal_th": 403,
            "learner": 403,
            "reviewer": 404,
            "investigator_th": 404,
        },
        kwargs=regional_session,
    ),
    Rule(
        "activities:session_check_in",
        {
            "anonymous": 302,
            "staff": 200,
            "trainer": 200,
            "focal_th": 403,
            "learner": 403,
            "reviewer": 404,
            "investigator_th": 404,
        },
        kwargs=regional_session,
    ),
    Rule(
        "activities:session_check_in",
        {
            "anonymous": 302,
            "staff": 404,
            "trainer": 404,
            "focal_th": 403,
            "learner": 403,
            "reviewer": 404,
            "investigator_th": 404,
        },
        kwargs=regional_session,
        method="POST",
        label="nobody named",
    ),
    Rule("activities:activity_edit", STAFF_ONLY, kwargs=regional),
    Rule("activities:activity_plan", STAFF_ONLY, kwargs=regional),
    Rule(
        "activities:activity_plan",
        STAFF_ONLY,
        kwargs=regional,
        method="POST",
        label="no action: the page again",
    ),
    Rule("activities:import_map", STAFF_ONLY, kwargs=regional_import),
    Rule("activities:import_preview", STAFF_ONLY, kwargs=regional_import),
    # the API: the same scope, 401 for anonymous
    Rule("api:activity_list", everyone(200, anonymous=401)),
    Rule("api:activity_detail", only(REGIONAL, 200, 404, anonymous=401), kwargs=api_regional),
    Rule("api:activity_detail", only(["staff"], 200, 404, anonymous=401), kwargs=api_vn_only),
    Rule("api:activity_detail", everyone(404, anonymous=401), kwargs=lambda w: {"id": 987654}),
    Rule("api:activity_sessions", only(REGIONAL, 200, 404, anonymous=401), kwargs=api_regional),
    Rule("api:activity_sessions", only(["staff"], 200, 404, anonymous=401), kwargs=api_vn_only),
    # evaluations: set-up and paper scores for staff and the assigned trainer; taking a test and
    # the survey for participants with a place (the learner is only nominated here: 403);
    # the overview and results for everyone in the activity's scope (rows scoped per role).
    Rule("activities:evaluation_overview", IN_REGIONAL, kwargs=regional, label="regional"),
    Rule("activities:evaluation_overview", ONLY_STAFF_SEES_VN, kwargs=vn_only, label="VN only"),
    Rule("activities:evaluation_results", IN_REGIONAL, kwargs=regional, label="regional"),
    Rule("activities:evaluation_results", ONLY_STAFF_SEES_VN, kwargs=vn_only, label="VN only"),
    Rule("activities:evaluation_setup", MANAGERS, kwargs=regional_pre, label="GET"),
    Rule(
        "activities:evaluation_setup",
        MANAGERS,
        kwargs=regional_pre,
        method="POST",
        label="empty form: the page again",
    ),
    Rule("activities:evaluation_scores", MANAGERS, kwargs=regional, label="GET"),
    Rule(
        "activities:evaluation_scores",
        {**MANAGERS, "staff": 302, "trainer": 302},
        kwargs=regional,
        method="POST",
        label="no rows: nothing changes",
    ),
    Rule("activities:evaluation_take", PARTICIPANTS_ONLY, kwargs=regional_post, label="GET"),
    Rule(
        "activities:evaluation_take",
        PARTICIPANTS_ONLY,
        kwargs=regional_post,
        method="POST",
        label="POST",
    ),
    Rule("activities:evaluation_survey", PARTICIPANTS_ONLY, kwargs=regional, label="GET"),
    Rule(
        "activities:evaluation_survey",
        PARTICIPANTS_ONLY,
        kwargs=regional,
        method="POST",
        label="POST",
    ),
    Rule("activities:evaluation_certificates", everyone(405, anonymous=302), kwargs=regional),
    Rule(
        "activities:evaluation_certificates",
        {**MANAGERS, "staff": 302, "trainer": 302},
        kwargs=regional,
        method="POST",
        label="no post-test yet: a message",
    ),
    # the paper copy: only once the test has items (none in the matrix world: 404 for managers)
    Rule(
        "activities:evaluation_paper",
        {**MANAGERS, "staff": 404, "trainer": 404},
        kwargs=regional_pre,
    ),
]


# --- letters, confirmation links, the programme dashboard and the donor report ----------------
# Appended by the programme work: the populate above is wrapped so that the regional activity's
# Thai and Vietnamese registrations are approved (letters exist for them) and the Thai
# participant holds a live confirmation link. The learner stays nominated (the evaluation rules
# rely on it): their own letters answer with a redirect and a message, as for anyone not approved.

_populate_activities = populate


def populate(world: World) -> None:  # type: ignore[no-redef]  # extends the populate above
    _populate_activities(world)
    if "programme_th_registration" in world.extra:
        return
    from cybercap.activities import confirmation

    staff = world.users["staff"]
    regional_activity = world.extra["regional_activity"]
    registrations = {
        r.person_id: r for r in Registration.objects.filter(activity=regional_activity)
    }
    learner_person = world.users["learner"].person
    for person in (world.th_person, world.vn_person):
        services.registration_decide(
            registration=registrations[person.pk], decision="approve", by=staff
        )
    th_registration = Registration.objects.get(activity=regional_activity, person=world.th_person)
    confirmation.link_send(
        registration=th_registration, url_for=lambda token: f"/confirm/{token}/", by=staff
    )
    world.extra.update(
        programme_th_registration=th_registration,
        programme_vn_registration=registrations[world.vn_person.pk],
        programme_learner_registration=registrations[learner_person.pk],
        programme_th_token=confirmation.make_token(th_registration),
    )


def _registration(key: str) -> Any:
    def kwargs(w: World) -> dict[str, Any]:
        populate(w)
        return {"pk": _get(w, "regional_activity").pk, "registration_pk": w.extra[key].pk}

    return kwargs


def _token(w: World) -> dict[str, Any]:
    populate(w)
    return {"token": w.extra["programme_th_token"]}


# Staff and the Thai focal point reach a Thai participant's letters; the assigned trainer sees
# the activity but not its letters (403); the learner only their own.
TH_LETTERS = {
    "anonymous": 302,
    "staff": 200,
    "focal_th": 200,
    "trainer": 403,
    "learner": 404,
    "reviewer": 404,
    "investigator_th": 404,
}
OWN_LETTERS = {**TH_LETTERS, "learner": 200}
# The learner's own registration is only nominated: no letter yet, back to the letters page.
NOT_YET = {**TH_LETTERS, "staff": 302, "focal_th": 302, "learner": 302}
VN_LETTERS = {**TH_LETTERS, "focal_th": 404}
PROGRAMME = only(["staff", "focal_th"], 200, 403)

RULES += [
    Rule(
        "activities:activity_letters",
        OWN_LETTERS,
        kwargs=regional,
        label="regional",
    ),
    Rule("activities:activity_letters", ONLY_STAFF_SEES_VN, kwargs=vn_only, label="VN only"),
    Rule(
        "activities:invitation_letter",
        TH_LETTERS,
        kwargs=_registration("programme_th_registration"),
        label="a Thai participant",
    ),
    Rule(
        "activities:invitation_letter",
        NOT_YET,
        kwargs=_registration("programme_learner_registration"),
        label="the learner's own",
    ),
    Rule(
        "activities:invitation_letter",
        VN_LETTERS,
        kwargs=_registration("programme_vn_registration"),
        label="a Vietnamese participant",
    ),
    Rule(
        "activities:visa_letter",
        TH_LETTERS,
        kwargs=_registration("programme_th_registration"),
        label="a Thai participant",
    ),
    Rule(
        "activities:visa_letter",
        VN_LETTERS,
        kwargs=_registration("programme_vn_registration"),
        label="a Vietnamese participant",
    ),
    Rule(
        "activities:visa_letter",
        NOT_YET,
        kwargs=_registration("programme_learner_registration"),
        method="POST",
        label="the learner's, not yet approved: back to the letters page",
    ),
    Rule(
        "activities:visa_letter",
        TH_LETTERS,
        kwargs=_registration("programme_th_registration"),
        method="POST",
        label="empty passport form: shown again with its errors",
    ),
    Rule(
        "activities:confirmation_send",
        only(["staff"], 405, 403),
        kwargs=_registration("programme_learner_registration"),
        label="GET",
    ),
    Rule(
        "activities:confirmation_send",
        only(["staff"], 302, 403),
        kwargs=_registration("programme_learner_registration"),
        method="POST",
        label="the learner's link",
    ),
    # The confirmation link is public: the signed token is the credential.
    Rule("activities:confirmation", everyone(200), kwargs=_token, label="a live link"),
    Rule(
        "activities:confirmation",
        everyone(200),
        kwargs=_token,
        method="POST",
        label="no action: the page again",
    ),
    Rule(
        "activities:confirmation",
        everyone(410),
        kwargs=lambda w: {"token": "not-a-signed-token"},
        label="a damaged link",
    ),
    Rule("activities:confirmation_invitation", everyone(200), kwargs=_token, label="a live link"),
    Rule("activities:programme_dashboard", PROGRAMME),
    Rule("activities:donor_report_xlsx", PROGRAMME),
    Rule("activities:donor_report_pdf", PROGRAMME),
]

# The training planner (staff only): the ranked topics, and a proposal made a planned activity.
RULES += [
    Rule("activities:planner", only(["staff"], 200, 403)),
    Rule("activities:planner_plan", only(["staff"], 405, 403), label="GET"),
    Rule(
        "activities:planner_plan",
        only(["staff"], 302, 403),
        method="POST",
        label="empty proposal: refused with messages, nothing created",
    ),
]


# The feedback survey's questions: staff and the assigned trainer edit; others in scope 403.
def _regional_question(w: World) -> dict[str, Any]:
    from cybercap.activities.evaluations import feedback_questions_ensure

    activity = _get(w, "regional_activity")
    return {"pk": activity.pk, "question_pk": feedback_questions_ensure(activity=activity)[0].pk}


def _vn_question(w: World) -> dict[str, Any]:
    from cybercap.activities.evaluations import feedback_questions_ensure

    activity = _get(w, "vn_activity")
    return {"pk": activity.pk, "question_pk": feedback_questions_ensure(activity=activity)[0].pk}


RULES += [
    Rule("activities:survey_questions", MANAGERS, kwargs=regional, label="GET"),
    Rule(
        "activities:survey_questions",
        MANAGERS,
        kwargs=regional,
        method="POST",
        label="empty form: the page again",
    ),
    Rule("activities:survey_questions", only(["staff"], 200, 404), kwargs=vn_only, label="VN"),
    Rule("activities:survey_question_edit", MANAGERS, kwargs=_regional_question, label="GET"),
    Rule(
        "activities:survey_question_edit",
        MANAGERS,
        kwargs=_regional_question,
        method="POST",
        label="empty form: the page again",
    ),
    Rule(
        "activities:survey_question_edit",
        only(["staff"], 200, 404),
        kwargs=_vn_question,
        label="VN",
    ),
    Rule(
        "activities:survey_question_action",
        everyone(405, anonymous=302),
        kwargs=_regional_question,
        label="GET",
    ),
    Rule(
        "activities:survey_question_action",
        {**MANAGERS, "staff": 302, "trainer": 302},
        kwargs=_regional_question,
        method="POST",
        label="no action: a message, nothing changes",
    ),
]

# The Vietnamese-only activity for the views of its managers and participants: only staff
# reach it; the trainer (not assigned there), the Thai focal point and the learner get 404.
RULES += [
    Rule("activities:activity_badges", only(["staff"], 200, 404), kwargs=vn_only, label="VN"),
    Rule(
        "activities:evaluation_setup",
        only(["staff"], 200, 404),
        kwargs=lambda w: {**vn_only(w), "kind": "pre"},
        label="VN",
    ),
    Rule("activities:evaluation_scores", only(["staff"], 200, 404), kwargs=vn_only, label="VN"),
    Rule(
        "activities:evaluation_take",
        only(["staff"], 403, 404),
        kwargs=lambda w: {**vn_only(w), "kind": "post"},
        label="VN: staff have no place",
    ),
    Rule(
        "activities:evaluation_survey",
        only(["staff"], 403, 404),
        kwargs=vn_only,
        label="VN: staff have no place",
    ),
    Rule(
        "activities:evaluation_certificates",
        only(["staff"], 302, 404),
        kwargs=vn_only,
        method="POST",
        label="VN: no post-test yet, a message",
    ),
]
