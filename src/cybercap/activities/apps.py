from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "cybercap.activities"
    label = "activities"
    verbose_name = "Programme activities"
