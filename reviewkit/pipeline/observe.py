"""Observed dependencies: the files a section's kernel actually opens.

The runner starts each kernel with :func:`install` as a start-up line
(``--IPKernelApp.exec_lines``), so before the notebook's first cell a
:func:`sys.addaudithook` hook is in place.  Python raises the ``open`` audit
event for every ``open()``/``io.open``/``os.open`` — whatever calls it:
pandas' CSV reader, pybtex, ``Path.read_text``, ``reviewkit.project.path``
followed by any reader.  The hook appends each new path opened for reading to
a log file (one JSON string per line, written through a handle opened before
the hook, so logging raises no event of its own).

What is *not* a data dependency is dropped by :func:`classify`, in the build
process, where it can be tested:

* the Python installation (``sys.prefix``, ``sys.base_prefix``, every
  ``sys.path`` folder outside the project) and system folders (``/usr``,
  ``/lib``, ``/proc``, ``/sys``, ``/dev``, ``/etc``) — covered by the
  environment key;
* the reviewkit package — recorded as *code* (module files), covered by the
  code key (:mod:`reviewkit.pipeline.code`);
* the kernel's own files: Jupyter/IPython/matplotlib configuration and caches
  (``~/.cache``, ``$XDG_CACHE_HOME``, ``~/.ipython``, ``~/.jupyter``,
  ``~/.local/share/jupyter``, ``~/.config``) and ``$REVIEWKIT_CACHE``, whose
  files are keyed by content and code already;
* the build's own products under ``outputs/``.

Everything else is a dependency: files in the project by their path relative
to it, files outside it (an absolute path, the home folder) by absolute path.
Readers written in C or Rust that open files without Python's ``open`` (e.g.
pyarrow's own file system) raise no audit event and are not seen: declare
their files in ``inputs``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

SYSTEM_DIRS = ("/usr/", "/lib/", "/lib64/", "/proc/", "/sys/", "/dev/", "/etc/", "/run/", "/bin/", "/sbin/")


#: the recording of this process: None until :func:`record` or :func:`install` starts it
_RECORDING: dict[str, Any] | None = None


def record() -> None:
    """Start recording before the log is named: what is opened is kept in memory until :func:`install` names it.

    Called in a warmed process that kernels are forked from (:mod:`reviewkit.pipeline.kernels`): the files its
    imports opened (a ``matplotlibrc`` in the project, …) reach the log of every kernel forked from it, so a
    forked kernel records exactly what a kernel started afresh records.
    """
    global _RECORDING
    if _RECORDING is not None:
        return
    seen: set = set()
    state: dict[str, Any] = {"fh": None, "pending": [], "seen": seen}
    _RECORDING = state
    skip = tuple({os.path.join(p, "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)} | set(SYSTEM_DIRS))
    isfile, abspath, fsdecode = os.path.isfile, os.path.abspath, os.fsdecode
    write_only = os.O_WRONLY
    accmode = getattr(os, "O_ACCMODE", 3)
    dumps = json.dumps

    isdir = os.path.isdir

    def emit(entry) -> None:
        fh = state["fh"]
        if fh is None:
            state["pending"].append(entry)
        else:
            fh.write(dumps(entry) + "\n")
            fh.flush()

    def hook(event, args):
        if event in ("os.listdir", "os.scandir"):  # a folder listed (glob, os.listdir): its names are read too
            try:
                path = args[0] if args and args[0] is not None else "."
                if isinstance(path, int):
                    return
                path = abspath(fsdecode(path))
                if ("dir", path) in seen or (path + "/").startswith(skip):
                    return
                seen.add(("dir", path))
                if isdir(path):
                    emit(["dir", path])
            except Exception:
                pass
            return
        if event != "open":
            return
        try:
            path, mode, flags = args
            if path is None or isinstance(path, int):
                return
            if isinstance(mode, str):
                if "r" not in mode and "+" not in mode:
                    return  # written, not read
            elif isinstance(flags, int) and flags & accmode == write_only:
                return
            path = abspath(fsdecode(path))
            if path in seen or path.startswith(skip):
                return
            seen.add(path)
            if isfile(path):
                emit(path)
        except Exception:  # never let bookkeeping break the author's cell
            pass

    sys.addaudithook(hook)


def unrecorded(path: str) -> None:
    """A file the kernel reads for itself, not for the notebook (its connection file): never recorded."""
    if _RECORDING is not None:
        _RECORDING["seen"].add(os.path.abspath(path))


def install(log_path: str) -> None:
    """Record into *log_path* (called in the kernel before any cell runs), with what was opened before it was named."""
    record()
    state = _RECORDING
    assert state is not None  # set by record()
    fh = open(log_path, "a", encoding="utf-8")  # opened for writing: not recorded
    for entry in state["pending"]:
        fh.write(json.dumps(entry) + "\n")
    fh.flush()
    state["pending"] = []
    state["fh"] = fh


def startup_argument(log_path: Path) -> str:
    """The kernel command-line option that installs the hook writing to *log_path*."""
    line = f"import reviewkit.pipeline.observe as _rk_observe; _rk_observe.install({str(log_path)!r}); del _rk_observe"
    return f"--IPKernelApp.exec_lines={json.dumps([line])}"


def read_log(log_path: Path) -> list:
    try:
        text = Path(log_path).read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:  # a line cut short by a killed kernel
            continue
    return out


def _ignored_dirs(root: Path) -> tuple[str, ...]:
    home = Path.home()
    dirs = [
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        *SYSTEM_DIRS,
        home / ".cache",
        home / ".ipython",
        home / ".jupyter",
        home / ".local" / "share" / "jupyter",
        home / ".config",
        home / ".matplotlib",
    ]
    for var in (
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
        "REVIEWKIT_CACHE",
        "MPLCONFIGDIR",
        "IPYTHONDIR",
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_RUNTIME_DIR",
    ):
        if os.environ.get(var):
            dirs.append(os.environ[var])
    for p in sys.path:
        if p and os.path.isdir(p) and not _inside(Path(p).resolve(), root):
            dirs.append(p)
    dirs.append(root / "outputs")
    return tuple(os.path.join(os.path.realpath(str(d)), "") for d in dirs)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def classify(paths, root: Path) -> tuple[dict[str, Path], set[str]]:
    """({dependency name: path}, {reviewkit module names}) from the paths a kernel opened.

    A dependency inside the project is named by its path relative to the
    project (``references/x.csv``), one outside by its absolute path; a listed
    folder by its path with a trailing ``/`` (its dependency is the list of
    names in it).  Listings of the project folder itself and of ``sys.path``
    folders are not tracked: Python lists them to import modules.
    """
    from .code import PACKAGE, module_of

    root = root.resolve()
    package = os.path.join(str(PACKAGE), "")
    ignored = _ignored_dirs(root)
    files: dict[str, Path] = {}
    modules: set[str] = set()
    sys_path = {os.path.realpath(p or ".") for p in sys.path} | {str(root)}
    for raw in paths:
        if isinstance(raw, list):  # ["dir", path]
            real = os.path.realpath(raw[1])
            if real in sys_path or (real + "/").startswith(ignored + (package,)) or real.endswith("__pycache__"):
                continue
            p = Path(real)
            name = (str(p.relative_to(root)) if _inside(p, root) else str(p)).rstrip("/") + "/"
            files[name] = p
            continue
        real = os.path.realpath(raw)
        if real.startswith(package):
            module = module_of(Path(real))
            if module:
                modules.add(module)
            continue
        if real.startswith(ignored) or "/__pycache__/" in real:
            continue
        p = Path(real)
        name = str(p.relative_to(root)) if _inside(p, root) else str(p)
        files[name] = p
    return files, modules


def dependency_path(name: str, root: Path) -> Path:
    return Path(name) if os.path.isabs(name) else root / name
