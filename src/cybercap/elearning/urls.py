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
