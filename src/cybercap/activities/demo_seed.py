"""Bulk seeding helpers of the activities demo: its people, and its evaluation data.

People: 320 phase-one participants (``participant<n>.<cc>@demo.cybercap.invalid``) and the
trainers and expert speakers (``expert<n>.<cc>@...``), each created once and found by e-mail
afterwards. Evaluations: per activity a paper pre-test and post-test with scores, and the
anonymous feedback survey with its answers; every figure comes from a generator seeded with
the activity's title, so the demo is the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cybercap.activities import demo_people
from cybercap.activities.models import (
    Activity,
    ActivityType,
    Evaluation,
    EvaluationKind,
    EvaluationScore,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackReceipt,
    FeedbackResponse,
    QuestionKind,
    Registration,
    ScoreSource,
)
from cybercap.activities.survey import DEFAULT_QUESTIONS
from cybercap.demo.registry import DemoReport
from cybercap.network.models import Agency, Country, Person

PHASE_ONE_PARTICIPANTS = 320
EXPERTS_PER_MEMBER = 2
DEMO_DOMAIN = "demo.cybercap.invalid"

# Agency types of phase-one participants, by weight: mostly police, then prosecutors and CERTs.
PARTICIPANT_AGENCIES = [("NPCU", 50), ("OPP", 20), ("CERT", 15), ("MDA", 10), ("DFL", 5)]
PARTICIPANT_ROLES = [
    "Police officer, cybercrime unit",
    "Investigator",
    "Digital forensic examiner",
    "Public prosecutor",
    "Incident handler",
    "Policy officer",
    "Police Captain",
    "Police Lieutenant",
]


def _agencies_by_acronym(members: Sequence[Country]) -> dict[tuple[str, str], Agency]:
    """The network demo's agencies per member country, keyed (country code, NPCU|OPP|...)."""
    out = {}
    for agency in Agency.objects.filter(is_demo=True, country__in=members).select_related(
        "country"
    ):
        parts = agency.acronym.split("-")
        if len(parts) == 2:  # not the scaled copies' "NPCU-TH-x3"
            out[(agency.country.code, parts[0])] = agency
    return out


def phase_one_participants(members: Sequence[Country], report: DemoReport) -> list[Person]:
    """The 320 phase-one participants, created the first time, in a stable order."""
    codes = [c.code for c in members]
    by_code = {c.code: c for c in members}
    rng = random.Random("cybercap demo participants")  # noqa: S311 - invented data
    names = demo_people.participants(codes, PHASE_ONE_PARTICIPANTS, rng)
    agencies = _agencies_by_acronym(members)
    emails = [
        f"participant{n:03d}.{name.country.lower()}@{DEMO_DOMAIN}" for n, name in enumerate(names)
    ]
    existing = {p.email: p for p in Person.objects.filter(is_demo=True, email__in=emails)}
    acronyms = [a for a, _w in PARTICIPANT_AGENCIES]
    weights = [w for _a, w in PARTICIPANT_AGENCIES]
    new = []
    for n, (name, email) in enumerate(zip(names, emails, strict=True)):
        if email in existing:
            continue
        acronym = rng.choices(acronyms, weights)[0]
        new.append(
            Person(
                full_name=name.full_name,
                latin_name=name.latin_name,
                agency=agencies.get((name.country, acronym)),
                country=by_code[name.country],
                role_title=PARTICIPANT_ROLES[n % len(PARTICIPANT_ROLES)],
                gender=name.gender,
                email=email,
                is_demo=True,
            )
        )
    Person.objects.bulk_create(new, batch_size=500)
    report.add_count("phase-one participants created", len(new))
    by_email = {
        p.email: p
        for p in Person.objects.filter(email__in=emails).select_related("agency", "country")
    }
    return [by_email[e] for e in emails]


def experts(members: Sequence[Country], report: DemoReport) -> list[Person]:
    """Trainers and expert speakers from the region and beyond, created the first time."""
    rng = random.Random("cybercap demo experts")  # noqa: S311 - invented data
    names = demo_people.experts([c.code for c in members], EXPERTS_PER_MEMBER, rng)
    countries = {
        c.code: c
        for c in Country.objects.filter(
            Q(code__in=[n.country for n in names]) | Q(pk__in=[m.pk for m in members])
        )
    }
    names = [n for n in names if n.country in countries]
    emails = [f"expert{n:02d}.{x.country.lower()}@{DEMO_DOMAIN}" for n, x in enumerate(names)]
    existing = set(
        Person.objects.filter(is_demo=True, email__in=emails).values_list("email", flat=True)
    )
    affiliations: dict[str, Agency] = {}
    for code, entries in demo_people.EXPERT_AFFILIATIONS.items():
        if code not in countries:
            continue
        agency_name, kind = entries[0]
        affiliations[code], _created = Agency.objects.get_or_create(
            country=countries[code], name=agency_name, defaults={"kind": kind, "is_demo": True}
        )
    member_agencies = _agencies_by_acronym(members)
    new = []
    for n, (name, email) in enumerate(zip(names, emails, strict=True)):
        if email in existing:
            continue
        agency = affiliations.get(name.country) or member_agencies.get(
            (name.country, "DFL" if n % 2 else "CERT")
        )
        new.append(
            Person(
                full_name=name.full_name,
                latin_name=name.latin_name,
                agency=agency,
                country=countries[name.country],
                role_title=demo_people.EXPERT_ROLES[n % len(demo_people.EXPERT_ROLES)],
                gender=name.gender,
                email=email,
                is_demo=True,
            )
        )
    Person.objects.bulk_create(new)
    report.add_count("trainers and expert speakers created", len(new))
    by_email = {p.email: p for p in Person.objects.filter(email__in=emails)}
    return [by_email[e] for e in emails]


# --------------------------------------------------------------------------- evaluations

COMMENTS_USEFUL = [
    "The hands-on laboratory with real devices.",
    "Hearing how other countries handle the same cases.",
    "The checklists we can take back to the unit.",
    "The case study from the region.",
    "Practising the chain-of-custody forms.",
]
COMMENTS_CHANGE = [
    "More time for the practical exercises, please.",
    "Send the materials before the course.",
    "Some sessions were too fast for beginners.",
    "Translate the handouts into our language.",
    "A follow-up session online in a few months would help.",
]
TESTED = (ActivityType.TRAINING, ActivityType.WORKSHOP, ActivityType.EXERCISE)


def _round(value: float) -> float:
    """Paper tests of 20 questions: scores in steps of 5%."""
    return min(max(round(value * 20) / 20, 0.0), 1.0)


def seed_evaluations(
    activities: Sequence[Activity], registrations: Sequence[Registration]
) -> dict[str, int]:
    """Paper pre/post tests with scores and the feedback survey for delivered activities."""
    now = timezone.now()
    done = [a for a in activities if a.status in ("delivered", "reported")]
    by_activity: dict[int, list[Registration]] = {}
    for registration in registrations:
        if registration.status == "attended":
            by_activity.setdefault(registration.activity.pk, []).append(registration)
    evaluations, scores, questions = [], [], []
    for activity in done:
        if activity.kind in TESTED:
            evaluations += [
                Evaluation(activity=activity, kind=kind, pass_mark=0.7)
                for kind in EvaluationKind.values
            ]
        questions += [
            FeedbackQuestion(activity=activity, position=n, kind=kind, text=text)
            for n, (kind, text) in enumerate(DEFAULT_QUESTIONS)
        ]
    Evaluation.objects.bulk_create(evaluations)
    FeedbackQuestion.objects.bulk_create(questions, batch_size=1000)
    Activity.objects.filter(pk__in=[a.pk for a in done]).update(survey_set_up=True)
    questions_of: dict[int, list[FeedbackQuestion]] = {}
    for question in questions:
        questions_of.setdefault(question.activity.pk, []).append(question)
    receipts: list[FeedbackReceipt] = []
    responses: list[FeedbackResponse] = []
    answer_plan: list[tuple[FeedbackResponse, FeedbackQuestion, int | None, str]] = []
    for activity in done:
        rng = random.Random(f"cybercap demo evaluation {activity.title}")  # noqa: S311
        level = rng.uniform(0.35, 0.55)  # how much the group knew before
        teaching = rng.uniform(0.3, 0.65)  # how much of the rest it learned
        mood = rng.uniform(3.6, 4.5)  # how the group liked it
        for registration in by_activity.get(activity.pk, []):
            if activity.kind in TESTED:
                # About 3 in 100 miss the pre-test (late), 6 in 100 the post-test (left
                # early); about 3 in 100 already score 100% before the course.
                roll = rng.random()
                perfect = rng.random() < 0.03
                pre = 1.0 if perfect else _round(rng.gauss(level, 0.15))
                g = min(max(rng.gauss(teaching, 0.2), -0.2), 1.0)
                post = _round(pre + g * (1 - pre)) if not perfect else rng.choice([0.9, 1.0])
                took = {"pre": roll >= 0.03, "post": not 0.03 <= roll < 0.09}
                for kind, value in (("pre", pre), ("post", post)):
                    if took[kind]:
                        scores.append(
                            EvaluationScore(
                                registration=registration,
                                kind=kind,
                                score=value,
                                source=ScoreSource.PAPER,
                                entered_at=now,
                                is_demo=True,
                            )
                        )
            if rng.random() < 0.85:
                receipts.append(FeedbackReceipt(registration=registration, submitted_at=now))
                response = FeedbackResponse(
                    activity=activity, submitted_on=activity.end_date, is_demo=True
                )
                responses.append(response)
                for question in questions_of[activity.pk]:
                    if question.kind == QuestionKind.LIKERT:
                        rating = round(min(max(rng.gauss(mood, 0.7), 1), 5))
                        answer_plan.append((response, question, rating, ""))
                    elif rng.random() < 0.3:
                        pool = COMMENTS_USEFUL if question.position == 6 else COMMENTS_CHANGE
                        answer_plan.append((response, question, None, rng.choice(pool)))
    EvaluationScore.objects.bulk_create(scores, batch_size=1000)
    FeedbackReceipt.objects.bulk_create(receipts, batch_size=1000)
    FeedbackResponse.objects.bulk_create(responses, batch_size=1000)
    FeedbackAnswer.objects.bulk_create(
        [
            FeedbackAnswer(response=r, question=q, rating=rating, text=text)
            for r, q, rating, text in answer_plan
        ],
        batch_size=2000,
    )
    return {
        "evaluation scores created": len(scores),
        "survey responses created": len(responses),
    }


def first_responder_test(activity: Activity, by: Any) -> None:
    """Give the first phase-one training a real pre- and post-test from the question bank."""
    from cybercap.activities import evaluations

    items = list(evaluations.bank_items(activity))
    if len(items) < 4:
        return
    rng = random.Random("cybercap demo first responders")  # noqa: S311 - which items
    chosen = sorted(rng.sample(items, min(10, len(items))), key=lambda i: i.key)
    for kind in EvaluationKind.values:
        evaluations.evaluation_set(
            activity=activity, kind=kind, items=chosen, online=False, pass_mark=0.7, by=by
        )
