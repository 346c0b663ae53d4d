"""Content types whose apps do not exist yet register here, so that `cybercap content check`
already covers every file under content/. When an app arrives, its AppConfig takes over the
registration."""

from __future__ import annotations

from cybercap.core import contentkit


def register_content_types() -> None:
    from cybercap.reviews import framework_schema

    contentkit.register(
        contentkit.ContentType(
            name="frameworks",
            check=framework_schema.check_frameworks,
            order=30,
            extras={"describe": framework_schema.describe_frameworks},
        )
    )
