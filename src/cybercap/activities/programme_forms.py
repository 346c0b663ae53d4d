"""Forms of the letters, the confirmation link and the programme dashboard."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cybercap.activities.letters import PassportDetails
from cybercap.activities.models import Activity

PASSPORT_NUMBER = re.compile(r"^[A-Z0-9]{5,20}$")


class PassportForm(forms.Form):
    """Typed for one visa support letter; never saved (see letters.py)."""

    name_in_passport = forms.CharField(label=_("Name as written in the passport"), max_length=200)
    passport_number = forms.CharField(label=_("Passport number"), max_length=20)
    nationality = forms.CharField(label=_("Nationality"), max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expiry_date = forms.DateField(
        label=_("Passport valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        for field in self.fields.values():
            field.widget.attrs["autocomplete"] = "off"

    def clean_passport_number(self) -> str:
        value = "".join(str(self.cleaned_data["passport_number"]).split()).upper()
        if not PASSPORT_NUMBER.match(value):
            raise forms.ValidationError(
                _("A passport number has 5 to 20 letters and digits, without other signs.")
            )
        return value

    def clean_date_of_birth(self) -> dt.date:
        value: dt.date = self.cleaned_data["date_of_birth"]
        if value >= timezone.localdate() or value.year < 1900:
            raise forms.ValidationError(_("Enter the date of birth shown in the passport."))
        return value

    def clean_expiry_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["expiry_date"]
        if value <= self.activity.end_date:
            raise forms.ValidationError(
                _("The passport must still be valid after the activity's last day (%(date)s).")
                % {"date": self.activity.end_date.isoformat()}
            )
        return value

    def details(self) -> PassportDetails:
        data = self.cleaned_data
        return PassportDetails(
            name_in_passport=data["name_in_passport"].strip(),
            passport_number=data["passport_number"],
            nationality=data["nationality"].strip(),
            date_of_birth=data["date_of_birth"],
            expiry_date=data["expiry_date"],
        )


class RespondForm(forms.Form):
    attend = forms.TypedChoiceField(
        label=_("Will you attend?"),
        choices=[("yes", _("Yes, I will attend")), ("no", _("No, I cannot attend"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class AccountForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class PhaseForm(forms.Form):
    phase = forms.TypedChoiceField(label=_("Phase"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, phases: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["phase"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All phases"))] + [
            (str(p), _("Phase %(n)d") % {"n": p}) for p in phases
        ]
