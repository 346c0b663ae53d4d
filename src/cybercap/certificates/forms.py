"""Forms: the code typed on the public page, the holder's choice, revoking, bulk issue, search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cybercap.certificates import codes
from cybercap.certificates.models import CertificateKind
from cybercap.certificates.services import MAX_REASON

DEFAULT_THRESHOLD = 75


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("Twelve letters and digits, as printed on the certificate: XXXX-XXXX-XXXX."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        try:
            return codes.normalise(self.cleaned_data["code"])
        except codes.InvalidCode:
            raise forms.ValidationError(
                _("This is not a valid certificate code: check it for typing mistakes."),
                code="invalid",
            ) from None


class InitialsForm(forms.Form):
    initials_only = forms.BooleanField(
        label=_("Show only my initials on the public verification page"),
        required=False,
        help_text=_(
            "Anyone with a certificate's code can see the name on it. With this set, they see "
            "your initials instead. Your PDF certificates always carry your full name."
        ),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        help_text=_("Kept in the audit log; the public page says only that it was revoked."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ThresholdForm(forms.Form):
    threshold = forms.IntegerField(
        # xgettext:no-python-format
        label=_("Attendance needed (% of sessions)"),
        min_value=1,
        max_value=100,
        initial=DEFAULT_THRESHOLD,
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Any type")), *CertificateKind.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("valid", _("Valid")), ("revoked", _("Revoked"))],
    )
