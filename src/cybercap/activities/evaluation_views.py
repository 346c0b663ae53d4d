"""Evaluation pages of an activity: set up the pre- and post-test, enter paper scores, take a
test online, answer the survey, and the results.

Scope: the activity comes through the scoped selector (outside it: 404). Setting up tests and
entering scores is for staff and the activity's trainers (others in scope: 403); taking a test
and answering the survey for the participants with a place (others: 403). On the results page
each role sees the rows its registrations selector gives it: staff and the activity's trainers
everyone, a focal point its own country's participants, a participant themself. Survey results
(anonymous) are for staff and the activity's trainers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.accounts.views import verified_login_required
from cybercap.activities import evaluations, learning_gain, selectors
from cybercap.activities.evaluation_forms import EvaluationSetupForm, ScoreSheetForm, SurveyForm
from cybercap.activities.models import (
    PLACE_TAKING,
    Activity,
    EvaluationKind,
    EvaluationScore,
    Registration,
)
from cybercap.activities.services import ActivityError
from cybercap.quizzes import services as quiz_services
from cybercap.quizzes.forms import AttemptForm


def _managed(request: HttpRequest, pk: int) -> Activity:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    if not selectors.can_manage(request.user, activity):
        raise PermissionDenied
    return activity


def _kind(kind: str) -> EvaluationKind:
    found = evaluations.kind_or_none(kind)
    if found is None:
        raise Http404
    return found


@verified_login_required
@require_GET
def evaluation_overview(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    registration = evaluations.participant_registration(user=user, activity=activity)
    tests = evaluations.evaluations_by_kind(activity)
    mine: dict[str, EvaluationScore] = {}
    answered = False
    if registration is not None:
        mine = evaluations.scores_for([registration])[registration.pk]
        answered = evaluations.has_answered_survey(registration)
    can_manage = selectors.can_manage(user, activity)
    counts = {}
    if can_manage:
        counts = {kind: e.test.items.count() if e.test else 0 for kind, e in tests.items()}
    rows = [
        {
            "kind": kind,
            "evaluation": tests.get(kind.value),
            "items": counts.get(kind.value, 0),
            "mine": mine.get(kind.value),
        }
        for kind in EvaluationKind
    ]
    context = {
        "activity": activity,
        "rows": rows,
        "registration": registration,
        "answered": answered,
        "can_manage": can_manage,
    }
    return render(request, "activities/evaluation_overview.html", context)


@verified_login_required
@require_http_methods(["GET", "POST"])
def evaluation_setup(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    activity = _managed(request, pk)
    test_kind = _kind(kind)
    current = evaluations.evaluations_by_kind(activity).get(test_kind.value)
    initial: dict[str, Any] = {"mode": "choose", "pass_mark": 70, "online": False}
    if current is not None:
        initial.update(
            pass_mark=round(current.pass_mark * 100),
            online=current.online,
            items=list(current.test.items.all()) if current.test else [],
        )
    form = EvaluationSetupForm(
        request.POST or None,
        initial=initial,
        items=evaluations.bank_items(activity),
        topics=activity.topics.all(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == "draw":
                items = evaluations.draw_items(
                    activity=activity, topic=data["draw_topic"], count=data["draw_count"]
                )
            else:
                items = list(data["items"])
            evaluations.evaluation_set(
                activity=activity,
                kind=test_kind.value,
                items=items,
                online=data["online"],
                pass_mark=data["pass_mark"] / 100,
                by=request.user,
            )
            messages.success(
                request,
                _("%(test)s saved with %(n)d items.") % {"test": test_kind.label, "n": len(items)},
            )
            return redirect("activities:evaluation_overview", pk=activity.pk)
        except ActivityError as exc:
            form.add_error(None, str(exc))
    context = {"activity": activity, "kind": test_kind, "form": form, "current": current}
    return render(request, "activities/evaluation_setup.html", context)


@verified_login_required
@require_GET
def evaluation_paper(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The test to print for a paper session, with the answer key on its own last page."""
    activity = _managed(request, pk)
    test_kind = _kind(kind)
    evaluation = evaluations.evaluations_by_kind(activity).get(test_kind.value)
    if evaluation is None or evaluation.test is None:
        raise Http404
    items = list(evaluation.test.items.filter(retired=False).order_by("key"))
    context = {
        "activity": activity,
        "kind": test_kind,
        "evaluation": evaluation,
        "items": items,
        "key": [
            (n, item, [item.option_text(o) for o in item.correct])
            for n, item in enumerate(items, start=1)
            if item.type in ("single", "multiple", "true_false")
        ],
    }
    return render(request, "activities/evaluation_paper.html", context)


@verified_login_required
@require_http_methods(["GET", "POST"])
def evaluation_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """Paper scores of every participant on one page: all saved, or none."""
    activity = _managed(request, pk)
    registrations = evaluations.score_sheet(activity)
    scores = evaluations.scores_for(registrations)
    data = request.POST if request.method == "POST" else None
    form = ScoreSheetForm(data, registrations=registrations, scores=scores)
    if request.method == "POST":
        if form.is_valid():
            try:
                done = evaluations.scores_enter(
                    activity=activity, changes=form.changes(), by=request.user
                )
                messages.success(request, _("%(n)d scores saved.") % {"n": done})
                return redirect("activities:evaluation_scores", pk=activity.pk)
            except ActivityError as exc:
                form.add_error(None, str(exc))
        else:
            form.add_error(
                None,
                _("Nothing was saved: correct the %(n)d marked scores and send the sheet again.")
                % {"n": sum(len(e) for name, e in form.errors.items() if name != "__all__")},
            )
    context = {"activity": activity, "form": form}
    return render(request, "activities/evaluation_scores.html", context)


def _participant(request: HttpRequest, pk: int) -> tuple[Activity, Any]:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    registration = evaluations.participant_registration(user=request.user, activity=activity)
    if registration is None:
        raise PermissionDenied
    return activity, registration


@verified_login_required
@require_http_methods(["GET", "POST"])
def evaluation_take(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A participant takes the pre- or post-test online (one attempt)."""
    activity, registration = _participant(request, pk)
    test_kind = _kind(kind)
    try:
        attempt = evaluations.take_start(
            registration=registration, kind=test_kind.value, user=request.user
        )
    except ActivityError as exc:
        messages.error(request, str(exc))
        return redirect("activities:evaluation_overview", pk=activity.pk)
    items = quiz_services.attempt_items(attempt)
    form = AttemptForm(request.POST or None, items=items, seed=str(attempt.pk))
    if request.method == "POST" and form.is_valid():
        try:
            score = evaluations.take_submit(
                registration=registration,
                kind=test_kind.value,
                attempt=attempt,
                answers=form.answers(),
                items=items,
            )
        except ActivityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(test)s submitted: your score is %(score)d%%.")
                % {"test": test_kind.label, "score": round(score.score * 100)},
            )
        return redirect("activities:evaluation_overview", pk=activity.pk)
    context = {"activity": activity, "kind": test_kind, "form": form, "groups": form.groups()}
    return render(request, "activities/evaluation_take.html", context)


@verified_login_required
@require_http_methods(["GET", "POST"])
def evaluation_survey(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant answers the feedback survey, once; the answers do not carry their name."""
    activity, registration = _participant(request, pk)
    if evaluations.has_answered_survey(registration):
        return render(
            request, "activities/evaluation_survey.html", {"activity": activity, "done": True}
        )
    questions = evaluations.feedback_questions_ensure(activity=activity)
    form = SurveyForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            evaluations.feedback_submit(registration=registration, answers=form.answers())
            messages.success(request, _("Thank you: your answers are recorded without your name."))
            return redirect("activities:evaluation_overview", pk=activity.pk)
        except ActivityError as exc:
            form.add_error(None, str(exc))
    context = {"activity": activity, "form": form, "done": False}
    return render(request, "activities/evaluation_survey.html", context)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@verified_login_required
@require_GET
def evaluation_results(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get_for_user(user=user, pk=pk)
    registrations = (
        selectors.registrations_for_user(user=user)
        .filter(activity=activity)
        .filter(
            Q(status__in=PLACE_TAKING) | Q(pk__in=EvaluationScore.objects.values("registration_id"))
        )
        .order_by("country__name", "person__full_name", "pk")
    )
    visible = list(registrations)
    gains = learning_gain.learner_gains(Registration.objects.filter(pk__in=[r.pk for r in visible]))
    post = evaluations.evaluations_by_kind(activity).get(EvaluationKind.POST)
    pass_mark = post.pass_mark if post is not None else None
    rows: list[dict[str, Any]] = []
    learners: list[learning_gain.LearnerGain] = []
    for registration in visible:
        learner = gains.get(registration.pk) or learning_gain.LearnerGain(
            registration.pk, None, None
        )
        learners.append(learner)
        rows.append(
            {
                "registration": registration,
                "learner": learner,
                "pre": _pct(learner.pre),
                "post": _pct(learner.post),
                "gain": _pct(learner.gain),
                "g": learner.normalised_gain,
                "passed": None
                if pass_mark is None or learner.post is None
                else learner.post >= pass_mark - 1e-9,
            }
        )
    summary = learning_gain.summarise(learners, label=_("Participants shown"))
    can_manage = selectors.can_manage(user, activity)
    feedback = comments = None
    achievement: dict[str, int] | None = None
    if can_manage:
        _post, passed = evaluations.achievement_candidates(activity)
        holders = evaluations.achievement_holders(activity)
        achievement = {
            "passed": len(passed),
            "holding": sum(1 for r in passed if r.person_id in holders),
        }
        feedback = learning_gain.activity_feedback(activity)
        comments = learning_gain.feedback_comments(activity)
    context = {
        "activity": activity,
        "rows": rows,
        "summary": summary,
        "summary_pre": _pct(summary.mean_pre),
        "summary_post": _pct(summary.mean_post),
        "summary_gain": _pct(summary.mean_gain),
        "band": evaluations.gain_band_label(summary.mean_normalised_gain),
        "effect_size": learning_gain.effect_size(learners),
        "pass_mark": _pct(pass_mark),
        "can_manage": can_manage,
        "feedback": feedback,
        "comments": comments,
        "achievement": achievement if post is not None else None,
    }
    return render(request, "activities/evaluation_results.html", context)


@verified_login_required
@require_POST
def evaluation_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff and the activity's trainers issue achievement certificates to those who passed."""
    activity = _managed(request, pk)
    try:
        issued = evaluations.achievement_issue(activity=activity, by=request.user)
    except ActivityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d achievement certificate issued.",
                "%(n)d achievement certificates issued.",
                len(issued),
            )
            % {"n": len(issued)},
        )
    return redirect("activities:evaluation_results", pk=activity.pk)
