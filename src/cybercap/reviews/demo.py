"""Synthetic National Cyber Reviews for the demo: every level, text and figure is invented.

The ten original members get a 2018 and a 2024 review; Timor-Leste gets a 2025 baseline that
is still being scored. Thailand's 2024 review is in country validation (the demo focal point
for Thailand can read it and comment); the others are final. Levels come from a random
generator seeded by country and cycle, so every run gives the same data; later cycles mostly
improve. Idempotent: a review that exists for a (country, cycle) is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from cybercap.accounts.models import User
from cybercap.core import audit
from cybercap.demo.registry import DemoReport
from cybercap.network.models import Agency, AgencyKind, Country, Topic
from cybercap.network.tlp import TLP
from cybercap.reviews.framework_schema import parse_condition
from cybercap.reviews.models import (
    DEFAULT_TARGET_LEVEL,
    Answer,
    Consultation,
    FrameworkVersion,
    Indicator,
    Recommendation,
    Review,
    ReviewState,
    ReviewTransition,
    ValidationComment,
)

ORIGINAL_MEMBERS = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]
CYCLES = (2018, 2024)
BASELINE = ("TL", 2025)
IN_VALIDATION = ("TH", 2024)
# demo-reviewer is assigned to these countries' reviews.
REVIEWER_COUNTRIES = {"TH", "VN", "KH", "LA", "TL"}
PATH = [
    ReviewState.PREPARATION,
    ReviewState.CONSULTATIONS,
    ReviewState.SCORING,
    ReviewState.PEER_CHECK,
    ReviewState.COUNTRY_VALIDATION,
    ReviewState.FINAL,
]
CONSULTATIONS = [
    (
        "police",
        [AgencyKind.POLICE_CYBER_UNIT],
        2,
        "Investigators described case intake, the "
        "forensic backlog and how often foreign preservation requests are answered in time.",
    ),
    (
        "prosecution",
        [AgencyKind.PROSECUTION],
        3,
        "Prosecutors walked through recent cases, the "
        "admissibility of electronic evidence and the delays of mutual legal assistance.",
    ),
    (
        "cert",
        [AgencyKind.CERT],
        3,
        "The CERT explained incident reporting, its referrals to the "
        "police and the data it keeps that investigators ask for.",
    ),
    (
        "ministries",
        [AgencyKind.MINISTRY],
        4,
        "The ministry presented the strategy, the legislative "
        "programme and the budget lines for cybercrime units.",
    ),
    (
        "academia",
        [AgencyKind.ACADEMIA],
        4,
        "The university described its forensic training "
        "courses and the research it shares with the police.",
    ),
]
CONFIDENCES = ["high", "medium", "medium", "low"]


def _at(cycle: int, month: int, day: int = 10) -> dt.datetime:
    return dt.datetime(cycle, month, day, 9, 0, tzinfo=dt.UTC)


def _levels(code: str, cycle: int, indicators: list[Indicator]) -> dict[str, int | str | None]:
    """A level, "na" or None per indicator: a country's base plus growth per cycle plus noise."""
    base_rng = random.Random(f"ncr-{code}")  # noqa: S311 -- reproducible demo levels
    cycle_rng = random.Random(f"ncr-{code}-{cycle}")  # noqa: S311 -- reproducible demo levels
    strength = base_rng.uniform(1.5, 3.6)
    growth = base_rng.uniform(0.05, 0.15) * (cycle - 2018)
    out: dict[str, int | str | None] = {}
    for indicator in indicators:
        base = base_rng.gauss(strength, 0.7)
        roll = cycle_rng.random()
        if roll < 0.03:
            out[indicator.code] = "na"
            continue
        if (code, cycle) == BASELINE and roll > 0.6:
            out[indicator.code] = None  # the baseline is still being scored
            continue
        out[indicator.code] = max(1, min(5, round(base + growth + cycle_rng.gauss(0, 0.3))))
    return out


def _evidence(indicator: Indicator, level: int, clusters: dict[str, str]) -> str:
    guidance = indicator.evidence_guidance or {}
    asked = guidance.get("ask_for") or ["the relevant documents"]
    whom = ", ".join(clusters.get(k, k) for k in (guidance.get("ask") or [])[:2]) or "officials"
    return (
        f"Synthetic demo evidence. Reviewed {asked[0]}. Consulted: {whom}. "
        f"The level {level} descriptor matched what was shown; the next level's did not."
    )


def seed_reviews(*, scale: int, report: DemoReport) -> None:
    framework = FrameworkVersion.objects.filter(key="ncr").order_by("-version").first()
    if framework is None:
        raise RuntimeError("No review framework: load the reference content first.")
    countries = {c.code: c for c in Country.objects.filter(code__in=[*ORIGINAL_MEMBERS, "TL"])}
    wanted = [(code, cycle) for code in ORIGINAL_MEMBERS for cycle in CYCLES] + [BASELINE]
    wanted = [(code, cycle) for code, cycle in wanted if code in countries]
    existing = set(
        Review.objects.filter(country__code__in=countries).values_list("country__code", "cycle")
    )
    todo = [(code, cycle) for code, cycle in wanted if (code, cycle) not in existing]
    if not todo:
        report.add_count("reviews created", 0)
        return
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    indicators = list(
        Indicator.objects.filter(framework=framework, retired=False).order_by("position")
    )
    topics = {t.key: t for t in Topic.objects.all()}
    indicator_topics = {
        row["indicator_id"]: row["topic_id"]
        for row in Indicator.topics.through.objects.filter(indicator__framework=framework).values(
            "indicator_id", "topic_id"
        )
    }
    agencies: dict[tuple[int, str], list[Agency]] = {}
    for agency in Agency.objects.filter(country__in=countries.values()).order_by("name"):
        agencies.setdefault((agency.country_id, agency.kind), []).append(agency)
    clusters = {c["key"]: c["name"] for c in framework.stakeholder_clusters or []}
    with transaction.atomic(), audit.suspended():
        made = [
            _seed_one(
                countries[code],
                cycle,
                framework,
                indicators,
                users,
                agencies,
                clusters,
                topics,
                indicator_topics,
            )
            for code, cycle in todo
        ]
    report.add_count("reviews created", len(made))
    report.add_count("review answers created", sum(n for n, _ in made))
    report.add_count("recommendations created", sum(r for _, r in made))


def _seed_one(
    country: Country,
    cycle: int,
    framework: FrameworkVersion,
    indicators: list[Indicator],
    users: dict[str, User],
    agencies: dict[tuple[int, str], list[Agency]],
    clusters: dict[str, str],
    topics: dict[str, Topic],
    indicator_topics: dict[int, int],
) -> tuple[int, int]:
    code = country.code
    if (code, cycle) == IN_VALIDATION:
        state = ReviewState.COUNTRY_VALIDATION
    elif (code, cycle) == BASELINE:
        state = ReviewState.SCORING
    else:
        state = ReviewState.FINAL
    review = Review.objects.create(
        country=country,
        cycle=cycle,
        framework=framework,
        tlp=TLP.AMBER,
        state=state,
        is_demo=True,
        summary=(
            f"Synthetic demo review of {country.name} ({cycle}). The figures and findings are "
            "invented to show how the platform works."
        ),
    )
    staff = users.get("demo-staff")
    reviewer = users.get("demo-reviewer")
    if reviewer is not None and code in REVIEWER_COUNTRIES:
        review.reviewers.add(reviewer)
    # The path so far, one step a month from February of the cycle year.
    steps = PATH[: PATH.index(state) + 1]
    ReviewTransition.objects.bulk_create(
        ReviewTransition(
            review=review,
            from_state=steps[i - 1] if i else "",
            to_state=step,
            by=staff
            if step in (ReviewState.PREPARATION, ReviewState.COUNTRY_VALIDATION, ReviewState.FINAL)
            or reviewer is None
            else reviewer,
            at=_at(cycle, 2 + i),
            note="" if i else "Synthetic demo review opened.",
        )
        for i, step in enumerate(steps)
    )
    for n, (cluster, kinds, month, notes) in enumerate(CONSULTATIONS[: 3 + cycle % 3]):
        consultation = Consultation.objects.create(
            review=review, date=_at(cycle, month, 12 + n).date(), cluster=cluster, notes=notes
        )
        attending = [a for kind in kinds for a in agencies.get((country.pk, kind), [])]
        consultation.agencies.set(attending[:2])

    rng = random.Random(f"ncr-answers-{code}-{cycle}")  # noqa: S311 -- reproducible demo data
    levels = _levels(code, cycle, indicators)
    answers = []
    for indicator in indicators:
        value = levels[indicator.code]
        if value is None:
            continue
        if value == "na":
            answers.append(
                Answer(
                    review=review,
                    indicator=indicator,
                    not_applicable=True,
                    comments="Synthetic demo: the question does not apply to this country.",
                    updated_by=reviewer,
                )
            )
            continue
        assert isinstance(value, int)
        second = None
        if cycle >= 2024 and rng.random() < 0.3:
            second = max(1, min(5, value + rng.choice([-1, 0, 0, 0, 1])))
        answers.append(
            Answer(
                review=review,
                indicator=indicator,
                level=value,
                confidence=rng.choice(CONFIDENCES),
                evidence=_evidence(indicator, value, clusters),
                references="Synthetic demo reference: national law and unit annual report",
                needs_discussion=rng.random() < 0.05,
                second_level=second,
                second_reviewer=staff if second is not None else None,
                updated_by=reviewer,
            )
        )
    Answer.objects.bulk_create(answers)

    recs: list[tuple[Recommendation, Indicator, list[int]]] = []
    by_code = {i.code: i for i in indicators}
    for answer in answers:
        if answer.level is None or answer.level >= DEFAULT_TARGET_LEVEL:
            continue
        indicator = by_code[answer.indicator.code]
        for number, rule in enumerate(indicator.rules or []):
            if not parse_condition(str(rule["when"])).matches(answer.level):
                continue
            topic_ids = [topics[k].pk for k in rule.get("topics") or [] if k in topics]
            if not topic_ids and indicator.pk in indicator_topics:
                topic_ids = [indicator_topics[indicator.pk]]
            recs.append(
                (
                    Recommendation(
                        review=review,
                        source_key=f"{indicator.code}#{number + 1}",
                        text=str(rule["text"]).strip(),
                        priority=str(rule["priority"]),
                        horizon=str(rule["horizon"]),
                        responsible=str(rule["responsible"]),
                        evidence_trace=(
                            f"{indicator.code} at level {answer.level}; confidence "
                            f"{answer.confidence}; {answer.evidence[:200]}"
                        ),
                        position=indicator.position * 10 + number,
                    ),
                    indicator,
                    topic_ids,
                )
            )
    created = Recommendation.objects.bulk_create([r for r, _, _ in recs])
    Recommendation.indicators.through.objects.bulk_create(
        Recommendation.indicators.through(recommendation_id=rec.pk, indicator_id=ind.pk)
        for rec, (_, ind, _) in zip(created, recs, strict=True)
    )
    Recommendation.topics.through.objects.bulk_create(
        Recommendation.topics.through(recommendation_id=rec.pk, topic_id=topic_id)
        for rec, (_, _, topic_ids) in zip(created, recs, strict=True)
        for topic_id in topic_ids
    )

    if state == ReviewState.COUNTRY_VALIDATION:
        _seed_comments(review, by_code, users)
    return len(answers), len(created)


def _seed_comments(review: Review, by_code: dict[str, Indicator], users: dict[str, Any]) -> None:
    focal = users.get(f"demo-focal-{review.country.code.lower()}")
    reviewer = users.get("demo-reviewer")
    first = ValidationComment.objects.create(
        review=review,
        indicator=by_code.get("INS-STRAT-01"),
        author=focal,
        body=(
            "Synthetic demo comment: the cabinet adopted the action plan last month; we can "
            "send the resolution."
        ),
    )
    ValidationComment.objects.create(
        review=review,
        author=focal,
        body="Synthetic demo comment: please use the official name of the police unit.",
    )
    if reviewer is not None:
        ValidationComment.objects.create(
            review=review,
            parent=first,
            indicator=first.indicator,
            author=reviewer,
            body=(
                "Synthetic demo answer: thank you; with the resolution the level moves from 2 "
                "to 3 and the recommendation will be revised."
            ),
        )
