"""Content types whose apps do not exist yet register here, so that `cybercap content check`
already covers every file under content/. When an app arrives, its AppConfig takes over the
registration."""

from __future__ import annotations

from cybercap.core import contentkit  # noqa: F401 - apps to come register through it


def register_content_types() -> None:
    """Nothing is left here: every content type is registered by its own app.

    "frameworks" is registered by ReviewsConfig.ready() (cybercap.reviews.content);
    "courses" by ElearningConfig.ready() (cybercap.elearning.content), with a load.
    """
