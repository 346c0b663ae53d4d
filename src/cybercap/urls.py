from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from cybercap.api.urls import api

admin.site.__class__ = OTPAdminSite
admin.site.site_header = "cybercap administration"
admin.site.site_title = "cybercap"

urlpatterns = [
    path("", include("cybercap.core.urls")),
    path("accounts/", include("cybercap.accounts.urls")),
    path("network/", include("cybercap.network.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "cybercap.core.views.bad_request"
handler403 = "cybercap.core.views.permission_denied"
handler404 = "cybercap.core.views.page_not_found"
handler500 = "cybercap.core.views.server_error"

if settings.DEBUG:  # pragma: no cover - development only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
