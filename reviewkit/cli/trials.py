"""reviewkit trials import|fetch|diff"""

from __future__ import annotations

import sys
from datetime import UTC
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("trials", help="registered trials: import, fetch snapshots, diff editions")
    tsub = p.add_subparsers(dest="trials_command", required=True, metavar="ACTION")

    i = tsub.add_parser("import", help="API v2 JSON, website CSV/JSON exports or snapshots -> one normalized table")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("-o", "--output", default="-", help="CSV file, or - for standard output (default)")
    i.add_argument("--skip-invalid", action="store_true", help="keep the valid rows and list the skipped ones")
    i.set_defaults(run=run_import)

    f = tsub.add_parser("fetch", help="query the ClinicalTrials.gov API v2 into a dated snapshot (needs internet)")
    f.add_argument("--condition", default="")
    f.add_argument("--term", default="")
    f.add_argument("--intervention", default="")
    f.add_argument("--status", action="append", default=[], help="e.g. RECRUITING (repeatable)")
    f.add_argument("--snapshot", required=True, help="folder to create, e.g. references/trials/2026-11-22")
    f.add_argument("--page-size", type=int, default=1000)
    f.add_argument("--api", default="https://clinicaltrials.gov/api/v2", help=argparse_suppress())
    f.set_defaults(run=run_fetch)

    d = tsub.add_parser("diff", help="what changed between two snapshots or tables")
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("-o", "--output", help="write the change table as CSV")
    d.set_defaults(run=run_diff)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def run_import(args) -> int:
    from ..atomic import check_target
    from ..atomic import write as atomic_write
    from ..trials import to_csv
    from ..trials.table import read

    if args.output != "-":
        check_target(args.output)
    got = read(args.files, skip_invalid=args.skip_invalid)
    df, skipped = got.table, got.skipped
    for w in got.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for s in skipped:
        print(f"skipped: {s}", file=sys.stderr)
    text = to_csv(df)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        atomic_write(Path(args.output), text)
    print(f"{len(df)} trials" + (f", skipped {len(skipped)} invalid" if skipped else ""), file=sys.stderr)
    return 0


def run_fetch(args) -> int:
    from datetime import datetime

    from ..errors import InputError
    from ..trials import snapshots
    from ..trials.ctgov import Client, Query
    from ..vocab import normalize_status

    statuses = []
    for s in args.status:
        st = normalize_status(s)
        if not st:
            raise InputError(f"unknown status {s!r}")
        statuses.append(st)
    query = Query(args.condition, args.term, args.intervention, statuses)
    if not query.params():
        raise InputError("give at least one of --condition, --term, --intervention, --status")
    target = Path(args.snapshot)
    if target.exists():
        raise InputError("snapshot folder already exists; choose a new date or remove it", source=str(target))
    client = Client(args.api, page_size=args.page_size)
    version = client.version()
    studies = client.studies(query, log=lambda m: print(m, file=sys.stderr))
    manifest = {
        "query": query.params(),
        "api": args.api,
        "api_version": version.get("apiVersion", ""),
        "data_timestamp": version.get("dataTimestamp", ""),
        "fetched": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    snapshots.write(target, studies, manifest)
    print(f"wrote {len(studies)} studies to {target}", file=sys.stderr)
    return 0


def run_diff(args) -> int:
    from ..atomic import check_target
    from ..atomic import write as atomic_write
    from ..trials import read_table
    from ..trials.diff import diff, summary

    if args.output:
        check_target(args.output)
    changes = diff(read_table(args.old), read_table(args.new))
    print(summary(changes, old_label=Path(args.old).name))
    if args.output:
        atomic_write(Path(args.output), changes.to_csv(index=False, lineterminator="\n"))
    else:
        sys.stdout.write(changes.to_csv(index=False, lineterminator="\n"))
    return 0
