"""``reviewkit build``: run the sections, assemble the report, export it, publish the edition.

The new edition — every report format, figures, tables, executed notebooks
and the manifest — is written into a folder of its own and published by one
atomic swap (:mod:`reviewkit.pipeline.publish`): a failed section or export, a
full disk, Ctrl-C or ``kill -9`` leaves the whole previous edition in place.
Only the build holding the project lock writes the cache state and publishes;
its workers write into a folder named after the build's token.
"""

from __future__ import annotations

import errno
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


class OutputError(ReviewkitError):
    """The output folder cannot be written (read-only, full): exit status 1, the previous edition kept."""

    exit_code = 1


WRITE_ERRORS = {errno.EROFS: "the folder is read-only", errno.EACCES: "permission denied",
                errno.EPERM: "permission denied", errno.ENOSPC: "no space left on the device",
                errno.EDQUOT: "disk quota exceeded"}


def build_date(root: Path | None = None) -> str:
    """``SOURCE_DATE_EPOCH`` if set, else the date of the review's last commit, else today.

    Taken from the data rather than the clock, so two builds of unchanged
    inputs produce the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%d")
    committed = provenance(root)["date"] if root else ""
    return committed or datetime.now(timezone.utc).strftime("%Y-%m-%d")


def data_as_of(cfg) -> str:
    """``report.data_as_of`` if given, else the date of the last commit that touched references/."""
    return cfg.report.get("data_as_of") or (
        _git(cfg.root, "log", "-1", "--format=%cs", "--", "references") if provenance(cfg.root)["commit"] else "")


def _git(root, *args) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


_PROVENANCE: dict = {}


def provenance(root: Path) -> dict:
    """The review's own version-control state, from the git history of the review's folder.

    ``commit``: the last commit that touched the review's folder ("" when the
    review is not under version control — no repository, or a repository that
    does not track this review's ``review.toml``, like a review created inside
    another project's checkout); ``dirty``: tracked files of the folder differ
    from that commit; ``text``: what the footer says.
    """
    root = Path(root).resolve()
    if root in _PROVENANCE:
        return _PROVENANCE[root]
    info = {"commit": "", "date": "", "dirty": False, "text": "from a review not under version control"}
    if _git(root, "ls-files", "--", "review.toml"):
        line = _git(root, "log", "-1", "--format=%h %cs", "--", ".")
        if line:
            commit, date = line.split()
            dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no", "--", "."))
            info = {"commit": commit, "date": date, "dirty": dirty,
                    "text": f"from commit {commit}" + (" with uncommitted changes" if dirty else "")}
    _PROVENANCE[root] = info
    return info


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
        import secrets

        self.path = outputs / ".reviewkit" / "build.lock"
        self.fh = None
        self.token = f"{os.getpid()}-{secrets.token_hex(6)}"

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
        self.fh.write(f"pid {os.getpid()}, build {self.token}")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


REPORT_MODULES = ("reviewkit.pipeline.build", "reviewkit.report.assemble", "reviewkit.report.export",
                  "reviewkit.report.writers", "reviewkit.report.metadata", "reviewkit.report.settings",
                  "reviewkit.citations.library")


def _report_key(cfg, section_keys: dict, notebooks: dict, hashes, to) -> str:
    from ..citations.resolve import LOCK_NAME
    from . import cache, code

    parts = {
        "sections": section_keys,
        "markdown": {name: cache.markdown_hash(nb) for name, nb in notebooks.items()},
        "bibliography": {str(p.relative_to(cfg.root)): hashes(p) for p in cfg.bibliography_files},
        "abstract": hashes(cfg.resolve(cfg.report["abstract"])) if cfg.report.get("abstract") else "",
        "report": json.dumps(cfg.report, sort_keys=True),
        "lock": hashes(cfg.root / LOCK_NAME),
        "template": cache._sha(b"".join(p.read_bytes() for p in sorted(TEMPLATE_DIR.rglob("*")) if p.is_file())),
        "code": code.key(REPORT_MODULES),
        "formats": sorted(to),
        # files the writers read besides the notebooks: a .csl style given by path, the DOCX reference document
        "report_files": {k: hashes(cfg.resolve(cfg.report[k])) for k in ("style", "docx_template")
                         if str(cfg.report.get(k, "")).endswith((".csl", ".docx")) and cfg.resolve(cfg.report[k]).is_file()},
        "date": build_date(cfg.root),
        "provenance": provenance(cfg.root),
    }
    return cache.key_of(parts)


def build(project=None, *, to=None, jobs: int | None = None, force: bool = False, only=None,
          overrides: dict | None = None, report: bool = True, executor: str = "local", scheduler: str | None = None,
          log=print) -> dict:
    """Run what is stale, then assemble and export the report and publish it; returns the paths written.

    Every section is reported as ran or reused, with the reason.  Nothing heavy
    is imported until something has to run, so a build with nothing to do
    costs a fraction of a second.  ``report=False`` (``reviewkit run``) runs
    the sections and writes their notebooks to ``outputs/run/`` without
    touching the published edition.
    """
    from . import config

    cfg = config.load(project)
    try:
        return _build(cfg, to=to, jobs=jobs, force=force, only=only, overrides=overrides, report=report,
                      executor=executor, scheduler=scheduler, log=log)
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        where = exc.filename or cfg.outputs
        raise OutputError(f"cannot write the new edition ({WRITE_ERRORS[exc.errno]}); the previous edition was kept",
                          source=str(where)) from None


def _build(cfg, *, to, jobs, force, only, overrides, report, executor, scheduler, log) -> dict:
    from . import cache, params, validate
    from .publish import Editions

    t0 = time.perf_counter()
    out = cfg.outputs
    to = tuple(to or cfg.report.get("formats") or DEFAULT_FORMATS)
    sections = [s for s in cfg.sections if not only or s.name in only or s.name.split("-")[0] in only]
    if only and not sections:
        from ..errors import ConfigError, did_you_mean

        raise ConfigError(f"no section named {', '.join(only)}{did_you_mean(only[0], [s.name for s in cfg.sections])}")
    # the same validation as `reviewkit check`: paths, notebooks, parameters (before any override), every build
    validate.require(cfg, sections=sections, deep=False, report=report, log=log)
    for s in sections:
        if overrides:
            s.parameters = {**s.parameters, **overrides}
    from . import code

    with BuildLock(out) as lock:
        editions = Editions(out, lock.token)
        editions.clean()
        imports = out / cache.STATE_DIR / "imports.json"
        code.remember(imports)
        state = cache.State(out)
        hashes = cache.FileHashes()
        env = cache.environment()
        notebooks, parts, keys, todo = {}, {}, {}, []
        for s in cfg.sections:
            notebooks[s.name] = nb = params.read_notebook(s.notebook)
            if s in sections:
                params.check(s.name, s.notebook, s.parameters, nb)  # before any kernel starts
            parts[s.name] = p = cache.section_parts(cfg, s, nb, hashes, env, state.sections.get(s.name))
            keys[s.name] = cache.key_of(p)
            if s not in sections:
                continue
            why = ["--force"] if force else cache.reasons(state.sections.get(s.name), p, state.has_run(s.name))
            if why:
                todo.append((s, why))
            else:
                log(f"reused {s.name} (nothing it depends on changed)")
        published = editions.published()
        report_key = _report_key(cfg, keys, notebooks, hashes, to) if report else None
        fresh_report = (report and not todo and not force and state.report.get("key") == report_key
                        and published is not None and all((published / FILES[f]).is_file() for f in to))
        if fresh_report:
            log(f"report is up to date ({time.perf_counter() - t0:.2f} s)")
            return {}
        if not report and not todo:
            return {}
        # ... and its data stage (bibliography, citations, CSV files), whenever something has to run or be assembled
        validate.require(cfg, sections=sections, cheap=False, deep=True, report=report, log=log)
        try:
            return _run_and_report(cfg, sections, todo, state, hashes, parts, keys, notebooks, report_key, to, jobs,
                                   report, log, t0, executor, scheduler, editions)
        finally:
            editions.discard()
            code.remember(imports, save=True)


NOTES_SHOWN = 5  # undeclared reads named one by one per section; the rest are counted


def _run_sections(cfg, todo, state, hashes, parts, keys, jobs, log, executor, scheduler, editions):
    """Run *todo*; each finished section's notebook goes to the run store and its state is saved at once."""
    from ..atomic import write as atomic_write
    from . import cache
    from .observe import classify, read_log
    from .runner import run_sections

    work = editions.work
    work.mkdir(parents=True, exist_ok=True)
    known = {s.name: set(state.sections.get(s.name, {}).get("parts", {}).get("observed", {})) for s, _ in todo}
    for s, why in todo:
        log(f"running {s.name} ({'; '.join(why)})")
        state.sections.pop(s.name, None)  # not fresh until it finishes again
    state.save()

    def finished(r):
        failed_copy = cfg.outputs / "failed" / f"{r.name}.ipynb"
        if not r.ok:
            if Path(r.output).is_file():  # kept for the author, outside any edition
                try:
                    atomic_write(failed_copy, Path(r.output).read_bytes())
                    r.error += f" (executed notebook with the error: {failed_copy.relative_to(cfg.root)})"
                except OSError:
                    pass
            # remembered as failed, with what it was known to read, so the next build says why it reruns
            state.sections[r.name] = {"ok": False, "parts": parts[r.name], "seconds": round(r.seconds, 2)}
            state.save()
            return
        failed_copy.unlink(missing_ok=True)
        files, modules = classify(read_log(work / f"{r.name}.reads"), cfg.root)
        new_parts = cache.observed_parts(parts[r.name], files, modules, hashes)
        declared = set(new_parts["inputs"]) | {cfg.path.name}  # review.toml: tracked, but it is no data file
        declared |= {f"{os.path.dirname(i)}/" for i in new_parts["inputs"]}  # folders the declared globs list
        new_reads = sorted(set(files) - declared - known[r.name])
        for name in new_reads[:NOTES_SHOWN]:
            where = "outside the project, " if os.path.isabs(name) else ""
            verb = "listed" if name.endswith("/") else "read"
            log(f"note: {r.name} {verb} {name} ({where}no `inputs` declares it); it is tracked from now on")
        if len(new_reads) > NOTES_SHOWN:
            log(f"note: {r.name} read {len(new_reads) - NOTES_SHOWN} more files no `inputs` declares; all are tracked "
                "and listed in outputs/manifest.json")
        parts[r.name] = new_parts
        keys[r.name] = key = cache.key_of(new_parts)
        run_file = state.run_path(r.name, key)
        run_file.parent.mkdir(parents=True, exist_ok=True)
        os.replace(r.output, run_file)
        state.sections[r.name] = {"ok": True, "parts": new_parts, "key": key,
                                  "undeclared": sorted(set(files) - declared),
                                  "seconds": round(r.seconds, 2),
                                  "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        state.save()

    results = run_sections(cfg, work, jobs=jobs, log=log, sections=[s for s, _ in todo], on_done=finished,
                           executor=executor, scheduler=scheduler, token=editions.token)
    failed = [r for r in results if not r.ok]
    if failed:
        raise NotebookError(
            f"{len(failed)} of {len(results)} sections failed; the previous edition was kept:\n  "
            + "\n  ".join(f"{r.name}: {r.error}" for r in failed)
        )


def _run_and_report(cfg, sections, todo, state, hashes, parts, keys, notebooks, report_key, to, jobs, report, log, t0,
                    executor, scheduler, editions):
    import nbformat

    from .. import __version__
    from ..atomic import write as atomic_write
    from ..citations.library import Library
    from ..report import export, writers
    from ..report.assemble import Assembler, SectionDoc, blocks_from_notebook
    from ..report.metadata import document_meta
    from ..report.pages import notebook_pages_started
    from ..report.settings import resolve_style
    from .publish import link_or_copy

    out = cfg.outputs
    started = datetime.now(timezone.utc)
    if todo:
        _run_sections(cfg, todo, state, hashes, parts, keys, jobs, log, executor, scheduler, editions)
        if report:  # the sections' keys now cover what their kernels were seen to read
            report_key = _report_key(cfg, keys, notebooks, hashes, to)
    if not report:  # `reviewkit run`: the executed notebooks, beside (not in) the published edition
        for s, _ in todo:
            atomic_write(out / "run" / f"{s.name}.ipynb", state.run_path(s.name, keys[s.name]).read_bytes())
        return {}

    stage = editions.staging
    stage.mkdir(parents=True, exist_ok=True)
    library = Library.load(cfg.bibliography_files)
    for w in library.warnings:
        log(f"warning: {w}")
    log(f"bibliography: {library.summary}")
    docs, executed_notebooks = [], {}
    for s in cfg.sections:
        run_file = state.run_path(s.name, state.sections[s.name]["key"]) if state.has_run(s.name) else None
        if run_file is None:  # a section outside --only that never ran
            raise NotebookError(f"section {s.name} has no successful run yet; build it (without --only) first")
        link_or_copy(run_file, stage / "sections" / f"{s.name}.ipynb")
        executed_notebooks[s.name] = executed = nbformat.read(run_file, as_version=4)
        docs.append(SectionDoc(s.name, blocks_from_notebook(executed, str(s.notebook.relative_to(cfg.root)),
                                                            source=notebooks[s.name])))
    rep = cfg.report
    prov = provenance(cfg.root)
    meta = {
        "title": rep["title"],
        "running_title": rep.get("running_title", rep["title"]),
        **document_meta(rep),
        "keywords": rep.get("keywords", []),
        "edition": rep.get("edition", ""),
        "version": __version__,
        "build_date": build_date(cfg.root),
        "data_as_of": data_as_of(cfg),
        "commit": prov["commit"],
        "provenance": prov["text"],
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

    # the pages a figure's or table's link opens, rendered (or taken from the cache) while the writers run
    pages = (notebook_pages_started({name: stage / "sections" / f"{name}.ipynb" for name in executed_notebooks})
             if {"html", "pdf"} & set(to) else None)
    rendered, export_error = {}, None
    for fmt in to:
        try:
            rendered[fmt] = writers.render(nb, fmt, running_title=meta["running_title"],
                                           docx_template=cfg.resolve(rep["docx_template"]) if rep.get("docx_template") else None)
        except ExportError as exc:
            if fmt != "pdf" or export.find_chromium() is not None:  # a writer failed: keep the previous edition
                raise ExportError(f"{exc}; the previous edition was kept") from None
            export_error = exc  # no Chromium installed: publish without a PDF (never an older one) and say how to get one
    pages = pages.result() if pages is not None else {}

    import csv
    import io

    for name, data in figures.items():
        for ext in ("png", "svg"):
            atomic_write(stage / "figures" / f"{name}.{ext}", data[ext])
    for name, table in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(table["columns"])
        w.writerows([["" if v is None else v for v in row] for row in table["data"]])
        atomic_write(stage / "tables" / f"{name}.csv", buf.getvalue())
    assembled = nbformat.writes(nb)
    atomic_write(stage / "report.ipynb", assembled)
    _carry_over_formats(editions.published(), stage, assembled, to)
    for name, page in pages.items():
        atomic_write(stage / "notebooks" / f"{name}.html", page)
    for fmt, data in rendered.items():
        atomic_write(stage / FILES[fmt], data)
    write_manifest(cfg, state, started, todo, stage, prov)
    editions.publish()
    state.report = {"key": report_key} if export_error is None else {}
    state.collect_garbage()
    state.save()
    written = {f: out / FILES[f] for f in to if (out / FILES[f]).is_file()}
    log(f"built {', '.join(str(p.relative_to(cfg.root)) for p in written.values())} "
        f"in {time.perf_counter() - t0:.1f} s")
    if export_error:
        raise export_error
    return written


def _carry_over_formats(published: Path | None, stage: Path, assembled: str, to) -> None:
    """Formats not asked for this time (``--to html`` after a PDF) stay in the new edition only when they were
    exported from the very same assembled document; otherwise the edition goes without them."""
    from .publish import link_or_copy

    try:
        same = published is not None and (published / "report.ipynb").read_text(encoding="utf-8") == assembled
    except OSError:
        same = False
    if not same:
        return
    for fmt, name in FILES.items():
        if fmt not in to and (published / name).is_file():
            link_or_copy(published / name, stage / name)


def write_manifest(cfg, state, started, todo, folder: Path, prov: dict) -> None:
    """``manifest.json``: per section what it was built from (declared and observed reads), when, and whether it ran."""
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
    outside: dict[str, str] = {}
    for s in cfg.sections:
        st = state.sections.get(s.name, {})
        p = st.get("parts", {})
        observed = p.get("observed", {})
        for name, digest in observed.items():
            if os.path.isabs(name):
                outside[name] = digest
        sections.append({
            "name": s.name, "notebook": str(s.notebook.relative_to(cfg.root)), "notebook_code_sha256": p.get("code"),
            "parameters": s.parameters, "inputs": [{"path": k, "sha256": v} for k, v in sorted(p.get("inputs", {}).items())],
            "reads": [{"path": k, "sha256": v, "declared": k in p.get("inputs", {})} for k, v in sorted(observed.items())],
            "reviewkit_modules": p.get("modules", {}),
            "kernel": "python3", "status": "ok" if st.get("ok") else "failed",
            "ran": s.name in ran, "seconds": st.get("seconds"), "finished": st.get("finished"),
        })
    body = {"reviewkit": __version__, "build_started": started.isoformat(timespec="seconds"), "packages": versions,
            "python": sys.version.split()[0],
            "review": {"commit": prov["commit"] or None, "uncommitted_changes": prov["dirty"],
                       "under_version_control": bool(prov["commit"])},
            "reads_outside_project": [{"path": k, "sha256": v} for k, v in sorted(outside.items())],
            "sections": sections}
    atomic_write(folder / "manifest.json", json.dumps(body, indent=2))
