"""A learner's journey in a real browser: sign in, read a lesson, pass a module quiz, play a
scenario to its debrief, pass the final test, find the certificate and verify it publicly.

(The platform has no self-registration page yet: the learner's account is made here as an
agency invitation would make it.)
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from cybercap.certificates.models import Certificate
from cybercap.quizzes.models import Attempt, Item
from tests.browser import log_in
from tests.factories import AgencyFactory, CountryFactory, PersonFactory, RoleFactory, UserFactory
from tests.quizzes.helpers import COURSE_KEY, load_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer_rightly(form: Locator) -> int:
    """Answer every question of the attempt form with the item's key."""
    fieldsets = form.locator("fieldset")
    count = fieldsets.count()
    keys = [(fieldsets.nth(n).get_attribute("id") or "").removeprefix("q-") for n in range(count)]
    items = {i.key: i for i in Item.objects.filter(key__in=keys)}
    for n, key in enumerate(keys):
        item, fieldset = items[key], fieldsets.nth(n)
        if item.type in ("single", "true_false"):
            fieldset.locator(f'input[type="radio"][value="{item.correct[0]}"]').check()
        elif item.type == "multiple":
            for option in item.correct:
                fieldset.locator(f'input[type="checkbox"][value="{option}"]').check()
        elif item.type == "ordering":
            for position, option in enumerate(item.correct, start=1):
                fieldset.locator(f'select[name="i-{key}-{option}"]').select_option(str(position))
        else:
            for option, target in item.correct.items():
                fieldset.locator(f'select[name="i-{key}-{option}"]').select_option(target)
    return count


def test_a_learner_goes_from_a_lesson_to_a_verified_certificate(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    course = load_course()
    thailand = CountryFactory(code="TH", name="Thailand")
    learner = UserFactory(username="kanya", first_name="Kanya", last_name="Rattanaphan")
    RoleFactory(user=learner, role="learner")
    PersonFactory(
        full_name="กัญญา รัตนพันธ์",
        latin_name="Kanya Rattanaphan",
        agency=AgencyFactory(country=thailand, name="Royal Thai Police"),
        user=learner,
    )
    log_in(page, base, learner.username)

    # A lesson, read and marked complete.
    page.goto(f"{base}/learn/")
    page.get_by_role("link", name=course.title).click()
    expect(page.get_by_text("0 of 10 modules complete (0%).")).to_be_visible()
    page.goto(f"{base}/learn/{COURSE_KEY}/lessons/m1-four-principles/")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(f"{base}/learn/{COURSE_KEY}/lessons/m1-standards-and-roles/")

    # The module quiz, passed.
    page.goto(f"{base}/learn/{COURSE_KEY}/modules/m1-principles/quiz/")
    page.get_by_role("button", name="Start").click()
    assert _answer_rightly(page.locator("form.quiz")) == 6
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/learn/attempts/\d+/$"))
    quiz = Attempt.objects.get(user=learner, test=course.modules.get(key="m1-principles").quiz)
    assert (quiz.score, quiz.passed) == (1.0, True)

    # A scenario, played to its end (always the first choice offered).
    scenario = course.scenarios.order_by("module__position", "position").first()
    assert scenario is not None
    page.goto(f"{base}/learn/{COURSE_KEY}/scenarios/{scenario.key}/")
    page.get_by_role("button", name="Start").click()
    for _ in range(20):
        if page.get_by_role("heading", name="Debrief").count():
            break
        page.locator('input[name="choice"]').first.check()
        page.get_by_role("button", name="Decide").click()
    expect(page.get_by_role("heading", name="Debrief")).to_be_visible()

    # The final test, passed; the certificate follows.
    page.goto(f"{base}/learn/{COURSE_KEY}/final-test/")
    page.get_by_role("button", name="Start").click()
    assert _answer_rightly(page.locator("form.quiz")) == 30
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/learn/attempts/\d+/$"))
    page.goto(f"{base}/learn/progress/")
    page.get_by_role("link", name="Your certificate").click()
    certificate = Certificate.objects.get(holder_user=learner)
    assert (certificate.kind, certificate.course_key) == ("achievement", COURSE_KEY)
    row = page.get_by_role("row", name=re.compile(re.escape(course.title)))
    expect(row).to_contain_text(certificate.code)

    # Anyone can check it by its code.
    page.context.clear_cookies()
    page.goto(f"{base}/verify/{certificate.code}")
    expect(page.locator(".status--valid")).to_contain_text("Valid")
    expect(page.locator("dl.facts")).to_contain_text(course.title)
