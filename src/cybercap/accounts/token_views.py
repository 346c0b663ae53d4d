"""Each user manages their own personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cybercap.accounts import otp, tokens

_DAY_CHOICES = (7, 30, 90, 180, 365)


def _expiry_choices() -> list[tuple[int, str]]:
    days = sorted({*_DAY_CHOICES, settings.API_TOKEN_DEFAULT_DAYS} & set(range(1, 367)))
    return [(n, ngettext("%(n)d day", "%(n)d days", n) % {"n": n}) for n in days]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. 'Statistics upload script'."),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Expires after"), coerce=int, choices=_expiry_choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = min(settings.API_TOKEN_DEFAULT_DAYS, tokens.MAX_DAYS)


def _fully_signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Tokens bypass the second factor later, so creating one requires it now."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if otp.owes_second_factor(request):
            query = urlencode({"next": reverse("accounts:tokens")})
            return redirect(reverse("accounts:otp_verify") + "?" + query)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _list_context(request: HttpRequest, form: TokenCreateForm) -> dict[str, Any]:
    return {"tokens": list(tokens.tokens_for_user(user=request.user)), "form": form}


@_fully_signed_in
@require_http_methods(["GET"])
def token_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/tokens_list.html", _list_context(request, TokenCreateForm()))


@never_cache
@_fully_signed_in
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect("accounts:tokens")
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, raw = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered, not redirected: the token must not travel through the session.
            return render(request, "accounts/tokens_created.html", {"token": token, "raw": raw})
    return render(request, "accounts/tokens_list.html", _list_context(request, form), status=400)


@_fully_signed_in
@require_POST
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    token = tokens.token_get_for_user(user=request.user, prefix=prefix)
    tokens.token_revoke(token=token, by=request.user)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
