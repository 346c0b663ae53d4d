"""Evidence register pages. Thin: a form parses, a scoped selector fetches (404 out of scope),
a service writes, then render or redirect. Every page carries the register's notice: training
and exercise cases only."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cybercap.accounts.views import verified_login_required
from cybercap.evidence import exports, permissions, selectors, services
from cybercap.evidence.forms import CaseForm, ExhibitForm, MembersForm, UploadForm
from cybercap.evidence.models import Case, ExportKind, Verification
from cybercap.evidence.services import EvidenceError
from cybercap.evidence.uploads import CappedUploadHandler

PAGE_SIZE = 50

# The uploaded files a user may download again, by the name in the URL.
DOWNLOADS = {
    "manifest.json": ("manifest_file", "application/json"),
    "custody.jsonl": ("log_file", "application/octet-stream"),
    "custody.jsonl.head": ("head_file", "text/plain; charset=us-ascii"),
    "custody.jsonl.head.minisig": ("signature_file", "text/plain; charset=us-ascii"),
}


def _require_register(request: HttpRequest) -> None:
    if not permissions.can_use_register(request.user):
        raise PermissionDenied


def _case(request: HttpRequest, pk: int) -> Case:
    _require_register(request)
    return selectors.case_get_for_user(user=request.user, pk=pk)


def _form_errors(form: Any, exc: EvidenceError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _may_manage(user: Any, case: Case) -> bool:
    from cybercap.accounts import access

    return access.is_staff(user) or case.owner_id == user.pk


@verified_login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _require_register(request)
    cases = selectors.case_list_for_user(user=request.user)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evidence/case_list.html", {"page": page, "cases": page.object_list})


@verified_login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    _require_register(request)
    form = CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(
                by=request.user,
                reference=data["reference"],
                title=data["title"],
                kind=data["kind"],
                country=data["country"],
                description=data["description"],
                members=data["members"],
            )
        except EvidenceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Case opened."))
            return redirect("evidence:case_detail", pk=case.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "evidence/case_create.html", {"form": form}, status=status)


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    exhibit_form: ExhibitForm | None = None,
    members_form: MembersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_manage = _may_manage(request.user, case)
    members = selectors.members_of(case)
    context = {
        "case": case,
        "exhibits": selectors.exhibits_for_case(case),
        "members": members,
        "exhibit_form": exhibit_form or ExhibitForm(),
        "members_form": (members_form or MembersForm(initial={"members": members}, case=case))
        if may_manage
        else None,
    }
    return render(request, "evidence/case_detail.html", context, status=status)


@verified_login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case(request, pk))


@verified_login_required
@require_POST
def case_members(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not _may_manage(request.user, case):
        raise PermissionDenied
    form = MembersForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.case_members_set(
                by=request.user, case=case, members=form.cleaned_data["members"]
            )
        except EvidenceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The people named on the case were saved."))
            return redirect("evidence:case_detail", pk=case.pk)
    return _case_page(request, case, members_form=form, status=422)


@verified_login_required
@require_POST
def exhibit_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = ExhibitForm(request.POST)
    if form.is_valid():
        try:
            exhibit = services.exhibit_create(
                by=request.user,
                case=case,
                number=form.cleaned_data["number"],
                description=form.cleaned_data["description"],
            )
        except EvidenceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Exhibit added."))
            return redirect("evidence:exhibit_detail", pk=case.pk, exhibit_pk=exhibit.pk)
    return _case_page(request, case, exhibit_form=form, status=422)


def _exhibit_page(
    request: HttpRequest, case: Case, exhibit_pk: int, form: UploadForm | None, status: int = 200
) -> HttpResponse:
    exhibit = selectors.exhibit_get(case, exhibit_pk)
    context = {
        "case": case,
        "exhibit": exhibit,
        "verifications": selectors.verifications_for_exhibit(exhibit),
        "form": form or UploadForm(),
        "evidence_limit": services.evidence_file_limit(),
    }
    return render(request, "evidence/exhibit_detail.html", context, status=status)


@verified_login_required
@require_GET
def exhibit_detail(request: HttpRequest, pk: int, exhibit_pk: int) -> HttpResponse:
    return _exhibit_page(request, _case(request, pk), exhibit_pk, None)


@csrf_exempt  # checked below, once the size-capping upload handler is in place
@verified_login_required
@require_POST
def verification_upload(request: HttpRequest, pk: int, exhibit_pk: int) -> HttpResponse:
    limits = {name: limit for name, _stored, limit in services.UPLOADS}
    limits["evidence"] = services.evidence_file_limit()
    capped = CappedUploadHandler(request, limits)
    request.upload_handlers.insert(0, capped)
    return _verification_upload(request, pk, exhibit_pk, capped)


@csrf_protect
def _verification_upload(
    request: HttpRequest, pk: int, exhibit_pk: int, capped: CappedUploadHandler
) -> HttpResponse:
    case = _case(request, pk)
    exhibit = selectors.exhibit_get(case, exhibit_pk)
    form = UploadForm(request.POST, request.FILES)
    if capped.oversize:
        form.is_valid()
        for name, (file_name, limit) in capped.oversize.items():
            form.errors.pop(name, None)
            form.add_error(
                name,
                _("%(file)s is larger than %(limit)s bytes, the most accepted here.")
                % {"file": file_name, "limit": f"{limit:,}"},
            )
    elif form.is_valid():
        data = form.cleaned_data
        try:
            verification = services.verification_upload(
                by=request.user,
                exhibit=exhibit,
                files={name: data[name] for name, _stored, _limit in services.UPLOADS},
                evidence=data["evidence"],
                evidence_path=data["evidence_path"],
            )
        except EvidenceError as exc:
            _form_errors(form, exc)
        else:
            if verification.verified:
                messages.success(
                    request, _("Verified: the custody chain, its signature and the manifest hold.")
                )
            else:
                messages.error(request, _("Verification failed: see where below."))
            return redirect(
                "evidence:verification_detail", pk=case.pk, verification_pk=verification.pk
            )
    return _exhibit_page(request, case, exhibit_pk, form, status=422)


def _verification(request: HttpRequest, pk: int, verification_pk: int) -> Verification:
    return selectors.verification_get(_case(request, pk), verification_pk)


@verified_login_required
@require_GET
def verification_detail(request: HttpRequest, pk: int, verification_pk: int) -> HttpResponse:
    verification = _verification(request, pk, verification_pk)
    context = {
        "case": verification.exhibit.case,
        "exhibit": verification.exhibit,
        "verification": verification,
        "events": selectors.events_for(verification),
        "downloads": list(DOWNLOADS),
    }
    return render(request, "evidence/verification_detail.html", context)


def _verified_only(verification: Verification) -> None:
    if not verification.verified:
        # Exports vouch for a chain; a failed one has nothing to vouch for.
        raise PermissionDenied(_("Only a verified upload can be exported."))


@verified_login_required
@require_GET
def verification_case(request: HttpRequest, pk: int, verification_pk: int) -> HttpResponse:
    verification = _verification(request, pk, verification_pk)
    _verified_only(verification)
    graph = exports.case_graph(verification)
    services.export_record(by=request.user, verification=verification, kind=ExportKind.CASE_GRAPH)
    response = HttpResponse(
        json.dumps(graph, indent=2, ensure_ascii=False), content_type="application/ld+json"
    )
    name = exports.file_stem(verification)
    response["Content-Disposition"] = f'attachment; filename="{name}.jsonld"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@verified_login_required
@require_GET
def verification_pdf(request: HttpRequest, pk: int, verification_pk: int) -> HttpResponse:
    verification = _verification(request, pk, verification_pk)
    _verified_only(verification)
    pdf = exports.custody_form_pdf(verification, events=selectors.events_for(verification))
    services.export_record(by=request.user, verification=verification, kind=ExportKind.CUSTODY_FORM)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = exports.file_stem(verification)
    response["Content-Disposition"] = f'attachment; filename="{name}-custody-form.pdf"'
    return response


@verified_login_required
@require_GET
def verification_file(request: HttpRequest, pk: int, verification_pk: int, name: str) -> Any:
    verification = _verification(request, pk, verification_pk)
    if name not in DOWNLOADS:
        from django.http import Http404

        raise Http404
    attribute, content_type = DOWNLOADS[name]
    stored = getattr(verification, attribute)
    services.export_record(
        by=request.user, verification=verification, kind=ExportKind.FILE, detail=name
    )
    # Always a download, never rendered: the browser is told not to sniff a type.
    response = FileResponse(
        stored.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
