from django.urls import URLPattern, URLResolver, path

from cybercap.reviews import report_views, views

app_name = "reviews"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.review_list, name="review_list"),
    path("new/", views.review_open, name="review_open"),
    path("regional/", views.regional, name="regional"),
    path("targets/<str:code>/", views.target_list, name="target_list"),
    path("<int:pk>/compare/", views.review_compare, name="review_compare"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    path("<int:pk>/people/", views.review_people, name="review_people"),
    path("<int:pk>/report/", report_views.report_page, name="report_page"),
    path("<int:pk>/report.<str:fmt>", report_views.report_download, name="report_download"),
    path("<int:pk>/transition/", views.review_transition, name="review_transition"),
    path("<int:pk>/indicators/<str:code>/", views.answer_edit, name="answer_edit"),
    path(
        "<int:pk>/indicators/<str:code>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("<int:pk>/workbook/", views.workbook_download, name="workbook_download"),
    path("<int:pk>/workbook/import/", views.workbook_import, name="workbook_import"),
    path("<int:pk>/action-plan/", views.action_plan_download, name="action_plan_download"),
    path("<int:pk>/consultations/", views.consultation_list, name="consultation_list"),
    path("<int:pk>/comments/", views.comment_list, name="comment_list"),
    path("<int:pk>/recommendations/", views.recommendation_list, name="recommendation_list"),
    path(
        "<int:pk>/recommendations/<int:rec_pk>/",
        views.recommendation_edit,
        name="recommendation_edit",
    ),
]
