from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "cybercap.server"
    label = "server"
    verbose_name = "Production server and worker"
