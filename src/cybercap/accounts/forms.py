from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cybercap.accounts.models import COUNTRY_ROLES, Role, User
from cybercap.accounts.services import PROFILE_FIELDS
from cybercap.network.models import Country


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "That user name and password do not match an active account. Both are case-sensitive."
        ),
        "inactive": _("This account has been deactivated."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
    )


class ConfirmDeviceForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


# --- password reset and change ------------------------------------------------------------------


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form; the e-mail goes out in the recipient's preferred language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = getattr(context.get("user"), "language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


# --- the profile --------------------------------------------------------------------------------

# The programme's region first, west to east; then every other zone.
REGION_TIME_ZONES = (
    "Asia/Yangon",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Ho_Chi_Minh",
    "Asia/Phnom_Penh",
    "Asia/Vientiane",
    "Asia/Kuala_Lumpur",
    "Asia/Singapore",
    "Asia/Manila",
    "Asia/Brunei",
    "Asia/Makassar",
    "Asia/Jayapura",
    "Asia/Dili",
)


def _utc_offset(name: str) -> str:
    offset = dt.datetime.now(zoneinfo.ZoneInfo(name)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def time_zone_choices() -> list[tuple[Any, Any]]:
    region = [(name, f"{name} ({_utc_offset(name)})") for name in REGION_TIME_ZONES]
    others = sorted(zoneinfo.available_timezones() - set(REGION_TIME_ZONES) - {"localtime"})
    default = settings.DISPLAY_TIME_ZONE
    return [
        ("", format_lazy(_("Programme default ({zone})"), zone=default)),
        (_("ASEAN"), region),
        (_("All time zones"), [(name, name) for name in others]),
    ]


def language_choices() -> list[tuple[str, Any]]:
    return [("", _("Programme default")), *settings.LANGUAGES]


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("Password reset links are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Dates and times are shown in this zone."),
    )
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(user, name) for name in PROFILE_FIELDS})
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip()
        taken = (
            User.objects.filter(email__iexact=email, is_active=True)
            .exclude(pk=self.user.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(_("Another account uses this e-mail address."))
        return email


class FreshCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your app"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The 6-digit code your authenticator app shows now."),
    )


# --- staff: users and roles ---------------------------------------------------------------------


class UserFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Name, user name or e-mail."),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        to_field_name="code",
        empty_label=_("Any country"),
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Active")), ("no", _("Deactivated"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any role")), *Role.choices]  # type: ignore[attr-defined]


class RoleAssignmentForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        empty_label=_("No country"),
        help_text=_("Focal points and investigators need a country; other roles take none."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role, country = cleaned.get("role"), cleaned.get("country")
        if role in COUNTRY_ROLES and country is None:
            self.add_error("country", _("This role is scoped to one country: choose it."))
        elif role and role not in COUNTRY_ROLES and country is not None:
            self.add_error(
                "country", _("This role is not scoped to a country: leave the country empty.")
            )
        return cleaned
