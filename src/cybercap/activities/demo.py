"""Synthetic demo activities: the scale of the programme's first phase and a second in progress.

Phase one (2016-2018): 15 trainings, seminars, workshops, an exercise and a meeting, hosted in
turn by member countries, with 320 invented participants from the eleven member countries
(names in their own scripts; about one in seven attends twice) and 71 invented trainers and
expert speakers from the region and from twelve countries beyond it. Each activity has its
attendance, a pre-test and a post-test taken on paper (realistic scores: a few drop-outs, a few
perfect pre-tests; the meeting has no tests) and an anonymous feedback survey. Phase two: five
activities from reported to planned, drawn from the network demo's people; the open one has
nominations from six countries (approved, nominated, wait-listed). demo-trainer is assigned to
three; demo-learner is confirmed on one. ``--scale N`` repeats phase one N times with the same
people (the bench data set).

Everything is flagged ``is_demo`` and invented; random choices come from seeded generators, so
every run makes the same data. Idempotent: a demo activity is known by its title, a demo person
by their e-mail; a second run creates nothing. Rows go in with bulk_create (no audit entries).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from cybercap.accounts.models import User
from cybercap.activities import demo_seed
from cybercap.activities.models import (
    Activity,
    ActivityStatus,
    ActivityTransition,
    ActivityType,
    Attendance,
    AttendanceMethod,
    Registration,
    RegistrationStatus,
    SeatQuota,
    Session,
    TrainerAssignment,
)
from cybercap.activities.services import BADGE_ALPHABET, BADGE_LENGTH, new_badge_code
from cybercap.demo.registry import DemoReport
from cybercap.network.models import Country, Person, Topic

NOMINATING = {"ID", "KH", "MY", "PH", "TH", "VN"}

# (title, type, host country, city, start) for phase one.
PHASE_ONE: list[tuple[str, str, str, str, dt.date]] = [
    ("First responders and digital evidence", "training", "TH", "Bangkok", dt.date(2016, 3, 7)),
    (
        "Cybercrime legislation: a regional seminar",
        "seminar",
        "MY",
        "Kuala Lumpur",
        dt.date(2016, 5, 16),
    ),
    ("Mobile device forensics, level 1", "training", "PH", "Manila", dt.date(2016, 7, 11)),
    ("Programme steering meeting 2016", "meeting", "SG", "Singapore", dt.date(2016, 9, 5)),
    ("Live data forensics", "training", "VN", "Hanoi", dt.date(2016, 11, 14)),
    (
        "International cooperation and MLA requests",
        "workshop",
        "ID",
        "Jakarta",
        dt.date(2017, 2, 13),
    ),
    ("Malware analysis for investigators", "training", "KH", "Phnom Penh", dt.date(2017, 4, 3)),
    (
        "Darknet and virtual currency investigations",
        "training",
        "LA",
        "Vientiane",
        dt.date(2017, 6, 12),
    ),
    (
        "Online child sexual exploitation: victim identification",
        "training",
        "MM",
        "Yangon",
        dt.date(2017, 8, 21),
    ),
    (
        "Ransomware response table-top exercise",
        "exercise",
        "BN",
        "Bandar Seri Begawan",
        dt.date(2017, 10, 9),
    ),
    ("Network forensics", "training", "TH", "Chiang Mai", dt.date(2017, 12, 4)),
    (
        "Public-private cooperation against cybercrime",
        "workshop",
        "SG",
        "Singapore",
        dt.date(2018, 3, 19),
    ),
    (
        "Research seminar: cybercrime trends in the region",
        "seminar",
        "MY",
        "Penang",
        dt.date(2018, 6, 4),
    ),
    ("Mobile device forensics, level 2", "training", "PH", "Cebu", dt.date(2018, 8, 13)),
    (
        "Advanced digital evidence for prosecutors",
        "training",
        "VN",
        "Ho Chi Minh City",
        dt.date(2018, 11, 5),
    ),
]

# (title, type, host, city, start, status) for phase two.
PHASE_TWO: list[tuple[str, str, str, str, dt.date, str]] = [
    (
        "Trend workshop: business e-mail compromise",
        "workshop",
        "ID",
        "Bali",
        dt.date(2025, 9, 8),
        ActivityStatus.REPORTED,
    ),
    (
        "Cloud evidence and cross-border requests",
        "training",
        "MY",
        "Kuala Lumpur",
        dt.date(2026, 2, 9),
        ActivityStatus.DELIVERED,
    ),
    (
        "Crypto-asset tracing",
        "training",
        "SG",
        "Singapore",
        dt.date(2026, 12, 7),
        ActivityStatus.CONFIRMED,
    ),
    (
        "Trend workshop: scam compounds and online fraud",
        "workshop",
        "TH",
        "Bangkok",
        dt.date(2027, 2, 15),
        ActivityStatus.OPEN,
    ),
    (
        "National cyber review mission: follow-up",
        "review_mission",
        "KH",
        "Phnom Penh",
        dt.date(2027, 5, 10),
        ActivityStatus.PLANNED,
    ),
]

# Taxonomy topics of each demo activity (keys; a missing key is skipped).
TOPICS: dict[str, tuple[str, ...]] = {
    "First responders and digital evidence": ("first-response", "device-seizure"),
    "Cybercrime legislation: a regional seminar": ("substantive-law", "procedural-powers"),
    "Mobile device forensics, level 1": ("mobile-forensics", "mobile-device-seizure"),
    "Programme steering meeting 2016": ("strategy-governance",),
    "Live data forensics": ("volatile-data", "memory-forensics"),
    "International cooperation and MLA requests": (
        "mutual-legal-assistance",
        "service-provider-requests",
    ),
    "Malware analysis for investigators": ("malware-analysis", "malware-triage"),
    "Darknet and virtual currency investigations": ("darknet-markets", "cryptocurrency-tracing"),
    "Online child sexual exploitation: victim identification": (
        "victim-identification",
        "csam-investigation",
    ),
    "Ransomware response table-top exercise": ("ransomware", "incident-response"),
    "Network forensics": ("network-forensics",),
    "Public-private cooperation against cybercrime": ("public-private-partnership",),
    "Research seminar: cybercrime trends in the region": ("threat-assessment",),
    "Mobile device forensics, level 2": ("mobile-forensics",),
    "Advanced digital evidence for prosecutors": (
        "electronic-evidence-admissibility",
        "prosecution",
    ),
    "Trend workshop: business e-mail compromise": ("business-email-compromise",),
    "Cloud evidence and cross-border requests": ("cloud-evidence", "data-preservation"),
    "Crypto-asset tracing": ("cryptocurrency-tracing", "virtual-asset-seizure"),
    "Trend workshop: scam compounds and online fraud": ("scam-centres", "online-scams"),
    "National cyber review mission: follow-up": ("strategy-governance",),
}

SESSION_TITLES = [
    "Opening and pre-test",
    "Principles and legal framework",
    "Hands-on laboratory",
    "Case study",
    "Country experiences",
    "Practical exercise",
    "Post-test and evaluation",
]
ORDER = [s.value for s in ActivityStatus]


def seed_activities(*, scale: int, report: DemoReport) -> None:
    members = list(Country.objects.filter(asean_joined__isnull=False).order_by("code"))
    if not members:
        raise RuntimeError("No member countries: load the reference content first.")
    with transaction.atomic():
        people = _participants(members)
        crowd = demo_seed.phase_one_participants(members, report)
        experts = demo_seed.experts(members, report)
        topics = list(Topic.objects.filter(retired=False).order_by("position", "key"))
        made = _activities(members, people, crowd, experts, topics, scale, report)
        report.add_count("activities created", made)


def _phase_one_places(crowd: list[Person]) -> dict[int, list[Person]]:
    """Who attends which phase-one activity: each participant one activity, a few of them a
    second; never more than three from a country at one activity (the quota is four)."""
    by_country: dict[int, list[Person]] = {}
    for person in crowd:
        by_country.setdefault(person.country_id, []).append(person)
    places: dict[int, list[Person]] = {i: [] for i in range(len(PHASE_ONE))}
    for offset, members in enumerate(by_country.values()):
        for k, person in enumerate(members):
            places[(k + offset) % len(PHASE_ONE)].append(person)
            if k < 4:  # a second activity, seven months on
                places[(k + offset + 7) % len(PHASE_ONE)].append(person)
    return places


def _participants(members: list[Country]) -> list[Person]:
    """The network demo's people (not its scaled copies), by country."""
    return [
        p
        for p in Person.objects.filter(
            is_demo=True, country__in=members, email__startswith="person"
        )
        .select_related("agency", "country")
        .order_by("country__code", "email")
        # person3.th@demo.cybercap.invalid, not the scaled person3.2.th@...; demo accounts'
        # own records stay out of the crowd (demo-learner is registered on purpose below).
        if p.email.count(".") == 3 and p.user_id is None
    ]


def _badge_code(rng: random.Random) -> str:
    return "".join(rng.choice(BADGE_ALPHABET) for _i in range(BADGE_LENGTH))


def _at(day: dt.date, hour: int, minute: int, zone: str) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


def _activities(
    members: list[Country],
    people: list[Person],
    crowd: list[Person],
    experts: list[Person],
    topics: list[Topic],
    scale: int,
    report: DemoReport,
) -> int:
    countries = {c.code: c for c in members}
    existing = set(Activity.objects.filter(is_demo=True).values_list("title", flat=True))
    trainer = User.objects.filter(username="demo-trainer").first()
    staff = User.objects.filter(username="demo-staff").first()
    now = timezone.now()
    plans: list[dict[str, Any]] = []
    for copy in range(scale):
        suffix = f" (copy {copy})" if copy else ""
        for i, (title, kind, host, city, start) in enumerate(PHASE_ONE):
            plans.append(
                {
                    "title": title + suffix,
                    "kind": kind,
                    "host": host,
                    "city": city,
                    "start": start,
                    "status": ActivityStatus.REPORTED,
                    "phase": 1,
                    "index": i,
                }
            )
    for i, (title, kind, host, city, start, status) in enumerate(PHASE_TWO):
        plans.append(
            {
                "title": title,
                "kind": kind,
                "host": host,
                "city": city,
                "start": start,
                "status": status,
                "phase": 2,
                "index": i,
            }
        )
    plans = [p for p in plans if p["title"] not in existing and p["host"] in countries]
    if not plans:
        return 0
    activities = []
    for plan in plans:
        host_country = countries[plan["host"]]
        days = 1 if plan["kind"] in (ActivityType.MEETING, ActivityType.REVIEW_MISSION) else 3
        activities.append(
            Activity(
                kind=plan["kind"],
                title=plan["title"],
                phase=plan["phase"],
                start_date=plan["start"],
                end_date=plan["start"] + dt.timedelta(days=days - 1),
                venue="Training centre (synthetic)",
                city=plan["city"],
                time_zone=host_country.time_zone,
                host_country=host_country,
                funding_source="Programme donor (synthetic)",
                working_languages="en",
                capacity=40,
                status=plan["status"],
                description="A synthetic demo activity.",
                is_demo=True,
            )
        )
    Activity.objects.bulk_create(activities)
    topic_links: list[Any] = []
    transitions = []
    sessions: list[Session] = []
    quotas = []
    registrations = []
    assignments = []
    speaker_links = []
    through = Activity.topics.through
    places = _phase_one_places(crowd)
    linked_topics: set[tuple[int, int]] = set()
    by_key = {t.key: t for t in topics}
    rng = random.Random("cybercap demo badges")  # noqa: S311 - invented badge codes
    for n, (plan, activity) in enumerate(zip(plans, activities, strict=True)):
        wanted = [
            by_key[k] for k in TOPICS.get(plan["title"].split(" (copy")[0], ()) if k in by_key
        ]
        if not wanted and topics:
            wanted = [topics[n % len(topics)], topics[(n * 7 + 3) % len(topics)]]
        if topics:
            for t in wanted:
                if (activity.pk, t.pk) not in linked_topics:
                    linked_topics.add((activity.pk, t.pk))
                    topic_links.append(through(activity_id=activity.pk, topic_id=t.pk))
        for before, after in itertools.pairwise(ORDER[: ORDER.index(plan["status"]) + 1]):
            transitions.append(
                ActivityTransition(
                    activity=activity, from_status=before, to_status=after, at=now, by=staff
                )
            )
        first_session = len(sessions)
        for day in range((activity.end_date - activity.start_date).days + 1):
            date = activity.start_date + dt.timedelta(days=day)
            for slot, (hour, minute, length) in enumerate(((9, 0, 90), (13, 30, 120))):
                start = _at(date, hour, minute, activity.time_zone)
                sessions.append(
                    Session(
                        activity=activity,
                        title=SESSION_TITLES[(day * 2 + slot) % len(SESSION_TITLES)],
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=length),
                        room=f"Room {slot + 1}",
                    )
                )
        for country in members:
            quotas.append(SeatQuota(activity=activity, country=country, seats=4))
        # Participants: phase one, about 21 each, everyone attending at least once.
        if plan["phase"] == 1:
            chosen = places[plan["index"]]
            status = RegistrationStatus.ATTENDED
        elif plan["status"] in (ActivityStatus.REPORTED, ActivityStatus.DELIVERED):
            chosen = people[plan["index"] * 20 : plan["index"] * 20 + 20]
            status = RegistrationStatus.ATTENDED
        elif plan["status"] == ActivityStatus.CONFIRMED:
            chosen = people[1::4]
            status = RegistrationStatus.CONFIRMED
        elif plan["status"] == ActivityStatus.OPEN:
            # Nominations from several countries, Thailand and Viet Nam among them.
            chosen = [
                p
                for p in people
                if p.country.code in NOMINATING and p.email.split(".")[0][-1] in "124"
            ]
            status = RegistrationStatus.NOMINATED
        else:
            chosen = []
            status = RegistrationStatus.NOMINATED
        per_country: dict[int, int] = {}
        for k, person in enumerate(chosen):
            taken = per_country.get(person.country_id, 0)
            if taken >= 4:
                continue
            per_country[person.country_id] = taken + 1
            this_status = status
            if plan["status"] == ActivityStatus.OPEN:
                this_status = (
                    RegistrationStatus.APPROVED,
                    RegistrationStatus.NOMINATED,
                    RegistrationStatus.WAIT_LISTED,
                )[k % 3]
            registrations.append(
                Registration(
                    activity=activity,
                    person=person,
                    country_id=person.country_id,
                    status=this_status,
                    nominated_by=staff,
                    nominated_at=now,
                    badge_code=_badge_code(rng),
                )
            )
        # Five speakers each (every expert speaks in phase one), at least one per session.
        first = plan["index"] * 5 if plan["phase"] == 1 else n * 5
        chosen_experts = [experts[(first + j) % len(experts)] for j in range(5)]
        own_sessions = sessions[first_session:]
        linked: set[tuple[int, int]] = set()
        for j in range(max(5, len(own_sessions))):
            pair = (j % len(own_sessions), j % 5)
            if pair not in linked:
                linked.add(pair)
                speaker_links.append((own_sessions[pair[0]], chosen_experts[pair[1]]))
        if trainer is not None and (
            (plan["phase"] == 1 and plan["index"] == 0 and "copy" not in plan["title"])
            or (
                plan["phase"] == 2
                and plan["status"] in (ActivityStatus.OPEN, ActivityStatus.CONFIRMED)
            )
        ):
            assignments.append(
                TrainerAssignment(activity=activity, user=trainer, lead=True, assigned_at=now)
            )
    through.objects.bulk_create(topic_links)
    ActivityTransition.objects.bulk_create(transitions)
    Session.objects.bulk_create(sessions)
    SeatQuota.objects.bulk_create(quotas)
    Registration.objects.bulk_create(registrations)
    attendances = _attendances(sessions, registrations, now)
    Attendance.objects.bulk_create(attendances)
    TrainerAssignment.objects.bulk_create(assignments)
    Session.speakers.through.objects.bulk_create(
        [
            Session.speakers.through(session_id=session.pk, person_id=person.pk)
            for session, person in speaker_links
        ]
    )
    _learner_registration(activities, staff, now)
    for label, number in demo_seed.seed_evaluations(activities, registrations).items():
        report.add_count(label, number)
    opening = next((a for a in activities if a.title == PHASE_ONE[0][0]), None)
    if opening is not None:
        demo_seed.first_responder_test(opening, staff)
    report.add_count("activity sessions created", len(sessions))
    report.add_count("registrations created", len(registrations))
    report.add_count("attendance records created", len(attendances))
    return len(activities)


def _attendances(
    sessions: list[Session], registrations: list[Registration], now: dt.datetime
) -> list[Attendance]:
    """Those who attended were present at every session, but for about one session in seven."""
    by_activity: dict[int, list[Session]] = {}
    for session in sessions:
        by_activity.setdefault(session.activity.pk, []).append(session)
    rows = []
    for n, registration in enumerate(registrations):
        if registration.status != RegistrationStatus.ATTENDED:
            continue
        for k, session in enumerate(by_activity.get(registration.activity.pk, [])):
            if (n + k) % 7 == 3:
                continue
            rows.append(
                Attendance(
                    session=session,
                    registration=registration,
                    method=AttendanceMethod.BADGE if k % 2 else AttendanceMethod.MANUAL,
                    marked_at=session.starts_at,
                )
            )
    return rows


def _learner_registration(activities: list[Activity], staff: Any, now: dt.datetime) -> None:
    """demo-learner is confirmed on the phase-two training that is confirmed."""
    learner_person = Person.objects.filter(user__username="demo-learner").first()
    target = next(
        (a for a in activities if a.phase == 2 and a.status == ActivityStatus.CONFIRMED), None
    )
    if learner_person is None or target is None:
        return
    Registration.objects.get_or_create(
        activity=target,
        person=learner_person,
        defaults={
            "country_id": learner_person.country_id,
            "status": RegistrationStatus.CONFIRMED,
            "nominated_by": staff,
            "nominated_at": now,
            "badge_code": new_badge_code(),  # one row: a fresh code, checked by the database
        },
    )
