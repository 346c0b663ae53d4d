"""Certificates in the role x URL matrix.

Three certificates on the regional activity and the course: the learner's attendance
certificate (the learner's person is Thai), a Vietnamese participant's, and the learner's
course certificate. The public pages use the learner's code: the Vietnamese participant's name
must never reach the Thai focal point, and the public page would show it to anyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cybercap.certificates.services import issue_certificate
from tests.access import Rule, World, everyone, only
from tests.access_rules import activities

UNKNOWN_CODE = "ZZZZ-ZZZZ-ZZZ"


def populate(world: World) -> None:
    if "learner_certificate" in world.extra:
        return
    activities.populate(world)
    regional = world.extra["regional_activity"]
    common = {
        "kind": "attendance",
        "title": regional.title,
        "starts": regional.start_date,
        "ends": regional.end_date,
        "activity": regional,
    }
    learner = world.users["learner"]
    world.extra["learner_certificate"] = issue_certificate(holder_person=learner.person, **common)
    world.extra["vn_certificate"] = issue_certificate(holder_person=world.vn_person, **common)
    world.extra["course_certificate"] = issue_certificate(
        holder_user=learner,
        kind="achievement",
        title="First responders and digital evidence",
        starts=dt.date(2026, 1, 5),
        ends=dt.date(2026, 2, 6),
        course_key="first-responder",
    )


def _code(key: str) -> Any:
    def make(world: World) -> dict[str, Any]:
        populate(world)
        return {"code": world.extra[key].code}

    return make


def _unknown(world: World) -> dict[str, Any]:
    from cybercap.certificates import codes

    body = UNKNOWN_CODE.replace("-", "")[:11]
    return {"code": codes.display(body + codes.check_character(body))}


def _typed(world: World) -> dict[str, Any]:
    populate(world)
    return {"code": world.extra["learner_certificate"].code.lower().replace("-", "")}


def _regional(world: World) -> dict[str, Any]:
    populate(world)
    return {"pk": world.extra["regional_activity"].pk}


def _vn_only(world: World) -> dict[str, Any]:
    populate(world)
    return {"pk": world.extra["vn_activity"].pk}


STAFF_ONLY = only(["staff"], 200, 403)
MANAGERS = {
    "anonymous": 302,
    "staff": 200,
    "trainer": 200,
    "focal_th": 403,
    "learner": 403,
    "reviewer": 404,
    "investigator_th": 404,
}

RULES: list[Rule] = [
    # public
    Rule("certificates:verify_form", everyone(200)),
    Rule("certificates:verify", everyone(200), kwargs=_code("learner_certificate"), label="valid"),
    Rule("certificates:verify", everyone(404), kwargs=_unknown, label="unknown code"),
    Rule("certificates:verify", everyone(302), kwargs=_typed, label="as typed"),
    Rule("api:certificate_verify", everyone(200), kwargs=_code("learner_certificate")),
    Rule("api:certificate_verify", everyone(404), kwargs=_unknown, label="unknown code"),
    # the holder's own
    Rule("certificates:mine", everyone(200, anonymous=302)),
    Rule("api:certificate_mine", everyone(200, anonymous=401)),
    Rule("certificates:preferences", everyone(405)),
    Rule("certificates:preferences", everyone(302), method="POST"),
    # PDFs: holder, staff, the activity's trainers, the holder's country's focal point
    Rule(
        "certificates:pdf",
        only(["staff", "trainer", "focal_th", "learner"], 200, 404),
        kwargs=_code("learner_certificate"),
        label="the learner's (Thai) attendance",
    ),
    Rule(
        "certificates:pdf",
        only(["staff", "trainer"], 200, 404),
        kwargs=_code("vn_certificate"),
        label="a Vietnamese participant's attendance",
    ),
    Rule(
        "certificates:pdf",
        only(["staff", "learner"], 200, 404),
        kwargs=_code("course_certificate"),
        label="the learner's course",
    ),
    # staff
    Rule("certificates:manage_list", STAFF_ONLY),
    Rule("certificates:manage_detail", STAFF_ONLY, kwargs=_code("vn_certificate")),
    Rule("certificates:revoke", everyone(405), kwargs=_code("vn_certificate")),
    Rule(
        "certificates:revoke",
        only(["staff"], 400, 403),
        kwargs=_code("vn_certificate"),
        method="POST",
        label="no reason given",
    ),
    # issuing attendance certificates: staff and the activity's trainers
    Rule("certificates:activity_issue", MANAGERS, kwargs=_regional, label="regional"),
    Rule(
        "certificates:activity_issue",
        {**MANAGERS, "staff": 400, "trainer": 400},
        kwargs=_regional,
        method="POST",
        label="no threshold given",
    ),
    Rule(
        "certificates:activity_issue",
        only(["staff"], 200, 404),
        kwargs=_vn_only,
        label="VN only",
    ),
]
