"""Forms of the activities pages: the list filter, nominations, decisions, materials, imports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cybercap.accounts.models import Role, User
from cybercap.activities import importing
from cybercap.activities.models import Activity, ActivityType, MaterialKind
from cybercap.network.models import Agency, Country, Person, Topic
from cybercap.network.tlp import TLP


class ActivityFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *ActivityType.choices]
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        required=False,
        to_field_name="key",
        empty_label=_("All topics"),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All countries"),
        help_text=_("Hosting the activity or holding seats on it."),
    )
    phase = forms.TypedChoiceField(
        label=_("Phase"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All phases")), ("1", _("Phase 1")), ("2", _("Phase 2"))],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, topics: QuerySet[Topic], countries: QuerySet[Country], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics  # type: ignore[attr-defined]
        self.fields["country"].queryset = countries  # type: ignore[attr-defined]

    def apply(self, queryset: QuerySet[Activity]) -> QuerySet[Activity]:
        # A filter that does not validate is shown with its error and not applied.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("topic") is not None:
            queryset = queryset.filter(topics=data["topic"])
        country = data.get("country")
        if country is not None:
            queryset = queryset.filter(
                Q(host_country=country) | Q(pk__in=country.seat_quotas.values("activity_id"))
            )
        if data.get("phase"):
            queryset = queryset.filter(phase=data["phase"])
        if data.get("date_from"):
            queryset = queryset.filter(end_date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(start_date__lte=data["date_to"])
        text = str(data.get("q") or "").strip()
        if text:
            queryset = queryset.filter(Q(title__icontains=text) | Q(city__icontains=text))
        return queryset.distinct()


class NominateForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("wait_list", _("Wait-list")),
            ("decline", _("Decline")),
            ("confirm", _("Confirmed by the participant")),
        ]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class TransitionForm(forms.Form):
    to_status = forms.CharField(max_length=20)
    note = forms.CharField(required=False, max_length=300)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=MaterialKind.choices)
    tlp = forms.ChoiceField(label=_("TLP label"), choices=TLP.choices, initial=TLP.GREEN)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PowerPoint, Word, Excel, text, PNG, JPEG or ZIP."),
    )


class ImportUploadForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Country of the list"),
        queryset=Country.objects.none(),
        to_field_name="code",
        help_text=_("Its layout is remembered; rows without a country column belong to it."),
    )
    file = forms.FileField(label=_("Participant list"), help_text=_("Excel (.xlsx) or CSV."))

    def __init__(self, *args: Any, countries: QuerySet[Country], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries  # type: ignore[attr-defined]


FIELD_LABELS = {
    "full_name": _("Full name"),
    "latin_name": _("Name in Latin script"),
    "email": _("E-mail"),
    "agency": _("Agency"),
    "country": _("Country"),
    "role_title": _("Role or rank"),
    "gender": _("Gender"),
    "phone": _("Phone"),
}


class ImportMappingForm(forms.Form):
    """One choice of the file's column per cybercap field."""

    def __init__(
        self, *args: Any, headers: list[str], initial_columns: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in this file)")), *[(h, h) for h in headers if h]]
        for key, (_label, required) in importing.FIELDS.items():
            self.fields[key] = forms.ChoiceField(
                label=FIELD_LABELS[key],
                choices=choices,
                required=required,
                initial=initial_columns.get(key, ""),
            )


class ActivityForm(forms.ModelForm):
    """An activity's plan; saved through `services.activity_create` / `activity_update`."""

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "topics",
            "phase",
            "start_date",
            "end_date",
            "venue",
            "city",
            "online",
            "time_zone",
            "host_country",
            "host_agency",
            "funding_source",
            "working_languages",
            "capacity",
            "description",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.filter(retired=False)  # type: ignore[attr-defined]
        self.fields["host_agency"].queryset = Agency.objects.select_related("country")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day is before the first day."))
        agency, country = data.get("host_agency"), data.get("host_country")
        if agency is not None and country is not None and agency.country_id != country.pk:
            self.add_error("host_agency", _("The host agency is not in the host country."))
        return data

    def fields_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("topics", None)
        return data


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(
        label=_("Starts (venue time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends = forms.TimeField(
        label=_("Ends (venue time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    room = forms.CharField(label=_("Room"), max_length=100, required=False)
    speakers = forms.ModelMultipleChoiceField(
        label=_("Speakers"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["speakers"].queryset = people  # type: ignore[attr-defined]


class QuotaForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="code"
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=0, max_value=1000)


class TrainerForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Trainer"), queryset=User.objects.none())
    lead = forms.BooleanField(label=_("Lead trainer"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(role_assignments__role=Role.TRAINER, is_active=True)
            .distinct()
            .order_by("username")
        )
