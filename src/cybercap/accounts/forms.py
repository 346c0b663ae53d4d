from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cybercap.accounts.models import COUNTRY_ROLES, Role, User
from cybercap.accounts.services import PROFILE_FIELDS
from cybercap.network.models import Agency, Country


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


# --- self-registration --------------------------------------------------------------------------


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.country.name}: {obj}"


class RegistrationForm(forms.Form):
    """A learner registers: the agency must be one of the chosen country (no JavaScript needed)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As you write it, in any script."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=150,
        help_text=_("We send a link to this address; it is also your user name."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.filter(asean_joined__isnull=False).order_by("name"),
        to_field_name="code",
        empty_label=_("Choose your country"),
    )
    agency = AgencyChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.filter(country__asean_joined__isnull=False)
        .select_related("country")
        .order_by("country__name", "name"),
        empty_label=_("Choose your agency"),
        help_text=_("The agencies are listed by country: choose one of your country."),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the programme keeps my name, e-mail address, country, agency and "
            "learning progress to run the courses and report on them, and that my country's "
            "focal point and the programme team can see them."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["language"].initial = translation.get_language()

    def clean_full_name(self) -> str:
        name = " ".join(str(self.cleaned_data["full_name"]).split())
        if not name:
            raise forms.ValidationError(_("Type your name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        country, agency = cleaned.get("country"), cleaned.get("agency")
        if country is not None and agency is not None and agency.country_id != country.pk:
            self.add_error(
                "agency",
                _("%(agency)s is not an agency of %(country)s: choose one of your country.")
                % {"agency": agency, "country": country.name},
            )
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            user = User(
                username=str(cleaned.get("email") or ""),
                email=str(cleaned.get("email") or ""),
                first_name=str(cleaned.get("full_name") or ""),
            )
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
