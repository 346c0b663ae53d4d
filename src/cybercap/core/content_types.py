"""Content types whose apps do not exist yet register here, so that `cybercap content check`
already covers every file under content/. When an app arrives, its AppConfig takes over the
registration."""

from __future__ import annotations

from pathlib import Path

from cybercap.core import contentkit


def _describe_courses(root: Path) -> str:
    from cybercap.elearning.course_schema import course_stats

    lines = []
    for course_dir in sorted((root / "courses").glob("*/")):
        if not (course_dir / "course.yaml").is_file():
            continue
        stats = course_stats(course_dir)
        modules = stats.get("modules", [])
        lines.append(
            f"{course_dir.name}: {len(modules)} modules, {stats.get('words', 0)} words, "
            f"{stats.get('items', 0)} items, {stats.get('scenarios', 0)} scenarios"
        )
    return "; ".join(lines) or "no courses"


def register_content_types() -> None:
    from cybercap.elearning import course_schema
    from cybercap.reviews import framework_schema

    contentkit.register(
        contentkit.ContentType(
            name="frameworks",
            check=framework_schema.check_frameworks,
            order=30,
            extras={"describe": framework_schema.describe_frameworks},
        )
    )
    contentkit.register(
        contentkit.ContentType(
            name="courses",
            check=course_schema.check_courses,
            order=40,
            extras={"describe": _describe_courses},
        )
    )
