"""The regeneration engine, side by side in one run: cold build against its floor, no-op rebuild, one edited input,
and a 60-section batch against the papermill CLI.

* Cold `reviewkit build --to html` of the example (a fresh copy each time), with kernels forked from a warmed
  process (the default) and with a fresh interpreter per kernel (`REVIEWKIT_KERNELS=fresh`), alternating with
  the **floor**: for every section, the time to start a kernel (jupyter_client) and execute the notebook's cells
  (its imports included) with the section's parameters, nothing else — summed and divided over the cores.
* No-op rebuild: the whole `reviewkit build` process, against `python -c pass` (the interpreter's own start),
  and the modules the no-op imports that take longest (`python -X importtime`).
* One edited input: which sections rerun.
* The batch is SYNTHETIC: a matrix over the example's trials notebook (`condition` × `statuses`, 12 × 5 = 60
  combinations), each a section with its own outputs, run with `reviewkit run -j 2` (`--force`, so every run is
  cold) and, for comparison, with the papermill CLI one by one (a sample of the 60, `--papermill-sample`; per
  section medians scaled to 60).

Medians with [min–max] over `--repeat` alternating runs.  Usage: python benchmarks/bench_engine.py [--repeat N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reviewkit.pipeline import events

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FILES = ["review.toml", "abstract.md", "notebooks", "references"]
CONDITIONS = [
    "leiomyosarcoma",
    "sarcoma",
    "uterine",
    "lymphoma",
    "tumor",
    "solid",
    "soft",
    "trabectedin",
    "nivolumab",
    "gemcitabine",
    "doxorubicin",
    "pazopanib",
]
STATUSES = [[], ["RECRUITING"], ["COMPLETED"], ["TERMINATED"], ["ACTIVE_NOT_RECRUITING"]]


def copy(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    return dest


def timed(cmd, cwd=None, env=None) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if p.returncode:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{p.stderr}")
    return time.perf_counter() - t, p.stderr


def spread(values, digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def floor(project: Path) -> float:
    """Kernel start + the notebooks' cells (imports included) for every section, one after another."""
    sys.path.insert(0, str(ROOT))
    from jupyter_client.manager import start_new_kernel

    from reviewkit.pipeline.config import load

    total = 0.0
    for s in load(project).sections:
        cells = json.loads(s.notebook.read_text(encoding="utf-8"))["cells"]
        code = []
        for c in cells:
            if c["cell_type"] == "code":
                code.append("".join(c["source"]))
                if "parameters" in c.get("metadata", {}).get("tags", []):
                    code.append("\n".join(f"{k} = {v!r}" for k, v in s.parameters.items()))
        t = time.perf_counter()
        km, kc = start_new_kernel(
            kernel_name="python3", cwd=str(project), extra_arguments=["--IPKernelApp.log_level=CRITICAL"]
        )
        try:
            for src in code:
                reply = kc.execute_interactive(src, timeout=600, output_hook=lambda msg: None)
                if reply["content"]["status"] != "ok":
                    raise SystemExit(f"floor: {s.name} failed: {reply['content'].get('evalue')}")
            total += time.perf_counter() - t
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return total / (os.cpu_count() or 1)


def cold_builds(tmp: Path, repeat: int) -> None:
    rk = str(BIN / "reviewkit")
    runs: dict[str, list[float]] = {"fork": [], "fresh": [], "floor": []}
    for i in range(repeat):
        for how in ("fork", "fresh", "floor"):
            project = copy(tmp / f"cold-{how}-{i}")
            if how == "floor":
                runs[how].append(floor(project))
            else:
                runs[how].append(timed([rk, "build", str(project), "--to", "html"], env={"REVIEWKIT_KERNELS": how})[0])
            shutil.rmtree(project)
    f = statistics.median(runs["floor"])
    print(f"cold build of the example, --to html ({repeat} alternating runs, median [min–max] s):")
    print(f"  floor (kernel start + cells, summed over sections / {os.cpu_count()} cores): {spread(runs['floor'])}")
    for how, label in (
        ("fork", "kernels forked from a warmed process (default)"),
        ("fresh", "a fresh interpreter per kernel, started ahead (REVIEWKIT_KERNELS=fresh)"),
    ):
        print(f"  reviewkit build, {label}: {spread(runs[how])}; {statistics.median(runs[how]) / f:.2f} × floor")
        paired = [b / fl for b, fl in zip(runs[how], runs["floor"], strict=True)]
        print(f"    per round, against that round's floor (a shared machine's load moves both): {spread(paired)} ×")


def noop(tmp: Path, repeat: int) -> None:
    rk = str(BIN / "reviewkit")
    project = copy(tmp / "noop")
    timed([rk, "build", str(project), "--to", "html"])
    build, bare, build_cpu, bare_cpu = [], [], [], []
    for _ in range(max(repeat, 5)):
        for cmd, wall, cpu in (
            ([rk, "build", str(project), "--to", "html"], build, build_cpu),
            ([sys.executable, "-c", "pass"], bare, bare_cpu),
        ):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall.append(timed(cmd)[0])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process and any it waited for
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"no-op rebuild, whole process: {spread(build, 3)} s; `python -c pass` alone: {spread(bare, 3)} s")
    print(
        f"  CPU (user + system; a loaded machine stretches the wall time, less this): no-op {spread(build_cpu, 3)} s, "
        f"`python -c pass` {spread(bare_cpu, 3)} s"
    )
    p = subprocess.run(
        [sys.executable, "-X", "importtime", str(BIN / "reviewkit"), "build", str(project), "--to", "html"],
        capture_output=True,
        text=True,
    )
    rows = []
    for line in p.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[0].strip().isdigit():
            rows.append((int(fields[0]), fields[2].strip()))
    rows.sort(reverse=True)
    total = sum(us for us, _ in rows) / 1e6
    print(
        f"  the no-op imports {len(rows)} modules, {total:.2f} s of import time; longest (self time):",
        ", ".join(f"{n} {us / 1000:.0f} ms" for us, n in rows[:6]),
    )
    ev = project / "references" / "evidence.csv"
    ev.write_text(
        ev.read_text(encoding="utf-8").replace("Epirubicin retrospective series,", "Epirubicin retrospective series ,"),
        encoding="utf-8",
    )
    record = tmp / "events.jsonl"
    edit, _ = timed([rk, "build", str(project), "--to", "html", "--events", str(record)])
    reran = [e.section for e in events.load(record) if isinstance(e, events.SectionQueued)]
    print(f"after editing references/evidence.csv: {edit:.1f} s, reran {len(reran)} of 7 sections: {', '.join(reran)}")


def batch(tmp: Path, repeat: int, sample: int) -> None:
    grid = list(itertools.product(CONDITIONS, range(len(STATUSES))))
    assert len(grid) == 60
    project = copy(tmp / "batch")
    toml = project / "review.toml"
    text = toml.read_text(encoding="utf-8").split("[[section]]")[0]
    text += (
        '[[section]]\nname = "landscape"\nnotebook = "notebooks/trials.ipynb"\ninputs = ["references/trials/*.csv"]\n'
        f"matrix = {{ condition = {json.dumps(CONDITIONS)}, statuses = {json.dumps(STATUSES)} }}\n"
    )
    toml.write_text(text, encoding="utf-8")
    rk, pm = [], []
    out = tmp / "pm"
    out.mkdir()
    picks = grid[:: max(1, len(grid) // sample)][:sample]
    for _ in range(repeat):
        rk.append(timed([str(BIN / "reviewkit"), "run", str(project), "-j", "2", "--force"])[0])
        t = time.perf_counter()
        for cond, si in picks:
            subprocess.run(
                [
                    str(BIN / "papermill"),
                    str(project / "notebooks" / "trials.ipynb"),
                    str(out / f"{cond}-{si}.ipynb"),
                    "--cwd",
                    str(project),
                    "--no-progress-bar",
                    "-p",
                    "condition",
                    cond,
                    "-y",
                    json.dumps({"statuses": STATUSES[si]}),
                ],
                check=True,
                capture_output=True,
            )
        pm.append((time.perf_counter() - t) / len(picks) * len(grid))
    per = [v / len(grid) for v in rk]
    print(
        f"60-section batch (synthetic grid), reviewkit run -j 2 --force ({repeat} runs): {spread(rk)} s, "
        f"{spread(per)} s per section"
    )
    print(
        f"  papermill CLI one by one ({len(picks)} of the 60 per run, scaled to 60): {spread(pm)} s; "
        f"ratio {statistics.median(rk) / statistics.median(pm):.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--papermill-sample", type=int, default=12, help="papermill CLI runs per batch repetition")
    ap.add_argument("--only", choices=["cold", "noop", "batch"], action="append")
    args = ap.parse_args()
    # measured as an author runs reviewkit: Python keeps the compiled bytecode of reviewkit's modules; a machine
    # that sets PYTHONDONTWRITEBYTECODE (this one does) compiles all of them again in every process (~0.05 s)
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
        print("PYTHONDONTWRITEBYTECODE is unset for the measured processes (bytecode cached, as for a user)")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.only or "cold" in args.only:
            cold_builds(Path(tmp), args.repeat)
        if not args.only or "noop" in args.only:
            noop(Path(tmp), args.repeat)
        if not args.only or "batch" in args.only:
            batch(Path(tmp), max(1, args.repeat - 1), args.papermill_sample)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
