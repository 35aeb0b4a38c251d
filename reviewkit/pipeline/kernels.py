"""Kernels that are ready before they are needed, and stopped without waiting.

Every section still runs in a kernel process of its own, but that process no
longer starts from nothing:

* **Forked from a warmed process.**  A build keeps one *zygote* (:func:`share`,
  started by the build's own process as early as it can; the build's threads
  that run the sections all have their kernels forked by it); a Dask
  worker keeps one of its own.  A zygote is a
  Python process started once, which has imported ipykernel and the heavy
  modules the review's notebooks use (:func:`warm_modules`: pandas, seaborn,
  matplotlib … found in the notebooks' imports and in the reviewkit functions
  they call).  A section's kernel is a ``fork()`` of it: a new process (nothing
  a section sets — a module attribute, an rcParam — reaches the zygote or any
  other section), with those imports already paid once per build instead of
  once per section.  Only standard ``python -m ipykernel_launcher`` kernel
  specs are forked; any other kernel (or a zygote that cannot start) is
  launched the usual way by jupyter_client.
* **Started ahead.**  While a section runs, the thread's next kernel is
  already forked and initialised (:func:`prestart`), so the next section
  executes its first cell at once.
* **No shutdown wait.**  Once the executed notebook is written, the kernel's
  process group is killed (:func:`stop`); nothing waits for a graceful
  shutdown, which only ran the kernel's own teardown.

Observed reads stay complete: the zygote records the files its imports open
(:func:`reviewkit.pipeline.observe.record`) and every kernel forked from it
writes them into its log before its own; reviewkit's modules are never
imported in the zygote, so a section's code key still lists exactly the
modules its kernel imported.

Kernels die with their build: the zygote exits when its owner's end of the
pipe closes (however the build or the Dask worker ends), each forked kernel asks Linux to kill
it when the zygote ends (``PR_SET_PDEATHSIG``), and ipykernel's parent
poller does the same.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

#: ``REVIEWKIT_KERNELS=fresh``: a new interpreter per kernel (still started ahead, imports done at its start);
#: the default ``fork`` forks kernels from the warmed zygote.  The benchmark compares the two.
MODES = ("fork", "fresh")

_LOCK = threading.RLock()
_ZYGOTE: Zygote | None = None
_SPARES: list = []
_FINALIZER = None


#: what ipykernel 7 and IPython import only when a kernel starts (its debugger: debugpy and pydevd, about 130
#: modules; the history's sqlite3; psutil; pdb …): about 0.1 s of CPU per kernel, imported by the zygote once
#: instead.  Importing them starts no thread and sets no trace function (they are only imported).
KERNEL_START_MODULES = (
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "psutil",
    "sqlite3",
    "tornado.platform.asyncio",
)


def mode() -> str:
    value = os.environ.get("REVIEWKIT_KERNELS", "fork")
    return value if value in MODES else "fork"


# ---------------------------------------------------------------------------------------------------------------
# which modules to import ahead


def warm_modules(notebooks) -> list[str]:
    """Third-party modules the notebooks' code imports, to be imported ahead of their cells.

    Read from the notebooks' own import statements and, for each reviewkit module they import, from that
    module's import statements (also those inside functions, where reviewkit imports pandas or matplotlib
    lazily), following reviewkit's module-level imports.  Standard-library modules are left out (cheap).
    """
    import ast

    package = Path(__file__).resolve().parents[1]
    found: set[str] = set()
    seen: set[str] = set()
    todo: list[str] = []

    def note(module: str) -> None:
        top = module.split(".")[0]
        if top == "reviewkit":
            if module not in seen:
                seen.add(module)
                todo.append(module)
        elif top and top not in sys.stdlib_module_names and top != "__future__":
            found.add(module)

    def imports(tree, current: str | None, package_of: str | None, module_level_only_reviewkit: bool):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level and package_of:
                    parts = package_of.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                names = [base] + [f"{base}.{a.name}" for a in node.names if base.startswith("reviewkit")]
            else:
                continue
            for name in names:
                if name.startswith("reviewkit") and module_level_only_reviewkit and node not in tree.body:
                    continue  # reviewkit imported inside a function: followed only if the notebook calls it
                note(name)

    for nb in notebooks:
        try:  # read before the notebooks are validated: anything that is not a notebook has no imports here
            cells = json.loads(Path(nb).read_text(encoding="utf-8")).get("cells", [])
            cells = [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []
        except (OSError, ValueError, AttributeError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            src = cell.get("source", "")
            src = "".join(map(str, src)) if isinstance(src, list) else src
            if not isinstance(src, str):
                continue
            src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
            try:
                imports(ast.parse(src), None, None, False)
            except SyntaxError:
                continue
    while todo:
        module = todo.pop()
        rel = module.split(".")[1:]
        for path, pkg in (
            (package.joinpath(*rel, "__init__.py"), module),
            (package.joinpath(*rel[:-1], f"{rel[-1]}.py") if rel else None, module.rsplit(".", 1)[0]),
        ):
            if path is not None and path.is_file():
                try:
                    imports(ast.parse(path.read_text(encoding="utf-8")), module, pkg, True)
                except (OSError, SyntaxError):
                    pass
                break
    return sorted(found)


# ---------------------------------------------------------------------------------------------------------------
# the zygote: a warmed process that forks kernels


class ZygoteGone(RuntimeError):
    pass


class Zygote:
    """A ``python -m reviewkit.pipeline.kernels`` process that forks kernels on request, one request at a time.

    *shared*: the build's own zygote (:func:`share`), which :func:`unshare` ends."""

    def __init__(self, python: str, cwd: str, modules: list[str], shared: bool = False):
        self.key = (python, cwd, tuple(modules))
        self.lock = threading.Lock()
        self.shared = shared
        self.forked: list[int] = []  # the kernels' pids (each its own process group)
        self.proc = subprocess.Popen(
            [python, "-m", "reviewkit.pipeline.kernels"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._send({"modules": list(modules)})

    def _send(self, obj) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both opened as pipes
        try:
            self.proc.stdin.write(json.dumps(obj).encode() + b"\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):
            raise ZygoteGone("the warmed kernel process has ended") from None

    def fork(self, argv: list[str], env: dict, cwd: str, log: str) -> int:
        with self.lock:
            self._send({"argv": argv, "env": env, "cwd": cwd, "log": log})
            line = self.proc.stdout.readline()  # type: ignore[union-attr]  # a pipe (Popen stdout=PIPE)
        if not line.strip():
            raise ZygoteGone("the warmed kernel process has ended")
        pid = int(line)
        self.forked = [p for p in self.forked if _exists(p)] + [pid]
        return pid

    def kill(self) -> None:
        """End the zygote and the kernels it forked now (SIGKILL), and wait until they are gone: a stopped build
        exits only once no kernel of its holds a file open in its output folder."""
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        _end(self.forked)
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()  # type: ignore[union-attr]
            except OSError:
                pass

    def close(self) -> None:
        """End the zygote and every kernel it forked, and wait until they are gone (their files are closed)."""
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]  # end of requests: the zygote kills its kernels, waits for them, exits
            self.proc.wait(timeout=5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        try:
            self.proc.stdout.close()  # type: ignore[union-attr]
        except OSError:
            pass


def _zygote(python: str, cwd: str, modules: list[str]) -> Zygote:
    global _ZYGOTE
    key = (python, cwd, tuple(modules))
    with _LOCK:
        if _ZYGOTE is not None and (_ZYGOTE.key != key or _ZYGOTE.proc.poll() is not None):
            _ZYGOTE.close()
            _ZYGOTE = None
        if _ZYGOTE is None:
            _ZYGOTE = Zygote(python, cwd, modules)
        return _ZYGOTE


def _python_for(kernel_name: str | None) -> str | None:
    """The interpreter of *kernel_name* when it is a standard ``python -m ipykernel_launcher`` kernel (else None)."""
    if mode() != "fork" or not kernel_name:
        return None
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except Exception:  # an unknown kernel: papermill says so
        return None
    if argv[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    python = argv[0]
    if python in ("python", f"python{sys.version_info[0]}", f"python{sys.version_info[0]}.{sys.version_info[1]}"):
        python = sys.executable  # as jupyter_client's KernelManager.format_kernel_cmd resolves it
    return python


def warm_up(kernel_name: str | None, cwd: str, modules) -> None:
    """Start this process's zygote now, without waiting for it: it imports while this process imports papermill.

    Nothing to start when the build's zygote (:func:`share`) forks these kernels already."""
    python = _python_for(kernel_name)
    if python is None:
        return
    try:
        _zygote(python, cwd, list(modules))
    except OSError:
        pass


# the build's one zygote, shared by the threads that run its sections


def share(kernel_name: str | None, cwd: str, modules) -> bool:
    """In the build's own process: start the build's zygote now; False when these kernels are not forked.

    Started as early as the build can (before it validates the project), so that its heavy imports are done
    meanwhile; every section's kernel is forked by it.  End it with :func:`unshare` (or :func:`shutdown`).

    The zygote is started with this interpreter before the kernel spec is read (jupyter_client's import and
    its look-up take a third of a second of the build's critical path, while the zygote imports): a standard
    ``python3`` kernel runs this interpreter.  A kernel spec that names another interpreter (or is no
    ``ipykernel_launcher`` kernel) replaces (or ends) that zygote at once.
    """
    global _ZYGOTE
    if mode() != "fork" or not kernel_name:
        return False
    with _LOCK:
        if _ZYGOTE is not None:
            _ZYGOTE.kill()
            _ZYGOTE = None
        try:
            _ZYGOTE = Zygote(sys.executable, cwd, list(modules), shared=True)
        except OSError:
            pass
    python = _python_for(kernel_name)
    with _LOCK:
        if _ZYGOTE is not None and (not _ZYGOTE.shared or _ZYGOTE.key != (python, cwd, tuple(modules))):
            _ZYGOTE.kill()  # not the interpreter of these kernels (or no longer the build's)
            _ZYGOTE = None
        if python is None:
            return False
        if _ZYGOTE is None:
            try:
                _ZYGOTE = Zygote(python, cwd, list(modules), shared=True)
            except OSError:
                return False
        return True


def shared(kernel_name: str | None, cwd: str, modules) -> bool:
    """Whether the build's zygote (:func:`share`) is alive and forks these kernels."""
    with _LOCK:
        z = _ZYGOTE
        if z is None or not z.shared or z.proc.poll() is not None or z.key[1:] != (cwd, tuple(modules)):
            return False  # (without reading the kernel spec)
    python = _python_for(kernel_name)
    return z.key == (python, cwd, tuple(modules))


def unshare() -> None:
    """In the build's own process: kill the build's zygote now (a build that stops early, or is interrupted);
    the kernels it forked follow it."""
    global _ZYGOTE
    with _LOCK:
        z = _ZYGOTE if _ZYGOTE is not None and _ZYGOTE.shared else None
        if z is not None:
            _ZYGOTE = None
    if z is not None:
        z.kill()


class Forked:
    """The handle jupyter_client's provisioner keeps for a kernel forked by the zygote (not this process's child)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self):
        if self.returncode is None and not _exists(self.pid):
            self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout=None):
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, sig) -> None:
        os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class WarmKernelManager(AsyncKernelManager):
        """Launches ``python -m ipykernel_launcher`` kernels as forks of this process's zygote; keeps its clients."""

        warm: list = []  # noqa: RUF012 (replaced per instance by start(), never mutated in place)
        kernel_log: str = os.devnull
        clients: list

        def client(self, **kw):
            kc = super().client(**kw)
            self.clients.append(kc)
            return kc

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            env = kw.get("env") or dict(os.environ)
            cwd = str(kw.get("cwd") or os.getcwd())
            pid = None
            if mode() == "fork" and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]:
                for _ in range(2):  # a zygote that ended (its packages changed since it started) is started again
                    try:
                        pid = _zygote(kernel_cmd[0], cwd, self.warm).fork(
                            kernel_cmd[3:], dict(env), cwd, self.kernel_log
                        )
                        break
                    except (OSError, ZygoteGone, ValueError):
                        continue
                if pid:
                    p: Any = self.provisioner  # a LocalProvisioner: its process fields are set as its launch would
                    p.process, p.pid, p.pgid, p.cwd = Forked(pid), pid, pid, cwd
                    self._reconcile_connection_info(p.connection_info)
                    return
            with open(self.kernel_log, "ab") as log:
                kw["stderr"] = log
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return WarmKernelManager


# ---------------------------------------------------------------------------------------------------------------
# what the runner uses


class Kernel:
    """A started kernel: its manager, and the files its reads and its standard error go to until it is given a name."""

    def __init__(self, key: tuple, km, reads: Path | None, log: Path):
        self.key, self.km, self.reads, self.log = key, km, reads, log


def start(kernel_name: str | None, cwd: str, folder: Path, modules, extra: list[str], observe: bool) -> Kernel:
    """Start a kernel now (forked from the zygote where it can be); returns at once, the kernel initialises alone."""
    from jupyter_core.utils import run_sync

    from .observe import startup_argument

    global _FINALIZER
    with _LOCK:
        if _FINALIZER is None:  # this process's normal exit (a Dask worker's): its kernels go first
            from multiprocessing.util import Finalize

            _FINALIZER = Finalize(None, shutdown, exitpriority=10)
    tag = uuid.uuid4().hex[:12]
    reads = folder / f".kernel-{tag}.reads" if observe else None
    log = folder / f".kernel-{tag}.log"
    args = list(extra)
    if reads is not None:
        reads.write_text("", encoding="utf-8")
        args.append(startup_argument(reads))
    if mode() == "fresh" and modules:  # a new interpreter: the imports are done at its start, after the hook
        line = "; ".join(f"__import__({m!r})" for m in modules)
        args.append(f"--IPKernelApp.exec_lines={json.dumps(_exec_lines(args) + [_guarded(line)])}")
    cls = _manager_class()
    km = cls(**({"kernel_name": kernel_name} if kernel_name else {}))
    km.warm, km.kernel_log, km.clients = list(modules), str(log), []
    # beside the kernel's other files, in the build's work folder (under outputs/, which the reads observed are not
    # taken from): a build that is killed leaves it there, where the next build removes it with the folder, not in
    # Jupyter's runtime folder for good.  jupyter_client writes it readable by its owner only (it holds the key).
    km.connection_file = str(folder / f".kernel-{tag}.json")
    run_sync(km.start_kernel)(cwd=cwd, extra_arguments=args)
    return Kernel((kernel_name, cwd, str(folder), tuple(modules), tuple(extra), observe), km, reads, log)


def _exec_lines(args: list[str]) -> list[str]:
    """The start-up lines already in *args* (removed from it): one ``exec_lines`` option carries them all."""
    lines = []
    for a in list(args):
        if a.startswith("--IPKernelApp.exec_lines="):
            lines += json.loads(a.split("=", 1)[1])
            args.remove(a)
    return lines


def _guarded(line: str) -> str:
    return f"try:\n    {line}\nexcept BaseException:\n    pass"


def acquire(kernel_name, cwd, folder: Path, modules, extra, observe: bool) -> Kernel:
    """The spare kernel started for this kind of section, else a new one."""
    key = (kernel_name, cwd, str(folder), tuple(modules), tuple(extra), observe)
    found = None
    with _LOCK:
        for k in list(_SPARES):
            if k.key == key and found is None and _alive(k):
                found = k
            elif k.key == key and _alive(k):
                continue  # another thread's next kernel (a Dask worker with several threads)
            else:  # another build's or another kind's: of no use any more
                stop(k)
            _SPARES.remove(k)
    return found or start(kernel_name, cwd, folder, modules, extra, observe)


def prestart(kernel_name, cwd, folder: Path, modules, extra, observe: bool) -> None:
    """Start the next kernel now, while this section runs; a spare of another kind is stopped."""
    key = (kernel_name, cwd, str(folder), tuple(modules), tuple(extra), observe)
    with _LOCK:
        for k in [k for k in _SPARES if k.key != key]:
            _SPARES.remove(k)
            stop(k)
        if any(k.key == key for k in _SPARES):
            return
    k = start(kernel_name, cwd, folder, modules, extra, observe)
    with _LOCK:
        _SPARES.append(k)


def _alive(k: Kernel) -> bool:
    p = k.km.provisioner
    return p is not None and p.process is not None and p.process.poll() is None


def stop(k: Kernel) -> None:
    """Kill the kernel's process group now (its outputs are saved); channels and files are released in the background."""
    km = k.km
    p: Any = getattr(km, "provisioner", None)
    proc = getattr(p, "process", None) if p is not None else None
    if proc is not None:
        try:
            os.killpg(p.pgid or proc.pid, signal.SIGKILL)
        except (OSError, TypeError):
            try:
                proc.kill()
            except OSError:
                pass
    threading.Thread(target=_release, args=(km, proc), daemon=True, name="reviewkit-kernel-release").start()


def _release(km, proc) -> None:
    from jupyter_core.utils import run_sync

    try:
        if proc is not None:
            proc.wait()  # reaps a kernel this process started itself
        for kc in km.clients:
            kc.stop_channels()
        if km.provisioner is not None:
            km.provisioner.process = None
        run_sync(km.cleanup_resources)()
    except Exception:  # best effort: the process is already gone
        pass
    finally:
        close_event_loop()


def close_event_loop() -> None:
    """Close the asyncio event loop jupyter_client's ``run_sync`` made for this thread (a thread that drove kernels,
    at its end): left open, it is collected while Python exits, when closing it fails with a traceback."""
    import asyncio
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # "there is no current event loop"
            loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return
    if not loop.is_running() and not loop.is_closed():
        loop.close()


def shutdown() -> None:
    """Stop the spare kernels and the zygote of this process (the end of a build's sections, a Dask worker's close)."""
    global _ZYGOTE
    with _LOCK:
        for k in _SPARES:
            stop(k)
        _SPARES.clear()
        if _ZYGOTE is not None:
            _ZYGOTE.close()
            _ZYGOTE = None


# ---------------------------------------------------------------------------------------------------------------
# inside the zygote


def _serve() -> None:
    """The zygote: import ahead, then fork a kernel for each request read from standard input (one at a time:
    each is answered with the kernel's pid before the next is read)."""
    import gc
    import importlib

    gc.disable()  # the imports below make objects by the million and free few: collecting meanwhile is 12 % of them

    from . import observe
    from .cache import environment  # reviewkit's modules: imported before the recording starts, never after

    pending = b""
    while b"\n" not in pending:  # read at the file descriptor: the requests below are read the same way
        data = os.read(0, 65536)
        if not data:
            return
        pending += data
    first, pending = pending.split(b"\n", 1)
    settings = json.loads(first)
    observe.record()  # what the imports below open reaches every kernel's log
    # the backend ipykernel sets for its kernels, before matplotlib reads it at import
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import ipykernel.kernelapp  # noqa: F401

    installed = environment()
    for name in KERNEL_START_MODULES:  # imported by every kernel as it starts: once here instead
        try:
            importlib.import_module(name)
        except BaseException:
            pass
    for name in settings["modules"]:
        if _installed(name):
            try:
                importlib.import_module(name)
            except BaseException:  # the section's own import will say what is wrong
                pass
    gc.freeze()  # what was imported is kept for good: a kernel's collections never walk (nor copy) it
    gc.enable()  # the kernels collect as any Python does
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped by the system
    me = os.getpid()
    children: list[int] = []

    def handle(data: bytes) -> bool:
        """Fork a kernel for each whole request line; False when this zygote must end."""
        nonlocal pending, children
        *lines, pending = (pending + data).split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            if environment() != installed:  # a package was installed or upgraded: what was imported is stale
                return False
            request = json.loads(line)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _kernel(request, me)
            children = [p for p in children if _exists(p)] + [pid]
            os.write(1, f"{pid}\n".encode())
        return True

    try:
        if not handle(b""):  # requests that came with the first line
            return
        while True:
            try:
                data = os.read(0, 65536)
            except OSError:
                data = b""
            if not data or not handle(data):
                return  # the owner's end of the pipe closed (however it ended): its kernels go too
    finally:  # the kernels go first, then this process
        _end(children)


def _end(pids: list[int], seconds: float = 5.0) -> None:
    """Kill the kernels this zygote forked and wait until they are gone (reaped: SIGCHLD is ignored)."""
    left = []
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
            left.append(pid)
        except OSError:
            pass
    end = time.monotonic() + seconds
    while left and time.monotonic() < end:
        time.sleep(0.01)
        left = [p for p in left if _exists(p)]


def _exists(pid: int) -> bool:
    """Whether *pid* runs (an ended process not yet reaped by its new parent does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):  # no /proc: as signal 0 says
        return True


def _installed(name: str) -> bool:
    """Whether *name* comes from the Python installation (not a module of the project, which may be edited while
    a Dask worker's zygote lives: the section imports those itself)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name.split(".")[0])
    except (ImportError, ValueError):
        return False
    where = spec and (
        spec.origin
        if spec.origin not in (None, "built-in", "frozen")
        else next(iter(spec.submodule_search_locations or []), None)
    )
    if not where:
        return False
    where = os.path.realpath(where)
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return any(where.startswith(os.path.join(p, "")) for p in prefixes) and not where.startswith(
        os.path.join(os.path.realpath(os.getcwd()), "")
    )


def _kernel(request: dict, zygote: int) -> None:
    """In the forked child: become a kernel (never returns)."""
    code = 1
    try:
        os.setsid()  # its own process group, as jupyter_client gives a kernel it starts
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() != zygote:
            os._exit(1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(zygote)  # ipykernel's parent poller: end with the zygote
        # the reviewkit modules a fresh kernel has before its first cell (those that record its reads), no more:
        # one the notebook imports is imported (and recorded, for the section's code key) by the notebook
        for name in [m for m in sys.modules if m.split(".")[0] == "reviewkit"]:
            if name not in ("reviewkit", "reviewkit.pipeline", "reviewkit.pipeline.observe"):
                del sys.modules[name]
        numpy_random = sys.modules.get("numpy.random")
        if numpy_random is not None:  # a fresh process draws a fresh seed; a fork would share the zygote's
            numpy_random.seed()
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        for flag, value in zip(sys.argv, sys.argv[1:]):
            if flag == "-f":  # the connection file, which the recording started in the zygote would see read
                sys.modules["reviewkit.pipeline.observe"].unrecorded(value)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    _serve()
    os._exit(0)  # its kernels are gone: nothing of the imported modules' teardown is worth waiting for
