from django.apps import AppConfig


class ElearningConfig(AppConfig):
    name = "cybercap.elearning"
    label = "elearning"
    verbose_name = "E-learning"

    def ready(self) -> None:
        from cybercap.core import audit
        from cybercap.demo import registry
        from cybercap.elearning import content, models
        from cybercap.elearning.demo import seed_elearning

        content.register()
        audit.register(models.Course, models.Module, models.Lesson, models.Scenario)
        registry.register("elearning", seed_elearning, order=60)
