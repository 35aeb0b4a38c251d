"""What each output format adds to a build, and how export time grows with the document.

1. The example review: a copy built with `reviewkit build --to html` (sections and assembly), then each
   writer timed on the assembled document (`reviewkit.report.writers.render`), best of three, plus the
   notebook pages (rendered, then from the cache) and `reviewkit bundle`.
2. Scaling (`--scale`, also part of the default run): SYNTHETIC documents generated below (references
   "Synthetic reference N", DOIs under the 10.5555 test prefix; table rows "[synthetic] Synthetic study N")
   with 50, 500 and 2,000 cited references and with a 100, 1,000 and 10,000-row supplementary table,
   exported to HTML and PDF by this tree's code and by the code of an earlier commit (`--before REV`,
   default the commit before the export fixes), side by side: for every size the two alternate, each
   export in a fresh process, three times; medians with min–max.  The per-item figure is the marginal
   cost between two sizes, (t(n2) - t(n1)) / (n2 - n1): flat when export time grows linearly; given for
   wall time and for CPU time (this process and its Chromium), which the machine's other load inflates less.

Run: `.venv/bin/python benchmarks/bench_formats.py` (`--scale` for part 2 only, `--reps N`, `--before REV`).
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STATUSES = ("Recruiting", "Completed", "Active, not recruiting", "Terminated", "Not yet recruiting")


def synthetic_bibliography(n: int):
    """*n* SYNTHETIC journal articles (titles say so; DOIs under the 10.5555 test prefix), keys syn1, syn2, …"""
    from pybtex.database import BibliographyData, Entry, Person

    bib = BibliographyData()
    for i in range(1, n + 1):
        e = Entry(
            "article",
            fields={
                "title": f"Synthetic reference {i} for the export benchmark",
                "journal": "Synthetic Journal",
                "year": str(1990 + i % 35),
                "volume": str(1 + i % 40),
                "number": str(1 + i % 12),
                "pages": f"{i}\u2013{i + 9}",
                "doi": f"10.5555/synthetic.{i}",
            },
        )
        for k in range(1 + i % 8):  # one to eight authors: some lists are cut to three + et al.
            e.add_person(Person(f"Synthetic{(i + k) % 997}, A. B."), "author")
        bib.add_entry(f"syn{i}", e)
    return bib


def synthetic_table(rows: int):
    import pandas as pd

    return pd.DataFrame(
        {
            "ID": [f"SYN-{i:06d}" for i in range(1, rows + 1)],
            "Title": [f"[synthetic] Synthetic study {i} of the export benchmark" for i in range(1, rows + 1)],
            "Status": [STATUSES[i % 5] for i in range(rows)],
            "Enrolment": [10 + (i * 37) % 990 for i in range(rows)],
            "Start": [f"{2000 + i % 25}-{1 + i % 12:02d}" for i in range(rows)],
        }
    )


def synthetic_document(refs: int, rows: int, *, style=None):
    """An assembled report (the notebook every writer takes) citing *refs* SYNTHETIC works, with a *rows*-row
    SYNTHETIC supplementary table: paragraphs of five citations each (groups of three, ranges, single ones)."""
    from reviewkit.report import MIME_TABLE, table_html
    from reviewkit.report.assemble import Assembler, Block, SectionDoc

    blocks = [Block("markdown", "synthetic, cell 1", text="# Synthetic results\n\nSynthetic text of the benchmark.")]
    for p, start in enumerate(range(1, refs + 1, 5), start=2):
        keys = [f"syn{k}" for k in range(start, min(start + 5, refs + 1))]
        groups = "; ".join(f"@{k}" for k in keys[:3])
        rest = " ".join(f"[@{k}]" for k in keys[3:])
        blocks.append(
            Block(
                "markdown",
                f"synthetic, cell {p}",
                text=f"Synthetic sentence {p}, citing [{groups}] and {rest} and again [@syn1].",
            )
        )
    df = synthetic_table(rows)
    payload = {"columns": list(df.columns), "data": df.values.tolist()}
    blocks.append(
        Block(
            "table",
            "synthetic, table",
            name="synthetic-rows",
            caption=f"{rows:,} SYNTHETIC rows.",
            data={"text/html": table_html(df), MIME_TABLE: payload},
        )
    )
    meta = {
        "title": "Synthetic export benchmark",
        "running_title": "Synthetic",
        "build_date": "2026-11-23",
        "version": "bench",
        "references": [],
    }
    nb, _, _ = Assembler(synthetic_bibliography(refs), style=style).build([SectionDoc("synthetic", blocks)], meta)
    return nb


BEFORE = "cb8b4b8"  # the last commit before the export fixes (nbconvert's re-parse, the <li value> lists)
SIZES = {"references": (50, 500, 2000), "rows": (100, 1000, 10_000)}


def _worker(kind: str, n: int, fmt: str) -> None:
    """In a child process (PYTHONPATH picks the tree): seconds for one export of a synthetic document."""
    import reviewkit
    from reviewkit.report import writers

    writers.render(synthetic_document(3, 3), "html")  # imports paid before the clock starts
    nb = synthetic_document(n, 10) if kind == "references" else synthetic_document(20, n)
    sampler = _ChildCPU()
    cpu0, t0 = time.process_time(), time.perf_counter()
    data = writers.render(nb, fmt, running_title="Synthetic")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0 + sampler.stop()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "bytes": len(data), "package": reviewkit.__file__}))


class _ChildCPU:
    """CPU seconds used by this process's descendants (Playwright's driver, Chromium), read from /proc every
    20 ms: Chromium is not a child this process waits for, so getrusage does not count it.  CPU time is what
    the other engineers' load does not inflate (wall time under load average 15 on 2 cores is ~5× idle)."""

    def __init__(self):
        import threading

        self.seen: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        tick = os.sysconf("SC_CLK_TCK")
        me = os.getpid()
        while True:
            parent, cpu = {}, {}
            for d in os.listdir("/proc"):
                if d.isdigit():
                    try:
                        with open(f"/proc/{d}/stat") as f:
                            fields = f.read().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    parent[int(d)], cpu[int(d)] = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
            for pid, used in cpu.items():
                p = parent.get(pid, 0)
                while p > 1 and p != me:
                    p = parent.get(p, 0)
                if p == me:
                    self.seen[pid] = max(used, self.seen.get(pid, 0.0))
            if self.done.wait(0.02):
                return

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return sum(self.seen.values())


def _tree_of(rev: str, dest: Path) -> Path:
    """The reviewkit package as it was at *rev* (git archive), for the "before" side."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "reviewkit"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def scaling(before: str = BEFORE, reps: int = 3, sides=("before", "after")) -> None:
    print(
        f"\nExport time vs document size (SYNTHETIC documents; before = {before}, after = this tree; "
        f"median of {reps} [min–max], each export in a fresh process, {' and '.join(sides)} alternating; "
        "wall seconds, and CPU seconds of the process and its Chromium, which load from other work does not "
        "inflate; per item: the marginal cost between this size and the one above it)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-formats-before-") as tmp:
        trees = {"before": str(_tree_of(before, Path(tmp))) if "before" in sides else "", "after": str(ROOT)}
        trees = {side: trees[side] for side in sides}
        head = "".join(f" {side + ' wall s':>19} {side + ' CPU s':>19} {'ms/item':>15}" for side in sides)
        print(f"{'size':<18} {'format':<6}{head}")
        for kind, sizes in SIZES.items():
            for fmt in ("html", "pdf"):
                medians = {(side, m): [] for side in sides for m in ("seconds", "cpu")}
                for i, n in enumerate(sizes):
                    runs = {(side, m): [] for side in sides for m in ("seconds", "cpu")}
                    for _ in range(reps):
                        for side, tree in trees.items():
                            env = {**os.environ, "PYTHONPATH": os.pathsep.join([tree, str(Path(__file__).parent)])}
                            out = subprocess.run(
                                [sys.executable, __file__, "--worker", kind, str(n), fmt],
                                env=env,
                                check=True,
                                capture_output=True,
                                text=True,
                            ).stdout
                            result = json.loads(out.strip().splitlines()[-1])
                            assert result["package"].startswith(tree), result  # the code of the side measured
                            for m in ("seconds", "cpu"):
                                runs[(side, m)].append(result[m])
                    row = f"{n:>7,} {kind:<10} {fmt:<6}"
                    for side in sides:
                        for m in ("seconds", "cpu"):
                            medians[(side, m)].append(statistics.median(runs[(side, m)]))
                            row += f" {medians[(side, m)][-1]:>6.2f} [{min(runs[(side, m)]):.2f}–{max(runs[(side, m)]):.2f}]"
                        per = (
                            ""
                            if i == 0
                            else "{:.2f} / {:.2f}".format(
                                *(
                                    1000
                                    * (medians[(side, m)][i] - medians[(side, m)][i - 1])
                                    / (sizes[i] - sizes[i - 1])
                                    for m in ("seconds", "cpu")
                                )
                            )
                        )
                        row += f" {per:>15}"
                    print(row, flush=True)


def main() -> None:
    import nbformat

    from reviewkit.report import writers

    cache_before = os.environ.get("REVIEWKIT_CACHE")
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
        from reviewkit.report.pages import notebook_pages, notebook_pages_started

        # the notebook pages with the PDF: rendered after it (as before), rendered meanwhile in a thread,
        # or taken from the page cache; the three alternate, three times each
        sections = {p.stem: p for p in sorted((project / "outputs" / "sections").glob("*.ipynb"))}
        os.environ["REVIEWKIT_CACHE"] = str(Path(tmp) / "cache")
        notebook_pages(sections)  # fills the cache for the third way

        def after():
            writers.render(nb, "pdf", running_title="bench")
            notebook_pages(sections, cache=False)

        def meanwhile():
            pages = notebook_pages_started(sections, cache=False)
            writers.render(nb, "pdf", running_title="bench")
            pages.result()

        def cached():
            writers.render(nb, "pdf", running_title="bench")
            notebook_pages(sections)

        ways = {
            "PDF, then the pages rendered": after,
            "PDF with the pages rendered meanwhile": meanwhile,
            "PDF, then the pages from the cache": cached,
        }
        times: dict[str, list[float]] = {k: [] for k in ways}
        for _ in range(3):
            for label, fn in ways.items():
                t0 = time.perf_counter()
                fn()
                times[label].append(time.perf_counter() - t0)
        print(f"\n{len(sections)} notebook pages with the PDF (median of 3 [min–max], alternating)")
        for label, ts in times.items():
            print(f"{label:<40} {statistics.median(ts):>6.2f} s [{min(ts):.2f}–{max(ts):.2f}]")
        t0 = time.perf_counter()
        proc = subprocess.run([str(exe), "bundle", str(project)], capture_output=True, env=env)
        if proc.returncode == 0:
            print(f"{'bundle':<10} {time.perf_counter() - t0:>20.2f}   (reviewkit bundle, all four formats first)")
    if cache_before is None:
        os.environ.pop("REVIEWKIT_CACHE", None)
    else:
        os.environ["REVIEWKIT_CACHE"] = cache_before


if __name__ == "__main__":
    import argparse

    if sys.argv[1:2] == ["--worker"]:
        _worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        sys.exit()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="only the scaling part")
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with (default %(default)s)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sides", default="before,after", help="before,after (default) or after alone")
    a = parser.parse_args()
    if not a.scale:
        main()
    scaling(a.before, a.reps, tuple(a.sides.split(",")))
