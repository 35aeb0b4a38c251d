"""reviewkit check [PROJECT] — validate inputs, citations and notebooks without running anything."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="validate inputs, citations and notebooks (no kernel is started)")
    p.add_argument("project", nargs="?", default=".")
    p.set_defaults(run=run)


def problems(project) -> tuple[list[str], list[str]]:
    """(problems, notes) for the review at *project*: the build's own validation (pipeline.validate), every stage."""
    from ..pipeline import config, validate

    found, notes = validate.problems(config.load(project))
    return [str(p) for p in found], notes


def run(args) -> int:
    found, notes = problems(args.project)
    for n in notes:
        print(n, file=sys.stderr)
    errors = [p for p in found if not p.startswith("warning: ")]
    for p in found:
        print(p, file=sys.stderr)
    print(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found" + (", the review is ready to build" if not errors else ""),
          file=sys.stderr)
    return 2 if errors else 0
