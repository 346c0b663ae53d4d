from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from cybercap.accounts.models import User
from cybercap.evidence import permissions, selectors
from cybercap.evidence.models import REFERENCE_PATTERN, CaseKind
from cybercap.network.models import Country

ID_VALIDATOR = RegexValidator(
    REFERENCE_PATTERN,
    _("Use letters, digits, dots, hyphens and underscores (at most 64), as given to the CLI."),
)


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.username})"


class CaseForm(forms.Form):
    reference = forms.CharField(
        label=_("Case ID"),
        max_length=64,
        validators=[ID_VALIDATOR],
        help_text=_("The ID given to the field CLI as --case, e.g. TRAIN-TH-2026-01."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none())
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    members = UserChoiceField(
        label=_("Named investigators and trainers"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("They see the case and may add exhibits and uploads."),
    )

    training_only = forms.BooleanField(
        label=_("This is a training or exercise case, not real casework."),
        help_text=_("Real casework stays on your agency's own systems."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = permissions.country_ids_for_new_cases(user)
        countries = Country.objects.order_by("name")
        self.fields["country"].queryset = (  # type: ignore[attr-defined]
            countries if allowed is None else countries.filter(pk__in=allowed)
        )
        self.fields["members"].queryset = selectors.nameable_users().exclude(  # type: ignore[attr-defined]
            pk=user.pk
        )


class MembersForm(forms.Form):
    members = UserChoiceField(
        label=_("Named investigators and trainers"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = selectors.nameable_users(  # type: ignore[attr-defined]
            country_id=case.country_id
        ).exclude(pk=case.owner_id)


class ExhibitForm(forms.Form):
    number = forms.CharField(
        label=_("Exhibit ID"),
        max_length=64,
        validators=[ID_VALIDATOR],
        help_text=_("The ID given to the field CLI as --exhibit, e.g. EX-01."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class UploadForm(forms.Form):
    manifest = forms.FileField(
        label=_("Manifest (manifest.json)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    custody_log = forms.FileField(
        label=_("Custody log"),
        help_text=_("The log written by `cybercap evidence custody record`, e.g. custody.jsonl."),
    )
    head = forms.FileField(label=_("Signed checkpoint (LOG.head)"))
    signature = forms.FileField(label=_("Checkpoint signature (LOG.head.minisig)"))
    public_key = forms.FileField(
        label=_("Public key (KEYFILE.pub)"),
        help_text=_("The minisign public key of whoever recorded the log."),
    )
    evidence = forms.FileField(
        label=_("Evidence file (optional)"),
        required=False,
        help_text=_(
            "A copy of the evidence to re-hash against the manifest. It is hashed and "
            "discarded, never kept."
        ),
    )
    evidence_path = forms.CharField(
        label=_("Its path in the manifest (optional)"),
        max_length=1000,
        required=False,
        help_text=_("Needed only when the manifest lists several files of the same name."),
    )
