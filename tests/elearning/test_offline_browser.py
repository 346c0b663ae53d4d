"""Offline use in a real browser: save a module, stop the server, read a lesson and take the
quiz (and the final test, saved with the capstone module), start the server again, sync twice,
and find exactly one attempt of each recorded, the final test scored by the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from cybercap.elearning.models import LessonProgress
from cybercap.quizzes.models import Attempt
from tests.browser import log_in
from tests.elearning.server import StoppableServer
from tests.factories import RoleFactory, UserFactory
from tests.quizzes.helpers import COURSE_KEY, load_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MODULE = "m1-principles"
LESSON = "m1-four-principles"
CAPSTONE = "m9-capstone"

READ_QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("cybercap-offline", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
    request.onerror = () => reject(request.error);
  };
})"""

RESEND = """async ([url, csrf, records]) => {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
    body: JSON.stringify({records}),
  });
  return (await response.json()).results;
}"""


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A fresh context; CSP violations and script errors fail the test, except the refused
    connections that the server being down causes."""
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 412, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)

    def on_console(message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            problems.append(f"CSP: {text}")
        elif message.type == "error" and "ERR_CONNECTION_REFUSED" not in text:
            problems.append(f"console error: {text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page, problems
    context.close()
    assert problems == [], "\n".join(problems)


def _answer_every_question(page: Page) -> int:
    fieldsets = page.locator("form.quiz fieldset")
    for n in range(fieldsets.count()):
        fieldset = fieldsets.nth(n)
        radios = fieldset.locator('input[type="radio"]')
        if radios.count():
            radios.first.check()
            continue
        selects = fieldset.locator("select")
        for s in range(selects.count()):
            select = selects.nth(s)
            if (
                select.get_attribute("name", timeout=1000)
                and select.locator('option[value="1"]').count()
            ):
                select.select_option(str(s + 1))  # ordering: positions 1..n
            else:
                select.select_option(index=1)  # matching: the first target
    return fieldsets.count()


def test_a_module_taken_offline_syncs_once(
    offline_page: tuple[Page, list[str]], stoppable_server: StoppableServer
) -> None:
    page, _ = offline_page
    course = load_course()
    learner = UserFactory(username="mai.offline")
    RoleFactory(user=learner, role="learner")
    base = stoppable_server.url

    log_in(page, base, learner.username)
    page.goto(f"{base}/learn/{COURSE_KEY}/")
    holder = page.locator(f'[data-offline-module$="/modules/{MODULE}/offline.json"]')
    holder.get_by_role("button", name="Save this module for offline use").click()
    expect(holder.locator("[data-offline-state]")).to_have_text("Saved for offline use.")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)") == "activated"
    capstone = page.locator(f'[data-offline-module$="/modules/{CAPSTONE}/offline.json"]')
    capstone.get_by_role("button", name="Save this module for offline use").click()
    expect(capstone.locator("[data-offline-state]")).to_have_text("Saved for offline use.")

    # --- the server goes away ------------------------------------------------------------------
    stoppable_server.stop()
    lesson = course.modules.get(key=MODULE).lessons.get(key=LESSON)
    page.goto(f"{base}/learn/{COURSE_KEY}/lessons/{LESSON}/")
    expect(page.locator("article.lesson > h1").first).to_have_text(lesson.title)
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved on this device")

    page.goto(f"{base}/learn/{COURSE_KEY}/modules/{MODULE}/quiz/offline/")
    answered = _answer_every_question(page)
    assert answered == 6
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved on this device")
    expect(page.locator("[data-offline-status]")).to_have_text(
        "The server cannot be reached: your work stays on this device and is sent later."
    )

    # The final test, from the page saved with the capstone module: no answer key on it.
    page.goto(f"{base}/learn/{COURSE_KEY}/final-test/offline/")
    expect(page.locator("[data-time-limit]")).to_contain_text("Time allowed: 35 minutes")
    assert _answer_every_question(page) == 30
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved on this device")

    queue = page.evaluate(READ_QUEUE)
    assert [r["kind"] for r in queue] == ["lesson", "attempt", "attempt"]
    assert queue[2]["module"] == "final-test"
    assert dict(queue[2]["fields"])["started"] != ""
    assert queue[0]["lesson"] == LESSON and queue[0]["learner"] == str(learner.pk)
    client_id = queue[1]["client_id"]
    assert not Attempt.objects.exists()
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()

    # --- back online: the page sends the queue on load; "Send now" twice more ------------------
    stoppable_server.start()
    page.goto(f"{base}/learn/offline/")
    status = page.locator("[data-offline-status]")
    expect(status).to_have_text("Everything done offline has been sent.")
    for _ in range(2):
        page.get_by_role("button", name="Send now").click()
        expect(status).to_have_text("Everything done offline has been sent.")
    assert page.evaluate(READ_QUEUE) == []
    log = page.locator("[data-offline-log] li")
    expect(log).to_have_count(3)
    expect(log.nth(1)).to_contain_text("Quiz submitted: m1-principles: Recorded")
    expect(log.nth(2)).to_contain_text("Quiz submitted: final-test: Recorded")

    # A response lost on the way back: the device sends the same records again.
    csrf = page.locator("#offline-bar").get_attribute("data-csrf")
    again = page.evaluate(RESEND, ["/learn/offline/sync/", csrf, queue])
    assert [r["status"] for r in again] == ["duplicate", "duplicate", "duplicate"]

    final = Attempt.objects.get(test=course.final_test)
    assert (final.user_id, str(final.client_id)) == (learner.pk, queue[2]["client_id"])
    assert final.submitted_at is not None and final.responses.count() == 30
    assert final.flags == []  # answered within the time allowed, by the device's clock
    assert final.score is not None
    attempt = Attempt.objects.exclude(test=course.final_test).get()
    assert (attempt.user_id, str(attempt.client_id)) == (learner.pk, client_id)
    assert attempt.test == course.modules.get(key=MODULE).quiz
    assert attempt.submitted_at is not None and attempt.responses.count() == 6
    progress = LessonProgress.objects.get(user=learner, completed_at__isnull=False)
    assert progress.lesson == lesson

    # The result is there to see, online.
    log.nth(1).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(attempt.test.title)
