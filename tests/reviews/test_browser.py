"""In a real browser (strict CSP enforced): a reviewer scores an indicator with evidence, and
a focal point validates the draft with a comment that the reviewer answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from cybercap.reviews import services
from cybercap.reviews.models import Answer, Evidence, ValidationComment
from tests.browser import current_code, log_in
from tests.factories import RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_with_code(page: Page, base: str, username: str, device: Any, drift: int) -> None:
    log_in(page, base, username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    page.get_by_label("Code").fill(current_code(device, drift=drift))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/")


def test_a_reviewer_scores_and_a_focal_point_validates(
    page: Page,
    live_server: Any,
    make_review: Any,
    thailand: Any,
    staff_user: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    anna = UserFactory(username="anna", first_name="Anna", last_name="Reviewer")
    RoleFactory(user=anna, role="reviewer")
    device = TOTPDevice.objects.create(user=anna, name="phone", confirmed=True)
    malai = UserFactory(username="malai", first_name="Malai", last_name="Focal")
    RoleFactory(user=malai, role="focal_point", country=thailand)
    review = make_review(thailand, state="scoring", reviewers=(anna,))

    # The reviewer scores INS-STRAT-01 with evidence and a file.
    _log_in_with_code(page, base, "anna", device, drift=0)
    page.locator(".site-nav").get_by_role("link", name="Reviews").click()
    page.get_by_role("link", name="Thailand").click()
    expect(page.locator(".tlp")).to_contain_text("TLP:AMBER")
    page.get_by_role("link", name="INS-STRAT-01").click()
    page.get_by_label("Level", exact=True).select_option("2")
    page.get_by_label("Confidence").select_option("medium")
    page.get_by_label("Evidence", exact=True).fill("A draft strategy circulates; not adopted.")
    page.get_by_label("Needs discussion").check()
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator("#answer")).to_contain_text("Answer saved.")
    answer = Answer.objects.get(review=review, indicator__code="INS-STRAT-01")
    assert (answer.level, answer.confidence, answer.needs_discussion) == (2, "medium", True)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "draft.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}]
    )
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("link", name="draft.pdf")).to_be_visible()
    assert Evidence.objects.get(answer=answer).original_name == "draft.pdf"
    page.get_by_role("button", name="Log out").click()

    # Staff release the draft to the country.
    services.review_transition(by=staff_user, review=review, to="peer_check")
    services.review_transition(by=staff_user, review=review, to="country_validation")

    # The focal point reads the draft and comments on the indicator.
    log_in(page, base, "malai")
    page.goto(f"{base}/reviews/")
    page.get_by_role("link", name="Thailand").click()
    page.get_by_role("link", name="Validation comments").click()
    page.get_by_label("Indicator").select_option("INS-STRAT-01")
    page.locator("#id_body").fill("The cabinet adopted the strategy in May.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("article")).to_contain_text("The cabinet adopted the strategy in May.")
    page.get_by_role("button", name="Log out").click()

    # The reviewer answers it.
    _log_in_with_code(page, base, "anna", device, drift=1)
    page.goto(f"{base}/reviews/{review.pk}/comments/")
    page.get_by_label("Answer this comment").fill("Thank you: we will check the resolution.")
    page.get_by_role("button", name="Answer", exact=True).click()
    expect(page.locator("article")).to_contain_text("Thank you: we will check the resolution.")
    comment = ValidationComment.objects.get(review=review, parent__isnull=True)
    assert comment.replies.get().author == anna
