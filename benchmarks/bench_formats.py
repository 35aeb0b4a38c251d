"""What each output format adds to a build: the example review, assembled once, written in each format.

Builds a copy of the example with `reviewkit build --to html` (sections and assembly), then times each
writer on the assembled document (`reviewkit.report.writers.render`), best of three, plus the notebook
pages and `reviewkit bundle`.  Run: `.venv/bin/python benchmarks/bench_formats.py`.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    import nbformat

    from reviewkit.report import writers

    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        project = Path(tmp) / "review"
        project.mkdir()
        for name in ("review.toml", "abstract.md", "notebooks", "references"):
            src = ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
        exe = Path(sys.executable).with_name("reviewkit")
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1793836800"}
        subprocess.run([str(exe), "build", str(project), "--to", "html"], check=True, capture_output=True, env=env)
        nb = nbformat.read(project / "outputs" / "report.ipynb", as_version=4)
        print(f"{'format':<10} {'seconds (best of 3)':>20} {'bytes':>10}")
        for fmt in writers.FORMATS:
            best, size = float("inf"), 0
            for _ in range(3):
                t0 = time.perf_counter()
                data = writers.render(nb, fmt, running_title="bench")
                best = min(best, time.perf_counter() - t0)
                size = len(data)
            print(f"{fmt:<10} {best:>20.2f} {size:>10,}")
        sections = sorted((project / "outputs" / "sections").glob("*.ipynb"))
        t0 = time.perf_counter()
        for path in sections:
            writers.notebook_page(nbformat.read(path, as_version=4))
        print(f"{'notebooks':<10} {time.perf_counter() - t0:>20.2f}   ({len(sections)} notebook pages)")
        t0 = time.perf_counter()
        proc = subprocess.run([str(exe), "bundle", str(project)], capture_output=True, env=env)
        if proc.returncode == 0:
            print(f"{'bundle':<10} {time.perf_counter() - t0:>20.2f}   (reviewkit bundle, all four formats first)")


if __name__ == "__main__":
    main()
