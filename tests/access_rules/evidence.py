"""Matrix rules for the evidence register's pages and API (see tests/access.py).

The world gets a Thai training case owned by the Thai investigator with the trainer named on
it, and a Vietnamese case owned by staff; each has an exhibit with a verified upload made by
running the field CLI's functions. Roles that do not use the register (reviewer, focal point,
learner) get 403 everywhere; users of it get 404 for a case they may not see.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from tests.access import Rule, World, only

KEY = "evidence"
USERS = ["staff", "trainer", "investigator_th"]


def populate(world: World) -> None:
    if KEY in world.extra:
        return
    from cybercap.evidence import services
    from tests.evidence.test_register_support import field_output, make_case

    objects: dict[str, Any] = {}
    for name, owner, country, members in (
        ("th", world.users["investigator_th"], world.th, (world.users["trainer"],)),
        ("vn", world.users["staff"], world.vn, ()),
    ):
        case, exhibit = make_case(owner, country, f"TRAIN-{name.upper()}-01", members=members)
        with tempfile.TemporaryDirectory() as temp:
            output = field_output(Path(temp), case, exhibit)
            verification = services.verification_upload(
                by=owner,
                exhibit=exhibit,
                files=output.uploads(),  # type: ignore[arg-type]
            )
        assert verification.verified, verification.problems
        objects[name] = (case, exhibit, verification)
    world.extra[KEY] = objects


def _o(world: World, name: str) -> tuple[Any, Any, Any]:
    populate(world)
    return world.extra[KEY][name]  # type: ignore[no-any-return]


def case_kw(name: str) -> Any:
    return lambda w: {"pk": _o(w, name)[0].pk}


def exhibit_kw(name: str) -> Any:
    return lambda w: {"pk": _o(w, name)[0].pk, "exhibit_pk": _o(w, name)[1].pk}


def verification_kw(name: str, case: str | None = None) -> Any:
    return lambda w: {
        "pk": _o(w, case or name)[0].pk,
        "verification_pk": _o(w, name)[2].pk,
    }


def _scoped(allowed: list[str], status: int) -> dict[str, int]:
    """``allowed`` get ``status``; other register users 404; other roles 403; anonymous log in."""
    expect = only(allowed, status, 403)
    for persona in USERS:
        if persona not in allowed:
            expect[persona] = 404
    return expect


TH = ["staff", "trainer", "investigator_th"]
VN = ["staff"]
VERIFICATION_PAGES = ("verification_detail", "verification_case", "verification_pdf")

RULES: list[Rule] = [
    Rule("evidence:case_list", only(USERS, 200, 403)),
    Rule("evidence:case_create", only(USERS, 200, 403)),
    Rule("evidence:case_create", only(USERS, 422, 403), method="POST", label="empty form"),
    Rule("evidence:case_detail", _scoped(TH, 200), kwargs=case_kw("th"), label="TH case"),
    Rule("evidence:case_detail", _scoped(VN, 200), kwargs=case_kw("vn"), label="VN case"),
    Rule(
        "evidence:case_members",
        only([*USERS, "reviewer", "focal_th", "learner"], 405, 405),
        kwargs=case_kw("th"),
    ),
    Rule(
        "evidence:case_members",
        _scoped(VN, 302),
        kwargs=case_kw("vn"),
        method="POST",
        label="VN case, nobody named (no change)",
    ),
    Rule(
        "evidence:exhibit_create",
        only([*USERS, "reviewer", "focal_th", "learner"], 405, 405),
        kwargs=case_kw("th"),
    ),
    *[
        Rule(
            "evidence:exhibit_create",
            _scoped(allowed, 422),
            kwargs=case_kw(name),
            method="POST",
            label=f"{name} case, empty form",
        )
        for name, allowed in (("th", TH), ("vn", VN))
    ],
    *[
        Rule("evidence:exhibit_detail", _scoped(allowed, 200), kwargs=exhibit_kw(name), label=name)
        for name, allowed in (("th", TH), ("vn", VN))
    ],
    Rule(
        "evidence:verification_upload",
        only([*USERS, "reviewer", "focal_th", "learner"], 405, 405),
        kwargs=exhibit_kw("th"),
    ),
    *[
        Rule(
            "evidence:verification_upload",
            _scoped(allowed, 422),
            kwargs=exhibit_kw(name),
            method="POST",
            label=f"{name}, no files",
        )
        for name, allowed in (("th", TH), ("vn", VN))
    ],
    *[
        Rule(f"evidence:{page}", _scoped(allowed, 200), kwargs=verification_kw(name), label=name)
        for page in VERIFICATION_PAGES
        for name, allowed in (("th", TH), ("vn", VN))
    ],
    *[
        Rule(
            f"evidence:{page}",
            _scoped([], 200),
            kwargs=verification_kw("vn", case="th"),
            label="a VN upload under the TH case",
        )
        for page in VERIFICATION_PAGES
    ],
    *[
        Rule(
            "evidence:verification_file",
            _scoped(allowed, 200),
            kwargs=lambda w, n=name: {**verification_kw(n)(w), "name": "custody.jsonl"},
            label=name,
        )
        for name, allowed in (("th", TH), ("vn", VN))
    ],
    Rule(
        "evidence:verification_file",
        _scoped([], 200),
        kwargs=lambda w: {**verification_kw("th")(w), "name": "key.pub"},
        label="not a file one may download",
    ),
]


def _api(allowed: list[str], status: int) -> dict[str, int]:
    expect = _scoped(allowed, status)
    expect["anonymous"] = 401
    return expect


RULES += [
    Rule("api:case_list", _api(USERS, 200)),
    Rule("api:case_detail", _api(TH, 200), kwargs=lambda w: {"id": _o(w, "th")[0].pk}),
    Rule("api:case_detail", _api(VN, 200), kwargs=lambda w: {"id": _o(w, "vn")[0].pk}),
    Rule(
        "api:verification_detail",
        _api(TH, 200),
        kwargs=lambda w: {"id": _o(w, "th")[0].pk, "verification_id": _o(w, "th")[2].pk},
    ),
    Rule(
        "api:verification_detail",
        _api([], 200),
        kwargs=lambda w: {"id": _o(w, "th")[0].pk, "verification_id": _o(w, "vn")[2].pk},
        label="a VN upload under the TH case",
    ),
    Rule(
        "api:verification_create",
        _api(TH, 422),
        kwargs=lambda w: {"id": _o(w, "th")[0].pk, "exhibit_id": _o(w, "th")[1].pk},
        method="POST",
        label="no files",
    ),
    Rule(
        "api:verification_create",
        _api(VN, 422),
        kwargs=lambda w: {"id": _o(w, "vn")[0].pk, "exhibit_id": _o(w, "vn")[1].pk},
        method="POST",
        label="no files",
    ),
]
