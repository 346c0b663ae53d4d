"""The learner's pages through the real stack: lessons, progress, scenarios, scoping, queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from cybercap.accounts.models import User
from cybercap.elearning.models import Course, LegalBasis, Lesson, LessonProgress, ScenarioRun
from cybercap.quizzes.models import Attempt
from tests.conftest import login
from tests.factories import AgencyFactory, PersonFactory
from tests.quizzes.helpers import COURSE_KEY, loaded_course  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_course")]


@pytest.fixture
def course(db: Any) -> Course:
    """The real course, loaded once for this module."""
    return Course.objects.get(key=COURSE_KEY)


def _learner(make_user: Callable[..., User], country: Any = None) -> tuple[User, Client]:
    user = make_user("learner")
    if country is not None:
        PersonFactory(agency=AgencyFactory(country=country), user=user)
    return user, login(Client(), user)


def test_pages_render_for_a_learner(course: Course, make_user: Callable[..., User]) -> None:
    _, client = _learner(make_user)
    catalogue = client.get("/learn/")
    assert catalogue.status_code == 200
    assert escape(course.title) in catalogue.content.decode()
    page = client.get(f"/learn/{course.key}/").content.decode()
    for module in course.modules.all():
        assert escape(module.title) in page
    assert "0 of 10 modules complete (0%)." in page
    lesson = Lesson.objects.filter(module__course=course).order_by("module__position").first()
    assert lesson is not None
    response = client.get(f"/learn/{course.key}/lessons/{lesson.key}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Key points" in body
    assert len(response.content) < 100_000
    # One <h1> per page: the title from the front matter, not the body's own "# Title" again.
    assert body.count("<h1") == 1
    assert f"<h1>{escape(lesson.title)}</h1>" in body
    figure = course.figures.get(name="order-of-volatility.svg")
    svg = client.get(f"/learn/{course.key}/figures/{figure.name}")
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert svg.content.decode() == figure.svg
    assert client.get(f"/learn/{course.key}/figures/none.svg").status_code == 404
    assert client.get(f"/learn/{course.key}/final-test/").status_code == 200
    assert client.get(f"/learn/{course.key}/modules/m0-orientation/quiz/").status_code == 200
    assert client.get(f"/learn/{course.key}/scenarios/sc-quick-check/").status_code == 200
    assert client.get("/learn/progress/").status_code == 200


def test_figures_in_lessons_have_alt_text(course: Course, make_user: Callable[..., User]) -> None:
    _, client = _learner(make_user)
    lesson = Lesson.objects.get(key="m5-order-of-volatility")
    body = client.get(f"/learn/{course.key}/lessons/{lesson.key}/").content.decode()
    assert '<img src="/learn/first-responder/figures/order-of-volatility.svg" alt="' in body
    assert 'alt=""' not in body


def test_legal_basis_is_the_learners_countrys_or_plainly_empty(
    course: Course, make_user: Callable[..., User], thailand: Any
) -> None:
    lesson = Lesson.objects.get(has_legal_slot=True)
    url = f"/learn/{course.key}/lessons/{lesson.key}/"
    _, client = _learner(make_user, thailand)
    body = client.get(url).content.decode()
    assert escape(course.legal_basis_empty) in body
    assert f"{escape(course.legal_basis_heading)} (TH)" in body

    LegalBasis.objects.filter(course=course, country_code="TH").update(
        status="published", html="<p>The Thai search warrant rule, for testing.</p>"
    )
    body = client.get(url).content.decode()
    assert "<p>The Thai search warrant rule, for testing.</p>" in body
    assert escape(course.legal_basis_empty) not in body

    _, stranger = _learner(make_user)  # no person record, so no country
    body = stranger.get(url).content.decode()
    assert escape(course.legal_basis_empty) in body
    assert "Your profile names no country" in body


def test_mark_complete_moves_on_and_the_course_resumes(
    course: Course, make_user: Callable[..., User]
) -> None:
    user, client = _learner(make_user)
    first, second = Lesson.objects.filter(module__key="m1-principles").order_by("position")[:2]
    response = client.post(f"/learn/{course.key}/lessons/{first.key}/complete/")
    assert response.status_code == 302
    assert response["Location"] == f"/learn/{course.key}/lessons/{second.key}/"
    progress = LessonProgress.objects.get(user=user, lesson=first)
    assert progress.completed_at is not None
    client.post(f"/learn/{course.key}/lessons/{first.key}/complete/")  # twice: still one
    assert LessonProgress.objects.filter(user=user).count() == 1
    client.get(f"/learn/{course.key}/lessons/{second.key}/")
    page = client.get(f"/learn/{course.key}/").content.decode()
    assert f'href="/learn/{course.key}/lessons/{second.key}/">Resume: {escape(second.title)}' in (
        page
    )
    assert "1 of 2 lessons read" in page


def _expected(graph: dict[str, Any], state: dict[str, Any], choice: dict[str, Any]) -> Any:
    """The next state and node, computed here independently of the engine."""
    variables = dict(state["variables"])
    for name, delta in choice.get("effects", {}).items():
        spec = graph["variables"][name]
        variables[name] = min(spec["max"], max(spec["min"], variables[name] + delta))
    flags = set(state["flags"]) | set(choice.get("set_flags", []))
    if isinstance(choice["next"], str):
        return {"variables": variables, "flags": sorted(flags)}, choice["next"]
    for route in choice["next"]:
        when = route.get("when")
        ok = when is None or (
            (when.get("flag") is None or when["flag"] in flags)
            and (when.get("not_flag") is None or when["not_flag"] not in flags)
            and (
                when.get("variable") is None
                or (
                    (when.get("below") is None or variables[when["variable"]] < when["below"])
                    and (
                        when.get("at_least") is None
                        or variables[when["variable"]] >= when["at_least"]
                    )
                )
            )
        )
        if ok:
            return {"variables": variables, "flags": sorted(flags)}, route["to"]
    raise AssertionError("no route")


@pytest.mark.parametrize("pick", [max, min], ids=["best-choices", "worst-choices"])
def test_a_scenario_played_through_the_views_carries_state_to_a_debrief(
    course: Course, make_user: Callable[..., User], pick: Any
) -> None:
    user, client = _learner(make_user)
    scenario = course.scenarios.get(key="sc-quick-check")
    graph = scenario.graph
    response = client.post(f"/learn/{course.key}/scenarios/{scenario.key}/")
    assert response.status_code == 302
    run = ScenarioRun.objects.get(user=user)
    assert response["Location"] == f"/learn/runs/{run.pk}/"
    state = {
        "variables": {k: v["initial"] for k, v in graph["variables"].items()},
        "flags": [],
    }
    node_id, score, steps = graph["start"], 0, 0
    while True:
        node = next(n for n in graph["nodes"] if n["id"] == node_id)
        if node.get("end"):
            break
        page = client.get(f"/learn/runs/{run.pk}/").content.decode()
        assert escape(node["text"]) in page
        choice = pick(node["choices"], key=lambda c: c.get("score", 0))
        assert client.post(f"/learn/runs/{run.pk}/", {"choice": choice["id"]}).status_code == 302
        state, node_id = _expected(graph, state, choice)
        score += choice.get("score", 0)
        steps += 1
        run.refresh_from_db()
        assert (run.node, run.state, run.score, len(run.path)) == (node_id, state, score, steps)
        page = client.get(f"/learn/runs/{run.pk}/").content.decode()
        assert escape(choice["feedback"]) in page  # the feedback of the choice just made
    assert run.finished_at is not None
    assert run.outcome == node["outcome"]
    page = client.get(f"/learn/runs/{run.pk}/").content.decode()
    assert "Debrief" in page
    assert escape(node["debrief"]) in page
    assert f"Your score: {score} of {scenario.max_score}" in page
    # A finished run takes no more choices.
    first = graph["nodes"][0]["choices"][0]["id"]
    assert client.post(f"/learn/runs/{run.pk}/", {"choice": first}).status_code == 422


def test_a_choice_not_offered_is_refused(course: Course, make_user: Callable[..., User]) -> None:
    user, client = _learner(make_user)
    scenario = course.scenarios.get(key="sc-quick-check")
    client.post(f"/learn/{course.key}/scenarios/{scenario.key}/")
    run = ScenarioRun.objects.get(user=user)
    response = client.post(f"/learn/runs/{run.pk}/", {"choice": "no-such-choice"})
    assert response.status_code == 422
    run.refresh_from_db()
    assert (run.node, run.path) == (scenario.graph["start"], [])


def test_each_user_sees_only_their_own_runs_and_attempts(
    course: Course,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
    thailand: Any,
) -> None:
    owner, owner_client = _learner(make_user)
    owner_client.post(f"/learn/{course.key}/scenarios/sc-quick-check/")
    owner_client.post(f"/learn/{course.key}/modules/m0-orientation/quiz/")
    run = ScenarioRun.objects.get(user=owner)
    attempt = Attempt.objects.get(user=owner)
    _, other = _learner(make_user)
    staff = client_for("staff")
    for client in (other, staff):
        assert client.get(f"/learn/runs/{run.pk}/").status_code == 404
        assert client.post(f"/learn/runs/{run.pk}/", {"choice": "photograph"}).status_code == 404
        assert client.get(f"/learn/attempts/{attempt.pk}/").status_code == 404
        assert client.post(f"/learn/attempts/{attempt.pk}/", {}).status_code == 404
        assert "0 of 10 modules" not in client.get("/learn/progress/").content.decode()
    assert owner_client.get(f"/learn/runs/{run.pk}/").status_code == 200
    assert owner_client.get(f"/learn/attempts/{attempt.pk}/").status_code == 200
    focal = client_for("focal_point", thailand)
    assert focal.get(f"/learn/{course.key}/").status_code == 403
    assert focal.get(f"/learn/runs/{run.pk}/").status_code == 403
    assert client_for("trainer").get(f"/learn/{course.key}/").status_code == 403


def test_course_and_lesson_pages_take_a_fixed_number_of_queries(
    course: Course, make_user: Callable[..., User], django_assert_num_queries: Any
) -> None:
    _, client = _learner(make_user)
    lessons = list(Lesson.objects.filter(module__course=course).order_by("module__position"))
    url = f"/learn/{course.key}/"
    client.get(url)  # the session is read and cached on first use, the course outline too
    with django_assert_num_queries(7):
        client.get(url)
    for lesson in lessons[:4]:
        client.post(f"/learn/{course.key}/lessons/{lesson.key}/complete/")
    client.post(f"/learn/{course.key}/modules/m0-orientation/quiz/")
    with django_assert_num_queries(7):
        client.get(url)
    # A lesson not yet read and one completed: the same queries (a revisit writes nothing).
    for lesson in (lessons[5], lessons[1]):
        lesson_url = f"/learn/{course.key}/lessons/{lesson.key}/"
        client.get(lesson_url)
        with django_assert_num_queries(11):
            client.get(lesson_url)


def test_progress_sums_attempts_up_in_the_database_whatever_their_number(
    course: Course, make_user: Callable[..., User], django_assert_num_queries: Any
) -> None:
    from django.utils import timezone

    from cybercap.elearning import selectors

    user, client = _learner(make_user)
    m1 = course.modules.get(key="m1-principles")
    m2 = course.modules.get(key="m2-preparation")
    assert m1.quiz is not None and course.final_test is not None and course.pre_test is not None
    now = timezone.now()

    def submitted(test: Any, number: int, score: float, passed: bool) -> Attempt:
        return Attempt(
            user=user, test=test, number=number, submitted_at=now, score=score, passed=passed
        )

    url = f"/learn/{course.key}/"
    client.get(url)
    with django_assert_num_queries(7):
        client.get(url)
    Attempt.objects.bulk_create(
        [submitted(m1.quiz, n, 0.5, False) for n in range(1, 120)]
        + [submitted(m1.quiz, 120, 5 / 6, True), submitted(m1.quiz, 121, 0.0, False)]
        + [submitted(course.final_test, 1, 0.7, False), submitted(course.final_test, 2, 0.9, True)]
        + [submitted(course.pre_test, 1, 0.4, False)]
        # an attempt still open counts for nothing
        + [Attempt(user=user, test=course.final_test, number=3)]
    )
    with django_assert_num_queries(7):
        page = client.get(url).content.decode()
    assert "best score 0.83 · passed" in page
    assert "Pre-test: 40%" in page and "best 90% · passed" in page

    progress = selectors.course_progress(user=user, course=course)
    by_key = {m.module.key: m for m in progress.modules}
    assert (by_key["m1-principles"].quiz_best, by_key["m1-principles"].quiz_passed) == (5 / 6, True)
    assert (by_key[m2.key].quiz_best, by_key[m2.key].quiz_passed) == (None, False)
    assert progress.pre_test is not None and progress.pre_test.percent == 40
    assert progress.final_best is not None and progress.final_best.score == 0.9
    assert progress.final_passed and progress.final_used == 2


def test_the_course_outline_is_read_once_and_follows_a_change_of_the_course(
    course: Course, make_user: Callable[..., User]
) -> None:
    from cybercap.elearning import selectors

    _, client = _learner(make_user)
    lesson = Lesson.objects.filter(module__course=course).order_by("pk").first()
    assert lesson is not None
    client.get(f"/learn/{course.key}/")
    # Pages may translate the outline's objects in place: each call gets its own copies.
    first, second = selectors.course_outline(course), selectors.course_outline(course)
    first.lessons[0].title = "Changed in memory only"
    assert second.lessons[0].title != "Changed in memory only"
    assert selectors.course_outline(course).lessons[0].title != "Changed in memory only"
    # A saved piece of the course empties the cache: the page shows the new title at once.
    lesson.title = "A retitled lesson"
    lesson.save(update_fields=["title"])
    assert "A retitled lesson" in client.get(f"/learn/{course.key}/").content.decode()


@pytest.mark.parametrize("extra", [0, 2], ids=["one-course", "three-courses"])
def test_catalogue_queries_do_not_grow_with_courses(
    course: Course, make_user: Callable[..., User], django_assert_num_queries: Any, extra: int
) -> None:
    for n in range(extra):
        Course.objects.create(
            key=f"extra-{n}",
            version="1.0.0",
            content_hash=f"h{n}",
            language="en",
            title=f"Extra {n}",
            description="d",
            audience="a",
            legal_basis_heading="h",
            legal_basis_empty="e",
        )
    _, client = _learner(make_user)
    client.get("/learn/")
    with django_assert_num_queries(4):
        response = client.get("/learn/")
    assert response.content.decode().count('<section class="panel">') == 1 + extra


def test_api_courses_and_my_progress(
    course: Course,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
    thailand: Any,
) -> None:
    _, client = _learner(make_user)
    listing = client.get("/api/v1/courses").json()
    assert (listing["count"], [c["key"] for c in listing["items"]]) == (1, ["first-responder"])
    detail = client.get("/api/v1/courses/first-responder").json()
    assert len(detail["modules"]) == 10
    assert detail["modules"][3]["scenarios"] == ["sc-quick-check"]
    assert client.get("/api/v1/courses/nope").status_code == 404
    assert client.get("/api/v1/learn/progress").json() == []
    first = Lesson.objects.filter(module__key="m1-principles").order_by("position").first()
    assert first is not None
    client.post(f"/learn/{course.key}/lessons/{first.key}/complete/")
    progress = client.get("/api/v1/learn/progress").json()
    assert [(p["course"], p["percent"], p["modules"][1]["lessons_done"]) for p in progress] == [
        ("first-responder", 0, 1)
    ]
    assert client_for("focal_point", thailand).get("/api/v1/courses").status_code == 403
    assert Client().get("/api/v1/courses").status_code == 401


def test_the_quiz_page_lists_the_latest_attempts_in_a_fixed_number_of_queries(
    course: Course, make_user: Callable[..., User], django_assert_num_queries: Any
) -> None:
    from django.utils import timezone

    user, client = _learner(make_user)
    m1 = course.modules.get(key="m1-principles")
    url = f"/learn/{course.key}/modules/{m1.key}/quiz/"
    client.get(url)
    with django_assert_num_queries(6):
        client.get(url)
    Attempt.objects.bulk_create(
        [
            Attempt(user=user, test=m1.quiz, number=n, submitted_at=timezone.now(), score=0.5)
            for n in range(1, 15)
        ]
        + [Attempt(user=user, test=m1.quiz, number=15)]
    )
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert re.findall(r"Attempt (\d+)</a>", page) == [str(n) for n in range(6, 16)]
    assert page.count("50%") == 9 and "not submitted" in page
    assert "Continue your attempt" in page
