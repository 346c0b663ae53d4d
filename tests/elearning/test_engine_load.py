"""Loading the real course: idempotent, versioned, items in the question bank, HTML sanitised."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from cybercap.core.content_service import content_load
from cybercap.core.contentkit import registered
from cybercap.elearning.content import load_courses, render_markdown
from cybercap.elearning.models import Course, Figure, LegalBasis, Lesson, Module, Scenario
from cybercap.network.content.loaders import topics_load
from cybercap.quizzes.models import Item, Test

pytestmark = pytest.mark.django_db


def _copy_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR / "taxonomy", root / "taxonomy")
    shutil.copytree(settings.CONTENT_DIR / "courses", root / "courses")
    return root


def _counts() -> tuple[int, ...]:
    return (
        Course.objects.count(),
        Module.objects.count(),
        Lesson.objects.count(),
        Scenario.objects.count(),
        Figure.objects.count(),
        LegalBasis.objects.count(),
        Item.objects.filter(language="en").count(),  # translations apart (same keys)
        Test.objects.count(),
    )


def test_courses_content_type_is_registered_by_elearning_with_a_load() -> None:
    courses = [ct for ct in registered() if ct.name == "courses"]
    assert len(courses) == 1
    assert courses[0].load is load_courses
    assert callable(courses[0].extras["describe"])


def test_load_is_idempotent_and_versioned(tmp_path: Path) -> None:
    root = _copy_content(tmp_path)
    topics_load(root)
    first = load_courses(root)
    assert first.startswith("first-responder: revision 1, 10 modules, 23 lessons, 6 scenarios")
    assert "items 104 new, 0 changed, 0 unchanged, 0 retired" in first
    counts = _counts()
    # 10 modules, 6 scenarios, 3 figures, 10 countries, 104 items; 9 quizzes + final test
    assert counts == (1, 10, 23, 6, 3, 10, 104, 10)
    course = Course.objects.get()
    assert (course.revision, course.version) == (1, "1.0.0")
    assert course.pre_test is not None and course.pre_test.draw == 15
    assert course.final_test is not None
    assert (
        course.final_test.draw,
        course.final_test.pass_mark,
        course.final_test.max_attempts,
    ) == (
        30,
        0.8,
        3,
    )

    assert load_courses(root) == "first-responder: unchanged (revision 1)"
    assert _counts() == counts

    # Change one item's stem and drop another: a new version, a retired item, a new revision.
    items_file = root / "courses/first-responder/en/items/m1-principles.yaml"
    text = items_file.read_text(encoding="utf-8")
    item = (
        Item.objects.filter(source="first-responder/m1-principles", language="en")
        .order_by("key")
        .first()
    )
    assert item is not None and item.version == 1
    assert item.stem in text
    items_file.write_text(text.replace(item.stem, item.stem + " (revised)"), encoding="utf-8")
    second = load_courses(root)
    assert "revision 2" in second
    assert "items 0 new, 1 changed, 103 unchanged, 0 retired" in second
    item.refresh_from_db()
    assert (item.version, item.stem.endswith("(revised)")) == (2, True)
    assert _counts() == counts
    assert Course.objects.get().revision == 2


def test_lessons_are_sanitised_html_with_figures_and_the_legal_slot(tmp_path: Path) -> None:
    root = _copy_content(tmp_path)
    topics_load(root)
    load_courses(root)
    lessons = list(Lesson.objects.all())
    assert sum(1 for lesson in lessons if lesson.has_legal_slot) == 1
    for lesson in lessons:
        for html in (lesson.html, lesson.html_after_slot):
            assert "<script" not in html
            assert "<!--" not in html
        assert "<h2>Key points</h2>" in lesson.html + lesson.html_after_slot
    with_figures = [lesson for lesson in lessons if "<img" in lesson.html + lesson.html_after_slot]
    assert with_figures
    for lesson in with_figures:
        assert 'src="/learn/first-responder/figures/' in lesson.html + lesson.html_after_slot
    assert LegalBasis.objects.get(country_code="TH").status == "empty"


def test_render_markdown_strips_what_is_not_allowed() -> None:
    html = render_markdown(
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        '<img src="a.svg" onerror="alert(1)">\n\n![A chart](../../figures/chart.svg)',
        lambda name: f"/fig/{name}",
    )
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "onerror" not in html
    assert '<img src="/fig/chart.svg" alt="A chart">' in html


def test_content_load_loads_courses_after_the_taxonomy() -> None:
    summaries = content_load(settings.CONTENT_DIR)
    assert any(line.startswith("courses: first-responder: revision 1") for line in summaries)
    assert Course.objects.count() == 1
