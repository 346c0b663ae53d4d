from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "cybercap.certificates"
    label = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from cybercap.certificates import models
        from cybercap.core import audit

        audit.register(models.Certificate)
