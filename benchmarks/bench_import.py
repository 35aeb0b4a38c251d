"""Whole ``reviewkit import`` (parse + merge + write) against the parsers alone, side by side in one run.

For 20,000 RIS and 20,000 BibTeX records — a plain distribution of titles and an adversarial one
(every record shares first author, year and the first three title words: the case that made the
old merge quadratic) — this measures, alternating the two so that a change in the machine's load
falls on both, ``--repeat`` times each in this process:

- rispy parsing the RIS file, and pybtex parsing the BibTeX file (nothing else);
- ``reviewkit import FILE -o OUT.bib`` through the CLI entry point (parse, merge, keys, write), with
  an empty parse cache.

and reports the median and the spread (lowest-highest) of wall-clock and of CPU time (CPU time is
what the process itself used: on a shared machine it moves less with other people's work than the
wall clock does), and the ratio of the medians.  Then it imports a 200,000-record RIS file in a
child process and reports that process's wall time and peak memory (maximum resident set size).

Every record is SYNTHETIC: generated here, "[synthetic]" in every title, DOIs under Crossref's
example prefix 10.5555.  Usage: python benchmarks/bench_import.py [--records N] [--big N] [--repeat N]
[--formats ris|bibtex|ris,bibtex]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = [
    "sarcoma",
    "leiomyosarcoma",
    "trial",
    "survival",
    "response",
    "therapy",
    "chemotherapy",
    "targeted",
    "outcome",
    "cohort",
    "phase",
    "randomized",
    "metastatic",
    "advanced",
    "uterine",
    "retroperitoneal",
    "analysis",
    "review",
]
SURNAMES = [
    "Kasper",
    "Achee",
    "Schuster",
    "Yuan",
    "Ikoma",
    "Gamboa",
    "Casali",
    "Fletcher",
    "Howlader",
    "Martin",
    "George",
    "Demetri",
    "Judson",
    "Tap",
    "Seddon",
    "Blay",
    "Gronchi",
    "Italiano",
    "Penel",
    "Hensley",
]


def records(n: int, adversarial: bool, seed: int = 1):
    """(authors, title, journal, year, volume, pages, doi) per SYNTHETIC record; ~10% repeat a work."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        w = i if rnd.random() > 0.1 or i == 0 else rnd.randrange(i)
        r2 = random.Random(w)
        if adversarial:  # same first author, year and first three title words for everyone
            authors = ["Kasper, Bernd", f"{r2.choice(SURNAMES)}, {chr(65 + w % 26)}."]
            title = f"[synthetic] leiomyosarcoma trial {w} " + " ".join(r2.choice(WORDS) for _ in range(6))
            year = "2021"
        else:
            authors = [f"{r2.choice(SURNAMES)}{w % 211}, {chr(65 + w % 26)}.", f"{r2.choice(SURNAMES)}, B."]
            title = "[synthetic] " + " ".join(r2.choice(WORDS) for _ in range(8)) + f" {w}"
            year = str(1990 + w % 35)
        doi = f"10.5555/synthetic.{w}" if w % 4 else ""  # a quarter without DOI: matched by title
        out.append(
            (authors, title, "Synthetic Journal of Oncology", year, str(w % 60), f"{w % 900}-{w % 900 + 9}", doi)
        )
    return out


def write_ris(path: Path, recs) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for authors, title, journal, year, vol, pages, doi in recs:
            sp, ep = pages.split("-")
            f.write("TY  - JOUR\n")
            for a in authors:
                f.write(f"AU  - {a}\n")
            f.write(f"TI  - {title}\nT2  - {journal}\nPY  - {year}\nVL  - {vol}\nSP  - {sp}\nEP  - {ep}\n")
            if doi:
                f.write(f"DO  - {doi}\n")
            f.write("ER  - \n\n")


def write_bibtex(path: Path, recs) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i, (authors, title, journal, year, vol, pages, doi) in enumerate(recs):
            f.write(
                f"@article{{syn{i},\n  author = {{{' and '.join(authors)}}},\n  title = {{{{{title}}}}},\n"
                f"  journal = {{{journal}}},\n  year = {{{year}}},\n  volume = {{{vol}}},\n"
                f"  pages = {{{pages.replace('-', '--')}}},\n" + (f"  doi = {{{doi}}},\n" if doi else "") + "}\n\n"
            )


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def side_by_side(alone, whole, n: int):
    """*n* alternating runs of each -> ([(wall, cpu)] of alone, [(wall, cpu)] of whole)."""
    a, b = [], []
    for _ in range(n):
        a.append(timed(alone))
        b.append(timed(whole))
    return a, b


def spread(times) -> str:
    """ "median (lowest-highest)" of a list of seconds."""
    import statistics

    return f"{statistics.median(times):.2f} ({min(times):.2f}-{max(times):.2f})"


def rispy_parse(path: Path) -> None:
    import rispy

    with open(path, encoding="utf-8") as f:
        rispy.load(f)


def pybtex_parse(path: Path) -> None:
    from pybtex.database.input.bibtex import Parser

    Parser().parse_file(str(path))


def reviewkit_import(path: Path, out: Path, cache: Path) -> None:
    import shutil

    from reviewkit.cli import main

    shutil.rmtree(cache, ignore_errors=True)  # a cold import: nothing parsed before
    os.environ["REVIEWKIT_CACHE"] = str(cache)
    stderr = sys.stderr
    sys.stderr = open(os.devnull, "w")
    try:
        code = main(["import", str(path), "-o", str(out)])
    finally:
        sys.stderr.close()
        sys.stderr = stderr
    if code != 0:
        raise SystemExit(f"reviewkit import {path} failed with {code}")


def peak_memory_of_import(path: Path, out: Path, cache: Path) -> tuple[float, float]:
    """(seconds, peak resident MB) of `reviewkit import` in a child process."""
    exe = Path(sys.executable).with_name("reviewkit")
    env = {**os.environ, "REVIEWKIT_CACHE": str(cache)}
    t = time.perf_counter()
    proc = subprocess.run([str(exe), "import", str(path), "-o", str(out)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    import statistics

    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--big", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--formats", default="ris,bibtex", help="which 20,000-record cases to run: ris, bibtex or both (default)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} at the start; {args.records:,} SYNTHETIC records per file; {args.repeat} "
            "alternating runs each; seconds as median (lowest-highest)\n"
        )
        print(
            f"{'case':<40}{'parser wall':>20}{'import wall':>20}{'ratio':>7}"
            f"{'parser CPU':>20}{'import CPU':>20}{'ratio':>7}"
        )
        for adversarial in (False, True) if args.records else ():
            recs = records(args.records, adversarial)
            label = "shared title prefixes" if adversarial else "plain titles"
            ris_file, bib_file = tmp / f"{label[:5]}.ris", tmp / f"{label[:5]}.bib"
            write_ris(ris_file, recs)
            write_bibtex(bib_file, recs)
            for fmt, path, alone, name in (
                ("RIS", ris_file, rispy_parse, "rispy"),
                ("BibTeX", bib_file, pybtex_parse, "pybtex"),
            ):
                if fmt.lower() not in args.formats.lower().split(","):
                    continue
                a, b = side_by_side(
                    lambda: alone(path), lambda: reviewkit_import(path, tmp / "out.bib", tmp / "cache"), args.repeat
                )
                cols = []
                for k in (0, 1):  # wall, CPU
                    ta, tb = [x[k] for x in a], [x[k] for x in b]
                    ratio = statistics.median(tb) / statistics.median(ta)
                    cols.append(f"{spread(ta):>20}{spread(tb):>20}{ratio:>6.1f}x")
                print(f"{fmt + ', ' + label + ' (' + name + ')':<40}" + "".join(cols), flush=True)
        if args.big:
            big = tmp / "big.ris"
            write_ris(big, records(args.big, False, seed=7))
            mb = big.stat().st_size / 1e6
            seconds, peak = peak_memory_of_import(big, tmp / "big.bib", tmp / "cache-big")
            print(
                f"\n{args.big:,}-record RIS file ({mb:.0f} MB): reviewkit import {seconds:.1f} s, "
                f"peak resident memory {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
