"""Throughput of `cybercap evidence acquire` against sha256sum, md5sum, hashdeep and openssl.

Writes a 1 GiB file under /tmp (random 16 MiB blocks repeated), reads it once so that every
run finds it in the page cache, times each command as a subprocess (best of --runs), prints a
table, and deletes the file. Peak memory is each child's VmHWM, polled.

    .venv/bin/python bench/bench_evidence_hash.py [--size-mib 1024] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

MiB = 1024 * 1024


def make_file(path: str, size: int) -> None:
    block = os.urandom(16 * MiB)
    with open(path, "wb") as handle:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            handle.write(piece)
            left -= len(piece)
    with open(path, "rb") as handle:  # into the page cache
        while handle.read(16 * MiB):
            pass


def _peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB, VmHWM polled every 20 ms) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _peak_kib(proc.pid))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {proc.returncode}: {stderr}")
    return elapsed, peak


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    for name in ("sha256sum", "md5sum", "hashdeep", "openssl"):
        if shutil.which(name) is None:
            print(f"{name} is missing (see system-packages.txt)", file=sys.stderr)
            return 1
    workdir = tempfile.mkdtemp(prefix="bench-evidence-", dir="/tmp")
    path = os.path.join(workdir, "image.bin")
    size = args.size_mib * MiB
    try:
        make_file(path, size)
        cli = [sys.executable, "-m", "cybercap", "evidence", "acquire", path, "--case", "B",
               "--exhibit", "B", "--examiner", "bench", "--quiet"]  # fmt: skip
        counter = iter(range(1000))

        def ours(algorithms: str, chunk: str = "2M") -> list[str]:
            out = os.path.join(workdir, f"out-{next(counter)}")
            return [*cli, "--output", out, "--algorithms", algorithms, "--chunk", chunk]

        cases: list[tuple[str, str, object]] = [
            ("cybercap acquire", "sha256", lambda: ours("sha256")),
            ("sha256sum", "sha256", lambda: ["sha256sum", path]),
            ("openssl dgst", "sha256", lambda: ["openssl", "dgst", "-sha256", path]),
            ("hashdeep", "sha256", lambda: ["hashdeep", "-c", "sha256", path]),
            ("cybercap acquire", "md5+sha1+sha256", lambda: ours("md5,sha1")),
            ("cybercap acquire 4M", "md5+sha1+sha256", lambda: ours("md5,sha1", "4M")),
            ("md5sum", "md5", lambda: ["md5sum", path]),
            ("hashdeep", "md5+sha1+sha256", lambda: ["hashdeep", "-c", "md5,sha1,sha256", path]),
        ]
        rows = []
        for label, algorithms, make in cases:
            best, peak = float("inf"), 0
            for _ in range(args.runs):
                seconds, rss = timed(make())  # type: ignore[operator]
                best, peak = min(best, seconds), max(peak, rss)
            rows.append((label, algorithms, best, size / MiB / best, peak / 1024))
        print(f"\n{args.size_mib} MiB file in the page cache, {os.cpu_count()} CPUs,"
              f" best of {args.runs} runs, load average {os.getloadavg()[0]:.1f}\n")  # fmt: skip
        print(f"{'tool':<22} {'algorithms':<16} {'seconds':>8} {'MiB/s':>8} {'peak RSS MiB':>13}")
        print("-" * 71)
        for label, algorithms, seconds, rate, rss in rows:
            print(f"{label:<22} {algorithms:<16} {seconds:>8.2f} {rate:>8.0f} {rss:>13.1f}")
        rate = {(label, algorithms): r for label, algorithms, _, r, _ in rows}
        ours3 = rate[("cybercap acquire", "md5+sha1+sha256")]
        ours1 = rate[("cybercap acquire", "sha256")]
        print()
        print(f"sha256 alone vs sha256sum:        {ours1 / rate[('sha256sum', 'sha256')]:.2f}x")
        print(f"sha256 alone vs openssl dgst:     {ours1 / rate[('openssl dgst', 'sha256')]:.2f}x")
        print(f"three algorithms vs md5sum alone: {ours3 / rate[('md5sum', 'md5')]:.2f}x")
        print(
            "three algorithms vs hashdeep:     "
            f"{ours3 / rate[('hashdeep', 'md5+sha1+sha256')]:.2f}x"
        )
    finally:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
