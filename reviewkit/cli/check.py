"""reviewkit check [PROJECT] — validate inputs, citations and notebooks without running anything."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="validate inputs, citations and notebooks (no kernel is started)")
    p.add_argument("project", nargs="?", default=".")
    p.set_defaults(run=run)


def problems(project) -> tuple[list[str], list[str]]:
    """(problems, notes) for the review at *project*; every check runs, each failure is listed."""
    from ..citations.library import Library
    from ..citations.resolve import LOCK_NAME, Lock
    from ..errors import ReviewkitError
    from ..pipeline import config, params
    from ..report.assemble import CitationResolver, cited_keys

    cfg = config.load(project)
    found, notes = [], []
    notes.extend(undeclared_reads(cfg))

    def attempt(fn, *a, **k):
        try:
            return fn(*a, **k)
        except ReviewkitError as exc:
            found.append(str(exc))
            return None

    library = attempt(Library.load, cfg.bibliography_files)
    if library is not None:
        notes.append(f"bibliography: {library.summary}")
        found.extend(f"warning: {w}" for w in library.warnings)
    resolver = CitationResolver(library, Lock.read(cfg.root / LOCK_NAME)) if library is not None else None
    seen_notebooks = set()
    for s in cfg.sections:
        nb = attempt(params.read_notebook, s.notebook)
        if nb is None:
            continue
        attempt(params.check, s.name, s.notebook, s.parameters, nb)
        if s.notebook in seen_notebooks:
            continue
        seen_notebooks.add(s.notebook)
        rel = s.notebook.relative_to(cfg.root)
        for i, cell in enumerate(nb.get("cells", []), start=1):
            if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
                found.append(f"{rel}, cell {i}: has outputs; commit notebooks without them (e.g. nbstripout)")
            if resolver is not None and cell.get("cell_type") == "markdown":
                for key in cited_keys(params.source_of(cell)):
                    attempt(resolver.resolve, key, f"{rel}, cell {i}")
    from ..evidence.screening import read_log
    from ..evidence.sheet import read_sheet
    from ..trials import read_table

    readers = {"evidence.csv": read_sheet, "screening.csv": read_log}
    checked = set()
    for s in cfg.sections:
        for path in cfg.glob(s.inputs):
            reader = readers.get(path.name)
            if reader is None and path.parent.name == "trials" and path.suffix in (".csv", ".json"):
                reader = read_table
            if reader is not None and path not in checked:
                checked.add(path)
                attempt(reader, path)
    return found, notes


def undeclared_reads(cfg) -> list[str]:
    """Files the sections' kernels read in the last build that no `inputs` declares (tracked by the build anyway)."""
    from ..pipeline.cache import State

    state = State(cfg.outputs)
    return [f"note: section {s.name} read {path} in the last build, which no `inputs` declares "
            "(the build tracks it; declare it so check can verify it before any kernel)"
            for s in cfg.sections for path in state.sections.get(s.name, {}).get("undeclared", [])]


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
