"""``cybercap evidence ...``: the field CLI. No Django, no settings, no network.

Exit status: 0 clean (acquire) or everything matched (verify); 1 the acquisition recorded
errors, or verification found differences; 2 the command could not run (usage, unreadable
source, output not writable); nothing half-written is left behind.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
from collections.abc import Sequence

from cybercap.evidence.field import custody, minisign
from cybercap.evidence.field.acquire import AcquireRequest, AcquisitionError, acquire
from cybercap.evidence.field.hashing import (
    ALGORITHMS,
    DEFAULT_CHUNK,
    AlgorithmError,
    parse_algorithms,
)
from cybercap.evidence.field.manifest import ManifestError
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

    exp = sub.add_parser(
        "export-case",
        help="write the acquisition and its custody chain as a CASE/UCO JSON-LD graph",
        description="Express MANIFEST.json (and the custody log) in CASE/UCO JSON-LD, "
        "which case_validate (PyPI case-utils) checks. The custody chain is checked first; "
        "with --pubkey its signed checkpoint too.",
    )
    exp.add_argument("manifest", metavar="MANIFEST.json", help="or the directory holding it")
    exp.add_argument("--custody", metavar="LOG", help="the custody log of the exhibit")
    exp.add_argument(
        "--pubkey", nargs="+", metavar="PUBFILE", help="also check the log's signed checkpoint"
    )
    exp.add_argument("--output", required=True, metavar="FILE.jsonld")

    cus = sub.add_parser("custody", help="the signed, hash-chained chain-of-custody log")
    csub = cus.add_subparsers(dest="custody_command", required=True)
    keygen = csub.add_parser("keygen", help="make an Ed25519 key pair in minisign format")
    keygen.add_argument("--output", required=True, metavar="KEYFILE")
    keygen.add_argument("--passphrase", action="store_true", help=_KEY_PHRASE_HELP)
    rec = csub.add_parser("record", help="append a signed event (creates LOG at first)")
    rec.add_argument("log", metavar="LOG")
    rec.add_argument("--key", required=True, metavar="KEYFILE")
    rec.add_argument("--action", required=True, choices=custody.ACTIONS)
    rec.add_argument("--case", required=True, metavar="ID")
    rec.add_argument("--exhibit", required=True, metavar="ID")
    rec.add_argument("--actor", required=True, metavar="NAME")
    rec.add_argument("--manifest", metavar="MANIFEST.json", help="carry its items' hashes")
    rec.add_argument("--to", metavar="NAME", help="the counterparty of a transfer")
    rec.add_argument("--reason", metavar="TEXT", help="reason or legal authority")
    rec.add_argument("--location", metavar="TEXT")
    rec.add_argument("--passphrase", action="store_true", help=_KEY_PHRASE_HELP)
    cver = csub.add_parser("verify", help="check the chain and the signed checkpoint")
    cver.add_argument("log", metavar="LOG")
    cver.add_argument("--pubkey", required=True, nargs="+", metavar="PUBFILE")
    show = csub.add_parser("show", help="print the events one per line")
    show.add_argument("log", metavar="LOG")
    return parser


_KEY_PHRASE_HELP = "ask for a passphrase (otherwise CYBERCAP_KEY_PASSPHRASE, if set, is used)"
_KEY_PHRASE_ENV = "CYBERCAP_KEY_PASSPHRASE"


def _passphrase(ask: bool, *, confirm: bool) -> str | None:
    if ask:
        first = getpass.getpass("Passphrase: ")
        if confirm and getpass.getpass("Again: ") != first:
            raise minisign.MinisignError("the passphrases differ")
        return first or None
    return os.environ.get(_KEY_PHRASE_ENV) or None


def _fail(message: str) -> int:
    print(f"cybercap evidence: {message}", file=sys.stderr)
    return EXIT_FAILED


def _custody(args: argparse.Namespace) -> int:
    command = args.custody_command
    try:
        if command == "keygen":
            secret = minisign.generate()
            text = minisign.secret_key_text(secret, _passphrase(args.passphrase, confirm=True))
            minisign.write_private(args.output, text)
            minisign.write_private(args.output + ".pub", secret.public.text())
            os.chmod(args.output + ".pub", 0o644)
            print(f"key {minisign.key_id_text(secret.key_id)}: {args.output}, {args.output}.pub")
            return EXIT_CLEAN
        if command == "record":
            with open(args.key, encoding="ascii") as handle:
                secret = minisign.load_secret_key(
                    handle.read(), _passphrase(args.passphrase, confirm=False)
                )
            items, reference = (
                custody.items_from_manifest(args.manifest) if args.manifest else ([], None)
            )
            event = custody.record(
                args.log,
                secret,
                custody.EventInput(
                    action=args.action,
                    case_id=args.case,
                    exhibit=args.exhibit,
                    actor=args.actor,
                    counterparty=args.to,
                    reason=args.reason,
                    location=args.location,
                    items=items,
                    manifest=reference,
                ),
            )
            print(f"recorded event {event['seq']} ({event['action']}) in {args.log}")
            return EXIT_CLEAN
        if command == "verify":
            keys = []
            for path in args.pubkey:
                with open(path, encoding="ascii") as handle:
                    keys.append(minisign.load_public_key(handle.read()))
            report = custody.verify(args.log, keys)
            if report.ok:
                print(
                    f"VERIFIED: {report.entries} entries, head {report.head},"
                    f" signed by key {report.signed_by}"
                )
                return EXIT_CLEAN
            print(f"TAMPERED OR INCOMPLETE: {args.log}")
            for problem in report.problems:
                print(f"  {problem}")
            return EXIT_FINDINGS
        _lines, report = custody.read_events(args.log)
        for event in report.events:
            party = f" -> {event['counterparty']}" if event.get("counterparty") else ""
            print(
                f"{event.get('seq')}  {event.get('time')}  {event.get('action'):<8}"
                f"  {event.get('case_id')}/{event.get('exhibit')}  {event.get('actor')}{party}"
                f"  items={len(event.get('items') or [])}"
            )
        for problem in report.problems:
            print(f"  problem: {problem}")
        return EXIT_CLEAN if report.ok else EXIT_FINDINGS
    except (OSError, minisign.MinisignError, custody.CustodyError, ManifestError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        name = getattr(exc, "filename", None)
        return _fail(f"{name}: {detail}" if name else detail)


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


def _export_case(args: argparse.Namespace) -> int:
    from cybercap.evidence.field.case import CaseExportError, build_case_graph, write_graph
    from cybercap.evidence.field.manifest import load_manifest

    if args.pubkey and not args.custody:
        return _fail("--pubkey checks a custody log: give --custody LOG too")
    try:
        manifest, _path = load_manifest(args.manifest)
        entries: list[dict] = []
        if args.custody:
            if args.pubkey:
                keys = []
                for path in args.pubkey:
                    with open(path, encoding="ascii") as handle:
                        keys.append(minisign.load_public_key(handle.read()))
                report = custody.verify(args.custody, keys)
            else:
                _lines, report = custody.read_events(args.custody)
            if not report.ok:
                print(f"cybercap evidence: {args.custody} does not verify; nothing exported:")
                for problem in report.problems:
                    print(f"  {problem}")
                return EXIT_FINDINGS
            entries = report.events
            if not entries:
                return _fail(f"{args.custody}: the custody log is empty")
            other = sorted({str(e.get("case_id")) for e in entries} - {manifest["case"]})
            if other:
                return _fail(
                    f"{args.custody} holds events of case {', '.join(other)}, but the manifest"
                    f" is of case {manifest['case']}"
                )
        graph = build_case_graph(manifest, entries)
        write_graph(args.output, graph)
    except (OSError, ManifestError, CaseExportError, minisign.MinisignError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        name = getattr(exc, "filename", None)
        return _fail(f"{name}: {detail}" if name else detail)
    nodes = len(graph["@graph"])
    chain = f" and {len(entries)} custody events" if entries else ""
    print(f"exported the acquisition{chain} as CASE/UCO JSON-LD ({nodes} nodes): {args.output}")
    return EXIT_CLEAN


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "acquire":
        return _acquire(args, argv)
    if args.command == "export-case":
        return _export_case(args)
    if args.command == "custody":
        return _custody(args)
    return _verify(args)
