"""The "courses" content type: check (course_schema), describe, and load into the database.

A load is idempotent and versioned: a course whose files have not changed is left as it is; a
changed course is updated in place (modules, lessons, scenarios and figures by key, those gone
from the files removed) and its ``revision`` goes up; each changed item gets a new version in
the question bank, and items gone from the files are retired, never deleted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import nh3
from django.urls import reverse
from markdown_it import MarkdownIt

from cybercap.core import contentkit
from cybercap.core.contentkit import ContentError
from cybercap.elearning import course_schema as cs

RENDERER = MarkdownIt("commonmark").enable("table")
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "figure", "figcaption", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"scope"}}


def _without_title(body: str, title: str) -> str:
    """The lesson's Markdown without its leading `# Title` line: pages print the title
    from the front matter as their one <h1>, so the body's own would be a second."""
    stripped = body.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    if first.startswith("# ") and first[2:].strip() == title.strip():
        return rest
    return body


def render_markdown(markdown: str, figure_url: Any = None) -> str:
    """Markdown to sanitised HTML; figure paths become ``figure_url(name)``."""
    if figure_url is not None:

        def swap(match: Any) -> str:
            return f"![{match.group(1)}]({figure_url(Path(match.group(2)).name)})"

        markdown = cs.IMAGE.sub(swap, markdown)
    html = RENDERER.render(markdown)
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer"
    )


def describe_courses(root: Path) -> str:
    lines = []
    for course_dir in sorted((root / "courses").glob("*/")):
        if not (course_dir / "course.yaml").is_file():
            continue
        stats = cs.course_stats(course_dir)
        modules = stats.get("modules", [])
        lines.append(
            f"{course_dir.name}: {len(modules)} modules, {stats.get('words', 0)} words, "
            f"{stats.get('items', 0)} items, {stats.get('scenarios', 0)} scenarios"
        )
    return "; ".join(lines) or "no courses"


def _dir_hash(course_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in course_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(course_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_courses(root: Path) -> str:
    courses = root / "courses"
    if not courses.is_dir():
        return "no courses"
    summaries = [
        load_course(course_dir, root)
        for course_dir in sorted(p for p in courses.iterdir() if (p / "course.yaml").is_file())
    ]
    return "; ".join(summaries) or "no courses"


def load_course(course_dir: Path, root: Path) -> str:
    from cybercap.elearning.models import Course, Figure, LegalBasis, Lesson, Module, Scenario
    from cybercap.network.models import Topic
    from cybercap.quizzes.models import Item, Test
    from cybercap.quizzes.services import item_upsert

    digest = _dir_hash(course_dir)
    course = Course.objects.filter(content_hash=digest).first()
    if course is not None:
        return f"{course.key}: unchanged (revision {course.revision})"
    check = cs.CourseCheck(course_dir, root).run()
    if check.problems:
        raise ContentError(check.problems)
    manifest, strings = check.manifest, check.strings
    assert manifest is not None and strings is not None
    course = Course.objects.filter(key=manifest.id).first()

    fields: dict[str, Any] = {
        "version": manifest.version,
        "content_hash": digest,
        "language": manifest.language,
        "title": strings.title,
        "description": strings.description,
        "audience": strings.audience,
        "objectives": list(strings.objectives),
        "minutes": sum(m.minutes for m in manifest.modules) + manifest.final_test.minutes,
        "legal_basis_heading": strings.legal_basis_heading,
        "legal_basis_empty": strings.legal_basis_empty,
    }
    if course is None:
        course = Course.objects.create(key=manifest.id, **fields)
    else:
        for name, value in fields.items():
            setattr(course, name, value)
        course.revision += 1
        course.save()

    # --- items, in the one question bank
    topics = {t.key: t for t in Topic.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    items: dict[str, Item] = {}
    for spec in check.items:
        topic = topics.get(spec.topic)
        if topic is None:
            raise ContentError(
                [contentkit.Problem(spec.id, 0, "topic", f"topic {spec.topic!r} is not loaded")]
            )
        item, what = item_upsert(
            key=spec.id,
            language=manifest.language,
            fields={
                "type": spec.type,
                "topic": topic,
                "source": f"{manifest.id}/{spec.module}",
                "stem": spec.stem,
                "options": [o.model_dump() for o in spec.options],
                "targets": [t.model_dump() for t in spec.targets or []],
                "correct": spec.correct,
                "pools": list(spec.pools),
            },
        )
        counts[what] += 1
        items[spec.id] = item
    gone = Item.objects.filter(
        source__startswith=f"{manifest.id}/", language=manifest.language, retired=False
    ).exclude(key__in=items)
    retired = gone.update(retired=True)

    def test(key: str, title: str, members: list[Item], **options: Any) -> Test:
        obj, _ = Test.objects.update_or_create(key=key, defaults={"title": title, **options})
        obj.items.set(members)
        return obj

    # --- figures
    figure_dir = check.path(manifest.layout.figures)
    names = []
    for svg in sorted(figure_dir.glob("*.svg")):
        names.append(svg.name)
        Figure.objects.update_or_create(
            course=course, name=svg.name, defaults={"svg": svg.read_text(encoding="utf-8")}
        )
    Figure.objects.filter(course=course).exclude(name__in=names).delete()

    def figure_url(name: str) -> str:
        return reverse("elearning:figure", kwargs={"course": manifest.id, "name": name})

    # --- modules, lessons, scenarios
    scenarios = {s.id: s for s in check.scenarios}
    module_keys, lesson_keys, scenario_keys = [], [], []
    for position, spec_m in enumerate(manifest.modules):
        module_keys.append(spec_m.id)
        quiz = None
        if spec_m.quiz is not None:
            pool = [
                items[i.id]
                for i in check.items
                if spec_m.quiz.pool in i.pools
                and (spec_m.quiz.pool != "module-quiz" or i.module == spec_m.id)
            ]
            quiz = test(
                f"{manifest.id}/{spec_m.id}/quiz",
                f"{strings.modules[spec_m.id].title}",
                pool,
                draw=spec_m.quiz.items,
                pass_mark=spec_m.quiz.mastery,
                max_attempts=1 if spec_m.quiz.pool == "pre-test" else None,
                minutes=spec_m.quiz.minutes,
            )
        module, _ = Module.objects.update_or_create(
            course=course,
            key=spec_m.id,
            defaults={
                "position": position,
                "kind": spec_m.kind,
                "title": strings.modules[spec_m.id].title,
                "summary": strings.modules[spec_m.id].summary,
                "minutes": spec_m.minutes,
                "quiz": quiz,
                "mastery": spec_m.quiz.mastery if spec_m.quiz else 0.0,
            },
        )
        if spec_m.kind == "orientation" and quiz is not None:
            course.pre_test = quiz
        for l_position, lesson in enumerate(check.lessons.get(spec_m.id, [])):
            lesson_keys.append(lesson.front.id)
            body = _without_title(lesson.body, lesson.front.title)
            before, _slot, after = body.partition(cs.LEGAL_SLOT)
            Lesson.objects.update_or_create(
                module=module,
                key=lesson.front.id,
                defaults={
                    "position": l_position,
                    "title": lesson.front.title,
                    "minutes": lesson.front.minutes,
                    "objectives": list(lesson.front.objectives),
                    "topics": list(lesson.front.topics),
                    "words": lesson.words,
                    "html": render_markdown(before, figure_url),
                    "html_after_slot": render_markdown(after, figure_url) if _slot else "",
                    "has_legal_slot": bool(_slot),
                },
            )
        for s_position, scenario_id in enumerate(spec_m.scenarios):
            scenario = scenarios[scenario_id]
            scenario_keys.append(scenario_id)
            Scenario.objects.update_or_create(
                course=course,
                key=scenario_id,
                defaults={
                    "module": module,
                    "position": s_position,
                    "title": scenario.title,
                    "setting": scenario.setting,
                    "max_score": scenario.max_score,
                    "pass_score": scenario.pass_score,
                    "graph": scenario.model_dump(mode="json"),
                },
            )
    Scenario.objects.filter(course=course).exclude(key__in=scenario_keys).delete()
    Lesson.objects.filter(module__course=course).exclude(key__in=lesson_keys).delete()
    Module.objects.filter(course=course).exclude(key__in=module_keys).delete()

    final_pool = [items[i.id] for i in check.items if "final-test" in i.pools]
    course.final_test = test(
        f"{manifest.id}/final-test",
        f"{strings.title}",
        final_pool,
        draw=manifest.final_test.items,
        pass_mark=manifest.final_test.pass_mark,
        max_attempts=manifest.final_test.attempts,
        minutes=manifest.final_test.minutes,
    )
    course.save(update_fields=["pre_test", "final_test"])

    # --- the legal basis of each country
    for country in manifest.countries:
        text = check.path(manifest.layout.legal_basis, country=country).read_text(encoding="utf-8")
        front_text, body, _line = cs.split_front_matter(text)
        source, _problems = cs.parse_yaml(front_text or "", country)
        front = cs.LegalBasisFront.model_validate(source.data if source else {})
        LegalBasis.objects.update_or_create(
            course=course,
            country_code=country,
            defaults={
                "status": front.status,
                "html": render_markdown(body) if front.status == "published" else "",
            },
        )
    languages = [lang for lang in manifest.languages if lang != manifest.language]
    for language in languages:
        load_translation(course, course_dir, root, language)
    course.languages = list(manifest.languages)
    course.save(update_fields=["languages", "translations"])
    return (
        f"{manifest.id}: revision {course.revision}, {len(module_keys)} modules, "
        f"{len(lesson_keys)} lessons, {len(scenario_keys)} scenarios; items "
        f"{counts['created']} new, {counts['updated']} changed, {counts['unchanged']} unchanged, "
        f"{retired} retired; languages {', '.join(manifest.languages)}"
    )


def load_translation(course: Any, course_dir: Path, root: Path, language: str) -> None:
    """One other language of a loaded course: its strings beside the source language's (each
    piece marked ``fallback`` when the language lacks its file), its items in the question bank
    under the same keys."""
    from cybercap.elearning import translation
    from cybercap.elearning.models import Figure, Lesson, Module, Scenario
    from cybercap.network.models import Topic
    from cybercap.quizzes.models import Item
    from cybercap.quizzes.services import item_upsert

    check = cs.CourseCheck(course_dir, root, language).run()
    if check.problems:
        raise ContentError(check.problems)
    manifest, strings = check.manifest, check.strings
    assert manifest is not None and strings is not None
    rows = translation.file_statuses(course_dir, language)
    fallbacks = check.fallbacks

    def fell_back(rel: str) -> bool:
        return rel in fallbacks

    strings_rel = check.rel(course_dir / manifest.layout.strings.format(lang=manifest.language))
    course.translations[language] = {
        "title": strings.title,
        "description": strings.description,
        "audience": strings.audience,
        "objectives": list(strings.objectives),
        "legal_basis_heading": strings.legal_basis_heading,
        "legal_basis_empty": strings.legal_basis_empty,
        "fallback": fell_back(strings_rel),
        "state": translation.language_state(rows),
        "files": sum(1 for r in rows if r.translated),
        "total": len(rows),
    }

    def figure_url(name: str) -> str:
        url = reverse("elearning:figure", kwargs={"course": manifest.id, "name": name})
        return f"{url}?language={language}"

    modules = {m.key: m for m in Module.objects.filter(course=course)}
    for spec_m in manifest.modules:
        module = modules[spec_m.id]
        module.translations[language] = {
            "title": strings.modules[spec_m.id].title,
            "summary": strings.modules[spec_m.id].summary,
            "fallback": fell_back(strings_rel),
        }
    Module.objects.bulk_update(modules.values(), ["translations"])

    lessons = {(x.module.key, x.key): x for x in Lesson.objects.filter(module__course=course)}
    for module_id, parsed in check.lessons.items():
        for lesson in parsed:
            obj = lessons[(module_id, lesson.front.id)]
            body = _without_title(lesson.body, lesson.front.title)
            before, slot, after = body.partition(cs.LEGAL_SLOT)
            obj.translations[language] = {
                "title": lesson.front.title,
                "objectives": list(lesson.front.objectives),
                "fallback": fell_back(lesson.rel),
            }
            obj.html_translations[language] = {
                "html": render_markdown(before, figure_url),
                "html_after_slot": render_markdown(after, figure_url) if slot else "",
            }
    Lesson.objects.bulk_update(lessons.values(), ["translations", "html_translations"])

    scenarios = {s.key: s for s in Scenario.objects.filter(course=course)}
    for spec_s in check.scenarios:
        scen = scenarios[spec_s.id]
        scen.translations[language] = {
            "title": spec_s.title,
            "setting": spec_s.setting,
            "fallback": fell_back(check.scenario_files[spec_s.id]),
        }
        scen.graph_translations[language] = spec_s.model_dump(mode="json", exclude={"translation"})
    Scenario.objects.bulk_update(scenarios.values(), ["translations", "graph_translations"])

    figures = {f.name: f for f in Figure.objects.filter(course=course)}
    own = course_dir / manifest.layout.figures.format(lang=language)
    for name, fig in figures.items():
        path = own / name
        if path.is_file():
            fig.translations[language] = path.read_text(encoding="utf-8")
        else:
            fig.translations.pop(language, None)
    Figure.objects.bulk_update(figures.values(), ["translations"])

    # Items in the language's own files join the bank under the same key; the tests keep the
    # source-language items, and pages show the learner's language by key (same option ids).
    topics = {t.key: t for t in Topic.objects.all()}
    kept = []
    for spec in check.items:
        if fell_back(check.item_files[spec.id]):
            continue
        kept.append(spec.id)
        item_upsert(
            key=spec.id,
            language=language,
            fields={
                "type": spec.type,
                "topic": topics[spec.topic],
                "source": f"{manifest.id}/{spec.module}",
                "stem": spec.stem,
                "options": [o.model_dump() for o in spec.options],
                "targets": [t.model_dump() for t in spec.targets or []],
                "correct": spec.correct,
                "pools": list(spec.pools),
            },
        )
    Item.objects.filter(
        source__startswith=f"{manifest.id}/", language=language, retired=False
    ).exclude(key__in=kept).update(retired=True)


def check_all(root: Path) -> list[contentkit.Problem]:
    """The courses in their source language, then each translation against it."""
    from cybercap.elearning import translation

    return sorted(set(cs.check_courses(root)) | set(translation.check_translations(root)))


def describe_all(root: Path) -> str:
    from cybercap.elearning import translation

    return f"{describe_courses(root)}; translations: {translation.describe(root)}"


def register() -> None:
    from cybercap.elearning import translation

    contentkit.register(
        contentkit.ContentType(
            name="courses",
            check=check_all,
            load=load_courses,
            order=40,
            extras={"describe": describe_all, "incomplete": translation.incomplete},
        )
    )
