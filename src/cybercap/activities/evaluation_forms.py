"""Forms of evaluations: a test's items, the paper score sheet, the feedback survey."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cybercap.activities.evaluations import ScoreChange
from cybercap.activities.models import (
    EvaluationKind,
    EvaluationScore,
    FeedbackQuestion,
    QuestionKind,
    Registration,
    ScoreSource,
)
from cybercap.network.models import Topic
from cybercap.quizzes.models import Item


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        stem = obj.stem if len(obj.stem) <= 140 else obj.stem[:139] + "…"
        return f"{obj.topic.name} · {obj.language} · {stem}"


class EvaluationSetupForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Items"),
        choices=[("choose", _("Choose the items below")), ("draw", _("Draw items at random"))],
        widget=forms.RadioSelect,
        initial="choose",
    )
    items = ItemChoiceField(
        label=_("Items from the question bank"),
        queryset=Item.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    draw_topic = forms.ModelChoiceField(
        label=_("Draw from"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("All the activity's topics"),
    )
    draw_count = forms.IntegerField(
        label=_("Number of items to draw"), min_value=1, max_value=200, required=False
    )
    pass_mark = forms.IntegerField(label=_("Pass mark (%)"), min_value=0, max_value=100, initial=70)
    online = forms.BooleanField(
        label=_("Open online: participants take it on the platform"), required=False
    )

    def __init__(self, *args: Any, items: QuerySet[Item], topics: QuerySet[Topic], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["items"].queryset = items  # type: ignore[attr-defined]
        self.fields["draw_topic"].queryset = topics  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "draw" and not data.get("draw_count"):
            self.add_error("draw_count", _("Say how many items to draw."))
        return data


def _percent(score: EvaluationScore | None) -> Decimal | None:
    if score is None:
        return None
    return Decimal(str(round(score.score * 100, 2))).normalize()


class ScoreSheetForm(forms.Form):
    """Pre- and post-test scores (%) of every participant on one page. A score taken online
    is shown, not editable. Only the rows named in the hidden ``rows`` field are read, so that
    a partial post changes nothing it did not show."""

    def __init__(
        self,
        *args: Any,
        registrations: list[Registration],
        scores: dict[int, dict[str, EvaluationScore]],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.registrations = registrations
        posted = set()
        if self.is_bound:
            raw = self.data.getlist("rows")  # type: ignore[attr-defined]
            posted = {int(x) for x in raw if x.isdigit() and len(x) < 12}
        self.lines = []
        for registration in registrations:
            names = []
            for kind in EvaluationKind.values:
                score = scores.get(registration.pk, {}).get(kind)
                name = f"{kind}-{registration.pk}"
                field = forms.DecimalField(
                    label=f"{EvaluationKind(kind).label}: {registration.person.full_name}",
                    min_value=0,
                    max_value=100,
                    max_digits=5,
                    decimal_places=2,
                    required=False,
                    initial=_percent(score),
                    widget=forms.NumberInput(attrs={"step": "any", "class": "score-input"}),
                )
                online = score is not None and score.source == ScoreSource.ONLINE
                if online or (self.is_bound and registration.pk not in posted):
                    field.disabled = True
                self.fields[name] = field
                names.append(name)
            self.lines.append(
                {
                    "registration": registration,
                    "fields": [self[n] for n in names],
                    "online": {
                        k: scores.get(registration.pk, {}).get(k) is not None
                        and scores[registration.pk][k].source == ScoreSource.ONLINE
                        for k in EvaluationKind.values
                    },
                }
            )

    def changes(self) -> list[ScoreChange]:
        out = []
        for registration in self.registrations:
            for kind in EvaluationKind.values:
                name = f"{kind}-{registration.pk}"
                field = self.fields[name]
                if field.disabled:
                    continue
                value = self.cleaned_data.get(name)
                if value != field.initial:
                    out.append(ScoreChange(registration, kind, value))
        return out


LIKERT_CHOICES = [
    (1, _("1 · strongly disagree")),
    (2, _("2 · disagree")),
    (3, _("3 · neither")),
    (4, _("4 · agree")),
    (5, _("5 · strongly agree")),
]


class SurveyForm(forms.Form):
    def __init__(self, *args: Any, questions: list[FeedbackQuestion], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.questions = questions
        for q in questions:
            if q.kind == QuestionKind.LIKERT:
                self.fields[f"q-{q.pk}"] = forms.TypedChoiceField(
                    label=_(q.text),
                    choices=LIKERT_CHOICES,
                    coerce=int,
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[f"q-{q.pk}"] = forms.CharField(
                    label=_(q.text),
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    def answers(self) -> dict[int, int | str | None]:
        return {q.pk: self.cleaned_data.get(f"q-{q.pk}") for q in self.questions}


class SurveyQuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of answer"), choices=QuestionKind.choices, initial=QuestionKind.LIKERT
    )
    text = forms.CharField(
        label=_("Question"),
        max_length=300,
        help_text=_("For a rating, write a statement to agree or disagree with."),
        widget=forms.TextInput(attrs={"size": 80}),
    )
