"""Execute section notebooks with papermill (Python API), several at a time.

The build's own process runs the sections, each in a kernel process of its own,
from ``-j N`` threads (default: the number of cores, at most the number of
sections), so kernel start-up of one section overlaps the execution of another.
The threads only drive the kernels (papermill and nbclient, imported once); the
work of a section is done in its kernel.  The executed notebook is written into
the build's own staging folder (also when the section fails, so the error is
kept); the build, which holds the project lock, decides what to keep.

Kernels come from :mod:`reviewkit.pipeline.kernels`: forked from a warmed
process that has done the notebooks' heavy imports, started while the previous
section runs, and killed as soon as the executed notebook is written.  Each
starts with the audit hook of :mod:`reviewkit.pipeline.observe`, which records
every file the notebook opens into ``NAME.reads``.

Kernels die with the build: the warmed process ends when the build's end of
its pipe closes (however the build ends) and kills its kernels first; each
kernel asks Linux (``PR_SET_PDEATHSIG``) to be killed when the warmed process
dies, and ipykernel's parent poller does the same.  So after ``kill -9`` of a
build nothing of it keeps running, and nothing it started can write where a
newer build looks.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SectionResult:
    name: str
    output: Path
    ok: bool
    seconds: float
    error: str = ""
    token: str = ""  # the build that asked for it


def quiet_imports() -> None:
    """Skip jsonschema's optional RFC 3987 grammar (≈1 s at import; nbformat never uses it)."""
    import sys

    # a None entry makes `import rfc3987_syntax` raise ImportError, which jsonschema treats as "not installed"
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


#: held while the modules that drive kernels are imported (see :func:`import_drivers`)
_IMPORTING = threading.RLock()


def import_drivers() -> None:
    """Import papermill, nbclient and jupyter_client, by one thread at a time.

    jupyter_client's package and its ``manager`` module import each other: while one thread is importing the
    package (through papermill and nbclient), another that imports ``jupyter_client.manager`` or
    ``jupyter_client.kernelspec`` (to start a kernel) can be handed a partially initialised module, and the
    build stops with an ImportError (seen in a cold build of the example).  The build calls this before it
    starts any thread; each section calls it again (at once when all is imported), under the same lock.
    """
    with _IMPORTING:
        quiet_imports()
        import jupyter_client.kernelspec
        import jupyter_client.manager  # noqa: F401
        import papermill  # noqa: F401

        _papermill_keeps_the_working_folder()


def _papermill_keeps_the_working_folder() -> None:
    """papermill's local file handler (one object for the whole process) remembers the working folder of the
    latest ``execute_notebook`` call and changes to it (``os.chdir``) around every read and write.  Sections run from
    several threads at once (the build's, or a Dask worker's), so one thread's remembered folder — or another's
    restored one — would move the working folder of every thread under their feet.  The notebooks' paths are
    absolute and each kernel is started in its section's folder, so the handler need not remember any: it keeps
    none, and reads and writes where it is asked to."""
    from papermill.iorw import papermill_io

    local = papermill_io.get_handler("local")
    if getattr(local, "_cwd", None) is not None or "cwd" not in vars(local):
        local._cwd = None
        local.cwd = lambda new_path: None  # what local_file_io_cwd() sets (and restores): nothing


#: a kernel that dies before it answers (a port taken by a kernel started at the same moment) is started again
KERNEL_START_ATTEMPTS = 3


def execute_section(
    name: str,
    notebook: str,
    output: str,
    parameters: dict,
    cwd: str,
    kernel_name: str | None = None,
    reads: str | None = None,
    token: str = "",
    warm: list | tuple = (),
    prestart: bool = False,
) -> SectionResult:
    """Run one notebook; never raises for a notebook error (returns ``ok=False``).

    *warm*: modules the kernel imports before the notebook's cells (:func:`reviewkit.pipeline.kernels.warm_modules`);
    *prestart*: more sections will follow in this thread, so the next kernel is started while this one runs.  The
    kernel is forked by this process's zygote: the build's own (:func:`reviewkit.pipeline.kernels.share`), or one
    started now (a Dask worker's, or when the build's has ended).
    """
    from . import kernels

    start = time.perf_counter()
    with _IMPORTING:  # a Dask worker runs sections from several threads
        kernels.warm_up(kernel_name or _kernel_name(notebook), cwd, warm)  # imports ahead while papermill is imported
        import_drivers()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    kernel_log = out.with_name(out.stem + ".kernel.log")
    try:
        _execute(pm, notebook, out, parameters, cwd, kernel_name, reads, kernel_log, tuple(warm), prestart)
    except PapermillExecutionError as exc:
        where = f"{_display_path(notebook, cwd)}, cell {_source_cell_number(out, exc.cell_index)}"
        return SectionResult(
            name, out, False, time.perf_counter() - start, f"{where}: {exc.ename}: {exc.evalue}", token=token
        )
    except Exception as exc:  # kernel died, bad notebook JSON, …
        return SectionResult(
            name,
            out,
            False,
            time.perf_counter() - start,
            f"{_display_path(notebook, cwd)}: {type(exc).__name__}: {exc}{_tail(kernel_log)}",
            token=token,
        )
    return SectionResult(name, out, True, time.perf_counter() - start, token=token)


def _execute(pm, notebook, out, parameters, cwd, kernel_name, reads, kernel_log, warm, prestart) -> None:
    from . import kernels

    # the kernel's own start-up chatter (a TCP-transport warning) is not the author's business
    extra = ("--IPKernelApp.log_level=CRITICAL",)
    name = kernel_name or _kernel_name(notebook)
    if not name:  # papermill says what is missing
        pm.execute_notebook(notebook, str(out), parameters=parameters, cwd=cwd, progress_bar=False)
        return
    for attempt in range(KERNEL_START_ATTEMPTS):
        kernel = kernels.acquire(name, cwd, out.parent, warm, extra, bool(reads))
        if prestart and attempt == 0:
            kernels.prestart(name, cwd, out.parent, warm, extra, bool(reads))
        try:
            pm.execute_notebook(
                notebook,
                str(out),
                parameters=parameters,
                # no cwd: the kernel was started in it already, and papermill's cwd is an os.chdir of this whole
                # process, whose other threads (other sections, the build) must not see it
                cwd=None,
                kernel_name=name,
                km=kernel.km,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
            )
            settle(out, cwd)
            return
        except RuntimeError as exc:
            # jupyter_client picks free TCP ports, then the kernel binds them: a kernel started at the same
            # moment can take one first ("Address already in use") and this kernel dies before any cell ran.
            # Nothing of the notebook was executed, so starting a new kernel is safe.
            if "died before replying to kernel_info" not in str(exc) or attempt == KERNEL_START_ATTEMPTS - 1:
                raise
        finally:  # the executed notebook is written (or the run failed): the kernel goes now, nobody waits for it
            kernels.stop(kernel)
            _keep_kernel_files(kernel, reads, kernel_log)


#: where papermill and nbclient record the moment a run happened, not what it computed
_CLOCK_FIELDS = ("start_time", "end_time", "duration")
#: papermill gives its injected-parameters cell a random id; the executed notebook gets this one instead
INJECTED_CELL_ID = "injected-parameters"


def settle(path: Path, root: str) -> None:
    """Make an executed notebook a function of its inputs: the same run gives the same bytes, in any checkout.

    papermill stamps the notebook and each cell with wall-clock times and durations, nbclient adds per-cell
    execution timestamps, papermill records the absolute paths it read and wrote (the write went to the build's
    temporary work folder), and the injected-parameters cell gets a random id — which also reaches the notebook's
    HTML page (``id="cell-id=…"``).  Those are facts about one run, not results (the build's own timings are in
    ``manifest.json``): times become null, the input path is given relative to the project *root*, the output
    path is the file's own name, and the injected cell's id is fixed.  papermill's formatting is kept.
    """
    import json

    from .. import atomic

    nb = json.loads(path.read_text(encoding="utf-8"))
    run = nb.get("metadata", {}).get("papermill")
    for meta in [run] + [c.get("metadata", {}).get("papermill") for c in nb["cells"]]:
        if isinstance(meta, dict):
            for field in _CLOCK_FIELDS:
                if field in meta:
                    meta[field] = None
    if isinstance(run, dict):
        if isinstance(run.get("input_path"), str):
            try:
                run["input_path"] = Path(run["input_path"]).resolve().relative_to(Path(root).resolve()).as_posix()
            except ValueError:
                pass  # a notebook outside the project keeps its path
        if isinstance(run.get("output_path"), str):
            run["output_path"] = path.name
    ids = {c.get("id") for c in nb["cells"]}
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and "id" in cell:
            ids.discard(cell["id"])
            new, n = INJECTED_CELL_ID, 1
            while new in ids:  # an author's cell already has that id
                n += 1
                new = f"{INJECTED_CELL_ID}-{n}"
            cell["id"] = new
            ids.add(new)
    atomic.write(path, json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False))


def _kernel_name(notebook: str) -> str | None:
    import json

    try:
        meta = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return None  # papermill reports the unreadable notebook
    return (meta.get("kernelspec") or {}).get("name") or None


def _keep_kernel_files(kernel, reads, kernel_log: Path) -> None:
    """The kernel's reads become the section's ``NAME.reads``; its standard error is added to ``NAME.kernel.log``."""
    if reads:
        try:
            os.replace(kernel.reads, reads)
        except OSError:
            Path(reads).write_text("", encoding="utf-8")
    try:
        text = kernel.log.read_bytes()
        kernel.log.unlink()
    except OSError:
        return
    if text:
        with open(kernel_log, "ab") as f:
            f.write(text)


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return ("\n    kernel said: " + "\n    ".join(text.splitlines()[-lines:])) if text else ""


def _display_path(notebook: str, cwd: str) -> str:
    try:
        return str(Path(notebook).resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return notebook


def _source_cell_number(executed: Path, index: int) -> int:
    """1-based number of the failing cell in the author's notebook (papermill's injected cell removed)."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:  # the executed notebook could not be read back: report papermill's index
        return index + 1
    # papermill's index counts its injected-parameters cell but not the error banners it adds afterwards
    cells = [c for c in cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    injected = sum("injected-parameters" in c.metadata.get("tags", []) for c in cells[:index])
    return index + 1 - injected


def run_sections(
    cfg,
    out_dir: Path,
    *,
    jobs: int | None = None,
    log=print,
    sections=None,
    on_done=None,
    executor: str = "local",
    scheduler: str | None = None,
    token: str = "",
) -> list[SectionResult]:
    """Run *sections* (default: all) into *out_dir* (``NAME.ipynb`` and ``NAME.reads``); *on_done(result)* is
    called in this process as each one finishes.  A result is accepted only if it carries *token* (this build's).

    ``executor="dask"`` submits each section to the dask.distributed scheduler at
    *scheduler*.  Notebooks, inputs and outputs travel through the project
    folder, which must be on a path every worker sees (a shared filesystem, or
    a LocalCluster on this machine); only the small task description and the
    result travel with the task.
    """
    from . import kernels

    sections = cfg.sections if sections is None else sections
    if not sections:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(sections)))
    warm = kernels.warm_modules(sorted({str(s.notebook) for s in sections}))
    tasks = [
        dict(
            name=s.name,
            notebook=str(s.notebook),
            output=str(out_dir / f"{s.name}.ipynb"),
            parameters=s.parameters,
            cwd=str(cfg.root),
            reads=str(out_dir / f"{s.name}.reads"),
            token=token,
            warm=warm,
            kernel_name=_kernel_name(str(s.notebook)),  # read once here, not again in the worker
        )
        for s in sections
    ]
    results: dict[str, SectionResult] = {}

    def done(r):
        if r.token != token or r.name in results or Path(r.output).parent != out_dir:
            return  # not an answer to this build's request
        results[r.name] = r
        if on_done:  # record first: once "ran X" is printed, X is saved as fresh
            on_done(r)
        log(_status(r))

    if executor == "dask":
        _run_on_dask(tasks, scheduler, done)
    else:
        _run_here(tasks, jobs, warm, done)
    return [
        results.get(t["name"])
        or SectionResult(t["name"], Path(t["output"]), False, 0.0, "no result from this build's worker", token=token)
        for t in tasks
    ]


def _run_here(tasks: list[dict], jobs: int, warm: list, done) -> None:
    """The local executor: *jobs* threads of this process run the sections, each section in a kernel of its own
    forked by the build's one zygote (:func:`reviewkit.pipeline.kernels.share`; started now unless the build
    started it already).  The kernels are the separate processes; the threads only drive them, so papermill and
    nbclient are imported once, here, instead of once per worker process.

    The threads are daemons: Ctrl-C or an error here kills the zygote, and with it every kernel, at once; a
    thread still waiting for its dead kernel is abandoned (its result is not accepted, the build is over).
    """
    import logging
    import queue
    import threading

    from . import kernels

    logging.lastResort.addFilter(_not_from_section_threads)  # type: ignore[union-attr]  # a handler (Python's)
    names = [n for n in dict.fromkeys(t["kernel_name"] for t in tasks) if n]
    if names and not kernels.shared(names[0], tasks[0]["cwd"], warm):
        kernels.share(names[0], tasks[0]["cwd"], warm)
    import_drivers()  # before the threads: they would import them at the same moment
    todo: queue.SimpleQueue = queue.SimpleQueue()
    finished: queue.SimpleQueue = queue.SimpleQueue()
    for i, t in enumerate(tasks):
        todo.put((i, t))

    def work() -> None:
        try:
            while True:
                try:
                    i, t = todo.get_nowait()
                except queue.Empty:
                    return
                try:  # the next kernel is started ahead while a section is left for this thread after the others' turn
                    finished.put(execute_section(**t, prestart=i < len(tasks) - jobs))
                except BaseException as exc:  # handed to the build's thread, which raises it
                    finished.put(exc)
        finally:
            kernels.close_event_loop()

    try:
        for n in range(jobs):
            threading.Thread(target=work, daemon=True, name=f"reviewkit-section-{n}").start()
        for _ in tasks:
            r = finished.get()
            if isinstance(r, BaseException):
                raise r
            done(r)
    except BaseException:  # Ctrl-C or an error: the kernels go now, nobody waits for the sections
        while True:  # and no thread takes another section (or starts a kernel for it) while the build ends
            try:
                todo.get_nowait()
            except queue.Empty:
                break
        kernels.unshare()
        kernels.shutdown()
        raise
    kernels.shutdown()  # every section is done: the spare kernel and the zygote end (at once: nothing runs there)


def _not_from_section_threads(record) -> bool:
    """What papermill, nbclient and jupyter_client log while they drive a section's kernel ("Kernel died while
    waiting for execute reply") stays out of the build's output: the section's result says what went wrong (with
    the kernel's own last words), as the build's events report it.  Only records that no handler took reach
    Python's last-resort handler, which this filters."""
    import threading

    return not threading.current_thread().name.startswith(("reviewkit-section", "reviewkit-kernel-release"))


def _run_on_dask(tasks, scheduler: str | None, done) -> None:
    from ..errors import InputError

    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError("the dask executor needs dask.distributed: pip install 'reviewkit[dask]'") from None
    if not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        # each Dask worker process keeps its warmed kernel process between tasks (and builds); a worker thread
        # starts its next kernel ahead while sections are left for it after the other threads' turn
        slots = sum(client.nthreads().values()) or 1
        futures = [
            client.submit(
                execute_section,
                **t,
                prestart=i < len(tasks) - slots,
                pure=False,
                key=f"reviewkit-{t['name']}-{os.getpid()}",
            )
            for i, t in enumerate(tasks)
        ]
        for fut in dask_completed(futures):
            done(fut.result())
    finally:
        client.close()


def _status(r: SectionResult) -> str:
    return f"{'ran' if r.ok else 'FAILED'} {r.name} ({r.seconds:.1f} s)" + ("" if r.ok else f": {r.error}")
