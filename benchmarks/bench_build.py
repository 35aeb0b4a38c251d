"""Cold build of the example: `reviewkit build` vs. papermill CLI + nbconvert, one by one.

Both sides start from a fresh copy of the example project (no outputs).  The
baseline runs, for every section, `papermill IN OUT -p …` and then
`jupyter nbconvert --to html OUT` as separate processes — what an author
without reviewkit would script.  reviewkit does more (bibliography, assembly,
numbering) and here produces only HTML too (`--to html`), so the comparison
is like for like.  Prints the median [min–max] seconds of each side and the ratio
of the medians, over `--repeat N` alternating runs (default 1).  Usage: python benchmarks/bench_build.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FILES = ["review.toml", "abstract.md", "notebooks", "references"]


def fresh_copy(dest: Path) -> Path:
    for name in FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    return dest


def run(cmd, cwd):
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)


def reviewkit_build(project: Path) -> float:
    t = time.perf_counter()
    run([str(BIN / "reviewkit"), "build", ".", "--to", "html"], project)
    return time.perf_counter() - t


def one_by_one(project: Path) -> float:
    sys.path.insert(0, str(ROOT))
    from reviewkit.pipeline.config import load

    cfg = load(project)
    t = time.perf_counter()
    for s in cfg.sections:
        out = project / "baseline" / f"{s.name}.ipynb"
        out.parent.mkdir(exist_ok=True)
        cmd = [str(BIN / "papermill"), str(s.notebook), str(out), "--cwd", str(project), "--no-progress-bar"]
        for k, v in s.parameters.items():
            cmd += ["-y", json.dumps({k: v})]
        run(cmd, project)
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)], project)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    rk, base = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            base.append(one_by_one(fresh_copy(Path(a))))
            rk.append(reviewkit_build(fresh_copy(Path(b))))
    import statistics

    def spread(v):
        return f"{statistics.median(v):.1f} s [{min(v):.1f}–{max(v):.1f}]"

    print(f"papermill CLI + nbconvert, one by one: {spread(base)}")
    print(f"reviewkit build --to html (cold):      {spread(rk)}")
    print(
        f"ratio of the medians:                  {statistics.median(rk) / statistics.median(base):.2f}"
        f" ({args.repeat} alternating runs)"
    )


if __name__ == "__main__":
    main()
