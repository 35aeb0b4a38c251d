"""reviewkit build [PROJECT] [--to html,pdf] [-j N]"""

from __future__ import annotations

import argparse
import sys


def _formats(text: str) -> tuple[str, ...]:
    fmts = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in fmts if f not in ("html", "pdf")]
    if bad or not fmts:
        raise argparse.ArgumentTypeError(f"unknown format(s) {', '.join(bad) or text!r}; choose from html, pdf")
    return fmts


def add_parser(sub) -> None:
    b = sub.add_parser("build", help="run the sections and build the report (HTML, PDF)")
    b.add_argument("project", nargs="?", default=".", help="folder holding review.toml (default: .)")
    b.add_argument("--to", type=_formats, default=("html", "pdf"), help="comma-separated: html,pdf (default: both)")
    b.add_argument("-j", "--jobs", type=int, default=None, help="sections run at once (default: number of cores)")
    b.set_defaults(run=run)


def run(args) -> int:
    from ..pipeline.runner import quiet_imports

    quiet_imports()
    from ..pipeline.build import build

    build(args.project, to=args.to, jobs=args.jobs, log=lambda m: print(m, file=sys.stderr, flush=True))
    return 0
