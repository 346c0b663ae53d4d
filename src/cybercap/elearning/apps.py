from django.apps import AppConfig


class ElearningConfig(AppConfig):
    name = "cybercap.elearning"
    label = "elearning"
    verbose_name = "E-learning"
