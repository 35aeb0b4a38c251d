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

    cfg = config.load(project)
    found, notes = validate.problems(cfg)
    notes.extend(undeclared_reads(cfg))
    return [str(p) for p in found], notes


def undeclared_reads(cfg) -> list[str]:
    """Files the sections' kernels read in the last build that no `inputs` declares (tracked by the build anyway)."""
    from ..pipeline.cache import State

    state = State(cfg.outputs)
    return [
        f"note: section {s.name} read {path} in the last build, which no `inputs` declares "
        "(the build tracks it; declare it so check can verify it before any kernel)"
        for s in cfg.sections
        for path in state.sections.get(s.name, {}).get("undeclared", [])
    ]


def run(args) -> int:
    found, notes = problems(args.project)
    for n in notes:
        print(n, file=sys.stderr)
    errors = [p for p in found if not p.startswith("warning: ")]
    for p in found:
        print(p, file=sys.stderr)
    print(
        f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found"
        + (", the review is ready to build" if not errors else ""),
        file=sys.stderr,
    )
    return 2 if errors else 0
