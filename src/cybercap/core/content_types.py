"""Content types that belong to no single app.

"frameworks" is registered by ReviewsConfig.ready() (cybercap.reviews.content), "courses" by
ElearningConfig.ready() (cybercap.elearning.content) and the reference data by NetworkConfig;
the translation glossaries, shared by every translated course and the platform, live here.
"""

from __future__ import annotations

from cybercap.core import contentkit, glossary


def register_content_types() -> None:
    contentkit.register(
        contentkit.ContentType(
            name="glossaries",
            check=glossary.check,
            order=90,
            extras={"describe": glossary.describe},
        )
    )
