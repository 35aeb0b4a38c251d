"""Meta-analysis speed: effect sizes and models for many studies.

The studies are SYNTHETIC, generated here (a seeded random 2×2 table per study, labelled
"[synthetic] study i"); they stand for no real trial.  Times are the best of 5 runs.
Usage: python benchmarks/bench_meta.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def synthetic(k: int, seed: int = 20261123):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    n1 = rng.integers(20, 2000, k)
    n2 = rng.integers(20, 2000, k)
    p2 = rng.uniform(0.02, 0.4, k)
    p1 = np.clip(p2 * np.exp(rng.normal(-0.3, 0.4, k)), 0, 1)
    return pd.DataFrame(
        {
            "study": [f"[synthetic] study {i}" for i in range(k)],
            "ai": rng.binomial(n1, p1),
            "n1i": n1,
            "ci": rng.binomial(n2, p2),
            "n2i": n2,
        }
    )


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    from reviewkit.evidence import effect_sizes, egger_test, leave_one_out, mantel_haenszel, meta_analysis

    print(
        "| k (synthetic studies) | effect_sizes RR | REML | DL | knha REML | Mantel–Haenszel | regression test | leave-one-out (REML) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for k in (13, 100, 1000):
        d = synthetic(k)
        es = effect_sizes("RR", ai="ai", n1i="n1i", ci="ci", n2i="n2i", data=d)
        y, v = es["yi"], es["vi"]
        cells = [
            best(lambda: effect_sizes("RR", ai="ai", n1i="n1i", ci="ci", n2i="n2i", data=d)),
            best(lambda: meta_analysis(y, v)),
            best(lambda: meta_analysis(y, v, method="DL")),
            best(lambda: meta_analysis(y, v, test="knha")),
            best(lambda: mantel_haenszel(ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"], measure="RR")),
            best(lambda: egger_test(y, v)),
            best(lambda: leave_one_out(y, v), repeat=1 if k > 100 else 3),
        ]
        print(f"| {k:,} | " + " | ".join(f"{c * 1000:.1f} ms" for c in cells) + " |")


if __name__ == "__main__":
    main()
