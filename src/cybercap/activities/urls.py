from django.urls import path

from cybercap.activities import (
    attendance_views,
    evaluation_views,
    import_views,
    planner_views,
    views,
)

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("new/", views.activity_create, name="activity_create"),
    path("mine/", views.my_registrations, name="my_registrations"),
    path("planner/", planner_views.planner_page, name="planner"),
    path("planner/plan/", planner_views.planner_plan, name="planner_plan"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("<int:pk>/plan/", views.activity_plan, name="activity_plan"),
    path("<int:pk>/calendar.ics", views.activity_calendar, name="activity_calendar"),
    path("<int:pk>/status/", views.activity_transition, name="activity_transition"),
    path("<int:pk>/nominations/", views.activity_nominations, name="activity_nominations"),
    path("<int:pk>/decisions/", views.activity_decisions, name="activity_decisions"),
    path("<int:pk>/materials/", views.material_list, name="material_list"),
    path(
        "<int:pk>/materials/<int:material_pk>/",
        views.material_download,
        name="material_download",
    ),
    path(
        "<int:pk>/sessions/<int:session_pk>/check-in/",
        attendance_views.session_check_in,
        name="session_check_in",
    ),
    path(
        "<int:pk>/sessions/<int:session_pk>/sign-in.pdf",
        attendance_views.session_sign_in_sheet,
        name="session_sign_in_sheet",
    ),
    path("<int:pk>/badges.pdf", attendance_views.activity_badges, name="activity_badges"),
    path("<int:pk>/import/", import_views.import_upload, name="import_upload"),
    path("<int:pk>/import/<int:import_pk>/columns/", import_views.import_map, name="import_map"),
    path(
        "<int:pk>/import/<int:import_pk>/preview/",
        import_views.import_preview,
        name="import_preview",
    ),
    # evaluations: pre/post tests, paper scores, survey, results
    path("<int:pk>/evaluation/", evaluation_views.evaluation_overview, name="evaluation_overview"),
    path(
        "<int:pk>/evaluation/<str:kind>/setup/",
        evaluation_views.evaluation_setup,
        name="evaluation_setup",
    ),
    path(
        "<int:pk>/evaluation/<str:kind>/paper/",
        evaluation_views.evaluation_paper,
        name="evaluation_paper",
    ),
    path(
        "<int:pk>/evaluation/<str:kind>/take/",
        evaluation_views.evaluation_take,
        name="evaluation_take",
    ),
    path(
        "<int:pk>/evaluation/scores/", evaluation_views.evaluation_scores, name="evaluation_scores"
    ),
    path(
        "<int:pk>/evaluation/survey/", evaluation_views.evaluation_survey, name="evaluation_survey"
    ),
    path("<int:pk>/results/", evaluation_views.evaluation_results, name="evaluation_results"),
    path(
        "<int:pk>/evaluation/certificates/",
        evaluation_views.evaluation_certificates,
        name="evaluation_certificates",
    ),
]

# Letters, confirmation links, the programme dashboard and the donor report (programme_views.py),
# appended in a block of their own (imported here to keep the edit above append-only).
from cybercap.activities import programme_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/letters/", programme_views.activity_letters, name="activity_letters"),
    path(
        "<int:pk>/registrations/<int:registration_pk>/invitation.pdf",
        programme_views.invitation_letter,
        name="invitation_letter",
    ),
    path(
        "<int:pk>/registrations/<int:registration_pk>/visa-letter/",
        programme_views.visa_letter,
        name="visa_letter",
    ),
    path(
        "<int:pk>/registrations/<int:registration_pk>/confirmation-link/",
        programme_views.confirmation_send,
        name="confirmation_send",
    ),
    path("confirm/<str:token>/", programme_views.confirmation_page, name="confirmation"),
    path(
        "confirm/<str:token>/invitation.pdf",
        programme_views.confirmation_invitation,
        name="confirmation_invitation",
    ),
    path("programme/", programme_views.programme_dashboard, name="programme_dashboard"),
    path(
        "programme/donor-report.xlsx",
        programme_views.donor_report_xlsx,
        name="donor_report_xlsx",
    ),
    path("programme/donor-report.pdf", programme_views.donor_report_pdf, name="donor_report_pdf"),
]

# The feedback survey's questions (survey_views.py).
from cybercap.activities import survey_views  # noqa: E402

urlpatterns += [
    path(
        "<int:pk>/evaluation/survey/questions/",
        survey_views.survey_questions,
        name="survey_questions",
    ),
    path(
        "<int:pk>/evaluation/survey/questions/<int:question_pk>/",
        survey_views.survey_question_edit,
        name="survey_question_edit",
    ),
    path(
        "<int:pk>/evaluation/survey/questions/<int:question_pk>/action/",
        survey_views.survey_question_action,
        name="survey_question_action",
    ),
]
