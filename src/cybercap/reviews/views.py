"""Review pages. Thin: a form parses, a scoped selector fetches (404 out of scope), a service
writes (403 when the user may see the review but not do the thing), then render or redirect.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.accounts.views import staff_required, verified_login_required
from cybercap.network.selectors import countries_for_user, country_get_for_user
from cybercap.reviews import excel, permissions, scoring, selectors, services
from cybercap.reviews import regional as regional_reads
from cybercap.reviews.forms import (
    AnswerForm,
    CommentForm,
    ConsultationForm,
    EvidenceForm,
    RecommendationForm,
    ReviewFilterForm,
    ReviewOpenForm,
    ReviewPeopleForm,
    TargetForm,
    TransitionForm,
    WorkbookForm,
)
from cybercap.reviews.models import Review, ReviewState, ValidationComment
from cybercap.reviews.services import ReviewError

PAGE_SIZE = 25


def _wants_partial(request: HttpRequest) -> bool:
    htmx = request.htmx  # type: ignore[attr-defined]
    return bool(htmx) and not htmx.history_restore_request


def _review(request: HttpRequest, pk: int) -> Review:
    return selectors.review_get_for_user(user=request.user, pk=pk)


def _abilities(user: Any, review: Review) -> dict[str, Any]:
    return {
        "can_write": permissions.can_write(user, review),
        "can_comment": permissions.can_comment(user, review),
        "can_reply": permissions.can_reply(user, review),
        "can_download": permissions.can_download(user, review),
        "transitions": [
            (state, ReviewState(state).label)
            for state in permissions.allowed_transitions(user, review)
        ],
    }


def _form_errors(form: Any, exc: ReviewError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --------------------------------------------------------------------------- reviews


@verified_login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET, countries=countries_for_user(user=request.user))
    reviews = form.apply(selectors.reviews_for_user(user=request.user))
    page = Paginator(reviews.order_by("-cycle", "country__name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page}
    template = (
        "reviews/review_list_results.html"
        if _wants_partial(request)
        else ("reviews/review_list.html")
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def review_open(request: HttpRequest) -> HttpResponse:
    form = ReviewOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_open(
                by=request.user,
                country=data["country"],
                cycle=data["cycle"],
                framework=data["framework"],
                reviewers=data["reviewers"],
                tlp=data["tlp"],
                named_users=data["named_users"],
            )
        except ReviewError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The review is open, in preparation."))
            return redirect("reviews:review_detail", pk=review.pk)
    return render(request, "reviews/review_open.html", {"form": form})


@verified_login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    scores = selectors.review_scores(review)
    result = scores.result
    pillars = []
    for pillar in scores.pillars:
        areas = []
        for area in pillar.areas.all():
            rows = [
                {
                    "indicator": indicator,
                    "answer": scores.answers.get(indicator.code),
                    "gap": result.gaps.get(indicator.code),
                    "target": scores.targets.get(indicator.code),
                }
                for indicator in area.indicators.all()
            ]
            areas.append({"area": area, "summary": result.areas[area.key], "rows": rows})
        pillars.append({"pillar": pillar, "summary": result.pillars[pillar.key], "areas": areas})
    context = {
        "review": review,
        "overall": result.overall,
        "pillars": pillars,
        "shortfalls": len(result.shortfalls),
        "agreement": scoring.agreement(
            (a.level, a.second_level)
            for a in scores.answers.values()
            if a.level is not None and a.second_level is not None
        ),
        "history": list(review.transitions.select_related("by")),
        "workbook_form": WorkbookForm(),
        "is_reviewer": permissions.is_assigned_reviewer(request.user, review),
        **_abilities(request.user, review),
    }
    return render(request, "reviews/review_detail.html", context)


@verified_login_required
@require_POST
def review_transition(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a state to move the review to."))
        return redirect("reviews:review_detail", pk=review.pk)
    try:
        services.review_transition(
            by=request.user,
            review=review,
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
        )
    except ReviewError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The review is now in %(state)s.") % {"state": ReviewState(review.state).label},
        )
    return redirect("reviews:review_detail", pk=review.pk)


# --------------------------------------------------------------------------- scoring


@verified_login_required
@require_http_methods(["GET", "POST"])
def answer_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    review = _review(request, pk)
    indicator = selectors.indicator_for_review(review, code)
    answer = selectors.answer_for(review, indicator)
    abilities = _abilities(request.user, review)
    form = AnswerForm.for_answer(answer, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not abilities["can_write"]:
            raise PermissionDenied
        if form.is_valid():
            try:
                answer = services.answer_save(
                    by=request.user, review=review, indicator=indicator, **form.values()
                )
            except ReviewError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Answer saved."))
                if _wants_partial(request):
                    form = AnswerForm.for_answer(answer)
                else:
                    return redirect("reviews:answer_edit", pk=review.pk, code=indicator.code)
    comments = [c for c in selectors.comments_for(review) if c.indicator_id == indicator.pk]
    context = {
        "review": review,
        "indicator": indicator,
        "answer": answer,
        "form": form,
        "evidence_form": EvidenceForm(),
        "attachments": list(answer.attachments.all()) if answer else [],
        "comments": comments,
        **abilities,
    }
    template = (
        "reviews/_answer_form.html" if _wants_partial(request) else "reviews/answer_edit.html"
    )
    return render(request, template, context)


@verified_login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    review = _review(request, pk)
    indicator = selectors.indicator_for_review(review, code)
    if not permissions.can_write(request.user, review):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_attach(
                by=request.user,
                review=review,
                indicator=indicator,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ReviewError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("File attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("reviews:answer_edit", pk=review.pk, code=indicator.code)


@verified_login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> Any:
    review = _review(request, pk)
    evidence = selectors.evidence_get(review, evidence_pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------- consultations


@verified_login_required
@require_http_methods(["GET", "POST"])
def consultation_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    abilities = _abilities(request.user, review)
    form = ConsultationForm(request.POST or None, review=review)
    if request.method == "POST":
        if not abilities["can_write"]:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.consultation_add(
                    by=request.user,
                    review=review,
                    date=data["date"],
                    cluster=data["cluster"],
                    agencies=data["agencies"],
                    notes=data["notes"],
                )
            except ReviewError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Consultation recorded."))
                return redirect("reviews:consultation_list", pk=review.pk)
    consultations = selectors.consultations_for(review)
    clusters = {c["key"]: c["name"] for c in review.framework.stakeholder_clusters or []}
    rows = [(c, clusters.get(c.cluster, c.cluster)) for c in consultations]
    context = {"review": review, "rows": rows, "form": form, **abilities}
    return render(request, "reviews/consultation_list.html", context)


# --------------------------------------------------------------------------- validation comments


@verified_login_required
@require_http_methods(["GET", "POST"])
def comment_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    abilities = _abilities(request.user, review)
    form = CommentForm(request.POST or None, review=review)
    if request.method == "POST":
        if not (abilities["can_comment"] or abilities["can_reply"]):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("parent"):
                    parent = ValidationComment.objects.filter(
                        review=review, pk=data["parent"]
                    ).first()
                    if parent is None:
                        raise ReviewError(_("That comment does not exist."))
                    services.comment_reply(by=request.user, comment=parent, body=data["body"])
                else:
                    services.comment_add(
                        by=request.user,
                        review=review,
                        body=data["body"],
                        indicator=data.get("indicator"),
                    )
            except ReviewError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Comment saved."))
                return redirect("reviews:comment_list", pk=review.pk)
    context = {
        "review": review,
        "comments": selectors.comments_for(review),
        "form": form,
        **abilities,
    }
    return render(request, "reviews/comment_list.html", context)


# --------------------------------------------------------------------------- recommendations


@verified_login_required
@require_http_methods(["GET", "POST"])
def recommendation_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    abilities = _abilities(request.user, review)
    if request.method == "POST":
        if not abilities["can_write"]:
            raise PermissionDenied
        created, updated, retired = services.recommendations_generate(
            by=request.user, review=review
        )
        messages.success(
            request,
            _("Recommendations generated: %(c)d new, %(u)d updated, %(r)d retired.")
            % {"c": created, "u": updated, "r": retired},
        )
        return redirect("reviews:recommendation_list", pk=review.pk)
    context = {
        "review": review,
        "recommendations": selectors.recommendations_for(review),
        **abilities,
    }
    return render(request, "reviews/recommendation_list.html", context)


@verified_login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    review = _review(request, pk)
    recommendation = selectors.recommendation_get(review, rec_pk)
    if not permissions.can_write(request.user, review):
        raise PermissionDenied
    if request.method == "POST":
        form = RecommendationForm(request.POST, review=review, recommendation=recommendation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.recommendation_update(
                    by=request.user,
                    review=review,
                    recommendation=recommendation,
                    text=data["text"],
                    priority=data["priority"],
                    horizon=data["horizon"],
                    responsible=data["responsible"],
                    indicators=data["indicators"],
                    topics=data["topics"],
                    evidence_trace=data["evidence_trace"],
                )
            except ReviewError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Recommendation saved."))
                return redirect(reverse("reviews:recommendation_list", args=[review.pk]))
    else:
        form = RecommendationForm(review=review, recommendation=recommendation)
    context = {"review": review, "recommendation": recommendation, "form": form}
    return render(request, "reviews/recommendation_edit.html", context)


# --------------------------------------------------------------------------- Excel


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@verified_login_required
@require_GET
def workbook_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The offline scoring workbook, for those who may score."""
    review = _review(request, pk)
    if not permissions.can_write(request.user, review):
        raise PermissionDenied
    name = f"review-{review.country.code}-{review.cycle}-scoring.xlsx"
    return _xlsx_response(excel.review_workbook(review), name)


@verified_login_required
@require_POST
def workbook_import(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if not permissions.can_write(request.user, review):
        raise PermissionDenied
    form = WorkbookForm(request.POST, request.FILES)
    problems: list[str] = []
    result = None
    if not form.is_valid():
        problems = [_("Choose a workbook (.xlsx) to import.")]
    else:
        upload = form.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            problems = [_("The file is too large.")]
        else:
            try:
                result = excel.review_import(
                    by=request.user,
                    review=review,
                    data=upload.read(),
                    overwrite_newer=form.cleaned_data["overwrite_newer"],
                )
            except excel.WorkbookError as exc:
                problems = exc.problems
    status = 200 if result is not None else 422
    context = {"review": review, "problems": problems, "result": result}
    return render(request, "reviews/workbook_import.html", context, status=status)


@verified_login_required
@require_GET
def action_plan_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The recommendations as an action-plan sheet: staff, reviewers, and the country at final."""
    review = _review(request, pk)
    allowed = permissions.can_download(request.user, review) or permissions.is_assigned_reviewer(
        request.user, review
    )
    if not allowed:
        raise PermissionDenied
    name = f"action-plan-{review.country.code}-{review.cycle}.xlsx"
    return _xlsx_response(excel.action_plan_workbook(review), name)


# --------------------------------------------------------------------------- regional view


@verified_login_required
@require_GET
def regional(request: HttpRequest) -> HttpResponse:
    """Staff: heatmap and level distribution. Focal points: their country beside the median."""
    cycle_raw = request.GET.get("cycle", "")
    cycle = int(cycle_raw) if cycle_raw.isdigit() and 2000 <= int(cycle_raw) <= 2100 else None
    if access.is_staff(request.user):
        data = regional_reads.regional_for_staff(user=request.user, cycle=cycle)
        context = {"data": data, "cycle": cycle}
        return render(request, "reviews/regional_staff.html", context)
    if access.has_role(request.user, Role.FOCAL_POINT):
        beside = regional_reads.own_beside_median(user=request.user, cycle=cycle)
        return render(request, "reviews/regional_focal.html", {"data": beside, "cycle": cycle})
    raise PermissionDenied


@verified_login_required
@require_GET
def review_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Indicator by indicator against the country's previous final review the user may read."""
    review = _review(request, pk)
    previous = (
        selectors.reviews_for_user(user=request.user)
        .filter(country_id=review.country_id, cycle__lt=review.cycle, state=ReviewState.FINAL)
        .order_by("-cycle")
        .first()
    )
    progress = None
    if previous is not None:
        progress = selectors.review_progress(review, previous)
    context = {"review": review, "previous": previous, "progress": progress}
    return render(request, "reviews/review_compare.html", context)


# --------------------------------------------------------------------------- targets


@staff_required
@require_http_methods(["GET", "POST"])
def target_list(request: HttpRequest, code: str) -> HttpResponse:
    """Staff set a country's target levels (3 unless set)."""
    country = country_get_for_user(user=request.user, code=code)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.target_set(
            by=request.user,
            country=country,
            level=form.cleaned_data["level"],
            indicator_code=form.cleaned_data["indicator_code"],
        )
        messages.success(request, _("Target saved."))
        return redirect("reviews:target_list", code=country.code)
    context = {
        "country": country,
        "targets": selectors.targets_of_country(country),
        "default": selectors.default_target(country),
        "form": form,
    }
    return render(request, "reviews/target_list.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def review_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff change a review's reviewers, TLP label and named users."""
    review = _review(request, pk)
    if request.method == "POST":
        form = ReviewPeopleForm(request.POST, review=review)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.review_update_people(
                    by=request.user,
                    review=review,
                    reviewers=data["reviewers"],
                    named_users=data["named_users"],
                    tlp=data["tlp"],
                )
            except ReviewError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                if selectors.reviews_for_user(user=request.user).filter(pk=review.pk).exists():
                    return redirect("reviews:review_detail", pk=review.pk)
                return redirect("reviews:review_list")
    else:
        form = ReviewPeopleForm(review=review)
    return render(request, "reviews/review_people.html", {"review": review, "form": form})
