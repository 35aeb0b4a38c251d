"""Cold build of the example: `reviewkit build --to html` against Jupyter Book 1.0 and mystmd 1.8, side by side.

The peers are installed by this script, never into the project's environment, under
`~/.cache/reviewkit-bench/` (`$REVIEWKIT_BENCH_HOME`): Jupyter Book 1.0.x with jupyter-cache and jupyter_server
in a virtual environment of their own (pip, from the package index pip is set up for), and mystmd 1.8.x with npm
(Node.js from the machine; `apt-get install nodejs npm` when it has none and we are root).

The same notebooks for every tool.  The peers cannot inject parameters, so for every section of `review.toml`
(matrix sections expanded: 7 for the example) one notebook is written whose `parameters` cell ends with the
section's values from `review.toml` — the notebook's defaults, then the section's values assigned below them,
as papermill's injected cell would.  The peers' kernels run in the interpreter this script runs in (the
project's environment, where reviewkit, pandas, … are), through a `python3` kernel spec on `JUPYTER_PATH`.

Every run starts from a fresh copy of the example project, with no cache of any tool (a new `REVIEWKIT_CACHE`,
no `_build`, no jupyter-cache, no mystmd execution cache).  Measured, in alternating order, `--repeat N` times:

* `reviewkit build --to html` (its default: one worker per core);
* Jupyter Book, `execute_notebooks: force` (one notebook after another);
* Jupyter Book with jupyter-cache: `jcache project execute --executor local-parallel` (a process pool of
  `os.cpu_count()` workers), then `jupyter-book build` with `execute_notebooks: cache` reading that cache;
* mystmd, `myst build --html --execute --execute-parallel 2`.  The HTML theme is downloaded at build time;
  when that cannot be done (no network but the package registries), `myst build --site --execute
  --execute-parallel 2`: everything up to the theme — execution, parsing, the site content — but not the
  HTML pages, so mystmd's figure is then a lower bound of its HTML build, which the output says.

Wall time of the command, and CPU time (user + system) of its whole process tree: this process is made a child
subreaper, so processes a tool leaves behind (mystmd leaves its Jupyter server running) are reparented here,
ended and reaped after the tool exits, and their CPU is counted through `getrusage(RUSAGE_CHILDREN)`.  The load
average before and after each run is printed: on a shared machine, the CPU ratios are the robust figure.

Usage: python benchmarks/bench_peers.py [--repeat N] [--keep]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FILES = ["review.toml", "abstract.md", "notebooks", "references"]
HOME = Path(os.environ.get("REVIEWKIT_BENCH_HOME", Path.home() / ".cache" / "reviewkit-bench"))
JB_VENV = HOME / "jupyter-book"
MYST_DIR = HOME / "mystmd"
JB_REQUIREMENTS = ["jupyter-book>=1.0,<1.1", "jupyter-cache>=1.0,<1.1", "jupyter_server", "ipykernel"]
MYST_SPEC = "mystmd@~1.8.0"
PEERS_DIR = "peers"  # the prepared notebooks, inside each fresh copy of the project


class SetupError(Exception):
    """A peer could not be installed or set up: the message says what and why."""


# -- notebooks ---------------------------------------------------------------------------------------------


def fresh_copy(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    return dest


def prepare_notebooks(project: Path, dest: Path | None = None) -> list[str]:
    """One notebook per section of the project's review.toml, in `dest` (default: PROJECT/peers), its
    `parameters` cell ending with the section's values.  Returns the section names in review.toml's order."""
    import nbformat

    sys.path.insert(0, str(ROOT))
    from reviewkit.pipeline.config import load

    dest = dest or project / PEERS_DIR
    dest.mkdir(parents=True, exist_ok=True)
    names = []
    for section in load(project).sections:
        nb = nbformat.read(section.notebook, as_version=4)
        cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        if len(cells) != 1:
            raise SetupError(f"{section.notebook}: expected one cell tagged `parameters`, found {len(cells)}")
        if section.parameters:
            cell = cells[0]
            cell.source = (
                cell.source.rstrip("\n")
                + "\n# the section's values from review.toml (in place of papermill's injected cell)\n"
                + "".join(f"{k} = {v!r}\n" for k, v in section.parameters.items())
            )
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, dest / f"{section.name}.ipynb")
        names.append(section.name)
    return names


def write_book_config(book: Path, names: list[str], execute: str, cache: Path | None = None) -> None:
    """Jupyter Book's _config.yml and _toc.yml for the prepared notebooks."""
    lines = ["title: bench", "only_build_toc_files: true", "execute:", f"  execute_notebooks: {execute}"]
    if cache is not None:
        lines.append(f"  cache: {cache}")
    lines += ["  timeout: 600", "sphinx:", "  config:", "    html_show_copyright: false"]
    (book / "_config.yml").write_text("\n".join(lines) + "\n")
    toc = ["format: jb-book", f"root: {names[0]}", "chapters:"] + [f"- file: {n}" for n in names[1:]]
    (book / "_toc.yml").write_text("\n".join(toc) + "\n")


def write_myst_config(book: Path, names: list[str]) -> None:
    toc = "".join(f"    - file: {n}.ipynb\n" for n in names)
    (book / "myst.yml").write_text(
        f"version: 1\nproject:\n  title: bench\n  toc:\n{toc}site:\n  template: book-theme\n"
    )


def write_jupyter_dirs(where: Path) -> dict[str, str]:
    """A `python3` kernel spec running this interpreter (the project's environment), and a Jupyter config that
    lets jupyter_server run as root (mystmd starts one).  Returns the environment variables for the peers."""
    spec = where / "jupyter-path" / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}, indent=1)
    )
    config = where / "jupyter-config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"allow_root": True}}))
    return {
        "JUPYTER_PATH": str(spec.parents[1]),
        "JUPYTER_CONFIG_DIR": str(config),
        "PATH": f"{JB_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",  # mystmd runs `python -m jupyter_server`
    }


# -- installing the peers ----------------------------------------------------------------------------------


def sh(cmd: list[str], what: str, **kw) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    except OSError as e:
        raise SetupError(f"{what}: cannot run {cmd[0]} ({e})") from None
    if p.returncode:
        lines = [ln for ln in (p.stdout + p.stderr).strip().splitlines() if not ln.startswith("WARNING: Location")]
        tail = "\n".join(lines[-15:])
        raise SetupError(f"{what} failed (exit {p.returncode}): {' '.join(cmd)}\n{tail}")
    return p.stdout


def base_python() -> str:
    """The interpreter the project's virtual environment was made from (a venv needs no nesting)."""
    return getattr(sys, "_base_executable", None) or shutil.which("python3") or sys.executable


def ensure_jupyter_book() -> str:
    py = JB_VENV / "bin" / "python"
    if not py.exists():
        print(f"installing Jupyter Book into its own environment {JB_VENV} (python -m venv, pip install) …")
        sh([base_python(), "-m", "venv", str(JB_VENV)], "creating the Jupyter Book environment")
    sh([str(py), "-m", "pip", "install", "--quiet", *JB_REQUIREMENTS], "pip install of Jupyter Book")
    out = sh(
        [
            str(py),
            "-c",
            "from importlib.metadata import version as v;"
            "print(*(f'{n} {v(n)}' for n in ('jupyter-book','jupyter-cache','myst-nb','sphinx','jupyter_server',"
            "'nbclient')), sep=', ')",
        ],
        "reading the Jupyter Book environment's versions",
    ).strip()
    if not out.startswith("jupyter-book 1.0."):
        raise SetupError(f"expected Jupyter Book 1.0.x in {JB_VENV}, found: {out}")
    return out


def ensure_node() -> str:
    if not (shutil.which("node") and shutil.which("npm")):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            print("Node.js/npm not found: apt-get install nodejs npm …")
            sh(["apt-get", "install", "-y", "-q", "nodejs", "npm"], "apt-get install nodejs npm")
        else:
            raise SetupError("mystmd needs Node.js ≥ 18 and npm: install them (e.g. apt-get install nodejs npm)")
    node = sh(["node", "--version"], "node --version").strip()
    if int(node.lstrip("v").split(".")[0]) < 18:
        raise SetupError(f"mystmd 1.8 needs Node.js ≥ 18; this machine has {node}")
    return node


def ensure_mystmd() -> str:
    node = ensure_node()
    myst = MYST_DIR / "node_modules" / ".bin" / "myst"
    version = sh([str(myst), "--version"], "myst --version").strip() if myst.exists() else ""
    if not version.startswith("v1.8."):
        print(f"installing mystmd into {MYST_DIR} (npm install {MYST_SPEC}) …")
        MYST_DIR.mkdir(parents=True, exist_ok=True)
        sh(["npm", "install", "--prefix", str(MYST_DIR), "--no-audit", "--no-fund", MYST_SPEC], "npm install mystmd")
        version = sh([str(myst), "--version"], "myst --version").strip()
    if not version.startswith("v1.8."):
        raise SetupError(f"expected mystmd 1.8.x in {MYST_DIR}, found {version!r}")
    npm = sh(["npm", "--version"], "npm --version").strip()
    return f"mystmd {version.lstrip('v')} (npm {npm}, Node.js {node})"


def myst_html_offline(names: list[str], env: dict[str, str], work: Path) -> tuple[bool, str]:
    """Can `myst build --html` get its theme here?  Tried once, without executing anything."""
    probe = work / "myst-probe"
    prepare_notebooks(fresh_copy(probe))
    write_myst_config(probe / PEERS_DIR, names)
    p = subprocess.run(
        [str(MYST_DIR / "node_modules" / ".bin" / "myst"), "build", "--html"],
        cwd=probe / PEERS_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    shutil.rmtree(probe, ignore_errors=True)
    if p.returncode == 0:
        return True, ""
    lines = (p.stdout + p.stderr).splitlines()
    why = next((ln for ln in lines if "failed, reason" in ln), next((ln for ln in lines if "template" in ln), ""))
    return False, why.strip()


# -- measuring ---------------------------------------------------------------------------------------------


def become_subreaper() -> None:
    """Orphans of the measured tools are reparented to this process (Linux PR_SET_CHILD_SUBREAPER)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:
        raise SetupError("cannot become a child subreaper (prctl PR_SET_CHILD_SUBREAPER): Linux only")


def proc_stats() -> dict[int, list[str]]:
    """{pid: the fields of /proc/PID/stat after the command name} (state, ppid, …) of every process now."""
    procs: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            procs[int(entry)] = stat[stat.rindex(")") + 2 :].split()
    return procs


def own_children() -> list[int]:
    me = os.getpid()
    return [pid for pid, f in proc_stats().items() if int(f[1]) == me]


def end_leftovers() -> int:
    """End and reap whatever the measured command left running (now our children); returns how many."""
    ended = 0
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        kids = own_children()
        if not kids:
            break
        for pid in kids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while (kids := own_children()) and time.monotonic() < deadline:
            for pid in kids:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0]:
                        ended += 1
                except ChildProcessError:
                    pass
            time.sleep(0.05)
    return ended


def cpu_children() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Unreaped:
    """CPU that `RUSAGE_CHILDREN` cannot see: a process whose parent ignores SIGCHLD is reaped by the system and
    its times are added to no one's (reviewkit's warmed process forks the kernels so).  A thread reads /proc
    every `interval` seconds and keeps, for each descendant of this process whose parent ignores SIGCHLD, its
    last CPU (its own and its waited-for children's).  What it did after the last reading is missed: at most
    `interval` seconds of CPU per such process (the count is printed)."""

    def __init__(self, interval: float = 0.02) -> None:
        import threading

        self.interval, self.last = interval, {}  # (pid, start time) -> clock ticks
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.poll, daemon=True)

    def __enter__(self) -> Unreaped:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.last.values()) / os.sysconf("SC_CLK_TCK")

    def poll(self) -> None:
        me = os.getpid()
        while not self.stop_event.wait(self.interval):
            procs = proc_stats()
            children: dict[int, list[int]] = {}
            for pid, f in procs.items():
                children.setdefault(int(f[1]), []).append(pid)
            todo, ignoring = list(children.get(me, [])), {}
            while todo:
                pid = todo.pop()
                todo += children.get(pid, [])
                parent = int(procs[pid][1])
                if parent == me:
                    continue
                if parent not in ignoring:
                    ignoring[parent] = ignores_sigchld(parent)
                if ignoring[parent]:
                    f = procs[pid]
                    self.last[(pid, f[19])] = sum(int(x) for x in f[11:15])  # utime stime cutime cstime


def ignores_sigchld(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next((int(ln.split()[1], 16) for ln in status.splitlines() if ln.startswith("SigIgn:")), 0)
    return bool(mask >> (signal.SIGCHLD - 1) & 1)


def measure(steps: list[tuple[list[str], Path]], env: dict[str, str], ok=None) -> tuple[float, float, str]:
    """Run the steps one after another; wall seconds (until the last step exits) and CPU seconds of the whole
    process tree: leftovers ended and reaped after each step, processes reaped by the system included."""
    wall = 0.0
    cpu0 = cpu_children()
    log = []
    with Unreaped() as unreaped:
        for cmd, cwd in steps:
            t = time.perf_counter()
            p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **env}, input="y\n")
            wall += time.perf_counter() - t
            end_leftovers()
            log.append(p.stdout + p.stderr)
            if p.returncode and not (ok and ok(p)):
                tail = "\n".join((p.stdout + p.stderr).strip().splitlines()[-20:])
                raise SystemExit(f"{' '.join(cmd)} failed (exit {p.returncode}) in {cwd}:\n{tail}")
    UNREAPED.append((len(unreaped.last), unreaped.seconds))
    return wall, cpu_children() - cpu0 + unreaped.seconds, "\n".join(log)


UNREAPED: list[tuple[int, float]] = []  # per measured run: processes reaped by the system, their CPU seconds


def errors_in(notebooks: list[Path]) -> list[str]:
    """Executed notebooks with a cell that raised (or missing): a build that 'succeeded' without its outputs."""
    bad = []
    for nb in notebooks:
        if not nb.exists():
            bad.append(f"{nb.name} (not written)")
            continue
        text = nb.read_text()
        if '"output_type": "error"' in text or '"output_type":"error"' in text or '"ename"' in text:
            bad.append(nb.name)
    return bad


def check(tool: str, bad: list[str], log: str) -> None:
    if bad:
        raise SystemExit(f"{tool}: cells failed or notebooks missing: {', '.join(bad)}\n{log[-3000:]}")


# -- the tools ---------------------------------------------------------------------------------------------


def run_reviewkit(project: Path, env: dict[str, str], names: list[str]) -> tuple[float, float]:
    cache = project.parent / "reviewkit-cache"
    wall, cpu, log = measure(
        [([str(BIN / "reviewkit"), "build", ".", "--to", "html"], project)], {"REVIEWKIT_CACHE": str(cache)}
    )
    if not (project / "outputs" / "report.html").exists():
        raise SystemExit(f"reviewkit wrote no report.html:\n{log[-3000:]}")
    return wall, cpu


def run_jb_serial(project: Path, env: dict[str, str], names: list[str]) -> tuple[float, float]:
    book = project / PEERS_DIR
    write_book_config(book, names, "force")
    wall, cpu, log = measure([([str(JB_VENV / "bin" / "jupyter-book"), "build", "."], book)], env)
    check("Jupyter Book", errors_in([book / "_build" / "jupyter_execute" / f"{n}.ipynb" for n in names]), log)
    return wall, cpu


def run_jb_jcache(project: Path, env: dict[str, str], names: list[str]) -> tuple[float, float]:
    book, cache = project / PEERS_DIR, project / "jupyter-cache"
    write_book_config(book, names, "cache", cache)
    jcache = str(JB_VENV / "bin" / "jcache")
    steps = [
        ([jcache, "notebook", "-p", str(cache), "add", *(f"{n}.ipynb" for n in names)], book),
        ([jcache, "project", "-p", str(cache), "execute", "--executor", "local-parallel", "-t", "600"], book),
        ([str(JB_VENV / "bin" / "jupyter-book"), "build", "."], book),
    ]
    wall, cpu, log = measure(steps, env)
    if "Executing notebook" in log.split("Using jupyter-cache", 1)[-1]:
        raise SystemExit(f"Jupyter Book executed notebooks the cache should have held:\n{log[-3000:]}")
    check(
        "Jupyter Book + jupyter-cache",
        errors_in([book / "_build" / "jupyter_execute" / f"{n}.ipynb" for n in names]),
        log,
    )
    return wall, cpu


MYST_MODE = ["--html"]


def run_myst(project: Path, env: dict[str, str], names: list[str]) -> tuple[float, float]:
    book = project / PEERS_DIR
    write_myst_config(book, names)
    cmd = [
        str(MYST_DIR / "node_modules" / ".bin" / "myst"),
        "build",
        *MYST_MODE,
        "--execute",
        "--execute-parallel",
        "2",
    ]

    def site_built(p) -> bool:  # --site offline: content built, then the theme's metadata cannot be fetched
        return MYST_MODE == ["--site"] and f"Built {len(names)} pages" in p.stdout + p.stderr

    wall, cpu, log = measure([(cmd, book)], env, ok=site_built)
    content = book / "_build" / "site" / "content"
    pages = [content / f"{'index' if i == 0 else n}.json" for i, n in enumerate(names)]  # the root page: index
    missing = [p.name for p in pages if not p.exists()]
    bad = [
        m for m in ("Could not load Jupyter session manager", "Jupyter server did not", "Unable to create") if m in log
    ]
    if missing or bad or "Executing notebook" not in log:
        raise SystemExit(f"mystmd: pages missing {missing} or execution failed {bad}:\n{log[-3000:]}")
    check("mystmd", errors_in(pages), log)
    return wall, cpu


# -- main --------------------------------------------------------------------------------------------------


def verdict(ratio: float) -> str:
    return "≤ 0.5 met" if ratio <= 0.5 else "≤ 0.5 NOT met"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s [{min(values):.1f}–{max(values):.1f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=[], help="measure only the tools whose name holds one of these words")
    ap.add_argument("--keep", action="store_true", help="keep the projects built (their folder is printed)")
    args = ap.parse_args()
    # every tool measured as a user runs it: Python keeps compiled bytecode (Jupyter Book's and the kernels' too); a
    # machine that sets PYTHONDONTWRITEBYTECODE (this one does) compiles changed modules again in every process
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
        print("PYTHONDONTWRITEBYTECODE is unset for the measured processes (bytecode cached, as for a user)")
    try:
        become_subreaper()
        print(f"peers, installed under {HOME} (not in the project's environment):")
        jb = ensure_jupyter_book()
        print(f"  {JB_VENV}: {jb} (python -m venv; pip install {' '.join(repr(r) for r in JB_REQUIREMENTS)})")
        myst = ensure_mystmd()
        print(f"  {MYST_DIR}: {myst} (npm install --prefix {MYST_DIR} {MYST_SPEC})")
        work = Path(tempfile.mkdtemp(prefix="bench-peers-"))
        env = write_jupyter_dirs(work)
        names = prepare_notebooks(fresh_copy(work / "names"))
        shutil.rmtree(work / "names")
        html, why = myst_html_offline(names, env, work)
    except SetupError as e:
        raise SystemExit(f"bench_peers: {e}") from None
    if not html:
        MYST_MODE[:] = ["--site"]
    print(
        f"notebooks: one per section of review.toml ({len(names)}: {', '.join(names)}), the section's values "
        "written at the end of its `parameters` cell (the peers cannot inject parameters); the same files for "
        f"every peer; their kernels run {sys.executable} (python3 kernel spec on JUPYTER_PATH)"
    )
    if not html:
        print(
            f"mystmd: `myst build --html` cannot get its theme here ({why}); measured `myst build --site "
            "--execute --execute-parallel 2` instead: execution and the site content, not the theme's HTML "
            "pages, so its figures are a LOWER BOUND of an HTML build"
        )
    tools = {
        "reviewkit build --to html": run_reviewkit,
        "Jupyter Book 1.0, execute_notebooks: force": run_jb_serial,
        "Jupyter Book 1.0 + jupyter-cache local-parallel": run_jb_jcache,
        f"mystmd 1.8, myst build {MYST_MODE[0]} --execute --execute-parallel 2": run_myst,
    }
    tools = {
        k: v for k, v in tools.items() if k.startswith("reviewkit") or not args.only or any(w in k for w in args.only)
    }
    results: dict[str, dict[str, list[float]]] = {t: {"wall": [], "cpu": []} for t in tools}
    loads = []
    order = list(tools)
    print(f"{args.repeat} rounds, order rotated each round; cold: fresh copy, no cache of any tool\n")
    for r in range(args.repeat):
        for name in order[r % len(order) :] + order[: r % len(order)]:
            project = fresh_copy(work / f"{r}-{len(loads)}" / "project")
            prepare_notebooks(project)
            before = os.getloadavg()[0]
            wall, cpu = tools[name](project, env, names)
            after = os.getloadavg()[0]
            loads += [before, after]
            results[name]["wall"].append(wall)
            results[name]["cpu"].append(cpu)
            n, lost = UNREAPED[-1]
            extra = f", {lost:.1f} s of it in {n} processes reaped by the system" if n else ""
            print(f"round {r + 1}: {name}: {wall:.1f} s wall, {cpu:.1f} s CPU{extra} (load {before:.1f} → {after:.1f})")
            if not args.keep:
                shutil.rmtree(project.parent, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept: {work}")
    rk = results[order[0]]
    print(f"\nload average (1 min) over the runs: {min(loads):.1f}–{max(loads):.1f}, {os.cpu_count()} cores")
    print(f"{'':52} {'wall':>22} {'CPU (process tree)':>22}  reviewkit/peer wall, CPU")
    for name in order:
        w, c = results[name]["wall"], results[name]["cpu"]
        line = f"{name[:52]:52} {spread(w):>22} {spread(c):>22}"
        if name != order[0]:
            rw = statistics.median(rk["wall"]) / statistics.median(w)
            rc = statistics.median(rk["cpu"]) / statistics.median(c)
            line += f"  {rw:.2f} ({verdict(rw)}), {rc:.2f} ({verdict(rc)})"
        print(line)


if __name__ == "__main__":
    main()
