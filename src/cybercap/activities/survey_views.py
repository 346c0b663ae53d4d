"""Editing an activity's feedback survey: its questions, their order, retiring and removing.

Scope: the activity comes through the scoped selector (outside it: 404); editing is for staff
and the activity's trainers (others in scope: 403). A question of another activity is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cybercap.accounts.views import verified_login_required
from cybercap.activities import selectors, survey
from cybercap.activities.evaluation_forms import SurveyQuestionForm
from cybercap.activities.models import Activity
from cybercap.activities.services import ActivityError


def _managed(request: HttpRequest, pk: int) -> Activity:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    if not selectors.can_manage(request.user, activity):
        raise PermissionDenied
    return activity


@verified_login_required
@require_http_methods(["GET", "POST"])
def survey_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey's questions, with a form to add one at the end."""
    activity = _managed(request, pk)
    survey.survey_ensure(activity=activity)
    form = SurveyQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey.survey_question_add(
                activity=activity, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"]
            )
        except ActivityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Question added at the end of the survey."))
            return redirect("activities:survey_questions", pk=activity.pk)
    context = {"activity": activity, "lines": survey.survey_lines(activity), "form": form}
    return render(request, "activities/survey_questions.html", context)


@verified_login_required
@require_http_methods(["GET", "POST"])
def survey_question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Reword a question or change its kind (only while nobody has answered it)."""
    activity = _managed(request, pk)
    question = survey.survey_question_get(activity=activity, pk=question_pk)
    initial = {"kind": question.kind, "text": question.text}
    form = SurveyQuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey.survey_question_change(
                question=question, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"]
            )
        except ActivityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Question saved."))
            return redirect("activities:survey_questions", pk=activity.pk)
    answers = survey.survey_answer_count(question)
    context = {"activity": activity, "question": question, "form": form, "answers": answers}
    return render(request, "activities/survey_question_edit.html", context)


ACTIONS = ("up", "down", "retire", "restore", "remove")


@verified_login_required
@require_POST
def survey_question_action(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Move a question up or down, retire or restore it, or remove it."""
    activity = _managed(request, pk)
    question = survey.survey_question_get(activity=activity, pk=question_pk)
    action = request.POST.get("action", "")
    try:
        if action in ("up", "down"):
            survey.survey_question_move(question=question, up=action == "up")
        elif action in ("retire", "restore"):
            survey.survey_question_retire(question=question, retired=action == "retire")
            if action == "retire":
                messages.success(request, _("Question retired: it is no longer asked."))
            else:
                messages.success(request, _("Question restored: it is asked again."))
        elif action == "remove":
            survey.survey_question_remove(question=question)
            messages.success(request, _("Question removed."))
        else:
            messages.error(request, _("Unknown action: nothing was changed."))
    except ActivityError as exc:
        messages.error(request, str(exc))
    return redirect("activities:survey_questions", pk=activity.pk)
