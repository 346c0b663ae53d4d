"""The API at /api/v1/: authentication, one error body, pagination, and the routers.

Every operation authenticates with a personal API token (``Authorization: Bearer <token>``) or,
for the browser, with the Django session (CSRF-checked on unsafe methods; a role that needs two
factors must have verified the second one). Every error has the same body (:class:`Error`), and
every operation declares each status it can answer with (see :func:`responses`), so the
OpenAPI document at /api/v1/openapi.json is complete.
"""

from __future__ import annotations

import math
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

import cybercap
from cybercap.accounts import otp
from cybercap.accounts.middleware import client_ip
from cybercap.accounts.tokens import token_authenticate
from cybercap.core import audit

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 100_000
# Largest id a path may carry: the range of a 64-bit signed integer column.
MAX_ID = 2**63 - 1


# --- the error body -------------------------------------------------------------------------------


class ErrorItem(Schema):
    loc: list[str | int] = Field(
        description="Where the problem is: the part of the request, then the parameter name."
    )
    msg: str = Field(description="What is wrong, in English.")
    type: str = Field(description="A stable key for the kind of problem.")


class Error(Schema):
    """The body of every error answer."""

    detail: str = Field(description="What went wrong, in English.")
    code: str = Field(
        description=(
            "A stable key: not_authenticated, two_factor_required, permission_denied, "
            "csrf_failed, not_found, invalid or error."
        )
    )
    errors: list[ErrorItem] = Field(
        default_factory=list, description="For 422 answers, one entry per invalid parameter."
    )


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    code: str,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body = {"detail": detail, "code": code, "errors": errors or []}
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="cybercap"'
    return response


def _clean_loc(loc: Any) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in (loc or ())]


def _install_error_handlers(api: NinjaAPI) -> None:
    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [
            {
                "loc": _clean_loc(error.get("loc")),
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "invalid")),
            }
            for error in exc.errors
        ]
        return error_response(
            api,
            request,
            status=422,
            detail=_("The request is not valid: see errors."),
            code="invalid",
            errors=errors,
        )

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, status=404, detail=_("Not found."), code="not_found")

    def on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            status=403,
            detail=str(exc) or _("You may not do this."),
            code="permission_denied",
        )

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code = getattr(exc, "code", None)
        if isinstance(exc, AuthenticationError):
            detail = exc.message if exc.message != "Unauthorized" else None
            return error_response(
                api,
                request,
                status=401,
                detail=detail or _("Authentication required: send a valid API token."),
                code=code or "not_authenticated",
            )
        if exc.status_code == 403:
            if exc.message == "CSRF check Failed":
                return error_response(
                    api,
                    request,
                    status=403,
                    detail=_("The CSRF check failed: send the X-CSRFToken header."),
                    code="csrf_failed",
                )
            return error_response(
                api, request, status=403, detail=exc.message, code=code or "permission_denied"
            )
        return error_response(
            api, request, status=exc.status_code, detail=exc.message, code=code or "error"
        )

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(HttpError, on_http_error)


class TwoFactorRequired(AuthorizationError):
    code = "two_factor_required"

    def __init__(self) -> None:
        super().__init__(message="Verify your second factor in the browser, or use an API token.")


class InvalidToken(AuthenticationError):
    code = "not_authenticated"

    def __init__(self) -> None:
        super().__init__(message="The API token is not valid, has expired or was revoked.")


# --- authentication -------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cc_<prefix>_<secret>``: a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_authenticate(token)
        if user is None:
            # A token was sent and is not good: say so, rather than trying the session.
            raise InvalidToken
        request.user = user
        audit.set_actor(audit.actor_for_user(user, client_ip(request)))
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's session, CSRF-checked on unsafe methods, with both factors when required."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        if otp.owes_second_factor(request):
            raise TwoFactorRequired
        return user


def caller(request: HttpRequest) -> Any:
    """The user the request authenticated as (by token or session)."""
    return request.auth  # type: ignore[attr-defined]


# --- declared responses ---------------------------------------------------------------------------


def responses(
    ok: Any, *, status: int = 200, lookup: bool = False, parses: bool = False
) -> dict[int, Any]:
    """Every status an authenticated operation can answer with.

    ``lookup``: the path names an object, which may not exist or be out of scope (404).
    ``parses``: the operation reads parameters, which may be invalid (422).
    """
    declared: dict[int, Any] = {status: ok, 401: Error, 403: Error}
    if lookup:
        declared[404] = Error
    if parses:
        declared[422] = Error
    return declared


# --- pagination -----------------------------------------------------------------------------------


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page, 1 to {MAX_PAGE_SIZE}.",
    )


class Page(Schema, Generic[T]):
    count: int = Field(description="Items in all pages.")
    page: int = Field(description="This page's number.")
    pages: int = Field(description="Number of pages; 0 when there are no items.")
    items: list[T]


def paginate(queryset: QuerySet[Any], query: PageQuery) -> dict[str, Any]:
    """One page of an ordered queryset; a page past the end is empty, not an error."""
    count = queryset.count()
    start = (query.page - 1) * query.page_size
    items = list(queryset[start : start + query.page_size]) if start < count else []
    return {
        "count": count,
        "page": query.page,
        "pages": math.ceil(count / query.page_size),
        "items": items,
    }


# --- unknown paths --------------------------------------------------------------------------------

_fallback = Router(auth=None)


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /api/v1/ is a JSON 404, not the HTML error page."""
    raise Http404


# --- the API --------------------------------------------------------------------------------------


def build_api() -> NinjaAPI:
    from cybercap.api import me, network

    api = NinjaAPI(
        title="cybercap API",
        version=cybercap.__version__,
        description=(
            "Programme data for the ASEAN cybercrime capacity-development platform.\n\n"
            "Authenticate with a personal API token (create one under *API tokens* in the web "
            "application, or with `cybercap token create USERNAME`) sent as "
            "`Authorization: Bearer <token>`. Every error answers with the `Error` body. "
            f"Lists are paginated with `page` and `page_size` (at most {MAX_PAGE_SIZE})."
        ),
        urls_namespace="api",
        auth=[TokenAuth(), SessionAuth()],
        # The interactive docs need ninja's bundled Swagger UI; without "ninja" in
        # INSTALLED_APPS it would load from a CDN, which the platform never does.
        docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
    )
    _install_error_handlers(api)
    api.add_router("/", network.router, tags=["network"])
    api.add_router("/", me.router, tags=["me"])
    api.add_router("/", "cybercap.elearning.api.router", tags=["elearning"])
    api.add_router("/", "cybercap.activities.api.router", tags=["activities"])
    api.add_router("/", "cybercap.reviews.api.router", tags=["reviews"])
    api.add_router("/", "cybercap.evidence.api.router", tags=["evidence"])
    api.add_router("/", "cybercap.certificates.api.router", tags=["certificates"])
    api.add_router("/", _fallback)
    return api
