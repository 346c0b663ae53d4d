"""Forms of the review pages: they parse input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cybercap.accounts.models import Role, User
from cybercap.network.models import Agency, AgencyKind, Country, Topic
from cybercap.network.tlp import TLP
from cybercap.reviews.models import (
    Answer,
    Confidence,
    FrameworkVersion,
    Horizon,
    Indicator,
    Level,
    Priority,
    Recommendation,
    Review,
    ReviewState,
)

NOT_APPLICABLE = "na"


class ReviewFilterForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All countries"),
    )
    cycle = forms.IntegerField(
        label=_("Cycle year"), required=False, min_value=2000, max_value=2100
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *ReviewState.choices]
    )

    def __init__(self, *args: Any, countries: QuerySet[Country], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries  # type: ignore[attr-defined]

    def apply(self, queryset: QuerySet[Review]) -> QuerySet[Review]:
        # A filter that does not validate is shown with its error and not applied.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("country") is not None:
            queryset = queryset.filter(country=data["country"])
        if data.get("cycle"):
            queryset = queryset.filter(cycle=data["cycle"])
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        return queryset


def _reviewers() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.REVIEWER)
        .distinct()
        .order_by("username")
    )


class ReviewOpenForm(forms.Form):
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.all())
    cycle = forms.IntegerField(label=_("Cycle year"), min_value=2000, max_value=2100)
    framework = forms.ModelChoiceField(
        label=_("Framework version"), queryset=FrameworkVersion.objects.all()
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"), queryset=User.objects.none(), required=False
    )
    tlp = forms.ChoiceField(label=_("TLP label"), choices=TLP.choices, initial=TLP.AMBER)
    named_users = forms.ModelMultipleChoiceField(
        label=_("Named users (TLP:RED)"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        help_text=_("Under TLP:RED only these users, you and the reviewers may see the review."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = _reviewers()  # type: ignore[attr-defined]


LEVEL_CHOICES = [
    ("", _("Not answered yet")),
    *[(str(value), label) for value, label in Level.choices],
    (NOT_APPLICABLE, _("Not applicable")),
]


class AnswerForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES, required=False)
    confidence = forms.ChoiceField(
        label=_("Confidence"),
        choices=[("", _("Not stated")), *Confidence.choices],
        required=False,
    )
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea, required=False)
    references = forms.CharField(
        label=_("References"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Laws, documents and figures, one per line."),
    )
    comments = forms.CharField(
        label=_("Comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    needs_discussion = forms.BooleanField(label=_("Needs discussion"), required=False)
    second_level = forms.TypedChoiceField(
        label=_("Second reviewer's level"),
        choices=[("", _("None recorded")), *Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    @classmethod
    def for_answer(cls, answer: Answer | None, data: Any = None) -> AnswerForm:
        initial: dict[str, Any] = {}
        if answer is not None:
            initial = {
                "level": NOT_APPLICABLE
                if answer.not_applicable
                else (str(answer.level) if answer.level else ""),
                "confidence": answer.confidence,
                "evidence": answer.evidence,
                "references": answer.references,
                "comments": answer.comments,
                "needs_discussion": answer.needs_discussion,
                "second_level": answer.second_level,
            }
        return cls(data=data, initial=initial)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        raw = data.get("level") or ""
        return {
            "level": int(raw) if raw.isdigit() else None,
            "not_applicable": raw == NOT_APPLICABLE,
            "confidence": data.get("confidence") or "",
            "evidence": data.get("evidence") or "",
            "references": data.get("references") or "",
            "comments": data.get("comments") or "",
            "needs_discussion": bool(data.get("needs_discussion")),
            "second_level": data.get("second_level"),
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class ConsultationForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    cluster = forms.ChoiceField(label=_("Stakeholder cluster"), choices=())
    agencies = forms.ModelMultipleChoiceField(
        label=_("Attending agencies"), queryset=Agency.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Without attribution: write what was said, not who said it."),
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].choices = [  # type: ignore[attr-defined]
            (c["key"], c["name"]) for c in review.framework.stakeholder_clusters or []
        ]
        self.fields["agencies"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            country_id=review.country_id
        ).order_by("name")


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("The review as a whole"),
        to_field_name="code",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(  # type: ignore[attr-defined]
            framework_id=review.framework_id, retired=False
        ).order_by("position")


class RecommendationForm(forms.Form):
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    horizon = forms.ChoiceField(label=_("Horizon"), choices=Horizon.choices)
    responsible = forms.ChoiceField(label=_("Responsible agency type"), choices=AgencyKind.choices)
    indicators = forms.ModelMultipleChoiceField(
        label=_("Linked indicators"),
        queryset=Indicator.objects.none(),
        required=False,
        to_field_name="code",
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.filter(retired=False),
        required=False,
        to_field_name="key",
    )
    evidence_trace = forms.CharField(
        label=_("Evidence trace"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(
        self, *args: Any, review: Review, recommendation: Recommendation, **kwargs: Any
    ) -> None:
        if "data" not in kwargs and not args:
            kwargs["initial"] = {
                "text": recommendation.text,
                "priority": recommendation.priority,
                "horizon": recommendation.horizon,
                "responsible": recommendation.responsible,
                "indicators": list(recommendation.indicators.all()),
                "topics": list(recommendation.topics.all()),
                "evidence_trace": recommendation.evidence_trace,
            }
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(  # type: ignore[attr-defined]
            framework_id=review.framework_id
        ).order_by("position")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ReviewState.choices)
    note = forms.CharField(required=False, max_length=2000)


class WorkbookForm(forms.Form):
    file = forms.FileField(label=_("Filled workbook (.xlsx)"))
    overwrite_newer = forms.BooleanField(
        label=_("Overwrite answers changed on the platform after the export"), required=False
    )


class TargetForm(forms.Form):
    indicator_code = forms.CharField(
        label=_("Indicator id"),
        required=False,
        max_length=20,
        help_text=_("Empty: the target for every indicator of the country."),
    )
    level = forms.TypedChoiceField(label=_("Target level"), choices=Level.choices, coerce=int)

    def clean_indicator_code(self) -> str:
        code = str(self.cleaned_data.get("indicator_code") or "").strip().upper()
        if code and not Indicator.objects.filter(code=code).exists():
            raise forms.ValidationError(_("No indicator has this id."))
        return code


class ReviewPeopleForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"), queryset=User.objects.none(), required=False
    )
    tlp = forms.ChoiceField(label=_("TLP label"), choices=TLP.choices)
    named_users = forms.ModelMultipleChoiceField(
        label=_("Named users (TLP:RED)"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        help_text=_("Under TLP:RED only these users may see the review. Name yourself too."),
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        if not args and "data" not in kwargs:
            kwargs["initial"] = {
                "reviewers": list(review.reviewers.all()),
                "tlp": review.tlp,
                "named_users": list(review.named_users.all()),
            }
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = _reviewers()  # type: ignore[attr-defined]
