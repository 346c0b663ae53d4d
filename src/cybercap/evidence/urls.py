from django.urls import URLPattern, URLResolver, path

from cybercap.evidence import views

app_name = "evidence"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/members/", views.case_members, name="case_members"),
    path("<int:pk>/exhibits/", views.exhibit_create, name="exhibit_create"),
    path("<int:pk>/exhibits/<int:exhibit_pk>/", views.exhibit_detail, name="exhibit_detail"),
    path(
        "<int:pk>/exhibits/<int:exhibit_pk>/upload/",
        views.verification_upload,
        name="verification_upload",
    ),
    path(
        "<int:pk>/verifications/<int:verification_pk>/",
        views.verification_detail,
        name="verification_detail",
    ),
    path(
        "<int:pk>/verifications/<int:verification_pk>/case.jsonld",
        views.verification_case,
        name="verification_case",
    ),
    path(
        "<int:pk>/verifications/<int:verification_pk>/custody-form.pdf",
        views.verification_pdf,
        name="verification_pdf",
    ),
    path(
        "<int:pk>/verifications/<int:verification_pk>/files/<str:name>",
        views.verification_file,
        name="verification_file",
    ),
]
