"""The shared vocabulary's content: countries and the topic taxonomy, plus the check that
every YAML and Markdown file under `content/` can be read at all.

``register_content_types()`` is called from NetworkConfig.ready().
"""

from __future__ import annotations

from pathlib import Path

from cybercap.core import contentkit

FILES = "files"
COUNTRIES = "countries"
TOPICS = "topics"


def _load_countries(root: Path) -> str:
    from cybercap.network.content.loaders import countries_load

    return countries_load(root)


def _load_topics(root: Path) -> str:
    from cybercap.network.content.loaders import topics_load

    return topics_load(root)


def register_content_types() -> None:
    from cybercap.network.content import checks

    contentkit.register(
        contentkit.ContentType(
            name=FILES,
            check=checks.check_files,
            order=0,
            extras={"describe": checks.describe_files},
        )
    )
    contentkit.register(
        contentkit.ContentType(
            name=COUNTRIES,
            check=checks.check_countries,
            load=_load_countries,
            order=10,
            extras={"describe": checks.describe_countries},
        )
    )
    contentkit.register(
        contentkit.ContentType(
            name=TOPICS,
            check=checks.check_topics,
            load=_load_topics,
            order=20,
            extras={"describe": checks.describe_topics},
        )
    )
