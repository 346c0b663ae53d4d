"""Matrix rules for the National Cyber Review pages and API (see tests/access.py).

The world gets, for TH, a review in scoring and one in country validation (both assigned to
the matrix reviewer), and for VN a review in scoring assigned to nobody in the matrix.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.access import Rule, World, everyone, only

KEY = "reviews"
NO_ONE_ELSE = ["trainer", "investigator_th", "learner"]


def populate(world: World) -> None:
    if KEY in world.extra:
        return
    from cybercap.core import audit
    from cybercap.reviews import services
    from cybercap.reviews.content import framework_store
    from cybercap.reviews.models import Indicator, Review
    from tests.reviews.conftest import parsed_framework

    staff, reviewer = world.users["staff"], world.users["reviewer"]
    with audit.suspended():
        framework = framework_store(parsed_framework(), {"created": 0, "updated": 0, "retired": 0})
    indicator = Indicator.objects.get(framework=framework, code="INS-STRAT-01")

    def review(country: Any, cycle: int, state: str, reviewers: list[Any]) -> Review:
        made = services.review_open(
            by=staff, country=country, cycle=cycle, framework=framework, reviewers=reviewers
        )
        Review.objects.filter(pk=made.pk).update(state=state)
        made.refresh_from_db()
        return made

    th_scoring = review(world.th, 2024, "scoring", [reviewer])
    th_validation = review(world.th, 2018, "country_validation", [reviewer])
    vn_scoring = review(world.vn, 2024, "scoring", [])
    objects: dict[str, Any] = {
        "indicator": indicator,
        "th_scoring": th_scoring,
        "th_validation": th_validation,
        "vn_scoring": vn_scoring,
    }
    for name in ("th_scoring", "th_validation"):
        target = objects[name]
        state = target.state
        Review.objects.filter(pk=target.pk).update(state="scoring")
        target.refresh_from_db()
        services.answer_save(by=staff, review=target, indicator=indicator, level=1)
        services.recommendations_generate(by=staff, review=target)
        # Marked edited, so that an empty answer posted by the matrix does not remove it.
        target.recommendations.update(edited=True)
        objects[f"{name}_rec"] = target.recommendations.first()
        Review.objects.filter(pk=target.pk).update(state=state)
        target.refresh_from_db()
    objects["evidence"] = services.evidence_attach(
        by=staff,
        review=th_scoring,
        indicator=indicator,
        upload=SimpleUploadedFile("matrix-note.txt", b"Evidence for the matrix."),
    )
    # One row of every model the admin shows (consultation, comment, target), for its pages.
    services.consultation_add(
        by=staff,
        review=th_scoring,
        date=datetime.date(2024, 3, 1),
        cluster=framework.stakeholder_clusters[0]["key"],
        agencies=[],
        notes="Notes without attribution.",
    )
    services.comment_add(by=staff, review=th_validation, body="Please check the figures.")
    services.target_set(by=staff, country=world.th, level=3)
    world.extra[KEY] = objects


def _o(world: World) -> dict[str, Any]:
    populate(world)
    return world.extra[KEY]


def review_kw(name: str) -> Any:
    return lambda w: {"pk": _o(w)[name].pk}


def answer_kw(name: str) -> Any:
    return lambda w: {"pk": _o(w)[name].pk, "code": _o(w)["indicator"].code}


def rec_kw(name: str) -> Any:
    return lambda w: {"pk": _o(w)[name].pk, "rec_pk": _o(w)[f"{name}_rec"].pk}


ASSIGNED = ["staff", "reviewer"]
RELEASED = ["staff", "reviewer", "focal_th"]


def _scoped(
    allowed: list[str], status: int, denied: list[str], denied_status: int
) -> dict[str, int]:
    """``allowed`` get ``status``; ``denied`` see the review but may not (``denied_status``);
    everyone else signed in gets 404; anonymous is sent to log in."""
    expect = only(allowed, status, 404)
    for persona in denied:
        expect[persona] = denied_status
    return expect


RULES: list[Rule] = [
    Rule("reviews:review_list", everyone(200, anonymous=302)),
    Rule("reviews:review_open", only(["staff"], 200, 403)),
    Rule("reviews:regional", only(["staff", "focal_th"], 200, 403)),
    Rule("reviews:target_list", only(["staff"], 200, 403), kwargs=lambda w: {"code": "TH"}),
    Rule(
        "reviews:target_list",
        only(["staff"], 200, 403),
        kwargs=lambda w: {"code": "VN"},
        method="POST",
        label="empty form",
    ),
    Rule("reviews:review_open", only(["staff"], 200, 403), method="POST", label="empty form"),
    # the review pages, by state
    *[
        Rule(
            f"reviews:{name}",
            only(ASSIGNED, 200, 404),
            kwargs=review_kw("th_scoring"),
            label="TH in scoring",
        )
        for name in (
            "review_detail",
            "review_compare",
            "consultation_list",
            "comment_list",
            "recommendation_list",
        )
    ],
    *[
        Rule(
            f"reviews:{name}",
            only(RELEASED, 200, 404),
            kwargs=review_kw("th_validation"),
            label="TH in validation",
        )
        for name in (
            "review_detail",
            "review_compare",
            "consultation_list",
            "comment_list",
            "recommendation_list",
        )
    ],
    *[
        Rule(
            f"reviews:{name}",
            only(["staff"], 200, 404),
            kwargs=review_kw("vn_scoring"),
            label="VN, not assigned",
        )
        for name in (
            "review_detail",
            "review_compare",
            "consultation_list",
            "comment_list",
            "recommendation_list",
        )
    ],
    # Staff-only pages: 403 for everyone else, before any lookup.
    Rule("reviews:review_people", only(["staff"], 200, 403), kwargs=review_kw("th_scoring")),
    Rule(
        "reviews:review_people",
        only(["staff"], 200, 403),
        kwargs=review_kw("th_validation"),
        method="POST",
        label="empty form",
    ),
    Rule("reviews:answer_edit", only(ASSIGNED, 200, 404), kwargs=answer_kw("th_scoring")),
    Rule("reviews:answer_edit", only(RELEASED, 200, 404), kwargs=answer_kw("th_validation")),
    Rule("reviews:answer_edit", only(["staff"], 200, 404), kwargs=answer_kw("vn_scoring")),
    Rule(
        "reviews:evidence_download",
        only(ASSIGNED, 200, 404),
        kwargs=lambda w: {"pk": _o(w)["th_scoring"].pk, "evidence_pk": _o(w)["evidence"].pk},
    ),
    Rule(
        "reviews:evidence_download",
        only(["staff"], 404, 404),
        kwargs=lambda w: {"pk": _o(w)["vn_scoring"].pk, "evidence_pk": _o(w)["evidence"].pk},
        label="evidence of another review",
    ),
    Rule("reviews:recommendation_edit", only(ASSIGNED, 200, 404), kwargs=rec_kw("th_scoring")),
    Rule(
        "reviews:recommendation_edit",
        _scoped(["staff"], 200, ["reviewer", "focal_th"], 403),
        kwargs=rec_kw("th_validation"),
        label="in validation: read-only for the reviewer",
    ),
    # Excel: the scoring workbook for those who may score, the action plan for the country at final
    Rule("reviews:workbook_download", only(ASSIGNED, 200, 404), kwargs=review_kw("th_scoring")),
    Rule(
        "reviews:workbook_download",
        _scoped(["staff"], 200, ["reviewer", "focal_th"], 403),
        kwargs=review_kw("th_validation"),
        label="in validation",
    ),
    Rule("reviews:workbook_import", everyone(405, anonymous=302), kwargs=review_kw("th_scoring")),
    Rule(
        "reviews:workbook_import",
        only(ASSIGNED, 422, 404),
        kwargs=review_kw("th_scoring"),
        method="POST",
        label="no file",
    ),
    Rule("reviews:action_plan_download", only(ASSIGNED, 200, 404), kwargs=review_kw("th_scoring")),
    Rule(
        "reviews:action_plan_download",
        _scoped(ASSIGNED, 200, ["focal_th"], 403),
        kwargs=review_kw("th_validation"),
        label="in validation: not yet for the country",
    ),
    # the tailored report: the page for whoever reads the review; the files for staff and the
    # assigned reviewers, and for the country's focal points once final
    Rule("reviews:report_page", only(ASSIGNED, 200, 404), kwargs=review_kw("th_scoring")),
    Rule("reviews:report_page", only(RELEASED, 200, 404), kwargs=review_kw("th_validation")),
    Rule("reviews:report_page", only(["staff"], 200, 404), kwargs=review_kw("vn_scoring")),
    Rule(
        "reviews:report_download",
        only(ASSIGNED, 200, 404),
        kwargs=lambda w: {"pk": _o(w)["th_scoring"].pk, "fmt": "pdf"},
    ),
    Rule(
        "reviews:report_download",
        _scoped(ASSIGNED, 200, ["focal_th"], 403),
        kwargs=lambda w: {"pk": _o(w)["th_validation"].pk, "fmt": "docx"},
        label="in validation: not yet for the country",
    ),
    Rule(
        "reviews:report_download",
        only(["staff"], 200, 404),
        kwargs=lambda w: {"pk": _o(w)["vn_scoring"].pk, "fmt": "html"},
    ),
    Rule(
        "reviews:report_download",
        only(["staff"], 404, 404),
        kwargs=lambda w: {"pk": _o(w)["th_scoring"].pk, "fmt": "xlsx"},
        label="unknown format",
    ),
    # Django admin: every reviews model is read-only (the workflow and the audit trail own
    # writes), so adding and deleting are refused to staff as well.
    *[
        Rule(f"admin:reviews_{model}_{page}", only(["staff"], 403, 302, anonymous=302))
        for model in (
            "frameworkversion",
            "indicator",
            "targetlevel",
            "review",
            "reviewtransition",
            "consultation",
            "answer",
            "evidence",
            "validationcomment",
            "recommendation",
        )
        for page in ("add", "delete")
    ],
    # writes (POST, with empty bodies: refused or answered with form errors, nothing changes)
    Rule("reviews:review_transition", everyone(405, anonymous=302), kwargs=review_kw("th_scoring")),
    Rule(
        "reviews:review_transition",
        only(ASSIGNED, 302, 404),
        kwargs=review_kw("th_scoring"),
        method="POST",
        label="no state named",
    ),
    Rule("reviews:evidence_upload", everyone(405, anonymous=302), kwargs=answer_kw("th_scoring")),
    Rule(
        "reviews:evidence_upload",
        only(ASSIGNED, 302, 404),
        kwargs=answer_kw("th_scoring"),
        method="POST",
        label="no file",
    ),
    Rule(
        "reviews:evidence_upload",
        _scoped(["staff"], 302, ["reviewer", "focal_th"], 403),
        kwargs=answer_kw("th_validation"),
        method="POST",
        label="in validation",
    ),
    Rule(
        "reviews:answer_edit",
        _scoped(["staff"], 302, ["reviewer", "focal_th"], 403),
        kwargs=answer_kw("th_validation"),
        method="POST",
        label="in validation",
    ),
    Rule(
        "reviews:consultation_list",
        _scoped(["staff"], 200, ["reviewer", "focal_th"], 403),
        kwargs=review_kw("th_validation"),
        method="POST",
        label="empty form, in validation",
    ),
    Rule(
        "reviews:comment_list",
        only(RELEASED, 200, 404),
        kwargs=review_kw("th_validation"),
        method="POST",
        label="empty comment",
    ),
    Rule(
        "reviews:comment_list",
        _scoped([], 200, ASSIGNED, 403),
        kwargs=review_kw("th_scoring"),
        method="POST",
        label="comments closed before validation",
    ),
    Rule(
        "reviews:recommendation_list",
        _scoped(["staff"], 302, ["reviewer", "focal_th"], 403),
        kwargs=review_kw("th_validation"),
        method="POST",
        label="generate, in validation",
    ),
    Rule(
        "reviews:recommendation_edit",
        _scoped(["staff"], 200, ["reviewer", "focal_th"], 403),
        kwargs=rec_kw("th_validation"),
        method="POST",
        label="empty form, in validation",
    ),
]

# --- the API (token or session; anonymous gets 401) ---------------------------------------------

API_READS = [
    "review_detail",
    "review_scores",
    "review_gaps",
    "review_recommendations",
    "review_answers",
]


def _api_only(allowed: list[str], status: int, others: int) -> dict[str, int]:
    expect = only(allowed, status, others)
    expect["anonymous"] = 401
    return expect


RULES += [
    Rule("api:review_list", everyone(200, anonymous=401)),
    *[
        Rule(
            f"api:{name}",
            _api_only(ASSIGNED, 200, 404),
            kwargs=lambda w: {"id": _o(w)["th_scoring"].pk},
            label="TH in scoring",
        )
        for name in API_READS
    ],
    *[
        Rule(
            f"api:{name}",
            _api_only(RELEASED, 200, 404),
            kwargs=lambda w: {"id": _o(w)["th_validation"].pk},
            label="TH in validation",
        )
        for name in API_READS
    ],
    *[
        Rule(
            f"api:{name}",
            _api_only(["staff"], 200, 404),
            kwargs=lambda w: {"id": _o(w)["vn_scoring"].pk},
            label="VN, not assigned",
        )
        for name in API_READS
    ],
    Rule(
        "api:answer_put",
        everyone(405),
        kwargs=lambda w: {"id": _o(w)["th_scoring"].pk, "code": "INS-STRAT-01"},
        label="GET",
    ),
    Rule(
        "api:answer_put",
        everyone(422, anonymous=401),
        kwargs=lambda w: {"id": _o(w)["th_scoring"].pk, "code": "INS-STRAT-01"},
        method="PUT",
        label="no body",
    ),
]
