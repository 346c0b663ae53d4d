"""Programme indicators: the figures of the dashboard and the donor report, per phase and overall.

Definitions (the same on the page, in the Excel file and in the PDF):

- *activities*: every activity in the scope, whatever its status; *delivered* ones are those
  delivered or reported.
- *participants*: people with a registration that reached "attended" (present at one session or
  more); a person counted once however many activities they attended. *Participations* count
  each (person, activity) once.
- *trainers and experts*: the people who spoke at a session plus the users assigned as trainers
  (a trainer who also spoke, through their person record, counts once).
- *attendance rate*: over delivered activities, sessions attended / sessions expected, where
  each confirmed or attended participant is expected at every session of their activity.
- *learning gain* and *feedback*: from ``cybercap.activities.learning_gain`` (matched pre/post
  pairs; Hake's normalised gain; Likert means).

Scope: staff (and the command line) see everything; a focal point sees the activities open to
their country and, of the participant figures, only their own country's people. Their learning
gain is their country's group only, and they get no feedback scores (feedback is anonymous but
mixes every country's participants). Every figure comes from a fixed number of aggregate queries
whatever the size of the data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from cybercap.accounts import access
from cybercap.accounts.models import Role
from cybercap.activities import selectors
from cybercap.activities.learning_gain import (
    FeedbackSummary,
    GainGroup,
    feedback_summary,
    gain_summaries,
    gain_summary,
)
from cybercap.activities.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Attendance,
    Registration,
    RegistrationStatus,
    Session,
    TrainerAssignment,
)
from cybercap.network.models import AgencyKind, Gender

DELIVERED = (ActivityStatus.DELIVERED, ActivityStatus.REPORTED)
EXPECTED = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)
NONE: dict[str, Any] = {
    "participants": 0,
    "female": 0,
    "expected": 0,
}  # an activity without registrations


@dataclass(frozen=True)
class Scope:
    activities: QuerySet[Activity]
    countries: frozenset[int] | None  # None: every country's participants
    country_codes: frozenset[str] | None
    phase: int | None

    @property
    def is_country_slice(self) -> bool:
        return self.countries is not None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: int
    extra: int = 0  # participations, next to unique people


@dataclass(frozen=True)
class ActivityRow:
    pk: int
    title: str
    kind: str
    kind_label: str
    phase: int
    start_date: Any
    end_date: Any
    city: str
    host_country: str
    status: str
    status_label: str
    topics: list[str]
    sessions: int
    participants: int
    female: int
    expected: int
    present: int
    is_demo: bool = False

    @property
    def delivered(self) -> bool:
        return self.status in DELIVERED

    @property
    def attendance_rate(self) -> float | None:
        slots = self.expected * self.sessions
        return self.present / slots if self.delivered and slots else None


@dataclass(frozen=True)
class PhaseRow:
    phase: int
    activities: int
    delivered: int
    participants: int
    participations: int
    countries: int
    trainers: int
    attendance_rate: float | None


@dataclass
class Indicators:
    phase: int | None
    country_slice: list[str] | None
    activities: int
    delivered: int
    by_type: list[Row]
    by_topic: list[Row]
    participants: int
    participations: int
    trainers: int
    countries: int
    by_country: list[Row]
    by_agency_type: list[Row]
    by_gender: list[Row]
    present: int
    expected_slots: int
    phases: list[PhaseRow]
    activity_rows: list[ActivityRow]
    gain_overall: GainGroup | None = None
    gain_by_topic: list[GainGroup] = field(default_factory=list)
    gain_by_country: list[GainGroup] = field(default_factory=list)
    gain_by_gender: list[GainGroup] = field(default_factory=list)
    feedback: FeedbackSummary | None = None

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.expected_slots if self.expected_slots else None

    @property
    def gain_groups(self) -> list[GainGroup]:
        overall = [self.gain_overall] if self.gain_overall is not None else []
        if self.country_slice is not None:
            return self.gain_by_country
        return overall + self.gain_by_topic + self.gain_by_country + self.gain_by_gender

    @property
    def demo(self) -> bool:
        return any(r.is_demo for r in self.activity_rows)

    @property
    def female_share(self) -> float | None:
        female = next((r.value for r in self.by_gender if r.key == Gender.FEMALE), 0)
        return female / self.participants if self.participants else None


# --- scope --------------------------------------------------------------------------------------


def may_view(user: Any) -> bool:
    return access.is_staff(user) or access.has_role(user, Role.FOCAL_POINT)


def scope_all(*, phase: int | None = None) -> Scope:
    """Everything: staff on the web, operators on the command line."""
    activities = Activity.objects.all()
    if phase is not None:
        activities = activities.filter(phase=phase)
    return Scope(activities=activities, countries=None, country_codes=None, phase=phase)


def scope_for_user(*, user: Any, phase: int | None = None) -> Scope:
    if access.is_staff(user):
        return scope_all(phase=phase)
    countries = frozenset(access.countries(user, Role.FOCAL_POINT))
    codes = frozenset(
        g.country_code for g in access.grants(user) if g.role == Role.FOCAL_POINT and g.country_code
    )
    activities = selectors.activities_for_user(user=user)
    if phase is not None:
        activities = activities.filter(phase=phase)
    return Scope(activities=activities, countries=countries, country_codes=codes, phase=phase)


def phases_for(scope_activities: QuerySet[Activity]) -> list[int]:
    return sorted(set(scope_activities.order_by().values_list("phase", flat=True).distinct()))


# --- the figures --------------------------------------------------------------------------------


def _registrations(scope: Scope) -> QuerySet[Registration]:
    queryset = Registration.objects.filter(activity__in=scope.activities.order_by().values("pk"))
    if scope.countries is not None:
        queryset = queryset.filter(country_id__in=scope.countries)
    return queryset


def _activity_rows(scope: Scope) -> list[ActivityRow]:
    """One row per activity with its counts: five queries, each one grouped scan."""
    ids = scope.activities.order_by().values("pk")
    sessions = dict(
        Session.objects.filter(activity_id__in=ids)
        .order_by()
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values_list("activity_id", "n")
    )
    regs = Registration.objects.filter(activity_id__in=ids)
    present = Attendance.objects.filter(
        registration__activity_id__in=ids, registration__status__in=EXPECTED
    )
    if scope.countries is not None:
        regs = regs.filter(country_id__in=scope.countries)
        present = present.filter(registration__country_id__in=scope.countries)
    attended = Q(status=RegistrationStatus.ATTENDED)
    counts: dict[int, dict[str, Any]] = {
        v["activity_id"]: dict(v)
        for v in regs.order_by()
        .values("activity_id")
        .annotate(
            participants=Count("pk", filter=attended),
            female=Count("pk", filter=attended & Q(person__gender=Gender.FEMALE)),
            expected=Count("pk", filter=Q(status__in=EXPECTED)),
        )
    }
    presence = dict(
        present.order_by()
        .values("registration__activity_id")
        .annotate(n=Count("pk"))
        .values_list("registration__activity_id", "n")
    )
    rows = scope.activities.order_by("phase", "start_date", "pk").values(
        "pk",
        "title",
        "kind",
        "phase",
        "start_date",
        "end_date",
        "city",
        "host_country__name",
        "status",
        "is_demo",
    )
    topics: dict[int, list[str]] = defaultdict(list)
    for activity_id, name in (
        Activity.topics.through.objects.filter(
            activity_id__in=scope.activities.order_by().values("pk")
        )
        .order_by("topic__position", "topic__name")
        .values_list("activity_id", "topic__name")
    ):
        topics[activity_id].append(name)
    kinds = dict(ActivityType.choices)
    statuses = dict(ActivityStatus.choices)
    return [
        ActivityRow(
            pk=r["pk"],
            title=r["title"],
            kind=r["kind"],
            kind_label=str(kinds.get(r["kind"], r["kind"])),
            phase=r["phase"],
            start_date=r["start_date"],
            end_date=r["end_date"],
            city=r["city"],
            host_country=r["host_country__name"] or "",
            status=r["status"],
            status_label=str(statuses.get(r["status"], r["status"])),
            topics=topics.get(r["pk"], []),
            sessions=sessions.get(r["pk"], 0),
            participants=counts.get(r["pk"], NONE)["participants"],
            female=counts.get(r["pk"], NONE)["female"],
            expected=counts.get(r["pk"], NONE)["expected"],
            present=presence.get(r["pk"], 0),
            is_demo=r["is_demo"],
        )
        for r in rows
    ]


def _trainers(scope: Scope) -> dict[int, set[tuple[str, int]]]:
    """Per phase, the identities of trainers and speakers: ("p", person) or ("u", user)."""
    ids = scope.activities.order_by().values("pk")
    found: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for person_id, phase in (
        Session.speakers.through.objects.filter(session__activity_id__in=ids)
        .order_by()
        .values_list("person_id", "session__activity__phase")
        .distinct()
    ):
        found[phase].add(("p", person_id))
    for user_id, person_id, phase in (
        TrainerAssignment.objects.filter(activity_id__in=ids)
        .order_by()
        .values_list("user_id", "user__person__id", "activity__phase")
        .distinct()
    ):
        found[phase].add(("p", person_id) if person_id is not None else ("u", user_id))
    return found


@dataclass
class _Tally:
    """Unique people and participations (and countries) of one group."""

    label: str = ""
    people: set[int] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    n: int = 0

    def add(self, person_id: int, code: str, n: int) -> None:
        self.people.add(person_id)
        self.countries.add(code)
        self.n += n


def _tallied(groups: dict[Any, _Tally], labels: dict[str, Any] | None = None) -> list[Row]:
    rows = [
        Row(
            key=str(key or ""),
            label=str((labels or {}).get(key, tally.label or key or _("Not recorded"))),
            value=len(tally.people),
            extra=tally.n,
        )
        for key, tally in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.value, r.label))


def _participants(
    scope: Scope,
) -> tuple[_Tally, list[Row], list[Row], list[Row], dict[int, _Tally]]:
    """Every participant figure from one grouped read of the attended registrations: one row
    per (person, country, phase), tallied here into totals, per country, agency type, gender
    and phase (unique people in each, and participations)."""
    rows = (
        _registrations(scope)
        .filter(status=RegistrationStatus.ATTENDED)
        .order_by()
        .values_list(
            "person_id",
            "country__code",
            "country__name",
            "person__agency__kind",
            "person__gender",
            "activity__phase",
        )
        .annotate(n=Count("pk"))
    )
    totals = _Tally()
    countries: dict[str, _Tally] = defaultdict(_Tally)
    agencies: dict[Any, _Tally] = defaultdict(_Tally)
    genders: dict[Any, _Tally] = defaultdict(_Tally)
    phases: dict[int, _Tally] = defaultdict(_Tally)
    labels: dict[str, str] = {}
    for person_id, code, name, agency_kind, gender, phase, n in rows:
        # _Tally.add inlined: this loop runs once per (person, country, phase) in scope.
        labels[code] = name
        for group in (totals, countries[code], agencies[agency_kind], genders[gender]):
            group.people.add(person_id)
            group.n += n
        tally = phases[phase]
        tally.people.add(person_id)
        tally.countries.add(code)
        tally.n += n
    totals.countries.update(labels)
    for code, name in labels.items():
        countries[code].label = name
    return (
        totals,
        _tallied(countries),
        _tallied(agencies, dict(AgencyKind.choices)),
        _tallied(genders, dict(Gender.choices)),
        phases,
    )


def indicators(scope: Scope) -> Indicators:
    activity_rows = _activity_rows(scope)
    totals, by_country, by_agency, by_gender, per_phase = _participants(scope)
    trainers = _trainers(scope)

    kinds = dict(ActivityType.choices)
    type_counts = Counter(r.kind for r in activity_rows)
    by_type = sorted(
        (Row(key=k, label=str(kinds.get(k, k)), value=n) for k, n in type_counts.items()),
        key=lambda r: (-r.value, r.label),
    )
    topic_counts = Counter(t for r in activity_rows for t in r.topics)
    by_topic = sorted(
        (Row(key=t, label=t, value=n) for t, n in topic_counts.items()),
        key=lambda r: (-r.value, r.label),
    )
    delivered = [r for r in activity_rows if r.delivered]
    phases = []
    for phase in sorted({r.phase for r in activity_rows}):
        mine = [r for r in activity_rows if r.phase == phase]
        done = [r for r in mine if r.delivered]
        slots = sum(r.expected * r.sessions for r in done)
        figures = per_phase.get(phase, _Tally())
        phases.append(
            PhaseRow(
                phase=phase,
                activities=len(mine),
                delivered=len(done),
                participants=len(figures.people),
                participations=figures.n,
                countries=len(figures.countries),
                trainers=len(trainers.get(phase, set())),
                attendance_rate=sum(r.present for r in done) / slots if slots else None,
            )
        )
    result = Indicators(
        phase=scope.phase,
        country_slice=sorted(scope.country_codes) if scope.country_codes is not None else None,
        activities=len(activity_rows),
        delivered=len(delivered),
        by_type=by_type,
        by_topic=by_topic,
        participants=len(totals.people),
        participations=totals.n,
        trainers=len(set().union(*trainers.values())) if trainers else 0,
        countries=len(totals.countries),
        by_country=by_country,
        by_agency_type=by_agency,
        by_gender=by_gender,
        present=sum(r.present for r in delivered),
        expected_slots=sum(r.expected * r.sessions for r in delivered),
        phases=phases,
        activity_rows=activity_rows,
    )
    _add_learning(result, scope)
    return result


def _add_learning(result: Indicators, scope: Scope) -> None:
    activities = scope.activities.order_by()
    if scope.country_codes is not None:
        by_country = gain_summary(activities, by="country", countries=scope.country_codes)
        mine = [g for g in by_country if g.key in scope.country_codes]
        result.gain_by_country = mine
        result.gain_overall = mine[0] if len(mine) == 1 else None
        return
    # One read of the scores for all four views (each read is every score in scope).
    gains = gain_summaries(activities, ("country", None, "topic", "gender"))
    result.gain_by_country = gains["country"]
    result.gain_overall = next(iter(gains[None]), None)
    result.gain_by_topic = gains["topic"]
    result.gain_by_gender = gains["gender"]
    result.feedback = feedback_summary(activities)
