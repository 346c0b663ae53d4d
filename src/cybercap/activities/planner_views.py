"""The training planner pages (staff only): topics ranked by need, and a proposal turned into
a planned activity in one step.

The ranking is ``planner.rank_topics`` (pure, documented in docs/planner.md); this module only
gathers its inputs with a fixed number of queries: each country's latest final review that the
user may read (``reviews.selectors.planning_rows``, so a TLP:RED review counts only for staff
named on it) and the learning gains of delivered and reported activities by topic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cybercap.accounts.views import staff_required
from cybercap.activities import planner, selectors, services
from cybercap.activities.learning_gain import gain_summary
from cybercap.activities.models import ActivityStatus, ActivityType
from cybercap.network.models import Country, Topic
from cybercap.reviews.models import Priority
from cybercap.reviews.selectors import planning_rows

PROPOSED_COUNTRIES = 5  # countries ticked by default in a proposal: the five most in need
DEFAULT_SEATS = 3
PAST = (ActivityStatus.DELIVERED, ActivityStatus.REPORTED)
PRIORITY_LABELS = {str(value): label for value, label in Priority.choices}


def planner_inputs(
    user: Any,
) -> tuple[
    list[planner.ShortfallInput], list[planner.RecommendationInput], list[planner.GainInput]
]:
    rows = planning_rows(user=user)
    shortfalls = [
        planner.ShortfallInput(
            country_code=review.country.code,
            country_name=review.country.name,
            review_id=review.pk,
            cycle=review.cycle,
            indicator_code=answer.indicator.code,
            indicator_title=answer.indicator.title,
            weight=answer.indicator.weight,
            level=answer.level,
            target=target,
            topics=tuple(
                planner.TopicRef(key=t.key, name=t.name) for t in answer.indicator.topics.all()
            ),
        )
        for review, answer, target in rows.answers
        if answer.level is not None
    ]
    recommendations = [
        planner.RecommendationInput(
            id=rec.pk,
            review_id=rec.review_id,
            text=rec.text,
            priority=rec.priority,
            indicator_codes=tuple(i.code for i in rec.indicators.all()),
            topics=tuple(t.key for t in rec.topics.all()),
        )
        for rec in rows.recommendations
    ]
    past = selectors.activities_for_user(user=user).filter(status__in=PAST)
    gains = [
        planner.GainInput(
            topic_key=group.key, pairs=group.pairs, mean_normalised_gain=group.mean_normalised_gain
        )
        for group in gain_summary(past, by="topic")
    ]
    return shortfalls, recommendations, gains


class ProposalForm(forms.Form):
    """A proposal as a planned activity: the topic, the countries and their seats, the dates."""

    topic = forms.CharField(max_length=80, widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=ActivityType.choices, initial=ActivityType.TRAINING
    )
    phase = forms.IntegerField(label=gettext_lazy("Programme phase"), min_value=1, initial=2)
    start_date = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    countries = forms.MultipleChoiceField(
        label=gettext_lazy("Countries invited"), widget=forms.CheckboxSelectMultiple
    )
    seats = forms.IntegerField(
        label=gettext_lazy("Seats per country"), min_value=1, max_value=50, initial=DEFAULT_SEATS
    )

    def __init__(self, *args: Any, country_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["countries"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = country_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        return data


def _country_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in Country.objects.order_by("name").only("code", "name")]


def _proposal_form(topic: planner.TopicNeed, choices: list[tuple[str, str]]) -> ProposalForm:
    start = timezone.localdate() + dt.timedelta(days=90)
    return ProposalForm(
        initial={
            "topic": topic.topic.key,
            "title": _("Training on %(topic)s") % {"topic": topic.topic.name},
            "start_date": start,
            "end_date": start + dt.timedelta(days=4),
            "countries": [c.country_code for c in topic.countries[:PROPOSED_COUNTRIES]],
        },
        country_choices=choices,
        prefix=f"t-{topic.topic.key}",
    )


@staff_required
@require_GET
def planner_page(request: HttpRequest) -> HttpResponse:
    shortfalls, recommendations, gains = planner_inputs(request.user)
    ranked = planner.rank_topics(shortfalls, recommendations, gains)
    choices = _country_choices()
    rows = [
        {
            "need": topic,
            "form": _proposal_form(topic, choices),
            "countries": [
                {
                    "need": country,
                    "reasons": country.reasons,
                    "recommendations": [
                        (rec, PRIORITY_LABELS.get(rec.priority, rec.priority))
                        for rec in country.recommendations
                    ],
                }
                for country in topic.countries
            ],
        }
        for topic in ranked
    ]
    context = {
        "rows": rows,
        "reviews": len({s.review_id for s in shortfalls}),
        "gain_min_pairs": planner.GAIN_MIN_PAIRS,
    }
    return render(request, "activities/planner/planner.html", context)


@staff_required
@require_POST
def planner_plan(request: HttpRequest) -> HttpResponse:
    """One step: the proposal becomes a planned activity with its topic and seat quotas."""
    prefix = request.POST.get("prefix", "")
    form = ProposalForm(request.POST, country_choices=_country_choices(), prefix=prefix or None)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("activities:planner")
    data = form.cleaned_data
    topic = Topic.objects.filter(key=data["topic"]).first()
    if topic is None:
        messages.error(request, _("That topic does not exist."))
        return redirect("activities:planner")
    countries = list(Country.objects.filter(code__in=data["countries"]).order_by("code"))
    try:
        with transaction.atomic():
            activity = services.activity_create(
                topics=[topic],
                kind=data["kind"],
                title=data["title"],
                phase=data["phase"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                capacity=max(len(countries) * data["seats"], 1),
                description=_(
                    "Proposed by the training planner on the review gaps of: %(countries)s."
                )
                % {"countries": ", ".join(c.name for c in countries)},
            )
            for country in countries:
                services.quota_set(activity=activity, country=country, seats=data["seats"])
    except (services.ActivityError, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("activities:planner")
    messages.success(request, _("Activity planned from the proposal; complete it here."))
    return redirect("activities:activity_edit", pk=activity.pk)
