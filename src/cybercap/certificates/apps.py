from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "cybercap.certificates"
    label = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from cybercap.certificates import models
        from cybercap.certificates.demo import seed_certificates
        from cybercap.core import audit
        from cybercap.demo import registry

        audit.register(models.Certificate)
        # After the activities (50) and e-learning (60) that they certify.
        registry.register("certificates", seed_certificates, order=70)
