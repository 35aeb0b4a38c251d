"""``reviewkit import`` of the same inputs by two versions of the code gives the same bytes.

A speed change to the importers, the merge, the keys or the writers must not change any output.  This runs
``reviewkit import`` (in-process, through the CLI entry point) on a set of inputs with the code of a git
revision (``--base``, default ``main``: extracted with ``git archive`` into a temporary folder) and with the
code of this work tree, each side in its own Python process, and compares byte for byte, per input and per
output format (BibTeX, CSL-JSON, RIS): the written file, the ``--report`` text, the standard-error text
(warnings with file and line, skipped records, works kept apart) and the exit status.

Inputs: every citation file in ``tests/data/``, the example reviews' bibliographies, the citation files in
any folder given with ``--extra``; all of ``tests/data/`` in one import (with and without
``--rename-clashing-keys``, and ``--skip-invalid``); the SYNTHETIC files of ``bench_import.py`` (plain and shared
title prefixes, RIS and BibTeX, ``--records`` each); and a SYNTHETIC "varied" RIS file made here to reach the
slow paths (non-ASCII names and titles, "Family Initials" names, organisations, DOIs as URLs, upper case,
invalid DOIs, PMIDs and PMCIDs, repeated and continued tags, CRLF line ends, titles that are prefixes of
others, generic titles).

Usage: python benchmarks/check_import_identity.py [--base REV] [--records N] [--extra DIR ...] [--keep DIR]
Exit status 0 when every output is identical, 1 otherwise (the differing outputs are listed).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = (".ris", ".bib", ".nbib", ".json", ".xml", ".txt", ".medline", ".gz")
FORMATS = ("bibtex", "csljson", "ris")


def citation_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name.endswith(SUFFIXES) and "ctgov" not in p.parts and p.name != "README.md"
    )


def varied_ris(path: Path, n: int, seed: int = 3, crlf: bool = False) -> None:
    """SYNTHETIC RIS records that reach the general paths as well as the common ones."""
    rnd = random.Random(seed)
    families = ["Kasper", "Müller", "Ødegård", "van der Berg", "O'Neil", "Smith-Jones", "Łukasz", "de la Cruz", "Li"]
    givens = ["Bernd", "B.", "J.-P.", "Ana María", "Zoë", "K", "", "Ji-Hoon"]
    words = ["sarcoma", "leiomyosarcoma", "trial", "survival", "réponse", "therapy", "naïve", "β-blocker", "phase"]
    words += ["II", "III", "analysis", "of", "the", "in", "with", "—", "&", "(SPAEN)", "outcome's", "50%", "{x}"]
    generic = ["Correction", "Erratum to: sarcoma trial", "Reply", "Editorial", "Comment on survival", "Index"]
    doi_forms = ["10.5555/Var.{w}", "https://doi.org/10.5555/var.{w}", "http://dx.doi.org/10.5555/VAR.{w}"]
    doi_forms += ["doi:10.5555/var.{w}", "10.5555/var {w}", "not a doi {w}", "10.5555/var.{w}."]
    nl = "\r\n" if crlf else "\n"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Export header line" + nl + nl)
        for i in range(n):
            w = i if rnd.random() > 0.25 or i == 0 else rnd.randrange(i)
            r = random.Random(w * 7 + seed)
            change = rnd.randrange(8) if w != i else -1  # a repeated work, sometimes told differently
            lines = [f"TY  - {r.choice(['JOUR', 'JOUR', 'BOOK', 'CHAP', 'CONF', 'ELEC', 'XXX'])}"]
            for _ in range(r.randrange(0, 5)):
                fam, giv = r.choice(families), r.choice(givens)
                form = r.randrange(6)
                if form == 0:
                    name = f"{fam} {''.join(c for c in giv if c.isupper())[:3] or 'B'}"  # "Kasper B"
                elif form == 1:
                    name = "Sarcoma Study Group " + str(w % 5)  # an organisation
                elif form == 2:
                    name = f"  {fam},   {giv}  "
                else:
                    name = f"{fam}, {giv}" if giv else fam
                lines.append(f"{r.choice(['AU', 'AU', 'A1'])}  - {name}")
            if r.random() < 0.1:
                lines.append(f"A2  - {r.choice(families)}, E.")
            if r.random() < 0.12:
                title = r.choice(generic)
            else:
                title = " ".join(r.choice(words) for _ in range(r.randrange(1, 9))) + f" {w % 97}"
                if r.random() < 0.2 or change == 0:  # a journal run into the title
                    title += " " + " ".join(rnd.choice(words) for _ in range(rnd.randrange(1, 6)))
                if change == 1:
                    title = title.lower().replace(" ", "  ") + "."
            if rnd.random() < 0.05:
                title = title.upper()
            if r.random() < 0.95:
                lines.append(f"{r.choice(['TI', 'TI', 'T1'])}  - {title}")
            if r.random() < 0.1:  # a wrapped title: an untagged continuation line
                lines.append("  continued title words")
            lines.append(f"{r.choice(['T2', 'JO', 'JF'])}  - {r.choice(['J Synth Oncol', 'Sarcoma Rév.', ''])}")
            lines.append(f"PY  - {r.choice(['2021', '2021///', '1999', '', '2021 Mar'])}")
            if r.random() < 0.8:
                lines.append(f"VL  - {w % 40}")
                lines.append(f"IS  - {w % 7}")
            if r.random() < 0.7:
                lines.append(f"SP  - {w % 900}")
                lines.append(f"EP  - {r.choice([str(w % 900 + 9), str(w % 900), ''])}")
            if r.random() < 0.05:
                lines.append("SP  - No")
                lines.append("EP  - Specified")
            if change == 2:  # another DOI: an erratum, an abstract and its paper
                lines.append(f"DO  - 10.5555/other.{i}")
            elif change == 3:
                lines.append(f"AN  - {40000000 + i}")
            elif r.random() < 0.7 and change != 4:
                lines.append(f"DO  - {r.choice(doi_forms).format(w=w)}")
            if r.random() < 0.3:
                lines.append(f"AN  - {r.choice([str(30000000 + w), 'ABC' + str(w), '0'])}")
            if r.random() < 0.1:
                lines.append(f"C2  - PMC{w + 1}")
            if r.random() < 0.1:
                lines.append("DB  - Embase")
                lines.append(f"C5  - {31000000 + w}")
            if r.random() < 0.3:
                lines.append(
                    f"UR  - {r.choice(['https://example.org/' + str(w), 'https://doi.org/10.5555/u.' + str(w)])}"
                )
            if r.random() < 0.3:
                lines.append(f"KW  - {r.choice(words)}")
                lines.append(f"KW  - {r.choice(words)}")
            if r.random() < 0.2:
                lines.append(f"AB  - Abstract {r.choice(words)}  with   spaces\t{w}")
            if r.random() < 0.1:
                lines.append(f"N1  - note {w}; see {{brace}} and $ and \\ and _ and ~")
            if r.random() < 0.1:
                lines.append(f"SN  - {1234 + w % 3}-5678")
            if r.random() < 0.05:
                lines.append("LA  - English")
            if r.random() < 0.05:
                lines.append("ZZ  - unknown tag")
            if r.random() < 0.05:
                lines.append("")  # a blank line inside a record
            lines.append("ER  - ")
            f.write(nl.join(lines) + nl + nl)
            if r.random() < 0.02:
                f.write("NL  - after the record" + nl)


def inputs(tmp: Path, records: int, extra: list[str]) -> list[tuple[str, list[str], list[str]]]:
    """(name, files, extra options) of every import to compare."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_import

    data = citation_files(ROOT / "tests" / "data")
    jobs = [(p.name, [str(p)], []) for p in data]
    jobs += [(f"skip-invalid-{p.name}", [str(p)], ["--skip-invalid"]) for p in data]
    for folder in (ROOT / "references", ROOT / "examples", ROOT / "reviewkit" / "template"):
        for p in citation_files(folder):
            if "bibliography" in p.parts:
                jobs.append((f"{folder.name}-{p.name}", [str(p)], []))
    for folder in extra:
        for p in citation_files(Path(folder)):
            jobs.append((f"extra-{p.parent.name}-{p.name}", [str(p)], ["--skip-invalid"]))
    jobs += [(f"cp1252-{p.name}", [str(p)], ["--encoding", "cp1252"]) for p in data if "cp1252" in p.name]
    utf8 = [p for p in data if "cp1252" not in p.name]
    everything = [str(p) for p in utf8 if p.suffix in (".ris", ".json", ".nbib", ".xml") or "zotero" in p.name]
    jobs.append(("all-tests-data", everything, ["--skip-invalid"]))
    jobs.append(("all-tests-data-rename", [str(p) for p in utf8], ["--skip-invalid", "--rename-clashing-keys"]))
    for adversarial in (False, True):
        recs = bench_import.records(records, adversarial)
        label = "shared" if adversarial else "plain"
        ris, bib = tmp / f"synthetic-{label}.ris", tmp / f"synthetic-{label}.bib"
        bench_import.write_ris(ris, recs)
        bench_import.write_bibtex(bib, recs)
        jobs += [(ris.name, [str(ris)], []), (bib.name, [str(bib)], [])]
    for crlf in (False, True):
        v = tmp / f"synthetic-varied{'-crlf' if crlf else ''}.ris"
        varied_ris(v, 3000, seed=3 + crlf, crlf=crlf)
        jobs.append((v.name, [str(v)], ["--skip-invalid"]))
    jobs.append(("varied-with-bib", [str(tmp / "synthetic-varied.ris"), str(tmp / "synthetic-plain.bib")], []))
    return jobs


def run_side(src: str, out: str, jobs_file: str) -> None:
    """Run every import with the reviewkit package found in *src*; write outputs under *out*."""
    sys.path.insert(0, src)
    import reviewkit
    from reviewkit.cli import main

    assert Path(reviewkit.__file__).resolve().is_relative_to(Path(src).resolve()), reviewkit.__file__
    os.environ["REVIEWKIT_CACHE"] = str(Path(out) / "cache")
    for name, files, extra in json.loads(Path(jobs_file).read_text()):
        for fmt in FORMATS:
            base = Path(out) / f"{name}.{fmt}"
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = main(["import", *files, *extra, "--to", fmt, "-o", f"{base}.out", "--report", f"{base}.report"])
            Path(f"{base}.stderr").write_text(f"exit {code}\n{err.getvalue()}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="main", help="git revision to compare against (default: main)")
    ap.add_argument("--records", type=int, default=20_000, help="records per synthetic benchmark file")
    ap.add_argument("--keep", help="folder to keep both sides' outputs in")
    ap.add_argument("--extra", nargs="*", default=[], help="more folders of citation files to import")
    ap.add_argument("--run-side", nargs=3, metavar=("SRC", "OUT", "JOBS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run_side:
        run_side(*args.run_side)
        return
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(args.keep) if args.keep else Path(t)
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "in").mkdir(exist_ok=True)
        jobs = inputs(tmp / "in", args.records, args.extra)
        (tmp / "jobs.json").write_text(json.dumps(jobs))
        base_src = tmp / "base-src"
        base_src.mkdir(exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base, "reviewkit"], capture_output=True)
        if archive.returncode:
            raise SystemExit(archive.stderr.decode())
        subprocess.run(["tar", "-x", "-C", str(base_src)], input=archive.stdout, check=True)
        for side, src in (("base", base_src), ("this", ROOT)):
            (tmp / side).mkdir(exist_ok=True)
            cmd = [sys.executable, "-B", __file__, "--run-side", str(src), str(tmp / side), str(tmp / "jobs.json")]
            subprocess.run(cmd, check=True, cwd=tmp)
        different, compared = [], 0
        for a in sorted((tmp / "base").glob("*.*")):
            if a.is_dir():
                continue
            b = tmp / "this" / a.name
            compared += 1
            if not b.is_file() or a.read_bytes() != b.read_bytes():
                different.append(a.name)
        extra = {p.name for p in (tmp / "this").glob("*.*") if p.is_file()} - {
            p.name for p in (tmp / "base").glob("*.*") if p.is_file()
        }
        different += sorted(extra)
        print(
            f"{len(jobs)} imports x {len(FORMATS)} output formats: {compared} files compared "
            f"(outputs, reports, standard error and exit status) against {args.base}"
        )
        if different:
            print("DIFFERENT:\n  " + "\n  ".join(different))
            raise SystemExit(1)
        print("all identical")


if __name__ == "__main__":
    main()
