"""Programme indicators with 100 times the demo data: the dashboard and the donor report.

    .venv/bin/python bench/bench_programme.py [--scale 100] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_programme \
        .venv/bin/python bench/bench_programme.py

Builds a throw-away test database (SQLite in memory, or test_<name> on the PostgreSQL server of
DATABASE_URL), seeds the demo once (`demo_setup(scale=1)`), then copies the demo's activity graph
--scale - 1 more times with bulk_create: new participants and speakers (one copy of each demo
person per copy), activities, sessions, quotas, registrations, attendance, topics, trainers,
pre/post scores and feedback. Times, best of --runs (wall and CPU seconds, with the query count):
the dashboard page for staff and for a focal point (through the test client, as a browser
would get it), and the donor report as Excel and PDF (the command's code path). Prints the
machine's load, since the host is shared.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cybercap.settings")

import django

django.setup()
for name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(name).setLevel(logging.ERROR)

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from cybercap.accounts.models import RoleAssignment, User  # noqa: E402
from cybercap.activities import donor_report, programme  # noqa: E402
from cybercap.activities.models import (  # noqa: E402
    Activity,
    Attendance,
    EvaluationScore,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    Registration,
    SeatQuota,
    Session,
    TrainerAssignment,
)
from cybercap.core import audit  # noqa: E402
from cybercap.demo.services import demo_setup  # noqa: E402
from cybercap.network.models import Country, Person  # noqa: E402

BATCH = 5000


def _fields(model: type[Any], skip: set[str]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in skip | {"id"}]


def _clone(
    model: type[Any], rows: list[Any], changes: Callable[[Any], dict[str, Any]]
) -> list[Any]:
    """Copies of ``rows`` with some fields changed, inserted in bulk; returns the new objects."""
    names = _fields(model, set())
    made = [model(**{**{n: getattr(r, n) for n in names}, **changes(r)}) for r in rows]
    return model.objects.bulk_create(made, batch_size=BATCH)


def scale_up(copies: int) -> None:
    """Copy the demo's activities ``copies`` more times, with copies of their people."""
    activities = list(Activity.objects.filter(is_demo=True).order_by("pk"))
    ids = [a.pk for a in activities]
    sessions = list(Session.objects.filter(activity_id__in=ids).order_by("pk"))
    registrations = list(Registration.objects.filter(activity_id__in=ids).order_by("pk"))
    quotas = list(SeatQuota.objects.filter(activity_id__in=ids))
    trainers = list(TrainerAssignment.objects.filter(activity_id__in=ids))
    attendances = list(Attendance.objects.filter(session__activity_id__in=ids))
    topics = list(Activity.topics.through.objects.filter(activity_id__in=ids))
    speakers = list(Session.speakers.through.objects.filter(session__activity_id__in=ids))
    scores = list(EvaluationScore.objects.filter(registration__activity_id__in=ids))
    questions = list(FeedbackQuestion.objects.filter(activity_id__in=ids))
    responses = list(FeedbackResponse.objects.filter(activity_id__in=ids))
    answers = list(FeedbackAnswer.objects.filter(response__activity_id__in=ids))
    person_ids = {r.person_id for r in registrations} | {s.person_id for s in speakers}
    people = list(Person.objects.filter(pk__in=person_ids).order_by("pk"))
    graph = {
        "people": people,
        "activities": activities,
        "sessions": sessions,
        "registrations": registrations,
        "quotas": quotas,
        "trainers": trainers,
        "attendances": attendances,
        "topics": topics,
        "speakers": speakers,
        "scores": scores,
        "questions": questions,
        "responses": responses,
        "answers": answers,
    }
    for copy in range(1, copies + 1):
        _one_copy(f"bench{copy}", graph)


def _mapped(
    model: type[Any], rows: list[Any], changes: Callable[[Any], dict[str, Any]]
) -> dict[int, int]:
    return {old.pk: new.pk for old, new in zip(rows, _clone(model, rows, changes), strict=True)}


def _one_copy(tag: str, g: dict[str, list[Any]]) -> None:
    person = _mapped(
        Person,
        g["people"],
        lambda p: {"email": f"{tag}.{p.email}" if p.email else "", "user_id": None},
    )
    activity = _mapped(Activity, g["activities"], lambda a: {"title": f"{a.title} ({tag})"})
    session = _mapped(Session, g["sessions"], lambda s: {"activity_id": activity[s.activity_id]})
    registration = _mapped(
        Registration,
        g["registrations"],
        lambda r: {
            "activity_id": activity[r.activity_id],
            "person_id": person[r.person_id],
            "badge_code": None,
        },
    )
    _clone(SeatQuota, g["quotas"], lambda q: {"activity_id": activity[q.activity_id]})
    _clone(TrainerAssignment, g["trainers"], lambda t: {"activity_id": activity[t.activity_id]})
    _clone(
        Attendance,
        g["attendances"],
        lambda a: {
            "session_id": session[a.session_id],
            "registration_id": registration[a.registration_id],
        },
    )
    Activity.topics.through.objects.bulk_create(
        [
            Activity.topics.through(activity_id=activity[t.activity_id], topic_id=t.topic_id)
            for t in g["topics"]
        ],
        batch_size=BATCH,
    )
    Session.speakers.through.objects.bulk_create(
        [
            Session.speakers.through(
                session_id=session[s.session_id], person_id=person[s.person_id]
            )
            for s in g["speakers"]
        ],
        batch_size=BATCH,
    )
    _clone(
        EvaluationScore,
        g["scores"],
        lambda s: {"registration_id": registration[s.registration_id], "attempt_id": None},
    )
    question = _mapped(
        FeedbackQuestion, g["questions"], lambda q: {"activity_id": activity[q.activity_id]}
    )
    response = _mapped(
        FeedbackResponse, g["responses"], lambda r: {"activity_id": activity[r.activity_id]}
    )
    _clone(
        FeedbackAnswer,
        g["answers"],
        lambda a: {"response_id": response[a.response_id], "question_id": question[a.question_id]},
    )


def _client(username: str, role: str, country: Country | None) -> Client:
    user = User.objects.create(username=username)
    RoleAssignment.objects.create(user=user, role=role, country=country)
    client = Client()
    client.force_login(user)
    if role == "staff":
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def timed(function: Callable[[], int], runs: int) -> tuple[float, float, int, int]:
    """Best wall time of ``runs``, its CPU time, the size returned and the queries run."""
    best: tuple[float, float, int, int] | None = None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            size = function()
            result = (time.perf_counter() - wall, time.process_time() - cpu, size, len(queries))
        if best is None or result[0] < best[0]:
            best = result
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the timings, print the top functions (cProfile) of each case",
    )
    args = parser.parse_args()

    setup_test_environment()
    settings.SECURE_SSL_REDIRECT = False
    # Pages as the tests render them: static files by their names, no collected manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.DEBUG = False
    vendor = connection.vendor
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        with audit.suspended():
            demo_setup(scale=1, migrate=False)
            with transaction.atomic():
                scale_up(args.scale - 1)
        # Fresh statistics for the planner, as PostgreSQL's autovacuum keeps them in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        built = time.perf_counter() - started
        counts = {
            "activities": Activity.objects.count(),
            "registrations": Registration.objects.count(),
            "attendance": Attendance.objects.count(),
            "people": Person.objects.count(),
            "scores": EvaluationScore.objects.count(),
            "feedback answers": FeedbackAnswer.objects.count(),
        }
        print(f"database: {vendor} ({name}); {args.scale}x the demo data built in {built:.1f} s")
        print("  " + ", ".join(f"{n} {what}" for what, n in counts.items()))
        staff = _client("bench-staff", "staff", None)
        focal = _client("bench-focal-th", "focal_point", Country.objects.get(code="TH"))

        def page(client: Client, url: str) -> Callable[[], int]:
            def get() -> int:
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return len(response.content)

            return get

        def report(fmt: str, phase: int | None = None) -> Callable[[], int]:
            def render() -> int:
                ind = programme.indicators(programme.scope_all(phase=phase))
                return len(donor_report.render(ind, fmt))

            return render

        def indicators_only() -> int:
            return programme.indicators(programme.scope_all()).activities

        cases: list[tuple[str, Callable[[], int]]] = [
            ("dashboard, staff, all phases", page(staff, "/activities/programme/")),
            ("dashboard, staff, phase 1", page(staff, "/activities/programme/?phase=1")),
            ("dashboard, focal point TH", page(focal, "/activities/programme/")),
            (
                "indicators only (no page)",
                lambda: programme.indicators(programme.scope_all()).activities,
            ),
            ("donor report xlsx", report("xlsx")),
            ("donor report pdf", report("pdf")),
            ("donor report xlsx, phase 2", report("xlsx", 2)),
            ("donor report pdf, phase 2", report("pdf", 2)),
        ]
        for _label, function in cases[:1]:  # warm up: templates, fonts
            function()
        print(
            f"\nbest of {args.runs}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        print(f"{'what':<32} {'wall s':>8} {'cpu s':>8} {'KiB':>8} {'queries':>8}")
        for label, function in cases:
            wall, cpu, size, queries = timed(function, args.runs)
            print(f"{label:<32} {wall:8.3f} {cpu:8.3f} {size / 1024:8.0f} {queries:8d}")
        if args.profile:
            for label, function in cases:
                profiler = cProfile.Profile()
                profiler.runcall(function)
                print(f"\n--- {label}")
                pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
