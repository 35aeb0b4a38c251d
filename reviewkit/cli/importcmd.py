"""reviewkit import FILE ... [--from FORMAT] [--to bibtex|csljson|ris] [-o OUT|-] [--report FILE] [--skip-invalid]
[--encoding ENC] [--rename-clashing-keys]"""

from __future__ import annotations

import sys
from pathlib import Path

WRITERS = {"bibtex": "bibtex", "csljson": "csljson", "ris": "ris"}


def add_parser(sub) -> None:
    from ..citations import FORMATS

    p = sub.add_parser("import", help="read citation files of any format, merge duplicates, write one bibliography")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--from", dest="fmt", choices=sorted(FORMATS), help="input format (default: from content, then suffix)"
    )
    p.add_argument(
        "--to", choices=sorted(WRITERS), default=None, help="output format (default: from -o suffix, else bibtex)"
    )
    p.add_argument("-o", "--output", default="-", help="output file, or - for standard output (default)")
    p.add_argument("--report", metavar="FILE", help="write every merge decision (and skipped record) to FILE")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid records and list the skipped ones")
    p.add_argument("--encoding", default="utf-8", help="text encoding of the input files (default: utf-8)")
    p.add_argument(
        "--rename-clashing-keys",
        action="store_true",
        help="when two files use one key for different works, give the later one a new key (with a "
        "warning) instead of stopping",
    )
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


def _write(module, bib, file) -> None:
    if hasattr(module, "dump"):
        module.dump(bib, file)
    else:
        file.write(module.dumps(bib))


def run(args) -> int:
    from ..atomic import check_target
    from ..citations import check_encoding
    from ..citations.record import gc_paused

    check_encoding(args.encoding)
    if args.output != "-":
        check_target(args.output)
    if args.report:
        check_target(args.report)
    # The collector stays paused until the records are written and released (see record.gc_paused): resumed
    # earlier, its first pass would scan every object the import allocated while they are all still alive.
    with gc_paused():
        return _import(args)


def _import(args) -> int:
    import importlib

    from ..atomic import replacing
    from ..atomic import write as atomic_write
    from ..citations import load_bibliography

    result = load_bibliography(
        args.files,
        fmt=args.fmt,
        encoding=args.encoding,
        skip_invalid=args.skip_invalid,
        on_key_clash="rename" if args.rename_clashing_keys else "error",
        cache=False,
    )  # a one-off conversion: caching the parse would only cost time
    module = importlib.import_module(f"..citations.{WRITERS[_out_format(args)]}", __package__)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for s in result.skipped:
        print(f"skipped: {s}", file=sys.stderr)
    for a in result.apart:
        print(a, file=sys.stderr)
    if args.output == "-":
        _write(module, result.bibliography, sys.stdout)
    else:
        with replacing(args.output) as f:  # streamed to a temporary file, renamed into place when complete
            _write(module, result.bibliography, f)
    if args.report:
        lines = [*result.report(), *(f"skipped {s}" for s in result.skipped)]
        atomic_write(Path(args.report), "\n".join(lines) + "\n")
    print(result.summary() + (f", skipped {len(result.skipped)} invalid" if result.skipped else ""), file=sys.stderr)
    return 0
