"""Filter forms for the lists of the shared vocabulary: plain GET forms that htmx speeds up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cybercap.network.models import Agency, AgencyKind, Country, Gender, Person


class _FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def filter_text(self) -> str:
        return str(getattr(self, "cleaned_data", {}).get("q") or "").strip()


class AgencyFilterForm(_FilterForm):
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All countries"),
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *AgencyKind.choices],
    )

    field_order = ["q", "country", "kind"]

    def __init__(self, *args: Any, countries: QuerySet[Country], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries  # type: ignore[attr-defined]

    def apply(self, queryset: QuerySet[Agency]) -> QuerySet[Agency]:
        # A filter that does not validate is shown with its error and not applied.
        self.is_valid()
        data = self.cleaned_data
        if data.get("country") is not None:
            queryset = queryset.filter(country=data["country"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        text = self.filter_text()
        if text:
            queryset = queryset.filter(Q(name__icontains=text) | Q(acronym__icontains=text))
        return queryset


class PersonFilterForm(_FilterForm):
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All countries"),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("All agencies"),
        help_text=_("Lists the agencies of the chosen country."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("Any gender")), *Gender.choices],
    )

    field_order = ["q", "country", "agency", "gender"]

    def __init__(
        self,
        *args: Any,
        countries: QuerySet[Country],
        agencies: QuerySet[Agency],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries  # type: ignore[attr-defined]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def apply(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        # A filter that does not validate is shown with its error and not applied.
        self.is_valid()
        data = self.cleaned_data
        if data.get("country") is not None:
            queryset = queryset.filter(country=data["country"])
        if data.get("agency") is not None:
            queryset = queryset.filter(agency=data["agency"])
        if data.get("gender"):
            queryset = queryset.filter(gender=data["gender"])
        text = self.filter_text()
        if text:
            queryset = queryset.filter(
                Q(full_name__icontains=text)
                | Q(latin_name__icontains=text)
                | Q(role_title__icontains=text)
            )
        return queryset
