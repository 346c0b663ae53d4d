"""A course in two languages through the real stack: load, lesson, quiz, scenario, figure.

The course is the real English course with module m3 pseudo-translated into Thai
(tests/elearning/i18n_fixtures.py), loaded once for the module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from cybercap.accounts.models import User
from cybercap.elearning.content import load_courses
from cybercap.elearning.models import Course, Figure, Lesson, Scenario, ScenarioRun
from cybercap.quizzes.models import Attempt, Item
from tests.conftest import login
from tests.elearning.i18n_fixtures import COURSE, MARK, translated_content

pytestmark = pytest.mark.django_db
DRAFT_EN = "Draft translation, not yet reviewed by a native-speaking practitioner."
FALLBACK_EN = "This part is not yet translated and is shown in English."


def _in(language: str, message: str) -> str:
    """The notice as gettext renders it in ``language`` (the compiled catalogue)."""
    from django.utils import translation

    with translation.override(language):
        return escape(translation.gettext(message))


DRAFT, FALLBACK = _in("th", DRAFT_EN), _in("th", FALLBACK_EN)


def test_the_notices_are_translated_by_the_catalogues() -> None:
    for language in ("id", "th", "vi"):
        assert _in(language, DRAFT_EN) != DRAFT_EN
        assert _in(language, FALLBACK_EN) != FALLBACK_EN


@pytest.fixture(scope="module")
def translated(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: Any, django_db_blocker: Any
) -> Iterator[Path]:
    from cybercap.core.models import AuditEntry
    from cybercap.network.content.loaders import topics_load
    from cybercap.network.models import Topic
    from cybercap.quizzes.models import Test

    root = translated_content(tmp_path_factory.mktemp("th"))
    with django_db_blocker.unblock():
        last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        topics_load(root)
        summary = load_courses(root)
        assert "languages en, th" in summary
    yield root
    with django_db_blocker.unblock():
        Course.objects.all().delete()
        Test.objects.all().delete()
        Item.objects.all().delete()
        Topic.objects.update(parent=None)
        Topic.objects.all().delete()
        AuditEntry.objects.filter(pk__gt=last).delete()


def _thai_learner(make_user: Callable[..., User], language: str = "th") -> Client:
    user = make_user("learner", language=language)
    client = login(Client(), user)
    client.cookies["django_language"] = language
    return client


def test_the_load_keeps_each_language_and_marks_fallbacks(translated: Path) -> None:
    course = Course.objects.get(key=COURSE)
    assert course.languages == ["en", "th"]
    th = course.translations["th"]
    assert th["title"].startswith(MARK) and th["state"] == "draft" and not th["fallback"]
    lesson = Lesson.objects.get(key="m3-securing-the-scene")
    assert lesson.translations["th"]["title"].startswith(MARK)
    assert MARK in lesson.html_translations["th"]["html"]
    assert not lesson.translations["th"]["fallback"]
    other = Lesson.objects.get(key="m1-four-principles")
    assert other.translations["th"]["fallback"] is True
    assert other.translations["th"]["title"] == other.title
    scenario = Scenario.objects.get(key="sc-quick-check")
    assert scenario.graph_translations["th"]["title"].startswith(MARK)
    assert [n["id"] for n in scenario.graph_translations["th"]["nodes"]] == [
        n["id"] for n in scenario.graph["nodes"]
    ]
    # Items of the translated file join the bank under the same keys; the others do not.
    m3 = Item.objects.filter(source=f"{COURSE}/m3-scene")
    assert set(m3.filter(language="th").values_list("key", flat=True)) == set(
        m3.filter(language="en").values_list("key", flat=True)
    )
    assert not Item.objects.filter(source=f"{COURSE}/m1-principles", language="th").exists()
    assert "custody-form.svg" in {
        f.name for f in Figure.objects.filter(course=course) if "th" in f.translations
    }


def test_a_thai_learner_reads_thai_with_a_draft_notice(
    translated: Path, make_user: Callable[..., User]
) -> None:
    client = _thai_learner(make_user)
    page = client.get(f"/learn/{COURSE}/lessons/m3-securing-the-scene/").content.decode()
    assert DRAFT in page and FALLBACK not in page
    lesson = Lesson.objects.get(key="m3-securing-the-scene")
    assert lesson.translations["th"]["title"] in page
    assert 'lang="th"' in page
    assert "figures/custody-form.svg?language=th" in page or "figures/" not in page
    course_page = client.get(f"/learn/{COURSE}/").content.decode()
    assert DRAFT in course_page and Course.objects.get().translations["th"]["title"] in course_page
    assert '<option value="th" lang="th" selected>' in course_page  # the course language switch
    # An untranslated lesson: English, and the page says so.
    page = client.get(f"/learn/{COURSE}/lessons/m1-four-principles/").content.decode()
    assert FALLBACK in page and DRAFT in page
    assert Lesson.objects.get(key="m1-four-principles").title in page


def test_english_pages_carry_no_notice(translated: Path, make_user: Callable[..., User]) -> None:
    client = _thai_learner(make_user, language="en")
    page = client.get(f"/learn/{COURSE}/lessons/m3-securing-the-scene/").content.decode()
    assert DRAFT not in page and FALLBACK not in page and DRAFT_EN not in page
    assert Lesson.objects.get(key="m3-securing-the-scene").title in page


def test_figures_follow_the_language(translated: Path, make_user: Callable[..., User]) -> None:
    client = _thai_learner(make_user)
    figure = Figure.objects.get(name="custody-form.svg")
    thai = client.get(f"/learn/{COURSE}/figures/custody-form.svg?language=th").content.decode()
    assert thai == figure.translations["th"] and MARK in thai
    english = client.get(f"/learn/{COURSE}/figures/custody-form.svg?language=vi")
    assert english.content.decode() == figure.svg


def test_a_quiz_in_thai_scores_by_option_ids_after_a_language_switch(
    translated: Path, make_user: Callable[..., User]
) -> None:
    client = _thai_learner(make_user)
    response = client.post(f"/learn/{COURSE}/modules/m3-scene/quiz/")
    attempt = Attempt.objects.get()
    assert response.url == f"/learn/attempts/{attempt.pk}/"
    page = client.get(response.url).content.decode()
    keys = attempt.item_keys
    thai = {i.key: i for i in Item.objects.filter(key__in=keys, language="th")}
    english = {i.key: i for i in Item.objects.filter(key__in=keys, language="en")}
    assert all(escape(thai[k].stem) in page for k in keys) and DRAFT in page
    # Switch to English before answering: the same attempt, English text, same option ids.
    client.cookies["django_language"] = "en"
    page = client.get(response.url).content.decode()
    assert all(escape(english[k].stem) in page for k in keys)
    data: dict[str, Any] = {}
    for key in keys:
        item = english[key]
        if item.type in ("single", "true_false"):
            data[f"i-{key}"] = item.correct[0]
        elif item.type == "multiple":
            data[f"i-{key}"] = list(item.correct)
        elif item.type == "ordering":
            for position, option in enumerate(item.correct, start=1):
                data[f"i-{key}-{option}"] = str(position)
        else:
            for option, target in item.correct.items():
                data[f"i-{key}-{option}"] = target
    client.cookies["django_language"] = "th"
    assert client.post(response.url, data).status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 1.0 and attempt.passed
    # Responses point at the source-language items; the result page is in Thai.
    assert {r.item.language for r in attempt.responses.all()} == {"en"}
    result = client.get(response.url).content.decode()
    assert all(escape(thai[k].stem) in result for k in keys)


def test_a_scenario_in_thai_keeps_its_path_across_languages(
    translated: Path, make_user: Callable[..., User]
) -> None:
    client = _thai_learner(make_user)
    scenario = Scenario.objects.get(key="sc-quick-check")
    thai = scenario.graph_translations["th"]
    page = client.get(f"/learn/{COURSE}/scenarios/sc-quick-check/").content.decode()
    assert thai["title"] in page and DRAFT in page
    response = client.post(f"/learn/{COURSE}/scenarios/sc-quick-check/")
    run = ScenarioRun.objects.get()
    start = next(n for n in thai["nodes"] if n["id"] == thai["start"])
    page = client.get(response.url).content.decode()
    assert escape(start["choices"][0]["text"]) in page
    choice = start["choices"][0]
    client.post(response.url, {"choice": choice["id"]})
    run.refresh_from_db()
    assert run.path[0]["choice"] == choice["id"]
    page = client.get(response.url).content.decode()
    assert escape(choice["feedback"]) in page  # the feedback in Thai, though the run stored English
    client.cookies["django_language"] = "en"
    english = next(n for n in scenario.graph["nodes"] if n["id"] == scenario.graph["start"])
    page = client.get(response.url).content.decode()
    assert escape(english["choices"][0]["feedback"]) in page and DRAFT_EN not in page


@pytest.mark.parametrize("language", ["en", "th"])
def test_scorm_and_cmi5_packages_per_language_pass_their_checks(
    translated: Path, language: str
) -> None:
    import io
    import zipfile

    from cybercap.elearning import cmi5, scorm

    course = Course.objects.get(key=COURSE)
    data = scorm.export_scorm12(course, "m3-scene", language)
    assert scorm.check_package(data) == []
    assert scorm.package_language(data) == language
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        page = archive.read("m3-scene/index.html").decode()
        figure = archive.read("shared/figures/custody-form.svg").decode()
    assert f'<html lang="{language}">' in page
    assert (DRAFT in page) == (language == "th")
    assert (MARK in figure) == (language == "th")
    lesson = Lesson.objects.get(key="m3-securing-the-scene")
    title = lesson.translations["th"]["title"] if language == "th" else lesson.title
    assert escape(title) in page

    course = Course.objects.get(key=COURSE)
    data = cmi5.export_cmi5(course, None, language)
    assert cmi5.check_package(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        structure = archive.read("cmi5.xml").decode()
        m1 = archive.read("m1-principles/index.html").decode()
    assert f'<langstring lang="{language}">' in structure
    assert f'lang="{language}"' not in structure.replace(f'<langstring lang="{language}">', "")
    # m1 has no Thai files: English, marked, in the Thai package.
    assert (FALLBACK in m1) == (language == "th")


def test_staff_download_packages_per_language(
    translated: Path, make_user: Callable[..., User]
) -> None:
    staff = login(Client(), make_user("staff"))
    response = staff.get(f"/learn/{COURSE}/export/cmi5.zip?language=th&module=m3-scene")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{COURSE}-1.0.0-m3-scene-th-cmi5.zip"'
    )
    assert staff.get(f"/learn/{COURSE}/export/cmi5.zip?language=vi").status_code == 404
    page = staff.get(f"/learn/{COURSE}/translations/").content.decode()
    assert 'data-module="m3-scene"' in page and "4/4" in page
    learner = _thai_learner(make_user)
    assert learner.get(f"/learn/{COURSE}/translations/").status_code == 403
    assert learner.get(f"/learn/{COURSE}/export/cmi5.zip?language=th").status_code == 403


def test_the_offline_copies_are_in_the_learners_language(
    translated: Path, make_user: Callable[..., User]
) -> None:
    """What a module saved for offline use holds: the lesson copy and the one-page quiz are in
    Thai like the pages online, with the draft notice; the quiz keeps the English items' keys
    and option ids, so it is scored the same."""
    client = _thai_learner(make_user)
    lesson = Lesson.objects.get(key="m3-securing-the-scene")
    copy = client.get(f"/learn/{COURSE}/lessons/{lesson.key}/offline/").content.decode()
    assert lesson.translations["th"]["title"] in copy and DRAFT in copy and 'lang="th"' in copy
    quiz = client.get(f"/learn/{COURSE}/modules/m3-scene/quiz/offline/")
    assert quiz.status_code == 200
    page = quiz.content.decode()
    thai = Item.objects.filter(source=f"{COURSE}/m3-scene", language="th")
    shown = [item for item in thai if escape(item.stem) in page]
    assert shown, "the offline quiz shows the Thai stems"
    # the pseudo-translation prefixes the English text, so the draw's stems all carry the mark
    assert all(MARK in escape(item.stem) for item in shown)
