"""``cybercap evidence ...``: the field CLI. No Django, no settings, no network.

Exit status: 0 clean (acquire) or everything matched (verify); 1 the acquisition recorded
errors, or verification found differences; 2 the command could not run (usage, unreadable
source, output not writable); nothing half-written is left behind.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence

from cybercap.evidence.field.acquire import AcquireRequest, AcquisitionError, acquire
from cybercap.evidence.field.hashing import (
    ALGORITHMS,
    DEFAULT_CHUNK,
    AlgorithmError,
    parse_algorithms,
)
from cybercap.evidence.field.progress import Progress, human_bytes
from cybercap.evidence.field.verify import VerifyError, verify

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_FAILED = 2

_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``4096``, ``64K``, ``1M``, ``2MiB``, ``1G`` -> bytes (binary units)."""
    match = _SIZE_RE.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1048576, 64K, 1M, 1GiB)")
    number = int(match.group(1))
    power = " KMGT".index((match.group(2) or " ").upper())
    value = number * 1024**power
    if value <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cybercap evidence",
        description="Hash evidence and check it later, with no server and no network.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    acq = sub.add_parser(
        "acquire",
        help="hash a directory tree, a file or a block device into a manifest",
        description="Hash SOURCE in one read pass with several algorithms and write "
        "manifest.json, manifest.hashdeep and SHA256SUMS into OUTPUT.",
    )
    acq.add_argument("source", metavar="SOURCE")
    acq.add_argument("--case", required=True, metavar="ID")
    acq.add_argument("--exhibit", required=True, metavar="ID")
    acq.add_argument("--examiner", required=True, metavar="NAME")
    acq.add_argument("--output", required=True, metavar="DIR")
    acq.add_argument(
        "--algorithms",
        default="sha256,sha1,md5",
        help=f"comma-separated; sha256 is always included (available: {', '.join(ALGORITHMS)})",
    )
    acq.add_argument(
        "--piece",
        type=parse_size,
        default=None,
        metavar="SIZE",
        help="also hash each window of SIZE bytes (piecewise hashes, e.g. 64M)",
    )
    acq.add_argument(
        "--chunk",
        type=parse_size,
        default=DEFAULT_CHUNK,
        metavar="SIZE",
        help="read size, 1M to 4M (default 2M)",
    )
    acq.add_argument("--quiet", action="store_true", help="no progress output")

    ver = sub.add_parser(
        "verify",
        help="re-hash a source and compare it with its manifest",
        description="Re-hash and report matched, changed, missing, new and moved files.",
    )
    ver.add_argument("manifest", metavar="DIR_OR_MANIFEST")
    ver.add_argument("root", nargs="?", metavar="ROOT", help="where the source is now")
    ver.add_argument("--source", dest="source", metavar="SOURCE", help="same as ROOT")
    ver.add_argument("--json", action="store_true", help="print the report as JSON")
    ver.add_argument("--quiet", action="store_true", help="no progress output")
    return parser


def _acquire(args: argparse.Namespace, argv: Sequence[str]) -> int:
    try:
        algorithms = parse_algorithms(args.algorithms)
    except AlgorithmError as exc:
        print(f"cybercap evidence: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not 1024 * 1024 <= args.chunk <= 4 * 1024 * 1024:
        print("cybercap evidence: --chunk must be between 1M and 4M", file=sys.stderr)
        return EXIT_FAILED
    request = AcquireRequest(
        source=args.source,
        case=args.case,
        exhibit=args.exhibit,
        examiner=args.examiner,
        output=args.output,
        algorithms=algorithms,
        chunk_size=args.chunk,
        piece_size=args.piece,
        command=list(argv),
    )
    progress = Progress("acquire", quiet=args.quiet)
    try:
        result = acquire(request, progress=progress)
    except AcquisitionError as exc:
        print(f"cybercap evidence: {exc}", file=sys.stderr)
        return EXIT_FAILED
    summary = result.manifest["summary"]
    state = "clean" if result.clean else f"NOT CLEAN: {summary['errors']} errors recorded"
    print(
        f"acquired {summary['files']} files, {human_bytes(summary['bytes'])} "
        f"({summary['bytes']} bytes) into {result.output}: {state}"
    )
    for problem in result.problems:
        print(f"  error  ./{problem.as_json()['path']}: {problem.kind}: {problem.detail}")
    for warning in result.warnings:
        print(f"  warning  {warning}")
    return EXIT_CLEAN if result.clean else EXIT_FINDINGS


def _verify(args: argparse.Namespace) -> int:
    if args.root and args.source:
        print("cybercap evidence: give ROOT or --source, not both", file=sys.stderr)
        return EXIT_FAILED
    progress = Progress("verify", quiet=args.quiet or args.json)
    try:
        report = verify(args.manifest, args.root or args.source, progress=progress)
    except VerifyError as exc:
        print(f"cybercap evidence: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return EXIT_CLEAN if report.ok else EXIT_FINDINGS
    counts = report.as_json()["counts"]
    verdict = "VERIFIED: every file matches" if report.ok else "DIFFERENCES FOUND"
    print(f"{verdict} ({report.manifest_path} against {report.root})")
    for name in ("matched", "changed", "missing", "new", "moved", "errors"):
        print(f"  {name:<8} {counts[name]}")
    for item in report.changed:
        print(f"changed  ./{item.path}: {item.detail}")
    for path in report.missing:
        print(f"missing  ./{path}")
    for path in report.new:
        print(f"new      ./{path}")
    for old, new in report.moved:
        print(f"moved    ./{old} -> ./{new}")
    for problem in report.errors:
        print(f"error    ./{problem.as_json()['path']}: {problem.kind}: {problem.detail}")
    for problem in report.known:
        print(
            f"known    ./{problem.as_json()['path']}: {problem.kind}: {problem.detail}"
            " (recorded at acquisition)"
        )
    return EXIT_CLEAN if report.ok else EXIT_FINDINGS


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "acquire":
        return _acquire(args, argv)
    return _verify(args)
