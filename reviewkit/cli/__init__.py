"""The ``reviewkit`` command.  Verbs import what they need when they run."""

from __future__ import annotations

import argparse
import sys

from .. import __version__


def _formats(text: str) -> tuple[str, ...]:
    fmts = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in fmts if f not in ("html", "pdf")]
    if bad or not fmts:
        raise argparse.ArgumentTypeError(f"unknown format(s) {', '.join(bad) or text!r}; choose from html, pdf")
    return fmts


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="reviewkit", description="Evidence bases to position-paper reports.")
    p.add_argument("--version", action="version", version=f"reviewkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="run the sections and build the report (HTML, PDF)")
    b.add_argument("project", nargs="?", default=".", help="folder holding review.toml (default: .)")
    b.add_argument("--to", type=_formats, default=("html", "pdf"), help="comma-separated: html,pdf (default: both)")
    b.add_argument("-j", "--jobs", type=int, default=None, help="sections run at once (default: number of cores)")
    return p


def main(argv=None) -> int:
    from ..errors import ReviewkitError

    args = parser().parse_args(argv)
    try:
        if args.command == "build":
            from ..pipeline.runner import quiet_imports

            quiet_imports()
            from ..pipeline.build import build

            build(args.project, to=args.to, jobs=args.jobs, log=lambda m: print(m, file=sys.stderr, flush=True))
        return 0
    except ReviewkitError as exc:
        print(f"reviewkit: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("reviewkit: interrupted; the previous report was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
