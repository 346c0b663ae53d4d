"""In a real browser (strict CSP enforced): a trainer enters paper scores, a participant takes
the post-test online and answers the survey, and the results page shows the gain."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cybercap.activities import evaluations
from cybercap.activities.models import EvaluationScore, FeedbackResponse, Registration
from cybercap.activities.services import trainer_assign
from cybercap.quizzes.models import Item
from tests.browser import log_in
from tests.factories import PersonFactory, RoleFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _item(topic: Any, key: str, stem: str, options: list[str], correct: int) -> Item:
    return Item.objects.create(
        key=key,
        type="single",
        topic=topic,
        stem=stem,
        options=[{"id": f"o{n}", "text": text} for n, text in enumerate(options)],
        correct=[f"o{correct}"],
        content_hash=key,
    )


def test_paper_scores_an_online_post_test_and_the_survey_give_the_gain(
    page: Page, live_server: Any, make_activity: Any, people: dict[str, Any], thailand: Any
) -> None:
    base = live_server.url
    topic = TopicFactory(key="first-response", name="First response")
    activity = make_activity(quotas={thailand: 4}, topics=[topic])
    trainer = UserFactory(username="tara", first_name="Tara", last_name="Trainer")
    RoleFactory(user=trainer, role="trainer")
    trainer_assign(activity=activity, user=trainer)
    learner = UserFactory(username="kanya", first_name="Kanya", last_name="R")
    RoleFactory(user=learner, role="learner")
    me = PersonFactory(agency=people["th1"].agency, full_name="กัญญา รัตนพันธ์", user=learner)
    for person in (people["th1"], people["th2"], me):
        Registration.objects.create(
            activity=activity,
            person=person,
            country=thailand,
            status="attended",
            nominated_at=timezone.now(),
        )
    items = [
        _item(
            topic,
            "fr-power",
            "A laptop is wiping its disk. What first?",
            ["Pull the plug", "Wait"],
            0,
        ),
        _item(
            topic,
            "fr-phone",
            "A seized phone keeps ringing. Where does it go?",
            ["A Faraday bag", "A drawer"],
            0,
        ),
    ]
    evaluations.evaluation_set(
        activity=activity, kind="post", items=items, online=True, pass_mark=0.7, by=trainer
    )

    # The trainer types the paper scores: two complete pairs, and the pre-test of the learner.
    log_in(page, base, "tara")
    page.goto(f"{base}/activities/{activity.pk}/evaluation/")
    page.get_by_role("link", name="Enter scores from paper tests").click()
    page.get_by_label("Pre-test: สมชาย ใจดี").fill("40")
    page.get_by_label("Post-test: สมชาย ใจดี").fill("70")
    page.get_by_label("Pre-test: สมหญิง รักไทย").fill("100")
    page.get_by_label("Post-test: สมหญิง รักไทย").fill("90")
    page.get_by_label("Pre-test: กัญญา รัตนพันธ์").fill("50")
    page.get_by_role("button", name="Save all scores").click()
    expect(page.locator(".messages")).to_contain_text("5 scores saved.")
    assert EvaluationScore.objects.count() == 5
    page.get_by_role("button", name="Log out").click()

    # The participant takes the post-test online and answers the survey.
    log_in(page, base, "kanya")
    page.goto(f"{base}/activities/{activity.pk}/evaluation/")
    page.get_by_role("link", name="Take the Post-test").click()
    page.get_by_label("Pull the plug").check()
    page.get_by_label("A Faraday bag").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".messages")).to_contain_text("your score is 100%")
    page.get_by_role("link", name="Answer the feedback survey").click()
    for radio in page.locator("input[type=radio][value='4']").all():
        radio.check()
    page.get_by_label("What should we change next time?").fill("More lab time.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".messages")).to_contain_text("recorded without your name")
    assert FeedbackResponse.objects.count() == 1
    page.goto(f"{base}/activities/{activity.pk}/results/")
    expect(page.locator("#gain-table tbody tr")).to_have_count(1)  # only their own row
    page.get_by_role("button", name="Log out").click()

    # The trainer's results: 3 pairs, one with a perfect pre-test, and the survey.
    log_in(page, base, "tara")
    page.goto(f"{base}/activities/{activity.pk}/results/")
    summary = page.locator("#gain-summary")
    expect(summary).to_contain_text("3")
    # pre (40 + 100 + 50)/3 = 63.3, post (70 + 90 + 100)/3 = 86.7, gain +23.3 points;
    # g = (0.5 + 1.0)/2 = 0.75 (high) over the two pairs whose pre-test was below 100.
    expect(summary).to_contain_text("63.3%")
    expect(summary).to_contain_text("86.7%")
    expect(summary).to_contain_text("+23.3 percentage points")
    expect(summary).to_contain_text("0.75 (high)")
    expect(page.locator("#undefined-note")).to_contain_text("1 participant scored 100%")
    learner_row = page.locator("#gain-table tr", has_text="กัญญา รัตนพันธ์")
    expect(learner_row).to_contain_text("+50.0")
    expect(learner_row).to_contain_text("1.00")
    expect(page.get_by_text("1 anonymous response.")).to_be_visible()
    expect(page.get_by_text("More lab time.")).to_be_visible()
