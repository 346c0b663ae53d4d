from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from cybercap.api.urls import api
from cybercap.core.admin_site import CybercapAdminSite

admin.site.__class__ = CybercapAdminSite

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("cybercap.core.urls")),
    path("accounts/", include("cybercap.accounts.urls")),
    path("network/", include("cybercap.network.urls")),
    path("reviews/", include("cybercap.reviews.urls")),
    path("learn/", include("cybercap.elearning.urls")),
    path("quizzes/", include("cybercap.quizzes.urls")),
    path("activities/", include("cybercap.activities.urls")),
    # /certificates/... and the public /verify/<code>
    path("", include("cybercap.certificates.urls")),
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
