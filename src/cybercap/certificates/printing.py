"""The certificate as PDF: the programme's letterhead, the holder's name in its script, a QR code.

WeasyPrint renders templates/certificates/print/certificate.html with certificate.css beside it
(read from disk, never served to browsers). The Noto fonts from Debian's fonts-noto-core cover
the Thai, Khmer, Lao, Myanmar and Vietnamese scripts of holders' names. The QR code holds the
address of the public verification page, which also appears in print with the code, so a
reader without a phone can type it.
"""

from __future__ import annotations

from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from cybercap.certificates.models import Certificate, CertificateKind
from cybercap.core.gcpause import collection_paused

STYLESHEET = Path(__file__).parent / "templates" / "certificates" / "print" / "certificate.css"


def verify_url(code: str) -> str:
    """The public address of the certificate's verification page."""
    return f"{settings.SITE_URL}{reverse('certificates:verify', args=[code])}"


def _is_demo(cert: Certificate) -> bool:
    activity = cert.activity
    user = cert.holder_user
    return bool((activity is not None and activity.is_demo) or (user is not None and user.is_demo))


@collection_paused()  # many short-lived objects: see core.gcpause
def certificate_pdf(*, cert: Certificate) -> bytes:
    url = verify_url(cert.code)
    language = cert.language if cert.language in dict(settings.LANGUAGES) else "en"
    activity = cert.activity
    with translation.override(language):
        document = render_to_string(
            "certificates/print/certificate.html",
            {
                "cert": cert,
                "activity": activity,
                "is_course": bool(cert.course_key),
                "is_attendance": cert.kind == CertificateKind.ATTENDANCE,
                "place": ", ".join(
                    part
                    for part in (
                        activity.city if activity else "",
                        activity.host_country.name if activity and activity.host_country else "",
                    )
                    if part
                ),
                "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
                "verify_url": url,
                "demo": _is_demo(cert),
                "LANGUAGE_CODE": language,
            },
        )
    fonts = FontConfiguration()
    css = CSS(filename=str(STYLESHEET), font_config=fonts)
    rendered = HTML(string=document).render(stylesheets=[css], font_config=fonts)
    rendered.metadata.title = f"{cert.get_kind_display()}: {cert.title}"
    rendered.metadata.authors = ["cybercap"]
    rendered.metadata.generator = "cybercap"
    pdf = rendered.write_pdf()
    assert pdf is not None
    return bytes(pdf)
