"""The regeneration engine: no-op rebuild, one edited input, and a 50-section batch.

The 50-section batch is SYNTHETIC: a matrix over the example's trials notebook
(`condition` × `statuses`, 50 combinations), each combination a section with
its own outputs.  It is run by `reviewkit run -j 2` and, for comparison, one
by one with the papermill CLI.  Usage: python benchmarks/bench_engine.py
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reviewkit.pipeline import events

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FILES = ["review.toml", "abstract.md", "notebooks", "references"]


def copy(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    return dest


def timed(cmd, cwd=None) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True)
    return time.perf_counter() - t, p.stderr


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy(Path(tmp) / "review")
        rk = str(BIN / "reviewkit")
        cold, _ = timed([rk, "build", str(project), "--to", "html"])
        noop = min(timed([rk, "build", str(project), "--to", "html"])[0] for _ in range(5))
        ev = project / "references" / "evidence.csv"
        ev.write_text(ev.read_text(encoding="utf-8").replace("Epirubicin retrospective series,", "Epirubicin retrospective series ,"),
                      encoding="utf-8")
        record = Path(tmp) / "events.jsonl"
        edit, _ = timed([rk, "build", str(project), "--to", "html", "--events", str(record)])
        reran = [e.section for e in events.load(record) if isinstance(e, events.SectionQueued)]
        print(f"cold build of the example (--to html): {cold:.1f} s")
        print(f"no-op rebuild, whole process (best of 5): {noop:.2f} s; no kernel started")
        print(f"after editing references/evidence.csv: {edit:.1f} s, reran {len(reran)} of 7 sections: {', '.join(reran)}")

        # a synthetic 50-section batch over the trials notebook
        conditions = ["leiomyosarcoma", "sarcoma", "uterine", "lymphoma", "tumor", "solid", "soft", "trabectedin",
                      "nivolumab", "gemcitabine"]
        statuses = [[], ["RECRUITING"], ["COMPLETED"], ["TERMINATED"], ["ACTIVE_NOT_RECRUITING"]]
        grid = list(itertools.product(conditions, range(len(statuses))))
        assert len(grid) == 50
        batch = Path(tmp) / "batch"
        copy(batch)
        toml = batch / "review.toml"
        text = toml.read_text(encoding="utf-8").split("[[section]]")[0]
        text += ('[[section]]\nname = "landscape"\nnotebook = "notebooks/trials.ipynb"\ninputs = ["references/trials/*.csv"]\n'
                 f'matrix = {{ condition = {json.dumps(conditions)}, statuses = {json.dumps(statuses)} }}\n')
        toml.write_text(text, encoding="utf-8")
        t_rk, _ = timed([rk, "run", str(batch), "-j", "2"])
        out = Path(tmp) / "pm"
        out.mkdir()
        t = time.perf_counter()
        for cond, si in grid:
            subprocess.run([str(BIN / "papermill"), str(batch / "notebooks" / "trials.ipynb"), str(out / f"{cond}-{si}.ipynb"),
                            "--cwd", str(batch), "--no-progress-bar", "-p", "condition", cond,
                            "-y", json.dumps({"statuses": statuses[si]})], check=True, capture_output=True)
        t_pm = time.perf_counter() - t
        print(f"50-section batch (synthetic grid), reviewkit run -j 2: {t_rk:.1f} s; papermill CLI one by one: "
              f"{t_pm:.1f} s; ratio {t_rk / t_pm:.2f}")


if __name__ == "__main__":
    main()
