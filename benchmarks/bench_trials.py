"""Trial scale: import 10,000 API v2 records; diff two 10,000-trial snapshots.

The 10,000 records are SYNTHETIC: copies of the real records in
tests/data/ctgov/ with new NCT ids (NCT9xxxxxxx, a range labelled synthetic
here) and the brief title prefixed "[synthetic]".  The second snapshot changes
the status of every 10th trial, drops 100 and adds 100.
Usage: python benchmarks/bench_trials.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def synthetic_studies(n: int, offset: int = 0) -> list[dict]:
    real = [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests/data/ctgov").glob("api-v2-*.json"))
    ]
    real = [r for r in real if r["protocolSection"].get("statusModule")]  # full records
    out = []
    for i in range(n):
        rec = json.loads(json.dumps(real[i % len(real)]))
        ident = rec["protocolSection"]["identificationModule"]
        ident["nctId"] = f"NCT9{offset + i:07d}"
        ident["briefTitle"] = "[synthetic] " + ident.get("briefTitle", "")
        out.append(rec)
    return out


def main() -> None:
    import subprocess

    from reviewkit.trials import read_table
    from reviewkit.trials.diff import diff

    with tempfile.TemporaryDirectory() as tmp:
        old = synthetic_studies(10_000)
        snap = Path(tmp) / "snapshot-old"
        (snap / "studies").mkdir(parents=True)
        for rec in old:
            (snap / "studies" / f"{rec['protocolSection']['identificationModule']['nctId']}.json").write_text(
                json.dumps(rec), encoding="utf-8"
            )
        (snap / "manifest.json").write_text("{}", encoding="utf-8")
        page = Path(tmp) / "page.json"
        page.write_text(json.dumps({"studies": old}), encoding="utf-8")
        size = sum(p.stat().st_size for p in (snap / "studies").iterdir()) / 1e6
        del old
        for label, target in (("snapshot folder (one file per study)", snap), ("one API page file", page)):
            # a fresh process per measurement, so peak RSS is the import's own
            code = (
                "import resource,sys,time; sys.path.insert(0, %r); from reviewkit.trials import read_table; "
                "t=time.perf_counter(); df=read_table(%r); e=time.perf_counter()-t; "
                "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
                "print(len(df), round(e, 2), int(hwm) // 1024)" % (str(ROOT), str(target))
            )
            n, secs, rss = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout.split()
            print(
                f"import {int(n):,} synthetic API v2 records ({size:.0f} MB), {label}: {secs} s, "
                f"peak RSS of the process {rss} MB"
            )
        a = read_table(snap)

        new = synthetic_studies(9_900, offset=100) + synthetic_studies(100, offset=20_000)
        for i, rec in enumerate(new):
            if i % 10 == 0:
                rec["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"
        page2 = Path(tmp) / "page2.json"
        page2.write_text(json.dumps({"studies": new}), encoding="utf-8")
        b = read_table(page2)
        t = time.perf_counter()
        changes = diff(a, b)
        elapsed = time.perf_counter() - t
        print(f"diff of two 10,000-trial tables: {elapsed:.2f} s ({len(changes):,} changes)")


if __name__ == "__main__":
    main()
