from django.urls import path

from cybercap.core import audit_views, views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", audit_views.audit_list, name="audit_list"),
]
