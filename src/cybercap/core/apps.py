from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cybercap.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from cybercap.core import checks  # noqa: F401 - registers the system checks
        from cybercap.core.content_types import register_content_types

        register_content_types()
