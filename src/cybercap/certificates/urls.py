"""Certificate URLs: /verify/ (public) and /certificates/ (signed in).

Both live in this one module (included at the site's root) so that they share the
``certificates`` namespace.
"""

from django.urls import URLPattern, URLResolver, path, register_converter

from cybercap.certificates import codes, views


class CodeConverter:
    """A canonical verification code, as printed: XXXX-XXXX-XXXX."""

    regex = f"[0-9A-Z]{{{codes.GROUP}}}-[0-9A-Z]{{{codes.GROUP}}}-[0-9A-Z]{{{codes.GROUP}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "certcode")

app_name = "certificates"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public: the code may come as typed (lower case, no hyphens); the view normalises it.
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>", views.verify, name="verify"),
    path("certificates/", views.mine, name="mine"),
    path("certificates/preferences/", views.preferences, name="preferences"),
    path("certificates/<certcode:code>.pdf", views.pdf, name="pdf"),
    path("certificates/manage/", views.manage_list, name="manage_list"),
    path("certificates/manage/<certcode:code>/", views.manage_detail, name="manage_detail"),
    path("certificates/manage/<certcode:code>/revoke/", views.revoke, name="revoke"),
    path("certificates/activities/<int:pk>/", views.activity_issue, name="activity_issue"),
]
