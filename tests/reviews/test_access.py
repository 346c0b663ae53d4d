"""Every cell of the issue's access table, through the scoped selector and the permissions.

| state                                          | staff | assigned reviewers | the country's focal points | anyone else |
| preparation, consultations, scoring, peer check| all   | read and write     | nothing                    | nothing     |
| country validation                             | all   | read, answer comments | read the draft, comment | nothing     |
| final                                          | all   | read               | read, download the report  | nothing     |
"""  # noqa: E501 -- the table is quoted as the issue writes it

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404

from cybercap.reviews import permissions
from cybercap.reviews.models import ReviewState
from cybercap.reviews.selectors import review_get_for_user, reviews_for_user
from tests.reviews.conftest import reviewer

pytestmark = pytest.mark.django_db

WORKING = ["preparation", "consultations", "scoring", "peer_check"]
STATES = [*WORKING, "country_validation", "final"]


def _abilities(user: Any, review: Any) -> str:
    """What the user may do, as letters: r(ead) w(rite) c(omment) a(nswer comments) d(ownload)."""
    if not reviews_for_user(user=user).filter(pk=review.pk).exists():
        assert not permissions.can_read(user, review)
        return "-"
    fresh = review_get_for_user(user=user, pk=review.pk)
    assert permissions.can_read(user, fresh)
    out = "r"
    out += "w" if permissions.can_write(user, fresh) else ""
    out += "c" if permissions.can_comment(user, fresh) else ""
    out += "a" if permissions.can_reply(user, fresh) else ""
    out += "d" if permissions.can_download(user, fresh) else ""
    return out


@pytest.fixture
def people(make_user: Callable[..., Any], thailand: Any, vietnam: Any) -> dict[str, Any]:
    return {
        "staff": make_user("staff"),
        "assigned": reviewer(),
        "other_reviewer": reviewer(),
        "focal_th": make_user("focal_point", thailand),
        "focal_vn": make_user("focal_point", vietnam),
        "investigator_th": make_user("investigator", thailand),
        "trainer": make_user("trainer"),
        "learner": make_user("learner"),
        "no_role": make_user(),
    }


EXPECTED_AMBER = {
    # persona: {state: abilities}
    "staff": {
        **dict.fromkeys(WORKING, "rwd"),
        "country_validation": "rwcad",
        "final": "rd",
    },
    "assigned": {**dict.fromkeys(WORKING, "rw"), "country_validation": "ra", "final": "r"},
    "focal_th": {**dict.fromkeys(WORKING, "-"), "country_validation": "rc", "final": "rd"},
    **{
        persona: dict.fromkeys(STATES, "-")
        for persona in (
            "other_reviewer",
            "focal_vn",
            "investigator_th",
            "trainer",
            "learner",
            "no_role",
        )
    },
}


@pytest.mark.parametrize("tlp", ["AMBER", "AMBER+STRICT"])
@pytest.mark.parametrize("state", STATES)
def test_every_cell_of_the_table_under_amber(
    tlp: str, state: str, people: dict[str, Any], make_review: Any, thailand: Any
) -> None:
    review = make_review(thailand, state=state, reviewers=(people["assigned"],), tlp=tlp)
    got = {persona: _abilities(user, review) for persona, user in people.items()}
    assert got == {persona: cells[state] for persona, cells in EXPECTED_AMBER.items()}


@pytest.mark.parametrize("state", STATES)
def test_red_narrows_to_the_named_users(
    state: str,
    people: dict[str, Any],
    make_review: Any,
    thailand: Any,
    make_user: Callable[..., Any],
) -> None:
    named_focal = make_user("focal_point", thailand)
    review = make_review(
        thailand, state=state, reviewers=(people["assigned"],), tlp="RED", named=(named_focal,)
    )
    got = {persona: _abilities(user, review) for persona, user in people.items()}
    # The opener (staff) and the assigned reviewer are named on opening; other staff and the
    # unnamed focal point see nothing.
    expected = {persona: "-" for persona in people}
    expected["assigned"] = EXPECTED_AMBER["assigned"][state]
    assert got == expected
    assert _abilities(named_focal, review) == EXPECTED_AMBER["focal_th"][state]
    opener = review.transitions.get().by
    assert _abilities(opener, review) == EXPECTED_AMBER["staff"][state]


@pytest.mark.parametrize("tlp", ["GREEN", "CLEAR"])
def test_a_published_final_review_is_readable_by_every_signed_in_user(
    tlp: str, people: dict[str, Any], make_review: Any, thailand: Any
) -> None:
    review = make_review(thailand, state="final", reviewers=(people["assigned"],), tlp=tlp)
    got = {persona: _abilities(user, review) for persona, user in people.items()}
    assert got == {
        "staff": "rd",
        "assigned": "r",
        "other_reviewer": "r",
        "focal_th": "rd",
        "focal_vn": "r",
        "investigator_th": "r",
        "trainer": "r",
        "learner": "r",
        "no_role": "r",
    }


def test_a_published_label_before_final_keeps_to_the_table(
    people: dict[str, Any], make_review: Any, thailand: Any
) -> None:
    review = make_review(thailand, state="scoring", reviewers=(people["assigned"],), tlp="GREEN")
    assert _abilities(people["learner"], review) == "-"
    assert _abilities(people["focal_th"], review) == "-"


def test_out_of_scope_is_not_found(people: dict[str, Any], make_review: Any, vietnam: Any) -> None:
    review = make_review(vietnam, state="final", reviewers=(people["assigned"],))
    with pytest.raises(Http404):
        review_get_for_user(user=people["focal_th"], pk=review.pk)
    assert review_get_for_user(user=people["focal_vn"], pk=review.pk) == review


def test_a_reviewer_sees_only_assigned_reviews(
    people: dict[str, Any], make_review: Any, thailand: Any, vietnam: Any
) -> None:
    mine = make_review(thailand, reviewers=(people["assigned"],))
    make_review(vietnam, reviewers=(people["other_reviewer"],))
    assert list(reviews_for_user(user=people["assigned"])) == [mine]


def test_a_reviewer_who_loses_the_role_loses_the_review(
    people: dict[str, Any], make_review: Any, thailand: Any
) -> None:
    review = make_review(thailand, reviewers=(people["assigned"],))
    people["assigned"].role_assignments.all().delete()
    people["assigned"]._cybercap_grants = None
    del people["assigned"]._cybercap_grants
    assert list(reviews_for_user(user=people["assigned"])) == []
    assert not permissions.can_read(people["assigned"], review)


def test_anonymous_sees_nothing(make_review: Any, thailand: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    make_review(thailand, state=ReviewState.FINAL, tlp="CLEAR")
    assert list(reviews_for_user(user=AnonymousUser())) == []
