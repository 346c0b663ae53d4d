from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "cybercap.network"
    label = "network"
    verbose_name = "Shared vocabulary"

    def ready(self) -> None:
        from cybercap.core import audit
        from cybercap.network import models
        from cybercap.network.content import register_content_types

        audit.register(models.Country, models.Agency, models.Person, models.Topic)
        register_content_types()
