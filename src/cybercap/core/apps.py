from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cybercap.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from cybercap.core import checks  # noqa: F401 - registers the system checks
