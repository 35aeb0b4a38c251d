"""Citation scale: loading an unchanged 20,000-entry library, and merging 10k/100k records.

All records here are SYNTHETIC (generated below, labelled "synthetic" in every
title); they measure speed only.  Usage: python benchmarks/bench_citations.py
"""

from __future__ import annotations

import os
import random
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


def synthetic_bibtex(n: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        title = " ".join(rnd.choice(WORDS) for _ in range(8))
        out.append(
            f"@article{{syn{i},\n  author = {{Author{i % 997}, A. and Second{i % 13}, B.}},\n"
            f"  title = {{Synthetic record {i}: {title}}},\n  journal = {{Synthetic J}},\n"
            f"  year = {{{1990 + i % 35}}},\n  volume = {{{i % 50}}},\n  pages = {{{i}--{i + 9}}},\n"
            f"  doi = {{10.5555/synthetic.{i}}},\n}}\n"
        )
    return "\n".join(out)


def synthetic_records(n: int, seed: int = 2):
    """n records; about 30% repeat an earlier work (by DOI, or by title/year/author without DOI)."""
    from pybtex.database import Entry, Person

    from reviewkit.citations.merge import Record

    rnd = random.Random(seed)
    works = max(1, int(n * 0.7))
    recs = []
    for i in range(n):
        w = i if i < works else rnd.randrange(works)
        fields = {
            "title": f"Synthetic work {w} {WORDS[w % len(WORDS)]}",
            "year": str(1990 + w % 35),
            "journal": "Synthetic J",
        }
        if w % 3 or i < works:
            fields["doi"] = f"10.5555/synthetic.{w}"
        e = Entry("article", fields=fields)
        e.add_person(Person(f"Author{w % 997}, A."), "author")
        recs.append(Record(e, None, f"synthetic#{i}"))
    return recs


def synthetic_pubmed_xml(path: Path, n: int) -> None:
    """A PubmedArticleSet of n SYNTHETIC articles, written incrementally."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
        for i in range(n):
            f.write(
                f"<PubmedArticle><MedlineCitation><PMID>{10_000_000 + i}</PMID><Article><Journal><JournalIssue>"
                f"<Volume>{i % 40}</Volume><PubDate><Year>{1990 + i % 35}</Year></PubDate></JournalIssue>"
                f"<ISOAbbreviation>Synthetic J</ISOAbbreviation></Journal><ArticleTitle>Synthetic article {i}: "
                f"{' '.join(WORDS[(i + k) % len(WORDS)] for k in range(10))}.</ArticleTitle><Abstract><AbstractText>"
                f"{'Synthetic abstract text. ' * 40}</AbstractText></Abstract><AuthorList><Author><LastName>Author{i % 997}"
                f"</LastName><ForeName>A</ForeName></Author></AuthorList></Article></MedlineCitation><PubmedData>"
                f'<ArticleIdList><ArticleId IdType="doi">10.5555/synthetic.{i}</ArticleId></ArticleIdList>'
                f"</PubmedData></PubmedArticle>\n"
            )
        f.write("</PubmedArticleSet>\n")


def main() -> None:
    from reviewkit.citations.library import Library
    from reviewkit.citations.merge import merge
    from reviewkit.citations.styles.vancouver import format_html

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REVIEWKIT_CACHE"] = str(Path(tmp) / "cache")
        path = Path(tmp) / "library.bib"
        path.write_text(synthetic_bibtex(20_000), encoding="utf-8")
        t = time.perf_counter()
        Library.load([path])
        cold = time.perf_counter() - t
        warm = []
        for _ in range(3):  # a new build process each time in real use: nothing shared but the cache file
            t = time.perf_counter()
            lib = Library.load([path])
            cited = [lib.entries[f"syn{i}"] for i in range(0, 20_000, 700)]  # 29 cited works
            for e in cited:
                format_html(e)
            warm.append(time.perf_counter() - t)
        print(
            f"20,000-entry BibTeX (synthetic): first load {cold:.2f} s ({20_000 / cold:,.0f} entries/s incl. merge); "
            f"unchanged, load + format the {len(cited)} cited entries: {min(warm):.3f} s (best of 3)"
        )

    import tracemalloc

    from reviewkit.citations.pubmed_xml import iter_entries

    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "pubmed.xml"
        synthetic_pubmed_xml(xml, 30_000)
        size = xml.stat().st_size / 1e6
        tracemalloc.start()
        t = time.perf_counter()
        count = sum(1 for _ in iter_entries(xml))
        elapsed = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(
            f"PubMed XML, {count:,} synthetic articles ({size:.0f} MB): streamed in {elapsed:.1f} s, "
            f"peak traced memory {peak:.1f} MB"
        )

    times = {}
    for n in (10_000, 100_000):
        recs = synthetic_records(n)
        t = time.perf_counter()
        result = merge(recs)
        times[n] = time.perf_counter() - t
        print(f"merge {n:,} synthetic records -> {result.written:,} works in {times[n]:.2f} s")
    print(f"growth 10k -> 100k: {times[100_000] / times[10_000]:.1f}x time for 10x records")


if __name__ == "__main__":
    main()
