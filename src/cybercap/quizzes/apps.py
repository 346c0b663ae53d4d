from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "cybercap.quizzes"
    label = "quizzes"
    verbose_name = "Question bank and tests"
