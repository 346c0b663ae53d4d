"""Time to render the tailored review report: one country, then all eleven, in every form.

Builds each country's report from synthetic sample data (the real framework, deterministic
levels, a 2018 cycle to compare), then times, per country and form, the charts it needs plus
the renderer: HTML (SVG charts + templates), PDF (SVG charts + templates + WeasyPrint) and Word
(PNG charts + python-docx). Prints wall-clock and CPU seconds and the machine's load, since the
host is shared. Target: under 2 s per country report.

Every timed render is fresh: the in-process chart cache is emptied first, so each figure includes
drawing the charts. They are measured in a warm process (imports done, fonts and templates
loaded by one earlier render of the same form), as in a worker that renders many reports: best
and median of --runs. The very first PDF of a new process (cold: imports, font loading, template
compilation included) is measured separately in a child process and printed too. A last table
shows what a repeated download of an unchanged report costs (``render_report_cached``: the file
comes from the cache, keyed on the content's fingerprint).

    .venv/bin/python bench/bench_reports.py [--country TH] [--runs 5] [--skip-all] [--skip-cold]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

IMPORT_STARTED = time.perf_counter()  # the cold figure reports the imports below separately
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cybercap.settings")

import django  # noqa: E402

django.setup()
for name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(name).setLevel(logging.ERROR)

from django.core.cache import cache  # noqa: E402

from cybercap.reviews.report import charts as charts_module  # noqa: E402
from cybercap.reviews.report import docx as _docx  # noqa: E402,F401 - imported before timing
from cybercap.reviews.report import pdf as _pdf  # noqa: E402,F401
from cybercap.reviews.report.charts import report_charts  # noqa: E402
from cybercap.reviews.report.data import ReportData, sample_countries, sample_report_data  # noqa: E402
from cybercap.reviews.report.export import render_report, render_report_cached  # noqa: E402


def render_html(data: ReportData) -> int:
    return len(render_report(data, "html"))


def render_pdf(data: ReportData) -> int:
    return len(render_report(data, "pdf"))


def render_docx(data: ReportData) -> int:
    return len(render_report(data, "docx"))


FORMS: dict[str, Callable[[ReportData], int]] = {
    "html": render_html,
    "pdf": render_pdf,
    "docx": render_docx,
}
# The parts, for one country only: where the time of a form goes.
PARTS: dict[str, Callable[[ReportData], int]] = {
    "charts svg": lambda d: sum(len(c.content) for c in report_charts(d, "svg").values()),
    "charts png": lambda d: sum(len(c.content) for c in report_charts(d, "png").values()),
}


def forget_charts() -> None:
    charts_module._overview_drawing.cache_clear()
    charts_module._pillar_drawing.cache_clear()


def timed(
    function: Callable[[ReportData], int], data: ReportData, *, cold: bool = True
) -> tuple[float, float, int]:
    if cold:
        forget_charts()
    wall, cpu = time.perf_counter(), time.process_time()
    size = function(data)
    return time.perf_counter() - wall, time.process_time() - cpu, size


def cold_child(country: str) -> None:
    """In a new process: the first PDF, and the same report again once warm, for comparison."""
    imports = time.perf_counter() - IMPORT_STARTED
    data = sample_report_data(country)
    first = timed(render_pdf, data)
    second = timed(render_pdf, data)
    print(f"{'form':<6} {'wall s':>8} {'cpu s':>8} {'size KiB':>10}")
    print(f"{'pdf':<6} {first[0]:8.2f} {first[1]:8.2f} {first[2] / 1024:10.0f}  first render")
    print(f"imports (Django setup, WeasyPrint, matplotlib, python-docx): {imports:.2f} s wall")
    print(f"{'pdf':<6} {second[0]:8.2f} {second[1]:8.2f} {second[2] / 1024:10.0f}  second render")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--country", default="TH")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-all", action="store_true", help="only the one country")
    parser.add_argument("--skip-cold", action="store_true", help="no cold-process render")
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        cold_child(args.country)
        return

    started = time.perf_counter()
    data = sample_report_data(args.country)
    print(
        f"sample data for {args.country} (framework loaded once): "
        f"{time.perf_counter() - started:.2f} s"
    )
    for function in FORMS.values():  # warm up: imports, fonts, template loading
        function(data)

    print(
        f"\nOne country ({args.country}), fresh report in a warm process, best and median of "
        f"{args.runs}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(
        f"{'form':<6} {'wall s':>8} {'cpu s':>8} {'med wall':>9} {'med cpu':>8} "
        f"{'size KiB':>10}  target < 2 s"
    )
    for form, function in FORMS.items():
        runs = [timed(function, data) for _ in range(args.runs)]
        wall, cpu, size = min(runs)
        median_wall = statistics.median(r[0] for r in runs)
        median_cpu = statistics.median(r[1] for r in runs)
        verdict = "ok" if wall < 2.0 else "OVER"
        print(
            f"{form:<6} {wall:8.2f} {cpu:8.2f} {median_wall:9.2f} {median_cpu:8.2f} "
            f"{size / 1024:10.0f}  {verdict}"
        )
    for part, function in PARTS.items():
        wall, cpu, size = min(timed(function, data) for _ in range(args.runs))
        print(f"  {part:<10} {wall:6.2f} {cpu:8.2f} {size / 1024:10.0f}  (part of the above)")

    if not args.skip_cold:
        print(f"\nCold: the first PDF of a new process; load average {os.getloadavg()[0]:.2f}")
        result = subprocess.run(
            [sys.executable, __file__, "--country", args.country, "--cold-child"],
            capture_output=True,
            text=True,
            check=True,
        )
        print(result.stdout.rstrip())

    cache.clear()
    print("\nRepeated download of the unchanged report (content-hash cache), best of runs")
    for form in ("pdf", "docx"):
        render_report_cached(data, form)
        runs = [
            timed(lambda d, f=form: len(render_report_cached(d, f)), data, cold=False)
            for _ in range(args.runs)
        ]
        wall, cpu, size = min(runs)
        print(f"{form:<6} {wall:8.3f} {cpu:8.3f} {size / 1024:10.0f}")

    if args.skip_all:
        return
    countries = sample_countries()
    print(f"\nAll {len(countries)} countries, one run each; load average {os.getloadavg()[0]:.2f}")
    print(f"{'form':<6} {'total s':>8} {'cpu s':>8} {'mean s':>8} {'max s':>8} {'slowest':>8}")
    reports = {code: sample_report_data(code) for code in countries}
    for form, function in FORMS.items():
        results = {code: timed(function, reports[code]) for code in countries}
        total = sum(r[0] for r in results.values())
        cpu = sum(r[1] for r in results.values())
        slowest = max(results, key=lambda code: results[code][0])
        print(
            f"{form:<6} {total:8.2f} {cpu:8.2f} {total / len(countries):8.2f} "
            f"{results[slowest][0]:8.2f} {slowest:>8}"
        )


if __name__ == "__main__":
    main()
