from django.apps import AppConfig


class ElearningConfig(AppConfig):
    name = "cybercap.elearning"
    label = "elearning"
    verbose_name = "E-learning"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from cybercap.core import audit
        from cybercap.demo import registry
        from cybercap.elearning import content, models, selectors
        from cybercap.elearning.demo import seed_elearning
        from cybercap.elearning.xapi_demo import seed_statements

        content.register()
        audit.register(models.Course, models.Module, models.Lesson, models.Scenario)
        audit.register(models.Invitation, exclude={"nonce"})
        registry.register("elearning", seed_elearning, order=60)
        # After every e-learning seeder: statements follow the demo learners' progress.
        registry.register("elearning-statements", seed_statements, order=90)
        # A course's outline is cached per process (selectors.course_outline); any saved or
        # deleted piece of a course empties that cache here at once (other processes see the
        # new content hash and revision that a load gives the course).
        for model in (models.Course, models.Module, models.Lesson, models.Scenario):
            post_save.connect(selectors.forget_outlines, sender=model, weak=False)
            post_delete.connect(selectors.forget_outlines, sender=model, weak=False)
