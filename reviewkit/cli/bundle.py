"""reviewkit bundle [PROJECT] — the edition in every format, its figures, tables, notebooks and manifest, in one zip."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser(
        "bundle",
        help="build every format and write outputs/submission.zip (manuscript, figures, "
        "tables, supplement, notebooks, bibliography, manifest)",
    )
    p.add_argument("project", nargs="?", default=".", help="folder holding review.toml (default: .)")
    p.add_argument("-j", "--jobs", type=int, default=None, help="sections run at once (default: number of cores)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..pipeline.runner import quiet_imports

    quiet_imports()
    from ..atomic import write as atomic_write
    from ..citations.library import Library
    from ..citations.resolve import LOCK_NAME, Lock
    from ..pipeline import config
    from ..pipeline.build import build
    from ..report.bundle import bundle
    from ..report.writers import FORMATS, epoch_of
    from .progress import subscribers

    on_event, close = subscribers(args.jobs)
    try:
        build(args.project, to=FORMATS, jobs=args.jobs, on_event=on_event)
    finally:
        close()
    cfg = config.load(args.project)
    library = Library.load(cfg.bibliography_files)
    lock = Lock.read(cfg.root / LOCK_NAME)
    import nbformat

    rk = nbformat.read(cfg.outputs / "report.ipynb", as_version=4).metadata.get("reviewkit", {})
    for r in rk.get("references", []):  # works cited by identifier and resolved from the lock file
        if r["key"] not in library.entries and lock is not None and lock.entry(r["key"]) is not None:
            library.add_entry(r["key"], lock.entry(r["key"]))
    data = bundle(cfg.outputs, bibliography=library, epoch=epoch_of(rk.get("build_date", "")))
    target = cfg.outputs / "submission.zip"
    atomic_write(target, data)
    print(f"wrote {target.relative_to(cfg.root)} ({len(data) / 1e6:.1f} MB)", file=sys.stderr)
    return 0
