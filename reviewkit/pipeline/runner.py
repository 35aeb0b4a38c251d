"""Execute section notebooks with papermill (Python API), in parallel processes.

Each section runs in its own worker process (``-j N``, default: the number of
cores, at most the number of sections), so kernel start-up of one section
overlaps the execution of another.  The executed notebook is written to
``outputs/sections/NAME.ipynb`` — also when the section fails, so the error is
kept at a predictable path.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SectionResult:
    name: str
    output: Path
    ok: bool
    seconds: float
    error: str = ""


def quiet_imports() -> None:
    """Skip jsonschema's optional RFC 3987 grammar (≈1 s at import; nbformat never uses it)."""
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)


def execute_section(name: str, notebook: str, output: str, parameters: dict, cwd: str,
                    kernel_name: str | None = None) -> SectionResult:
    """Run one notebook; never raises for a notebook error (returns ``ok=False``)."""
    quiet_imports()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            notebook, str(out), parameters=parameters, cwd=cwd, kernel_name=kernel_name,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            # the kernel's own start-up chatter (a TCP-transport warning) is not the author's business
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except PapermillExecutionError as exc:
        where = f"{_display_path(notebook, cwd)}, cell {_source_cell_number(out, exc.cell_index)}"
        return SectionResult(name, out, False, time.perf_counter() - start,
                             f"{where}: {exc.ename}: {exc.evalue} (executed notebook with the error: {out})")
    except Exception as exc:  # kernel died, bad notebook JSON, …
        return SectionResult(name, out, False, time.perf_counter() - start,
                             f"{_display_path(notebook, cwd)}: {type(exc).__name__}: {exc}")
    return SectionResult(name, out, True, time.perf_counter() - start)


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


def run_sections(cfg, out_dir: Path, *, jobs: int | None = None, log=print, sections=None,
                 on_done=None, executor: str = "local", scheduler: str | None = None) -> list[SectionResult]:
    """Run *sections* (default: all); *on_done(result)* is called in this process as each one finishes.

    ``executor="dask"`` submits each section to the dask.distributed scheduler at
    *scheduler*.  Notebooks, inputs and outputs travel through the project
    folder, which must be on a path every worker sees (a shared filesystem, or
    a LocalCluster on this machine); only the small task description and the
    result travel with the task.
    """
    sections = cfg.sections if sections is None else sections
    if not sections:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(sections)))
    tasks = [
        dict(name=s.name, notebook=str(s.notebook), output=str(out_dir / f"{s.name}.ipynb"),
             parameters=s.parameters, cwd=str(cfg.root))
        for s in sections
    ]
    results: dict[str, SectionResult] = {}

    def done(r):
        results[r.name] = r
        if on_done:  # record first: once "ran X" is printed, X is saved as fresh
            on_done(r)
        log(_status(r))

    if executor == "dask":
        _run_on_dask(tasks, scheduler, done)
    elif jobs == 1:
        for t in tasks:
            done(execute_section(**t))
    else:
        import multiprocessing

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(execute_section, **t): t["name"] for t in tasks}
            for fut in as_completed(futures):
                done(fut.result())
    return [results[t["name"]] for t in tasks]


def _run_on_dask(tasks, scheduler: str | None, done) -> None:
    from ..errors import InputError

    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise InputError("the dask executor needs dask.distributed: pip install 'reviewkit[dask]'") from None
    if not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        futures = [client.submit(execute_section, **t, pure=False, key=f"reviewkit-{t['name']}-{os.getpid()}")
                   for t in tasks]
        for fut in dask_completed(futures):
            done(fut.result())
    finally:
        client.close()


def _status(r: SectionResult) -> str:
    return f"{'ran' if r.ok else 'FAILED'} {r.name} ({r.seconds:.1f} s)" + ("" if r.ok else f": {r.error}")
