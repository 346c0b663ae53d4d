"""Throughput and memory of `cybercap evidence acquire` against the tools practitioners use.

One run measures, on the same file in the page cache (default 2 GiB: random 16 MiB blocks
repeated), every command below as a subprocess, in rounds (each round runs every command
once, so a machine whose load changes treats them alike), and prints the best and the median
of the rounds:

* MD5+SHA-1+SHA-256 in one pass: `cybercap evidence acquire`, `hashdeep -c md5,sha1,sha256`
  and `dc3dd hash=md5 hash=sha1 hash=sha256`, against `md5sum` (MD5 on one core is the
  ceiling of any one-pass tool computing MD5);
* SHA-256 alone: `cybercap evidence acquire --algorithms sha256` against `sha256sum` and
  `openssl dgst -sha256`;
* peak memory (the child's maximum RSS, from wait4) of `acquire` as the input grows
  (default 256 MiB and 2 GiB);
* a directory of 100,000 small files: `acquire` against `hashdeep -r -c md5,sha1,sha256`.

It then prints the ratios against the issue's targets: three algorithms at >= 90 % of
md5sum's throughput, SHA-256 alone at >= 90 % of openssl's. Missing tools are installed from
Debian's packages (`hashdeep`, `dc3dd`; as root, or with sudo). The files are deleted at the
end.

    .venv/bin/python bench/bench_evidence_hash.py [--size-mib 2048] [--small-mib 256]
        [--files 100000] [--runs 3] [--skip-small-files]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MiB = 1024 * 1024
TARGET = 0.90
# command -> Debian package (checked with apt-cache: both are in bookworm/main)
PACKAGES = {
    "md5sum": "coreutils",
    "sha256sum": "coreutils",
    "openssl": "openssl",
    "hashdeep": "hashdeep",
    "dc3dd": "dc3dd",
}


def ensure_tools() -> None:
    missing = sorted({pkg for cmd, pkg in PACKAGES.items() if shutil.which(cmd) is None})
    if not missing:
        return
    print(f"installing Debian packages: {' '.join(missing)}", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    still = [cmd for cmd in PACKAGES if shutil.which(cmd) is None]
    if still:
        raise SystemExit(f"still missing after apt-get: {', '.join(still)}")


def make_file(path: str, size: int) -> None:
    block = os.urandom(16 * MiB)
    with open(path, "wb") as handle:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            handle.write(piece)
            left -= len(piece)
    warm(path)


def warm(path: str) -> None:
    """Read a file (or every file below a directory) so that it is in the page cache."""
    paths = [path]
    if os.path.isdir(path):
        paths = [os.path.join(d, name) for d, _dirs, names in os.walk(path) for name in names]
    for name in paths:
        with open(name, "rb") as handle:
            while handle.read(16 * MiB):
                pass


def make_small_files(root: str, count: int) -> int:
    """``count`` files of 0 to 8 KiB (mean 4 KiB) in directories of 1,000; returns bytes."""
    rng = random.Random(6)
    payload = os.urandom(8192)
    total = 0
    for index in range(count):
        directory = os.path.join(root, f"d{index // 1000:03d}")
        if index % 1000 == 0:
            os.makedirs(directory)
        size = rng.randrange(0, 8193)
        with open(os.path.join(directory, f"f{index:06d}.bin"), "wb") as handle:
            handle.write(payload[:size])
        total += size
    warm(root)
    return total


@dataclass
class Measure:
    label: str
    algorithms: str
    command: Callable[[], list[str]]
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peak_kib: int = 0

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def _vm_hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, from wait4) and peak RSS (KiB) of one run.

    The peak is the child's VmHWM, polled every 10 ms (ru_maxrss would count the Python
    parent's pages that the child had before exec).
    """
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _vm_hwm_kib(proc.pid))
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}: {message}")
    return elapsed, usage.ru_utime + usage.ru_stime, peak


def run_rounds(measures: list[Measure], runs: int) -> None:
    for round_ in range(runs):
        for measure in measures:
            wall, cpu, peak = timed(measure.command())
            measure.walls.append(wall)
            measure.cpus.append(cpu)
            measure.peak_kib = max(measure.peak_kib, peak)
        print(f"  round {round_ + 1}/{runs} done, load {os.getloadavg()[0]:.1f}", file=sys.stderr)


def table(measures: list[Measure], size: int, unit: str = "MiB/s") -> None:
    head = f"{'tool':<26} {'algorithms':<16} {'best s':>7} {'median s':>9} {unit:>8} {'CPU s':>6}"
    print(head + f" {'peak RSS MiB':>13}")
    print("-" * (len(head) + 14))
    for m in measures:
        rate = size / m.best
        print(
            f"{m.label:<26} {m.algorithms:<16} {m.best:>7.2f} {m.median:>9.2f} {rate:>8.0f}"
            f" {min(m.cpus):>6.2f} {m.peak_kib / 1024:>13.1f}"
        )


def verdict(name: str, ratio: float) -> str:
    mark = "met" if ratio >= TARGET else "MISSED"
    return f"{name:<52} {ratio:>5.2f}  (target >= {TARGET:.2f}: {mark})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=2048, help="the big file (2048)")
    parser.add_argument("--small-mib", type=int, default=256, help="the smaller file (256)")
    parser.add_argument("--files", type=int, default=100_000, help="small files (100000)")
    parser.add_argument("--runs", type=int, default=3, help="rounds (3)")
    parser.add_argument("--skip-small-files", action="store_true")
    args = parser.parse_args()
    ensure_tools()
    workdir = tempfile.mkdtemp(prefix="bench-evidence-", dir="/tmp")
    big = os.path.join(workdir, "image.bin")
    small = os.path.join(workdir, "small.bin")
    counter = iter(range(100_000))
    cli = [sys.executable, "-m", "cybercap", "evidence", "acquire"]

    def ours(source: str, algorithms: str, chunk: str = "2M") -> Callable[[], list[str]]:
        def command() -> list[str]:
            out = os.path.join(workdir, f"out-{next(counter)}")
            return [
                *cli, source, "--case", "B", "--exhibit", "B", "--examiner", "bench",
                "--output", out, "--algorithms", algorithms, "--chunk", chunk, "--quiet",
            ]  # fmt: skip

        return command

    try:
        size = args.size_mib * MiB
        print(f"writing {args.size_mib} MiB and {args.small_mib} MiB files ...", file=sys.stderr)
        make_file(big, size)
        make_file(small, args.small_mib * MiB)
        three = "md5+sha1+sha256"
        measures = [
            Measure("cybercap acquire", three, ours(big, "sha256,sha1,md5")),
            Measure("cybercap acquire --chunk 4M", three, ours(big, "sha256,sha1,md5", "4M")),
            Measure("md5sum", "md5", lambda: ["md5sum", big]),
            Measure("hashdeep", three, lambda: ["hashdeep", "-c", "md5,sha1,sha256", big]),
            Measure(
                "dc3dd",
                three,
                lambda: [
                    "dc3dd",
                    f"if={big}",
                    "of=/dev/null",
                    "hash=md5",
                    "hash=sha1",
                    "hash=sha256",
                    "nwspc=on",
                ],
            ),
            Measure("cybercap acquire", "sha256", ours(big, "sha256")),
            Measure("sha256sum", "sha256", lambda: ["sha256sum", big]),
            Measure("openssl dgst -sha256", "sha256", lambda: ["openssl", "dgst", "-sha256", big]),
            Measure(f"cybercap acquire {args.small_mib} MiB", three, ours(small, "md5,sha1")),
        ]
        print(f"timing {len(measures)} commands, {args.runs} rounds ...", file=sys.stderr)
        load_before = os.getloadavg()[0]
        run_rounds(measures, args.runs)
        rows = measures[:-1]
        print(
            f"\n{args.size_mib} MiB file in the page cache, {os.cpu_count()} CPUs, {args.runs}"
            f" rounds, load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}\n"
        )
        table(rows, args.size_mib)
        rate = {(m.label, m.algorithms): args.size_mib / m.best for m in rows}
        ours3 = max(rate[("cybercap acquire", three)], rate[("cybercap acquire --chunk 4M", three)])
        ours1 = rate[("cybercap acquire", "sha256")]
        print("\nratios of best-of-round throughputs")
        md5sum, openssl = rate[("md5sum", "md5")], rate[("openssl dgst -sha256", "sha256")]
        print(verdict("three algorithms vs md5sum (MD5 alone)", ours3 / md5sum))
        print(verdict("sha256 alone vs openssl dgst -sha256", ours1 / openssl))
        for name, other in (
            ("three algorithms vs hashdeep (same three)", rate[("hashdeep", three)]),
            ("three algorithms vs dc3dd (same three)", rate[("dc3dd", three)]),
            ("sha256 alone vs sha256sum", rate[("sha256sum", "sha256")]),
        ):
            print(f"{name:<52} {ours3 / other if 'three' in name else ours1 / other:>5.2f}x")
        gib = args.size_mib / 1024
        cpu = {m.label + " " + m.algorithms: min(m.cpus) / gib for m in rows}
        print(
            "\nCPU seconds per GiB (load-independent): acquire three algorithms"
            f" {cpu['cybercap acquire ' + three]:.2f}, md5sum {cpu['md5sum md5']:.2f},"
            f" hashdeep {cpu['hashdeep ' + three]:.2f}, dc3dd {cpu['dc3dd ' + three]:.2f};"
            f" acquire sha256 {cpu['cybercap acquire sha256']:.2f},"
            f" openssl {cpu['openssl dgst -sha256 sha256']:.2f}"
        )
        small_peak, big_peak = measures[-1].peak_kib / 1024, measures[0].peak_kib / 1024
        print(
            f"\npeak RSS of acquire (three algorithms): {args.small_mib} MiB input"
            f" {small_peak:.1f} MiB, {args.size_mib} MiB input {big_peak:.1f} MiB"
            f" ({big_peak - small_peak:+.1f} MiB for {args.size_mib // args.small_mib}x the input)"
        )
        os.unlink(big)
        os.unlink(small)
        if not args.skip_small_files:
            tree = os.path.join(workdir, "tree")
            os.mkdir(tree)
            print(f"writing {args.files} small files ...", file=sys.stderr)
            total = make_small_files(tree, args.files)
            files = [
                Measure("cybercap acquire", three, ours(tree, "sha256,sha1,md5")),
                Measure(
                    "hashdeep -r",
                    three,
                    lambda: ["hashdeep", "-r", "-c", "md5,sha1,sha256", tree],
                ),
            ]
            run_rounds(files, args.runs)
            print(
                f"\n{args.files} files of 0 to 8 KiB ({total / MiB:.0f} MiB) in"
                f" {args.files // 1000} directories, in the page cache\n"
            )
            table(files, args.files, unit="files/s")
            ratio = files[1].best / files[0].best
            print(f"\n{'acquire vs hashdeep -r (files per second)':<52} {ratio:>5.2f}x")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
