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
        from cybercap.elearning.xapi_demo import seed_statements

        content.register()
        audit.register(models.Course, models.Module, models.Lesson, models.Scenario)
        audit.register(models.Invitation, exclude={"nonce"})
        registry.register("elearning", seed_elearning, order=60)
        # After every e-learning seeder: statements follow the demo learners' progress.
        registry.register("elearning-statements", seed_statements, order=90)
