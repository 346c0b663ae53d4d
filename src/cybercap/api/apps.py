from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cybercap.api"
    label = "api"
    verbose_name = "API"
