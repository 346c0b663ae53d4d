"""Page latency under load, with 100x the demo data, through gunicorn as in production.

    .venv/bin/python bench/bench_pages.py [--scale 100] [--users 50] [--seconds 30]

Sets up a throw-away var dir (SQLite, or PostgreSQL when DATABASE_URL is set), seeds
`cybercap demo --scale N`, starts `cybercap serve`, logs in one session per role, then:
1. 50 concurrent users with 1 s of think time, for --seconds: p50/p95/p99 per page;
2. saturation: 8 clients with no think time on the dashboard and on /healthz (the bare-Django
   baseline through the same stack), requests per second.
Prints a table. The bar (DESIGN.md) is p95 < 100 ms in step 1.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchhttp import Session, free_port, percentile

BIN = Path(sys.executable).parent
PAGES = [
    "/",
    "/network/countries/",
    "/network/countries/TH/",
    "/network/agencies/",
    "/network/people/",
    "/network/topics/",
    "/api/v1/countries",
    "/api/v1/agencies",
    "/api/v1/me",
]
LOGINS = ["demo-focal-th", "demo-investigator", "demo-learner", "demo-trainer", "demo-staff"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="cybercap-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYBERCAP_")}
    env.update(
        {
            "CYBERCAP_VAR_DIR": str(var_dir),
            "CYBERCAP_SECRET_KEY": "bench-" + "x7Kp2Qw9Lm4Rt8Zv" * 4,
            "CYBERCAP_ALLOWED_HOSTS": "127.0.0.1",
            "CYBERCAP_HTTPS": "0",
            "CYBERCAP_LOG_LEVEL": "WARNING",
        }
    )
    database = env.get("DATABASE_URL", "SQLite")
    print(f"database: {database.split('@')[-1]}; scale {args.scale}; workers {args.workers}")
    started = time.perf_counter()
    demo_env = dict(env, CYBERCAP_DEMO="1")
    subprocess.run(
        [str(BIN / "cybercap"), "demo", "--no-serve", "--scale", str(args.scale)],
        env=demo_env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"seeding --scale {args.scale}: {time.perf_counter() - started:.1f} s")
    subprocess.run(
        [str(BIN / "cybercap"), "collectstatic", "--noinput", "-v0"], env=env, check=True
    )

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cybercap.settings"
    import django

    django.setup()
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cybercap.demo.seed import demo_password

    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "cybercap"),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
        ],
        env=dict(env, CYBERCAP_LOG_LEVEL="WARNING"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        sessions = []
        for username in LOGINS:
            session = Session(port)
            device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
            code = f"{totp(device.bin_key):06d}" if device else None
            session.login(username, demo_password(username), code)
            sessions.append(session)
        for page in PAGES:
            status, _, _ = sessions[0].request("GET", page)
            assert status == 200, f"{page} answered {status}"

        latencies: dict[str, list[float]] = {page: [] for page in PAGES}
        errors: list[str] = []
        stop_at = time.monotonic() + args.seconds
        lock = threading.Lock()

        def user_loop(index: int) -> None:
            template = sessions[index % len(sessions)]
            session = Session(port)
            session.cookies = dict(template.cookies)
            rng = random.Random(index)
            time.sleep(rng.random())
            while time.monotonic() < stop_at:
                page = rng.choice(PAGES)
                begin = time.perf_counter()
                status, _, _ = session.request("GET", page)
                elapsed = (time.perf_counter() - begin) * 1000
                with lock:
                    if status == 200:
                        latencies[page].append(elapsed)
                    else:
                        errors.append(f"{page} {status}")
                time.sleep(1.0)

        threads = [threading.Thread(target=user_loop, args=(i,)) for i in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        every = [value for values in latencies.values() for value in values]
        print(f"\n{args.users} users, 1 s think time, {args.seconds} s:")
        print(f"{'page':<28}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for page, values in latencies.items():
            if values:
                print(
                    f"{page:<28}{len(values):>6}{statistics.median(values):>9.1f}"
                    f"{percentile(values, 95):>9.1f}{percentile(values, 99):>9.1f}"
                )
        print(
            f"{'all pages':<28}{len(every):>6}{statistics.median(every):>9.1f}"
            f"{percentile(every, 95):>9.1f}{percentile(every, 99):>9.1f}"
        )
        print(f"errors: {len(errors)} {errors[:5]}")

        print("\nsaturation, 8 clients, no think time, 10 s:")
        for label, page, template in [
            ("bare Django (/healthz)", "/healthz", None),
            ("dashboard (staff)", "/", sessions[-1]),
            ("people list (staff)", "/network/people/", sessions[-1]),
        ]:
            count = 0
            end = time.monotonic() + 10

            def hammer(
                template: Session | None = template, page: str = page, end: float = end
            ) -> None:
                nonlocal count
                session = Session(port)
                if template is not None:
                    session.cookies = dict(template.cookies)
                done = 0
                while time.monotonic() < end:
                    status, _, _ = session.request("GET", page)
                    assert status == 200, f"{page} {status}"
                    done += 1
                with lock:
                    count += done

            clients = [threading.Thread(target=hammer) for _ in range(8)]
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            print(f"  {label:<26}{count / 10:>8.1f} req/s")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
