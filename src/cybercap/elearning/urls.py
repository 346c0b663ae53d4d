from django.urls import URLPattern, URLResolver, path

from cybercap.elearning import views

app_name = "elearning"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalogue, name="catalogue"),
    path("progress/", views.progress, name="progress"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("<slug:course>/", views.course_detail, name="course"),
    path("<slug:course>/report/", views.report, name="report"),
    path("<slug:course>/export/<slug:format>.zip", views.export, name="export"),
    path("<slug:course>/final-test/", views.final_test, name="final_test"),
    path("<slug:course>/figures/<str:name>", views.figure, name="figure"),
    path("<slug:course>/lessons/<slug:lesson>/", views.lesson_detail, name="lesson"),
    path(
        "<slug:course>/lessons/<slug:lesson>/complete/",
        views.lesson_complete,
        name="lesson_complete",
    ),
    path("<slug:course>/modules/<slug:module>/quiz/", views.module_quiz, name="module_quiz"),
    path("<slug:course>/scenarios/<slug:scenario>/", views.scenario_detail, name="scenario"),
]

urlpatterns += [
    path("<slug:course>/checklist.pdf", views.checklist, name="checklist"),
]

# Offline use (elearning/offline_views.py): the service worker's scope is /learn/.
from cybercap.elearning import offline_views  # noqa: E402 - appended section

urlpatterns = [
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.web_manifest, name="manifest"),
    path("offline/", offline_views.offline_home, name="offline"),
    path("offline/saved/", offline_views.offline_saved, name="offline_saved"),
    path("offline/sync/", offline_views.sync, name="offline_sync"),
    *urlpatterns,
    path(
        "<slug:course>/modules/<slug:module>/offline.json",
        offline_views.module_package,
        name="module_offline",
    ),
    path(
        "<slug:course>/modules/<slug:module>/quiz/offline/",
        offline_views.offline_quiz,
        name="offline_quiz",
    ),
    path(
        "<slug:course>/lessons/<slug:lesson>/offline/",
        offline_views.lesson_copy,
        name="lesson_offline",
    ),
    path(
        "<slug:course>/final-test/offline/",
        offline_views.offline_final_test,
        name="offline_final_test",
    ),
]

# Analytics for staff and focal points (elearning/analytics_views.py).
from cybercap.elearning import analytics_views  # noqa: E402 - appended section

urlpatterns += [
    path("<slug:course>/analytics/", analytics_views.course_analytics, name="analytics"),
    path("<slug:course>/analytics/items/", analytics_views.item_analysis, name="item_analysis"),
]

# Invitations by agencies (elearning/invitation_views.py).
from cybercap.elearning import invitation_views  # noqa: E402 - appended section

urlpatterns = [
    path("join/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    *urlpatterns,
    path("<slug:course>/invitations/", invitation_views.invitation_list, name="invitations"),
    path(
        "<slug:course>/invitations/<int:pk>/resend/",
        invitation_views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<slug:course>/invitations/<int:pk>/revoke/",
        invitation_views.invitation_revoke,
        name="invitation_revoke",
    ),
]

# Translation coverage and status for staff (issue 7).
urlpatterns += [
    path("<slug:course>/translations/", views.translations, name="translations"),
]
