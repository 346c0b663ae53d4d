from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "cybercap.quizzes"
    label = "quizzes"
    verbose_name = "Question bank and tests"

    def ready(self) -> None:
        from cybercap.core import audit
        from cybercap.quizzes import models

        audit.register(models.Item, models.Test)
