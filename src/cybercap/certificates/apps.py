from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "cybercap.certificates"
    label = "certificates"
    verbose_name = "Certificates"
