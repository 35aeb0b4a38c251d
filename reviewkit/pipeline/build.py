"""``reviewkit build``: run the sections, assemble the report, export it.

Nothing of the previous edition is touched until every section has run and
the report has been assembled and exported: figures, tables and the report
files are then each replaced atomically (write to a temporary file in the
same folder, then rename).  A failed section or export leaves the last good
``outputs/report.*`` in place.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ExportError, NotebookError


def atomic_write(path: Path, data: bytes | str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    mode = "w" if isinstance(data, str) else "wb"
    with open(tmp, mode, **({"encoding": "utf-8", "newline": ""} if mode == "w" else {})) as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def build_date(root: Path | None = None) -> str:
    """``SOURCE_DATE_EPOCH`` if set, else the date of the review's last commit, else today.

    Taken from the data rather than the clock, so two builds of unchanged
    inputs produce the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%d")
    committed = _git(root, "log", "-1", "--format=%cs") if root else ""
    return committed or datetime.now(timezone.utc).strftime("%Y-%m-%d")


def data_as_of(cfg) -> str:
    """``report.data_as_of`` if given, else the date of the last commit that touched references/."""
    return cfg.report.get("data_as_of") or _git(cfg.root, "log", "-1", "--format=%cs", "--", "references")


def _git(root, *args) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _commit(root: Path) -> str:
    return _git(root, "rev-parse", "--short", "HEAD")


def inputs_summary(cfg) -> str:
    patterns = list(cfg.report.get("bibliography", []))
    for s in cfg.sections:
        patterns += s.inputs
    files = cfg.glob(patterns)
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(cfg.root)).encode())
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return f"{len(files)} files, sha256 {h.hexdigest()[:12]}"


def build(project=None, *, to=("html", "pdf"), jobs: int | None = None, log=print) -> dict:
    """Build the report of *project*; returns the paths written."""
    import nbformat

    from .. import __version__
    from ..citations.library import Library
    from ..report.assemble import Assembler, SectionDoc, blocks_from_notebook
    from ..report import export
    from . import config
    from .runner import run_sections

    t0 = time.perf_counter()
    cfg = config.load(project)
    library = Library.load(cfg.bibliography_files)
    for w in library.warnings:
        log(f"warning: {w}")
    log(f"bibliography: {library.summary}")

    out = cfg.outputs
    results = run_sections(cfg, out / "sections", jobs=jobs, log=log)
    failed = [r for r in results if not r.ok]
    if failed:
        raise NotebookError(
            f"{len(failed)} of {len(results)} sections failed; the previous report was kept:\n  "
            + "\n  ".join(f"{r.name}: {r.error}" for r in failed)
        )

    sections = [SectionDoc(r.name, blocks_from_notebook(nbformat.read(r.output, as_version=4), f"{s.notebook.relative_to(cfg.root)}"))
                for r, s in zip(results, cfg.sections)]
    rep = cfg.report
    meta = {
        "title": rep["title"],
        "running_title": rep.get("running_title", rep["title"]),
        "authors": rep.get("authors", []),
        "affiliations": rep.get("affiliations", []),
        "keywords": rep.get("keywords", []),
        "edition": rep.get("edition", ""),
        "version": __version__,
        "build_date": build_date(cfg.root),
        "data_as_of": data_as_of(cfg),
        "commit": _commit(cfg.root),
        "inputs_summary": inputs_summary(cfg),
    }
    if rep.get("abstract"):
        abstract = cfg.resolve(rep["abstract"])
        meta["abstract_markdown"] = abstract.read_text(encoding="utf-8")
        meta["abstract_source"] = rep["abstract"]
    from ..citations.resolve import LOCK_NAME, Lock

    lock = Lock.read(cfg.root / LOCK_NAME)
    nb, figures, tables = Assembler(library, lock).build(sections, meta)

    html_text = export.to_html(nb) if "html" in to else None
    pdf_error = None
    pdf = None
    if "pdf" in to:
        try:
            pdf = export.to_pdf(nb, running_title=meta["running_title"])
        except ExportError as exc:
            pdf_error = exc

    written = {}
    import csv
    import io

    for name, data in figures.items():
        for ext in ("png", "svg"):
            atomic_write(out / "figures" / f"{name}.{ext}", data[ext])
            written[f"figures/{name}.{ext}"] = out / "figures" / f"{name}.{ext}"
    for name, table in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(table["columns"])
        w.writerows([["" if v is None else v for v in row] for row in table["data"]])
        atomic_write(out / "tables" / f"{name}.csv", buf.getvalue())
    atomic_write(out / "report.ipynb", nbformat.writes(nb))
    if html_text is not None:
        atomic_write(out / "report.html", html_text)
        written["html"] = out / "report.html"
    if pdf is not None:
        atomic_write(out / "report.pdf", pdf)
        written["pdf"] = out / "report.pdf"
    log(f"built {', '.join(str(p.relative_to(cfg.root)) for k, p in written.items() if k in ('html', 'pdf'))} "
        f"in {time.perf_counter() - t0:.1f} s")
    if pdf_error:
        raise pdf_error
    return written
