from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """The evidence register (training and exercise cases). The field CLI in ``field/`` is a
    separate, Django-free package; importing it never loads this app."""

    name = "cybercap.evidence"
    label = "evidence"
    verbose_name = "Evidence register (training and exercises)"

    def ready(self) -> None:
        from cybercap.core import audit
        from cybercap.demo import registry
        from cybercap.evidence import models
        from cybercap.evidence.demo import seed_evidence

        audit.register(
            models.Case, models.Exhibit, models.Verification, models.CustodyEvent, models.Export
        )
        registry.register("evidence", seed_evidence, order=60)
