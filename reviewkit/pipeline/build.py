"""``reviewkit build``: run the sections, assemble the report, export it.

Nothing of the previous edition is touched until every section has run and
the report has been assembled and exported: figures, tables and the report
files are then each replaced atomically (write to a temporary file in the
same folder, then rename).  A failed section or export leaves the last good
``outputs/report.*`` in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from ..atomic import write as atomic_write
from ..errors import ExportError, NotebookError, ReviewkitError
from ..report.writers import DEFAULT_FORMATS, FILES

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "report" / "templates"


class BusyError(ReviewkitError):
    """Another build holds the project's lock (exit status 1)."""

    exit_code = 1


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


def inputs_summary(cfg, hashes) -> str:
    """"N files, sha256 …" over the bibliography and every section's inputs (*hashes*: the cache's file hasher)."""
    patterns = list(cfg.report.get("bibliography", []))
    for s in cfg.sections:
        patterns += s.inputs
    files = cfg.glob(patterns)
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(cfg.root)).encode())
        h.update(bytes.fromhex(hashes(f)))
    return f"{len(files)} files, sha256 {h.hexdigest()[:12]}"


class BuildLock:
    """One build at a time per project: a second one stops with a clear message instead of interleaving writes."""

    def __init__(self, outputs: Path):
        self.path = outputs / ".reviewkit" / "build.lock"
        self.fh = None

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            self.fh.close()
            raise BusyError(f"another build of this project is running ({holder}); wait for it to finish, "
                            "then build again", source=str(self.path.parent.parent)) from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()}")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def _report_key(cfg, section_keys: dict, notebooks: dict, hashes, to) -> str:
    from ..citations.resolve import LOCK_NAME
    from . import cache

    parts = {
        "sections": section_keys,
        "markdown": {name: cache.markdown_hash(nb) for name, nb in notebooks.items()},
        "bibliography": {str(p.relative_to(cfg.root)): hashes(p) for p in cfg.bibliography_files},
        "abstract": hashes(cfg.resolve(cfg.report["abstract"])) if cfg.report.get("abstract") else "",
        "report": json.dumps(cfg.report, sort_keys=True),
        "lock": hashes(cfg.root / LOCK_NAME) if (cfg.root / LOCK_NAME).is_file() else "",
        "template": cache._sha(b"".join(p.read_bytes() for p in sorted(TEMPLATE_DIR.rglob("*")) if p.is_file())),
        "formats": sorted(to),
        # files the writers read besides the notebooks: a .csl style given by path, the DOCX reference document
        "report_files": {k: hashes(cfg.resolve(cfg.report[k])) for k in ("style", "docx_template")
                         if str(cfg.report.get(k, "")).endswith((".csl", ".docx")) and cfg.resolve(cfg.report[k]).is_file()},
        "date": build_date(cfg.root),
    }
    return cache.key_of(parts)


def build(project=None, *, to=None, jobs: int | None = None, force: bool = False, only=None,
          overrides: dict | None = None, report: bool = True, executor: str = "local", scheduler: str | None = None,
          log=print) -> dict:
    """Run what is stale, then assemble and export the report; returns the paths written.

    Every section is reported as ran or reused, with the reason.  Nothing heavy
    is imported until something has to run, so a build with nothing to do
    costs a fraction of a second.
    """
    from .. import __version__
    from . import cache, config, params

    t0 = time.perf_counter()
    cfg = config.load(project)
    out = cfg.outputs
    to = tuple(to or cfg.report.get("formats") or DEFAULT_FORMATS)
    sections = [s for s in cfg.sections if not only or s.name in only or s.name.split("-")[0] in only]
    if only and not sections:
        from ..errors import ConfigError, did_you_mean

        raise ConfigError(f"no section named {', '.join(only)}{did_you_mean(only[0], [s.name for s in cfg.sections])}")
    for s in sections:
        if overrides:
            s.parameters = {**s.parameters, **overrides}
    with BuildLock(out):
        state = cache.State(out)
        hashes = cache.FileHashes(state.files)
        env = cache.environment()
        notebooks, parts, keys, todo = {}, {}, {}, []
        for s in cfg.sections:
            notebooks[s.name] = nb = params.read_notebook(s.notebook)
            if s in sections:
                params.check(s.name, s.notebook, s.parameters, nb)  # before any kernel starts
            parts[s.name] = p = cache.section_parts(cfg, s, nb, hashes, env, __version__)
            keys[s.name] = cache.key_of(p)
            if s not in sections:
                continue
            why = ["--force"] if force else cache.reasons(state.sections.get(s.name), p, out / "sections" / f"{s.name}.ipynb")
            if why:
                todo.append((s, why))
            else:
                log(f"reused {s.name} (nothing it depends on changed)")
        report_key = _report_key(cfg, keys, notebooks, hashes, to) if report else None
        fresh_report = (report and not todo and not force and state.report.get("key") == report_key
                        and all((out / FILES[f]).is_file() for f in to))
        if not report or fresh_report:
            state.save(hashes.now)
            if fresh_report:
                log(f"report is up to date ({time.perf_counter() - t0:.2f} s)")
            if not todo:
                return {}
        return _run_and_report(cfg, sections, todo, state, hashes, parts, keys, notebooks, report_key, to, jobs,
                               report, log, t0, executor, scheduler)


def _run_and_report(cfg, sections, todo, state, hashes, parts, keys, notebooks, report_key, to, jobs, report, log, t0,
                    executor="local", scheduler=None):
    import nbformat

    from .. import __version__
    from ..citations.library import Library
    from ..report import writers
    from ..report.metadata import document_meta
    from ..report.settings import resolve_style
    from ..report.assemble import Assembler, SectionDoc, blocks_from_notebook
    from .runner import run_sections

    out = cfg.outputs
    started = datetime.now(timezone.utc)
    for s, why in todo:
        log(f"running {s.name} ({'; '.join(why)})")
        state.sections.pop(s.name, None)  # not fresh until it finishes again
    state.save(hashes.now)

    def finished(r):
        state.sections[r.name] = {"ok": r.ok, "parts": parts[r.name], "key": keys[r.name],
                                  "seconds": round(r.seconds, 2), "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        state.save()

    results = run_sections(cfg, out / "sections", jobs=jobs, log=log, sections=[s for s, _ in todo], on_done=finished,
                           executor=executor, scheduler=scheduler)
    failed = [r for r in results if not r.ok]
    if failed:
        raise NotebookError(
            f"{len(failed)} of {len(results)} sections failed; the previous report was kept:\n  "
            + "\n  ".join(f"{r.name}: {r.error}" for r in failed)
        )
    if not report:
        return {}

    library = Library.load(cfg.bibliography_files)
    for w in library.warnings:
        log(f"warning: {w}")
    log(f"bibliography: {library.summary}")
    docs, executed_notebooks = [], {}
    for s in cfg.sections:
        executed_notebooks[s.name] = executed = nbformat.read(out / "sections" / f"{s.name}.ipynb", as_version=4)
        docs.append(SectionDoc(s.name, blocks_from_notebook(executed, str(s.notebook.relative_to(cfg.root)),
                                                            source=notebooks[s.name])))
    rep = cfg.report
    meta = {
        "title": rep["title"],
        "running_title": rep.get("running_title", rep["title"]),
        **document_meta(rep),
        "keywords": rep.get("keywords", []),
        "edition": rep.get("edition", ""),
        "version": __version__,
        "build_date": build_date(cfg.root),
        "data_as_of": data_as_of(cfg),
        "commit": _commit(cfg.root),
        "inputs_summary": inputs_summary(cfg, hashes),
    }
    if rep.get("abstract"):
        abstract = cfg.resolve(rep["abstract"])
        meta["abstract_markdown"] = abstract.read_text(encoding="utf-8")
        meta["abstract_source"] = rep["abstract"]
    from ..citations.resolve import LOCK_NAME, Lock

    lock = Lock.read(cfg.root / LOCK_NAME)
    style = resolve_style(rep.get("style", "vancouver"), cfg.root)
    sizes = {k: rep[k] for k in ("supplementary_rows", "supplementary_height") if k in rep}
    nb, figures, tables = Assembler(library, lock, style=style, **sizes).build(docs, meta)

    rendered, export_error = {}, None
    for fmt in to:
        try:
            rendered[fmt] = writers.render(nb, fmt, running_title=meta["running_title"],
                                           docx_template=cfg.resolve(rep["docx_template"]) if rep.get("docx_template") else None)
        except ExportError as exc:
            export_error = export_error or exc
    # the pages a figure's or table's link opens, rendered before anything is written
    pages = ({name: writers.notebook_page(executed) for name, executed in executed_notebooks.items()}
             if {"html", "pdf"} & set(to) else {})

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
    for name, page in pages.items():
        atomic_write(out / "notebooks" / f"{name}.html", page)
    for fmt, data in rendered.items():
        atomic_write(out / FILES[fmt], data)
        written[fmt] = out / FILES[fmt]
    write_manifest(cfg, state, started, todo)
    if export_error is None:
        state.report = {"key": report_key}
    state.save(hashes.now)
    log(f"built {', '.join(str(p.relative_to(cfg.root)) for k, p in written.items() if k in FILES)} "
        f"in {time.perf_counter() - t0:.1f} s")
    if export_error:
        raise export_error
    return written


def write_manifest(cfg, state, started, todo) -> None:
    """``outputs/manifest.json``: per section what it was built from, when, and whether it ran or was reused."""
    from importlib import metadata

    from .. import __version__

    ran = {s.name for s, _ in todo}
    versions = {}
    for dist in ("reviewkit", "papermill", "nbconvert", "nbclient", "ipykernel", "pandas", "matplotlib", "seaborn",
                 "pybtex", "scipy"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    sections = []
    for s in cfg.sections:
        st = state.sections.get(s.name, {})
        p = st.get("parts", {})
        sections.append({
            "name": s.name, "notebook": str(s.notebook.relative_to(cfg.root)), "notebook_code_sha256": p.get("code"),
            "parameters": s.parameters, "inputs": [{"path": k, "sha256": v} for k, v in sorted(p.get("inputs", {}).items())],
            "kernel": "python3", "status": "ok" if st.get("ok") else "failed",
            "ran": s.name in ran, "seconds": st.get("seconds"), "finished": st.get("finished"),
        })
    body = {"reviewkit": __version__, "build_started": started.isoformat(timespec="seconds"), "packages": versions,
            "python": sys.version.split()[0], "sections": sections}
    atomic_write(cfg.outputs / "manifest.json", json.dumps(body, indent=2))
