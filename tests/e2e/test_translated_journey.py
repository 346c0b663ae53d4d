"""A learner in Thai and one in Vietnamese, in a real browser: a lesson, the m3 quiz, the
sc-quick-check scenario and the final test, then the certificate PDF, whose text reads back in
the learner's script. Runs on the real course with its th/ and vi/ translations.

Buttons are found by their form, not their (translated) names; texts are compared with the
loaded translations and the compiled catalogues.
"""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cybercap.certificates.models import Certificate
from cybercap.elearning.models import Lesson, Scenario
from cybercap.quizzes.models import Attempt
from tests.browser import log_in
from tests.e2e.test_learner_journey import _answer_rightly
from tests.factories import AgencyFactory, CountryFactory, PersonFactory, RoleFactory, UserFactory
from tests.quizzes.helpers import COURSE_KEY, load_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCRIPT = {
    "th": re.compile(r"[\u0e00-\u0e7f]{4}"),
    "vi": re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]"),
}


def _submit(page: Page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").first.click()


@pytest.mark.parametrize("language", ["th", "vi"])
def test_a_learner_takes_the_course_in_their_language(
    page: Page, live_server: object, language: str
) -> None:
    base = str(live_server)
    course = load_course()
    assert language in course.languages
    country = CountryFactory(code=language.upper(), name=language)
    learner = UserFactory(username=f"learner-{language}", language=language)
    RoleFactory(user=learner, role="learner")
    PersonFactory(agency=AgencyFactory(country=country), user=learner, full_name="Test Learner")
    log_in(page, base, learner.username)
    with translation.override(language):
        draft = translation.gettext(
            "Draft translation, not yet reviewed by a native-speaking practitioner."
        )

    # A lesson, in the language, with the draft notice; marked complete.
    lesson = Lesson.objects.get(key="m3-securing-the-scene")
    page.goto(f"{base}/learn/{COURSE_KEY}/lessons/{lesson.key}/")
    expect(page.locator("h1")).to_have_text(lesson.translations[language]["title"])
    expect(page.locator("[data-notice=draft]")).to_have_text(draft)
    expect(page.locator("article.lesson")).to_have_attribute("lang", language)
    _submit(page, 'form[action$="/complete/"]')
    expect(page).to_have_url(f"{base}/learn/{COURSE_KEY}/lessons/m3-people-and-hidden-devices/")

    # The m3 quiz in the language, passed.
    page.goto(f"{base}/learn/{COURSE_KEY}/modules/m3-scene/quiz/")
    _submit(page, "main form[method=post]:not(.course-language):not(.language-switcher)")
    assert SCRIPT[language].search(page.locator("form.quiz").inner_text())
    assert _answer_rightly(page.locator("form.quiz")) == 6
    _submit(page, "form.quiz")
    expect(page).to_have_url(re.compile(r"/learn/attempts/\d+/$"))
    quiz = Attempt.objects.get(user=learner, test=course.modules.get(key="m3-scene").quiz)
    assert (quiz.score, quiz.passed) == (1.0, True)

    # sc-quick-check, played to its debrief (first choice each time), in the language.
    scenario = Scenario.objects.get(key="sc-quick-check")
    page.goto(f"{base}/learn/{COURSE_KEY}/scenarios/{scenario.key}/")
    expect(page.locator("h1")).to_have_text(scenario.translations[language]["title"])
    _submit(page, "main form[method=post]:not(.course-language):not(.language-switcher)")
    for _ in range(20):
        if page.locator("#debrief").count():
            break
        assert SCRIPT[language].search(page.locator("main").inner_text())
        page.locator('input[name="choice"]').first.check()
        _submit(page, "main form[method=post]:not(.course-language):not(.language-switcher)")
    expect(page.locator("#debrief")).to_be_visible()

    # The final test, passed; the certificate PDF reads back in the learner's script.
    page.goto(f"{base}/learn/{COURSE_KEY}/final-test/")
    _submit(page, "main form[method=post]:not(.course-language):not(.language-switcher)")
    assert _answer_rightly(page.locator("form.quiz")) == 30
    _submit(page, "form.quiz")
    expect(page).to_have_url(re.compile(r"/learn/attempts/\d+/$"))
    certificate = Certificate.objects.get(holder_user=learner)
    assert certificate.language == language
    assert certificate.title == course.translations[language]["title"]
    page.goto(f"{base}/certificates/")
    link = page.locator(f'a[href$="{certificate.code}.pdf"]').first
    response = page.request.get(base + (link.get_attribute("href") or ""))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert SCRIPT[language].search(text), text
    assert certificate.code in text
