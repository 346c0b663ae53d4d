"""The lesson page and a quiz submission under load, on PostgreSQL, at platform scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_elbench \\
        .venv/bin/python bench/bench_elearning.py [--learners 100000] [--active-learners 7900]
        [--reuse] [--users 50] [--seconds 60] [--port 8103]
        [--small-database-url postgres://.../wt_elbench_small]

1. Seeds the database (unless --reuse finds the cohort there already) with
   `cybercap demo --no-serve --learners N --active-learners K`: the demo at scale 1 plus N
   synthetic learners, K of whom have taken their path through the course. The defaults give
   100,000 learners and about a million xAPI statements. Prints how long seeding took.
2. Query counts of the lesson page and of a quiz submission, in this database and (with
   --small-database-url) in a small demo database: they stay the same.
3. Serves the app with gunicorn as `cybercap serve` does (same argv: cybercap.wsgi, workers,
   timeout), with bench-only settings that add a bare Django page (bench/elbench_settings.py).
4. --users learners (synthetic ones, given a bench password) log in through the login form
   (CSRF and all), then each, with 1 s think time, reads lessons and now and then takes a
   module quiz (start, form, submit), for --seconds: p50/p95/p99 and errors per request.
5. Saturation (no think time, concurrency 1, 2, 4, ... until two doublings in a row add less
   than 5 % requests per second): the bare page, the lesson page, the quiz (start, form and
   submit in a row).
Every phase prints the load (`uptime`) beside its figures.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchhttp import Session, percentile

BENCH_DIR = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
COURSE = "first-responder"
QUIZ_MODULE = "m1-principles"
BENCH_PASSWORD = "bench-learner-Pw-2026!"  # noqa: S105 - set on the bench's own learners


def uptime() -> str:
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        one, five, fifteen = loadavg.read().split()[:3]
    return f"load average {one}, {five}, {fifteen} (2 cores, shared)"


# --------------------------------------------------------------------------- answers


def quiz_answers(page: str, rng: random.Random) -> list[tuple[str, str]]:
    """Answers to every question of an attempt form, as a learner would give them: one radio,
    one checkbox, each ordering position once, a target for each matching select."""
    out: list[tuple[str, str]] = []
    for block in page.split('<fieldset class="panel"')[1:]:
        block = block.split("</fieldset>")[0]
        radios: dict[str, list[str]] = {}
        for kind, name, value in re.findall(
            r'<input type="(radio|checkbox)" name="([^"]+)" value="([^"]*)"', block
        ):
            radios.setdefault(f"{kind}:{name}", []).append(html.unescape(value))
        for key, values in radios.items():
            out.append((key.split(":", 1)[1], rng.choice(values)))
        selects = re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', block, re.S)
        ordering = "Give each option its position" in block
        positions = list(range(1, len(selects) + 1))
        rng.shuffle(positions)
        for n, (name, options) in enumerate(selects):
            values = [html.unescape(v) for v in re.findall(r'value="([^"]*)"', options) if v]
            out.append((name, str(positions[n]) if ordering else rng.choice(values)))
    return out


# --------------------------------------------------------------------------- what users do


class Learner:
    """A logged-in learner's requests, timed: reading lessons, taking the module quiz."""

    def __init__(self, port: int, cookies: dict[str, str], lessons: list[str], seed: int) -> None:
        self.session = Session(port)
        self.session.cookies = dict(cookies)
        self.lessons = lessons
        self.rng = random.Random(seed)

    def timed(
        self,
        record: Callable[[str, float, int], None],
        label: str,
        method: str,
        path: str,
        **kw: Any,
    ) -> tuple[int, str, str]:
        begin = time.perf_counter()
        status, page, location = self.session.request(method, path, **kw)
        record(label, (time.perf_counter() - begin) * 1000, status)
        return status, page, location

    def lesson(self, record: Callable[[str, float, int], None]) -> None:
        key = self.rng.choice(self.lessons)
        self.timed(record, "lesson page GET", "GET", f"/learn/{COURSE}/lessons/{key}/")

    def quiz(self, record: Callable[[str, float, int], None], think: float) -> None:
        url = f"/learn/{COURSE}/modules/{QUIZ_MODULE}/quiz/"
        status, page, _ = self.session.request("GET", url)  # the start page (not timed)
        if status != 200:
            record("quiz start POST", 0.0, status)
            return
        token = self.session.csrf(page)
        status, _, attempt = self.timed(
            record, "quiz start POST", "POST", url, body=[("csrfmiddlewaretoken", token)]
        )
        if status != 302:
            return
        attempt = urllib.parse.urlsplit(attempt).path
        status, page, _ = self.timed(record, "attempt form GET", "GET", attempt)
        if status != 200:
            return
        time.sleep(think)
        answers = [("csrfmiddlewaretoken", self.session.csrf(page)), *quiz_answers(page, self.rng)]
        self.timed(record, "quiz submission POST", "POST", attempt, body=answers)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def __call__(self, label: str, ms: float, status: int) -> None:
        ok = status == 200 or (status == 302 and label.endswith("POST"))
        with self.lock:
            if ok:
                self.latencies.setdefault(label, []).append(ms)
            else:
                self.errors.append(f"{label} {status}")


# --------------------------------------------------------------------------- query counts


def count_queries() -> dict[str, Any]:
    """In this process (Django set up on DATABASE_URL): the queries of the lesson page and of
    a quiz submission for a synthetic learner, with Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cybercap.accounts.models import User
    from cybercap.elearning.models import Enrolment, Lesson, Statement

    learner = (
        User.objects.filter(
            username__startswith="learner-", is_demo=True, enrolments__course__key=COURSE
        )
        .order_by("pk")
        .first()
    )
    assert learner is not None, "no synthetic learner: run the demo first"
    client = Client()
    client.force_login(learner)
    lesson = Lesson.objects.filter(module__course__key=COURSE).order_by("pk")[2]
    url = f"/learn/{COURSE}/lessons/{lesson.key}/"
    client.get(url)
    with CaptureQueriesContext(connection) as lesson_queries:
        assert client.get(url).status_code == 200
    # Django CPU per request in this process (PostgreSQL not included; little affected by
    # the load of other processes).
    cpu = time.process_time()
    for _ in range(20):
        client.get(url)
    lesson_cpu_ms = (time.process_time() - cpu) / 20 * 1000
    start = client.post(f"/learn/{COURSE}/modules/{QUIZ_MODULE}/quiz/")
    attempt = start["Location"]
    page = client.get(attempt).content.decode()
    answers: dict[str, list[str]] = {}
    for name, value in quiz_answers(page, random.Random(1)):
        answers.setdefault(name, []).append(value)
    cpu = time.process_time()
    with CaptureQueriesContext(connection) as quiz_queries:
        done = client.post(attempt, answers)
        assert done.status_code == 302, done.status_code
    quiz_cpu_ms = (time.process_time() - cpu) * 1000
    return {
        "learners": User.objects.filter(username__startswith="learner-").count(),
        "enrolments": Enrolment.objects.count(),
        "statements": Statement.objects.count(),
        "lesson page": len(lesson_queries),
        "quiz submission": len(quiz_queries),
        "lesson page Django CPU ms": round(lesson_cpu_ms, 1),
        "quiz submission Django CPU ms": round(quiz_cpu_ms, 1),
    }


def count_queries_in(env: dict[str, str], database_url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--count-queries"],
        env=dict(env, DATABASE_URL=database_url),
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- load


def think_time_run(
    port: int, cookies: list[dict[str, str]], lessons: list[str], users: int, seconds: int
) -> None:
    record = Recorder()
    stop_at = time.monotonic() + seconds

    def user_loop(index: int) -> None:
        learner = Learner(port, cookies[index % len(cookies)], lessons, index)
        time.sleep(learner.rng.random())
        while time.monotonic() < stop_at:
            if learner.rng.random() < 0.25:
                learner.quiz(record, think=1.0)
            else:
                learner.lesson(record)
            time.sleep(1.0)

    print(f"\n{users} concurrent learners, 1 s think time, {seconds} s; before: {uptime()}")
    threads = [threading.Thread(target=user_loop, args=(i,)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{'request':<24}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    every: list[float] = []
    for label, values in sorted(record.latencies.items()):
        every += values
        print(
            f"{label:<24}{len(values):>6}{statistics.median(values):>9.1f}"
            f"{percentile(values, 95):>9.1f}{percentile(values, 99):>9.1f}"
        )
    if every:
        print(
            f"{'all requests':<24}{len(every):>6}{statistics.median(every):>9.1f}"
            f"{percentile(every, 95):>9.1f}{percentile(every, 99):>9.1f}"
        )
    print(f"errors: {len(record.errors)} {record.errors[:5]}")
    print(f"after: {uptime()}")


def saturation(
    label: str, work: Callable[[int], Callable[[], int]], seconds: int, max_clients: int
) -> None:
    """Requests per second with 1, 2, 4, ... clients and no think time, until two doublings
    in a row add less than 5 % (one flat step alone is often noise on a shared machine)."""
    print(f"\nsaturation: {label}; before: {uptime()}")
    best = 0.0
    clients = 1
    flat = 0
    lock = threading.Lock()
    while clients <= max_clients:
        count = 0
        failures = 0
        end = time.monotonic() + seconds

        def hammer(index: int, end: float = end) -> None:
            nonlocal count, failures
            step = work(index)
            done = bad = 0
            while time.monotonic() < end:
                requests = step()
                if requests:
                    done += requests
                else:
                    bad += 1
            with lock:
                count += done
                failures += bad

        threads = [threading.Thread(target=hammer, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rate = count / seconds
        print(f"  {clients:>3} clients: {rate:>8.1f} req/s  (failures {failures}; {uptime()})")
        if rate >= best * 1.05:
            flat = 0
        else:
            flat += 1
            if flat == 2:  # two doublings in a row without 5 % more: saturated
                break
        best = max(best, rate)
        clients *= 2
    print(f"  saturation throughput: {best:.1f} req/s")


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--active-learners", type=int, default=7_900)
    parser.add_argument("--reuse", action="store_true", help="do not seed if the cohort is there")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--saturation-seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--small-database-url", default="")
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.count_queries:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cybercap.settings")
        django.setup()
        print(json.dumps(count_queries()))
        return 0

    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres"):
        print("skipped: set DATABASE_URL to a PostgreSQL database of its own (the figures are")
        print("for PostgreSQL), e.g. postgres://postgres@127.0.0.1:5432/cybercap_bench")
        return 0
    var_dir = Path(tempfile.mkdtemp(prefix="cybercap-elbench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYBERCAP_")}
    env.update(
        {
            "CYBERCAP_VAR_DIR": str(var_dir),
            "CYBERCAP_SECRET_KEY": "bench-" + "q3Nf8Rv2Xc6Tz1Hk" * 4,
            "CYBERCAP_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "CYBERCAP_HTTPS": "0",
            "CYBERCAP_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cybercap.settings"
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from cybercap.accounts.models import User
    from cybercap.elearning.models import Lesson

    print(f"database: {database.split('@')[-1]}; workers {args.workers}; {uptime()}")
    seeded = (
        User._meta.db_table in connection.introspection.table_names()
        and User.objects.filter(username__startswith="learner-", is_demo=True).exists()
    )
    if not (args.reuse and seeded):
        started = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "cybercap"),
                "demo",
                "--no-serve",
                "--learners",
                str(args.learners),
                "--active-learners",
                str(args.active_learners),
            ],
            env=dict(env, CYBERCAP_DEMO="1"),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"seeding: {time.perf_counter() - started:.0f} s; after: {uptime()}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    subprocess.run(
        [str(BIN / "cybercap"), "collectstatic", "--noinput", "-v0"], env=env, check=True
    )
    print("\nqueries per request (Django test client, in process):")
    for name, url in [("this database", database), ("small database", args.small_database_url)]:
        if url:
            counts = count_queries_in(env, url)
            print(f"  {name}: {counts}")

    users = list(
        User.objects.filter(
            username__startswith="learner-", is_demo=True, enrolments__course__key=COURSE
        ).order_by("pk")[: args.users]
    )
    # The synthetic learners cannot log in (unusable password): the bench's can, one hash.
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(BENCH_PASSWORD))
    lessons = list(
        Lesson.objects.filter(module__course__key=COURSE)
        .order_by("module__position", "position")
        .values_list("key", flat=True)
    )

    from cybercap.server.services import gunicorn_argv

    argv = gunicorn_argv(bind=f"127.0.0.1:{args.port}", workers=args.workers, timeout=60)
    argv[0] = str(BIN / "gunicorn")
    server_env = dict(
        env,
        DJANGO_SETTINGS_MODULE="elbench_settings",
        PYTHONPATH=os.pathsep.join([str(BENCH_DIR), env.get("PYTHONPATH", "")]),
    )
    server = subprocess.Popen(
        argv, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", args.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        cookies: list[dict[str, str]] = [{} for _ in users]

        def log_in(index: int) -> None:
            session = Session(args.port)
            session.login(users[index].username, BENCH_PASSWORD)
            cookies[index] = dict(session.cookies)

        started = time.perf_counter()
        logins = [threading.Thread(target=log_in, args=(i,)) for i in range(len(users))]
        for thread in logins:
            thread.start()
        for thread in logins:
            thread.join()
        assert all(cookies), "a login failed"
        print(f"\n{len(users)} logins through the form: {time.perf_counter() - started:.0f} s")
        probe = Session(args.port)
        probe.cookies = dict(cookies[0])
        for path in ["/bench/bare/", f"/learn/{COURSE}/lessons/{lessons[0]}/"]:
            status, _, _ = probe.request("GET", path)
            assert status == 200, f"{path} answered {status}"

        think_time_run(args.port, cookies, lessons, args.users, args.seconds)

        def bare(index: int) -> Callable[[], int]:
            session = Session(args.port)
            return lambda: 1 if session.request("GET", "/bench/bare/")[0] == 200 else 0

        def lesson(index: int) -> Callable[[], int]:
            learner = Learner(args.port, cookies[index % len(cookies)], lessons, index)
            ok: list[int] = []

            def step() -> int:
                ok.clear()
                learner.lesson(lambda _label, _ms, status: ok.append(status))
                return 1 if ok == [200] else 0

            return step

        def quiz(index: int) -> Callable[[], int]:
            learner = Learner(args.port, cookies[index % len(cookies)], lessons, 1000 + index)
            seen: list[int] = []

            def step() -> int:
                seen.clear()
                learner.quiz(lambda _label, _ms, status: seen.append(status), think=0.0)
                return 4 if seen == [302, 200, 302] else 0  # start page, start, form, submit

            return step

        most = max(args.users, 64)
        saturation("bare Django page (/bench/bare/)", bare, args.saturation_seconds, most)
        saturation("lesson page", lesson, args.saturation_seconds, most)
        saturation(
            "quiz (start page GET, start POST, form GET, submission POST: 4 requests)",
            quiz,
            args.saturation_seconds,
            most,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
