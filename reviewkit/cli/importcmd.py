"""reviewkit import FILE ... [--from FORMAT] [--to bibtex|csljson|ris] [-o OUT|-] [--report FILE] [--skip-invalid]"""

from __future__ import annotations

import sys
from pathlib import Path

WRITERS = {"bibtex": "bibtex", "csljson": "csljson", "ris": "ris"}


def add_parser(sub) -> None:
    from ..citations import FORMATS

    p = sub.add_parser("import", help="read citation files of any format, merge duplicates, write one bibliography")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--from", dest="fmt", choices=sorted(FORMATS), help="input format (default: from content, then suffix)")
    p.add_argument("--to", choices=sorted(WRITERS), default=None, help="output format (default: from -o suffix, else bibtex)")
    p.add_argument("-o", "--output", default="-", help="output file, or - for standard output (default)")
    p.add_argument("--report", metavar="FILE", help="write every merge decision (and skipped record) to FILE")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid records and list the skipped ones")
    p.add_argument("--encoding", default="utf-8", help="text encoding of the input files (default: utf-8)")
    p.set_defaults(run=run)


def _out_format(args) -> str:
    if args.to:
        return args.to
    name = args.output.lower()
    if name.endswith((".json", ".csljson")):
        return "csljson"
    if name.endswith(".ris"):
        return "ris"
    return "bibtex"


def run(args) -> int:
    import importlib

    from ..citations import load_bibliography
    from ..atomic import write as atomic_write

    warnings: list[str] = []
    skipped: list[str] = []
    result = load_bibliography(args.files, warnings=warnings, fmt=args.fmt, encoding=args.encoding,
                               skip_invalid=args.skip_invalid, skipped=skipped)
    module = importlib.import_module(f"..citations.{WRITERS[_out_format(args)]}", __package__)
    text = module.dumps(result.bibliography)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    for s in skipped:
        print(f"skipped: {s}", file=sys.stderr)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        atomic_write(Path(args.output), text)
    if args.report:
        lines = [result.summary(), *result.decisions, *(f"skipped {s}" for s in skipped)]
        atomic_write(Path(args.report), "\n".join(lines) + "\n")
    print(result.summary() + (f", skipped {len(skipped)} invalid" if skipped else ""), file=sys.stderr)
    return 0
