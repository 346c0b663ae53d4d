"""Forms of the invitation pages (elearning/invitation_views.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cybercap.accounts.forms import AgencyChoiceField, RegistrationForm
from cybercap.elearning import invitations


class InviteForm(forms.Form):
    """Who to invite: an agency the inviter may invite for, and a list pasted or uploaded."""

    agency = AgencyChoiceField(
        label=_("Agency"), queryset=None, empty_label=_("Choose the learners' agency")
    )
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One per line (commas also separate them)."),
    )
    upload = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_(
            "CSV (UTF-8) or Excel (.xlsx) with a column headed “email”; at most %(n)d "
            "addresses and 1 MB."
        )
        % {"n": invitations.MAX_ADDRESSES},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = invitations.agencies_for_inviter(user=user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text, upload = cleaned.get("emails") or "", cleaned.get("upload")
        if text.strip() and upload:
            raise forms.ValidationError(_("Paste addresses or upload a file, not both."))
        if not text.strip() and not upload:
            raise forms.ValidationError(_("Paste the addresses or upload a file of them."))
        return cleaned


class InvitationAcceptForm(RegistrationForm):
    """The invitee's details: the address, country and agency come from the invitation."""

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("email", "country", "agency"):
            del self.fields[name]
        self.invited_email = email

    def clean(self) -> dict[str, Any]:
        # The password checks of registration compare it with the address too.
        self.cleaned_data["email"] = self.invited_email
        return super().clean()
