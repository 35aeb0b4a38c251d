"""``reviewkit build``: run the sections, assemble the report, export it, publish the edition.

The new edition — every report format, figures, tables, executed notebooks
and the manifest — is written into a folder of its own and published by one
atomic swap (:mod:`reviewkit.pipeline.publish`): a failed section or export, a
full disk, Ctrl-C or ``kill -9`` leaves the whole previous edition in place.
Only the build holding the project lock writes the cache state and publishes;
its sections are written into a folder named after the build's token.

Each step reports what it did as an event (:mod:`reviewkit.pipeline.events`) to
the subscribers the caller passes as ``on_event``; the steps share one small
context (:class:`_Build`) instead of long argument lists.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from ..atomic import write as atomic_write
from ..errors import ExportError, NotebookError, ReviewkitError
from ..report.writers import DEFAULT_FORMATS, FILES
from . import events, manifest
from .events import (
    BibliographyLoaded,
    EditionPublished,
    Exported,
    ReportAssembled,
    ReportUpToDate,
    SectionFailed,
    SectionQueued,
    SectionRan,
    SectionReused,
    UndeclaredReads,
    Warned,
)
from .manifest import Outcomes
from .vcs import build_date, data_as_of, provenance

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "report" / "templates"


class BusyError(ReviewkitError):
    """Another build holds the project's lock (exit status 1)."""

    exit_code = 1


class OutputError(ReviewkitError):
    """The output folder cannot be written (read-only, full): exit status 1, the previous edition kept."""

    exit_code = 1


WRITE_ERRORS = {
    errno.EROFS: "the folder is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
}


def inputs_summary(cfg, hashes) -> str:
    """ "N files, sha256 …" over the bibliography and every section's inputs (*hashes*: the cache's file hasher)."""
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
        self.fh: Any = None  # the open lock file while the lock is held
        self.token = f"{os.getpid()}-{os.urandom(6).hex()}"  # as secrets.token_hex, without importing it

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
            raise BusyError(
                f"another build of this project is running ({holder}); wait for it to finish, then build again",
                source=str(self.path.parent.parent),
            ) from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()}, build {self.token}")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


REPORT_MODULES = (
    "reviewkit.pipeline.build",
    "reviewkit.report.assemble",
    "reviewkit.report.export",
    "reviewkit.report.writers",
    "reviewkit.report.metadata",
    "reviewkit.report.settings",
    "reviewkit.citations.library",
)


@dataclass
class _Build:
    """One build: its options, what it has found out so far, and *emit*, where its events go."""

    cfg: Any  # config.Config, with the overridden parameters (a copy: the caller's sections are never changed)
    selected: set  # names of the sections asked for (all, or those of --only)
    to: tuple
    jobs: int | None
    force: bool
    report: bool
    executor: str
    scheduler: str | None
    emit: Callable[[events.Event], None]
    outcomes: Outcomes = field(default_factory=Outcomes)
    t0: float = field(default_factory=time.perf_counter)
    started: datetime | None = None
    editions: Any = None  # publish.Editions
    state: Any = None  # cache.State
    hashes: Any = None  # cache.FileHashes
    notebooks: dict = field(default_factory=dict)  # name -> the source notebook (a dict)
    parts: dict = field(default_factory=dict)  # name -> what its cache key covers
    keys: dict = field(default_factory=dict)  # name -> cache key
    todo: list = field(default_factory=list)  # (section, reasons) to run
    report_key: str | None = None
    pages: dict = field(default_factory=dict)  # name -> its notebook page, being rendered since it finished
    zygote_for: set = field(default_factory=set)  # the sections the shared zygote was started for

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.cfg.root))


def _report_key(b: _Build) -> str:
    from ..layout import LOCK_NAME
    from . import cache, code

    cfg, hashes = b.cfg, b.hashes
    parts = {
        "sections": b.keys,
        "markdown": {name: cache.markdown_hash(nb) for name, nb in b.notebooks.items()},
        "bibliography": {str(p.relative_to(cfg.root)): hashes(p) for p in cfg.bibliography_files},
        "abstract": hashes(cfg.resolve(cfg.report["abstract"])) if cfg.report.get("abstract") else "",
        "report": json.dumps(cfg.report, sort_keys=True),
        "lock": hashes(cfg.root / LOCK_NAME),
        "template": cache._sha(b"".join(p.read_bytes() for p in sorted(TEMPLATE_DIR.rglob("*")) if p.is_file())),
        "code": code.key(REPORT_MODULES),
        "formats": sorted(b.to),
        # files the writers read besides the notebooks: a .csl style given by path, the DOCX reference document
        "report_files": {
            k: hashes(cfg.resolve(cfg.report[k]))
            for k in ("style", "docx_template")
            if str(cfg.report.get(k, "")).endswith((".csl", ".docx")) and cfg.resolve(cfg.report[k]).is_file()
        },
        "date": build_date(cfg.root),
        "provenance": provenance(cfg.root),
    }
    return cache.key_of(parts)


def build(
    project=None,
    *,
    to=None,
    jobs: int | None = None,
    force: bool = False,
    only=None,
    overrides: dict | None = None,
    report: bool = True,
    executor: str = "local",
    scheduler: str | None = None,
    on_event: Callable[[events.Event], None] = print,
) -> dict:
    """Run what is stale, then assemble and export the report and publish it; returns the paths written.

    *project*: the folder holding review.toml, or a loaded :class:`~reviewkit.pipeline.config.Config` (left
    unchanged: *overrides* apply to copies of its sections).  Every step is sent to *on_event* as an event of
    :mod:`reviewkit.pipeline.events` — each section as queued and ran (or failed), or reused, with the reason;
    ``print`` shows their plain log lines.  Nothing heavy is imported until something has to run, so a build with
    nothing to do costs a fraction of a second.  ``report=False`` (``reviewkit run``) runs the sections and writes
    their notebooks to ``outputs/run/`` without touching the published edition.
    """
    from . import config

    cfg = project if isinstance(project, config.Config) else config.load(project)
    outcomes = Outcomes()
    b = _Build(
        cfg,
        set(),
        tuple(to or cfg.report.get("formats") or DEFAULT_FORMATS),
        jobs,
        force,
        report,
        executor,
        scheduler,
        events.Fanout(outcomes, on_event),
        outcomes,
    )
    try:
        if force or not _has_state(cfg):  # every chosen section will run
            _kernels_ahead(b, _chosen(cfg, only))
        b.cfg, b.selected = _select(b, only, overrides)
        return _build(b)
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        where = exc.filename or cfg.outputs
        raise OutputError(
            f"cannot write the new edition ({WRITE_ERRORS[exc.errno]}); the previous edition was kept",
            source=str(where),
        ) from None
    finally:  # a build that stopped early (invalid input, nothing to run) kills the zygote it started, at once
        if "reviewkit.pipeline.kernels" in sys.modules:
            sys.modules["reviewkit.pipeline.kernels"].unshare()


def _has_state(cfg) -> bool:
    try:
        return (cfg.outputs / ".reviewkit" / "state.json").is_file()
    except OSError:  # an unreadable output folder: the build says so itself, in its turn
        return True


def _kernels_ahead(b: _Build, sections) -> None:
    """Start the build's one zygote now, for *sections* (those about to run): its heavy imports are done while
    the build validates the project, and it forks the kernel of every section.

    Only for the local executor; the runner starts it itself if the build could not (and a no-op build, which
    has nothing to run, never starts it).
    """
    if b.executor != "local" or not sections or b.zygote_for == {s.name for s in sections}:
        return
    b.zygote_for = {s.name for s in sections}
    from . import kernels
    from .runner import _kernel_name

    try:  # before validation: a notebook may be anything; validation, not this, says what is wrong with it
        names = [n for n in dict.fromkeys(_kernel_name(str(s.notebook)) for s in sections) if isinstance(n, str)]
        if not names:
            return
        cwd, warm = str(b.cfg.root), kernels.warm_modules(sorted({str(s.notebook) for s in sections}))
        if not kernels.shared(names[0], cwd, warm):
            kernels.share(names[0], cwd, warm)
    except Exception:  # only an optimisation: the runner starts what it needs
        return


def _chosen(cfg, only) -> list:
    """The sections *only* names (names, or a batch by its base name); all of them without *only*."""
    return [s for s in cfg.sections if not only or s.name in only or s.name.split("-")[0] in only]


def _select(b: _Build, only, overrides: dict | None):
    """(config with *overrides* applied to copies of the chosen sections, names of the chosen sections).

    The chosen sections (*only*: names, or a batch by its base name) pass the same validation as ``reviewkit
    check`` — paths, notebooks, parameters before any override — whatever the build finds to do.
    """
    from ..errors import ConfigError, did_you_mean
    from . import validate

    cfg = b.cfg
    chosen = _chosen(cfg, only)
    if only and not chosen:
        raise ConfigError(f"no section named {', '.join(only)}{did_you_mean(only[0], [s.name for s in cfg.sections])}")
    _warn(b.emit, validate.require(cfg, sections=chosen, deep=False, report=b.report))
    names = {s.name for s in chosen}
    if overrides:
        cfg = replace(
            cfg,
            sections=[
                replace(s, parameters={**s.parameters, **overrides}) if s.name in names else s for s in cfg.sections
            ],
        )
    return cfg, names


def _warn(emit, problems) -> None:
    for p in problems:
        if p.warning and p.kind != "bibliography":  # the bibliography's warnings come with the library itself
            emit(Warned(p.text))


def _build(b: _Build) -> dict:
    from . import cache, code, validate
    from .publish import Editions

    out = b.cfg.outputs
    with BuildLock(out) as lock:
        b.editions = Editions(out, lock.token)
        b.editions.clean()
        imports = out / cache.STATE_DIR / "imports.json"
        code.remember(imports)
        b.state, b.hashes = cache.State(out), cache.FileHashes()
        _plan(b)
        if b.todo:  # (started already, unless something was built before)
            _kernels_ahead(b, [s for s, _ in b.todo])
        # the report's key decides only whether a build with nothing to run is a no-op; else it is computed
        # once the sections have run (their keys then cover what their kernels read)
        b.report_key = _report_key(b) if b.report and not b.todo else None
        if _report_is_fresh(b):
            b.emit(ReportUpToDate(round(time.perf_counter() - b.t0, 2)))
            return {}
        if not b.report and not b.todo:
            return {}
        # ... and its data stage (bibliography, citations, CSV files), whenever something has to run or be assembled
        chosen = [s for s in b.cfg.sections if s.name in b.selected]
        _warn(b.emit, validate.require(b.cfg, sections=chosen, cheap=False, deep=True, report=b.report))
        try:
            return _run_and_publish(b)
        finally:
            b.editions.discard()
            code.remember(imports, save=True)


def _plan(b: _Build) -> None:
    """Read every notebook, key every section; the chosen ones that are stale go to ``b.todo``, the others are reused."""
    from . import cache, params

    env, state = cache.environment(), b.state
    for s in b.cfg.sections:
        b.notebooks[s.name] = nb = params.read_notebook(s.notebook)
        chosen = s.name in b.selected
        if chosen:
            params.check(s.name, s.notebook, s.parameters, nb)  # before any kernel starts
        previous = state.sections.get(s.name)
        b.parts[s.name] = p = cache.section_parts(b.cfg, s, nb, b.hashes, env, previous)
        b.keys[s.name] = cache.key_of(p)
        why = (["--force"] if b.force else cache.reasons(previous, p, state.has_run(s.name))) if chosen else []
        if why:
            b.todo.append((s, why))
        elif chosen or (b.report and state.has_run(s.name)):  # a report uses the last run of a section not chosen
            b.emit(
                SectionReused(
                    s.name,
                    "nothing it depends on changed" if chosen else "not among the sections to run",
                    previous.get("seconds"),
                    previous.get("finished"),
                )
            )


def _report_is_fresh(b: _Build) -> bool:
    published = b.editions.published()
    return (
        b.report
        and not b.todo
        and not b.force
        and b.state.report.get("key") == b.report_key
        and published is not None
        and all((published / FILES[f]).is_file() for f in b.to)
    )


def _run_and_publish(b: _Build) -> dict:
    b.started = datetime.now(UTC)
    if b.todo:
        _run_sections(b)
        if b.report:  # the sections' keys now cover what their kernels were seen to read
            b.report_key = _report_key(b)
    if not b.report:  # `reviewkit run`: the executed notebooks, beside (not in) the published edition
        for s, _ in b.todo:
            atomic_write(
                b.cfg.outputs / "run" / f"{s.name}.ipynb", b.state.run_path(s.name, b.keys[s.name]).read_bytes()
            )
        return {}
    stage = b.editions.staging
    stage.mkdir(parents=True, exist_ok=True)
    doc = _assemble(b, stage)
    rendered, pages, export_error = _export(b, stage, doc)
    _write_edition(b, stage, doc, rendered, pages)
    return _publish(b, export_error)


def _run_sections(b: _Build) -> None:
    """Run ``b.todo``; each finished section's notebook goes to the run store and its state is saved at once."""
    from .runner import import_drivers, run_sections

    import_drivers()  # here, before the report's thread and the sections' threads import anything (see there)
    work = b.editions.work
    work.mkdir(parents=True, exist_ok=True)
    known = {s.name: set(b.state.sections.get(s.name, {}).get("parts", {}).get("observed", {})) for s, _ in b.todo}
    for s, why in b.todo:
        b.emit(SectionQueued(s.name, tuple(why)))
        b.state.sections.pop(s.name, None)  # not fresh until it finishes again
    b.state.save()
    if b.report:
        _report_ahead(b)
    results = run_sections(
        b.cfg,
        work,
        jobs=b.jobs,
        log=_no_text,
        sections=[s for s, _ in b.todo],
        on_done=lambda r: _finished(b, known[r.name], r),
        executor=b.executor,
        scheduler=b.scheduler,
        token=b.editions.token,
    )
    failed = [r for r in results if not r.ok]
    if failed:
        said = b.outcomes.sections
        raise NotebookError(
            f"{len(failed)} of {len(results)} sections failed; the previous edition was kept:\n  "
            + "\n  ".join(f"{r.name}: {getattr(said.get(r.name), 'message', r.error)}" for r in failed)
        )


def _report_ahead(b: _Build) -> None:
    """While the sections run, a thread does what assembly and export will do first whatever the sections
    write: import the report's modules and nbconvert, hash the report's code, ask git for the review's
    provenance, load the bibliography (into its cache: assembly loads it again from there), and pay nbconvert's
    first-page costs (:func:`~reviewkit.report.writers.warm_pages`) before the sections' pages are rendered —
    mostly while the kernels are still being prepared, not while they compete for the cores."""
    from ..report.pages import Started

    def ahead() -> None:
        from ..citations.library import Library
        from ..report import assemble, export, writers  # noqa: F401
        from . import code

        provenance(b.cfg.root)
        if {"html", "pdf"} & set(b.to):  # the notebook pages are rendered as the sections finish
            writers.warm_pages()
        code.key(REPORT_MODULES)
        Library.load(b.cfg.bibliography_files)
        import nbconvert.exporters  # noqa: F401

    Started(ahead)  # nothing is kept from it but caches; an error here is met again, and reported, by assembly


def _no_text(line: str) -> None:
    """The runner's own status lines: the build reports each result as an event instead (:func:`_finished`)."""


def _finished(b: _Build, known: set, r) -> None:
    """A result from the runner (called in this process): recorded first, then reported."""
    failed_copy = b.cfg.outputs / "failed" / f"{r.name}.ipynb"
    if not r.ok:
        kept = None
        if Path(r.output).is_file():  # kept for the author, outside any edition
            try:
                atomic_write(failed_copy, Path(r.output).read_bytes())
                kept = b.rel(failed_copy)
            except OSError:
                pass
        # remembered as failed, with what it was known to read, so the next build says why it reruns
        b.state.sections[r.name] = {"ok": False, "parts": b.parts[r.name], "seconds": round(r.seconds, 2)}
        b.state.save()
        b.emit(SectionFailed(r.name, round(r.seconds, 2), r.error, kept))
        return
    failed_copy.unlink(missing_ok=True)
    ran, undeclared = _record_run(b, r)
    if b.report and {"html", "pdf"} & set(b.to):  # its notebook page, rendered while the other sections run
        b.pages[r.name] = _page_started(b, r.name, b.state.run_path(r.name, b.keys[r.name]))
    new = tuple(name for name in undeclared if name not in known)
    if new:
        b.emit(UndeclaredReads(r.name, new))
    b.emit(ran)


def _page_started(b: _Build, name: str, run_file: Path):
    """The notebook page of a section that just finished, rendered in a thread (after the pages before it: one
    at a time); ``.result()`` gives ``{name: page}``."""
    from ..report.pages import Started, notebook_pages

    before = next(reversed(b.pages.values()), None)

    def render() -> dict:
        if before is not None:
            try:
                before.result()
            except BaseException:  # its own error is raised by its own result()
                pass
        return notebook_pages({name: run_file})

    return Started(render)


def _record_run(b: _Build, r) -> tuple[SectionRan, list]:
    """Key a finished section on what its kernel read, keep its notebook by that key, save its state."""
    from . import cache
    from .observe import classify, read_log

    cfg = b.cfg
    files, modules = classify(read_log(b.editions.work / f"{r.name}.reads"), cfg.root)
    parts = cache.observed_parts(b.parts[r.name], files, modules, b.hashes)
    declared = set(parts["inputs"]) | {cfg.path.name}  # review.toml: tracked, but it is no data file
    declared |= {f"{os.path.dirname(i)}/" for i in parts["inputs"]}  # folders the declared globs list
    undeclared = sorted(set(files) - declared)
    b.parts[r.name] = parts
    b.keys[r.name] = key = cache.key_of(parts)
    run_file = b.state.run_path(r.name, key)
    run_file.parent.mkdir(parents=True, exist_ok=True)
    os.replace(r.output, run_file)
    ran = SectionRan(r.name, round(r.seconds, 2), datetime.now(UTC).isoformat(timespec="seconds"))
    b.state.sections[r.name] = {
        "ok": True,
        "parts": parts,
        "key": key,
        "undeclared": undeclared,
        "seconds": ran.seconds,
        "finished": ran.finished,
    }
    b.state.save()
    return ran, undeclared


class _Document(NamedTuple):
    nb: Any  # the assembled notebook
    figures: dict
    tables: dict
    meta: dict
    executed: dict  # section name -> its executed notebook


def _assemble(b: _Build, stage: Path) -> _Document:
    """The sections' executed notebooks (linked into *stage*) and the bibliography, as one numbered document."""
    from ..citations.library import Library
    from ..citations.resolve import LOCK_NAME, Lock
    from ..report.assemble import Assembler
    from ..report.settings import resolve_style

    rep = b.cfg.report
    library = Library.load(b.cfg.bibliography_files)
    for w in library.warnings:
        b.emit(Warned(w))
    b.emit(BibliographyLoaded(library.summary))
    docs, executed = _section_docs(b, stage)
    meta = _meta(b)
    lock = Lock.read(b.cfg.root / LOCK_NAME)
    style = resolve_style(rep.get("style", "vancouver"), b.cfg.root)
    sizes = {k: rep[k] for k in ("supplementary_rows", "supplementary_height") if k in rep}
    nb, figures, tables = Assembler(library, lock, style=style, **sizes).build(docs, meta)
    b.emit(ReportAssembled(len(figures), len(tables)))
    return _Document(nb, figures, tables, meta, executed)


def _section_docs(b: _Build, stage: Path) -> tuple[list, dict]:
    import nbformat

    from ..report.assemble import SectionDoc, blocks_from_notebook
    from .publish import link_or_copy

    docs, executed_notebooks = [], {}
    for s in b.cfg.sections:
        if not b.state.has_run(s.name):  # a section outside --only that never ran
            raise NotebookError(f"section {s.name} has no successful run yet; build it (without --only) first")
        run_file = b.state.run_path(s.name, b.state.sections[s.name]["key"])
        link_or_copy(run_file, stage / "sections" / f"{s.name}.ipynb")
        executed_notebooks[s.name] = executed = nbformat.read(run_file, as_version=4)
        docs.append(SectionDoc(s.name, blocks_from_notebook(executed, b.rel(s.notebook), source=b.notebooks[s.name])))
    return docs, executed_notebooks


def _meta(b: _Build) -> dict:
    """The document's metadata: title, authors, dates, provenance, abstract."""
    from .. import __version__
    from ..report.metadata import document_meta

    cfg, rep = b.cfg, b.cfg.report
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
        "inputs_summary": inputs_summary(cfg, b.hashes),
    }
    if rep.get("abstract"):
        meta["abstract_markdown"] = cfg.resolve(rep["abstract"]).read_text(encoding="utf-8")
        meta["abstract_source"] = rep["abstract"]
    return meta


def _export(b: _Build, stage: Path, doc: _Document) -> tuple[dict, dict, ExportError | None]:
    """Each format's bytes and the notebook pages' bytes; a missing Chromium skips the PDF (returned as the
    error to raise after publishing)."""
    from ..report import export, writers
    from ..report.pages import notebook_pages_started

    # the pages a figure's or table's link opens, rendered (or taken from the cache) while the writers run;
    # those of the sections that ran in this build were started as each finished
    wanted = {"html", "pdf"} & set(b.to)
    early = {name: b.pages[name] for name in doc.executed if name in b.pages} if wanted else {}
    rest = {name: stage / "sections" / f"{name}.ipynb" for name in doc.executed if name not in early}
    pages = notebook_pages_started(rest) if wanted and rest else None
    rep, rendered, export_error = b.cfg.report, {}, None
    docx_template = b.cfg.resolve(rep["docx_template"]) if rep.get("docx_template") else None
    for fmt in b.to:
        t = time.perf_counter()
        try:
            rendered[fmt] = writers.render(
                doc.nb, fmt, running_title=doc.meta["running_title"], docx_template=docx_template
            )
        except ExportError as exc:
            if fmt != "pdf" or export.find_chromium() is not None:  # a writer failed: keep the previous edition
                raise ExportError(f"{exc}; the previous edition was kept") from None
            export_error = (
                exc  # no Chromium installed: publish without a PDF (never an older one) and say how to get one
            )
            continue
        b.emit(Exported(fmt, b.rel(b.cfg.outputs / FILES[fmt]), round(time.perf_counter() - t, 2)))
    done = {}
    for started in [*early.values(), *([pages] if pages is not None else [])]:
        done.update(started.result())
    return rendered, {name: done[name] for name in doc.executed if name in done}, export_error


def _write_edition(b: _Build, stage: Path, doc: _Document, rendered: dict, pages: dict) -> None:
    """Every file of the new edition into *stage*: figures, tables, the assembled notebook, pages, formats, manifest."""
    import nbformat

    for name, data in doc.figures.items():
        for ext in ("png", "svg"):
            atomic_write(stage / "figures" / f"{name}.{ext}", data[ext])
    for name, table in doc.tables.items():
        atomic_write(stage / "tables" / f"{name}.csv", _csv(table))
    assembled = nbformat.writes(doc.nb)
    atomic_write(stage / "report.ipynb", assembled)
    _carry_over_formats(b.editions.published(), stage, assembled, b.to)
    for name, page in pages.items():  # the pages a figure's or table's link opens
        atomic_write(stage / "notebooks" / f"{name}.html", page)
    for fmt, data in rendered.items():
        atomic_write(stage / FILES[fmt], data)
    recorded = {name: st.get("parts", {}) for name, st in b.state.sections.items()}
    assert b.started is not None  # set when the sections started
    manifest.write(b.cfg, b.outcomes, recorded, b.started, stage, provenance(b.cfg.root))


def _csv(table: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(table["columns"])
    w.writerows([["" if v is None else v for v in row] for row in table["data"]])
    return buf.getvalue()


def _publish(b: _Build, export_error: ExportError | None) -> dict:
    """Swap the new edition in, remember the report's key (unless a format is missing), report what was built."""
    b.editions.publish()
    b.state.report = {"key": b.report_key} if export_error is None else {}
    b.state.collect_garbage()
    b.state.save()
    out = b.cfg.outputs
    written = {f: out / FILES[f] for f in b.to if (out / FILES[f]).is_file()}
    b.emit(EditionPublished(tuple(b.rel(p) for p in written.values()), round(time.perf_counter() - b.t0, 2)))
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
    if not same or published is None:
        return
    for fmt, name in FILES.items():
        if fmt not in to and (published / name).is_file():
            link_or_copy(published / name, stage / name)
