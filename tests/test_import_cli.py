"""`reviewkit import` as a user calls it."""

import json

from reviewkit.citations import bibtex

from conftest import DATA, reviewkit

FOUR = [DATA / f"same-works-four-formats.{e}" for e in ("bib", "nbib", "ris", "json")]


def test_merge_four_formats_to_csl_json(tmp_path):
    out = tmp_path / "library.json"
    report = tmp_path / "merge.txt"
    proc = reviewkit("import", *FOUR, "-o", out, "--report", report)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "read 8 records, merged 5 duplicates, wrote 3"
    items = json.loads(out.read_text(encoding="utf-8"))
    assert len(items) == 3 and all(i["id"] and i["type"] for i in items)
    decisions = report.read_text(encoding="utf-8").splitlines()
    assert decisions[0] == "read 8 records, merged 5 duplicates, wrote 3"
    assert sum(": merged " in d for d in decisions) == 5
    assert any("same DOI 10.7554/elife.32822" in d for d in decisions)


def test_keys_stable_when_input_order_changes(tmp_path):
    a = reviewkit("import", *FOUR, "--to", "bibtex", "-o", "-")
    b = reviewkit("import", *reversed(FOUR), "--to", "bibtex", "-o", "-")
    assert a.returncode == b.returncode == 0
    keys = lambda text: sorted(bibtex.loads(text).entries)  # noqa: E731
    assert keys(a.stdout) == keys(b.stdout)
    assert "beaulieujones2017reproducibility" in keys(a.stdout)


def test_ris_output_reads_back(tmp_path):
    out = tmp_path / "library.ris"
    assert reviewkit("import", *FOUR, "-o", out).returncode == 0
    assert reviewkit("import", out, "--to", "csljson", "-o", "-").stderr.strip().endswith("wrote 3")


def test_bad_file_exit_2_nothing_written(tmp_path):
    bad = tmp_path / "broken.ris"
    bad.write_text("TY  - JOUR\nTI  - cut off here\n", encoding="utf-8")
    out = tmp_path / "out.bib"
    proc = reviewkit("import", FOUR[0], bad, "-o", out)
    assert proc.returncode == 2
    assert f"{bad}:1: file ends inside the record that starts at line 1" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_skip_invalid_lists_every_skipped_record(tmp_path):
    out = tmp_path / "out.json"
    proc = reviewkit(
        "import",
        DATA / "ris-untagged-continuation-lines.ris",
        DATA / "ris-stray-lines-between-records.ris",
        "--skip-invalid",
        "-o",
        out,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("skipped: ") == 3
    assert "ris-untagged-continuation-lines.ris:8: record has neither a title" in proc.stderr
    assert "wrote 2, skipped 3 invalid" in proc.stderr


def test_encoding_option(tmp_path):
    proc = reviewkit("import", DATA / "manubot-zotero-export-cp1252.bib", "-o", "-")
    assert proc.returncode == 2 and "--encoding" in proc.stderr and ":16:" in proc.stderr
    proc = reviewkit("import", DATA / "manubot-zotero-export-cp1252.bib", "--encoding", "cp1252", "--to", "csljson")
    assert proc.returncode == 0 and "‘Manubot’" in proc.stdout


def test_bibtex_strings_crossref_and_biblatex_types():
    bib = bibtex.loads(r"""@string{cto = {Curr Treat Options Oncol}}
@preamble{"\newcommand{\noop}[1]{}"}
@proceedings{conf, title = {Proceedings of the {LMS} Roundtable}, year = 2020, publisher = {NLMSF}}
@inproceedings{talk, author = {M{\"u}ller, Anna}, title = {A talk}, crossref = {conf}, pages = {1--2}}
@online{web, author = {{National LeioMyoSarcoma Foundation}}, title = {Post}, url = {https://example.org}, date = {2021-03-01}}
@article{a, author = {Kasper, Bernd}, title = {{What} Clinical Trials}, journal = cto, year = 2022}
""")
    talk = bib.entries["talk"]
    assert talk.fields["booktitle"] == "Proceedings of the LMS Roundtable"  # from the crossref parent
    assert talk.fields["year"] == "2020" and talk.fields["pages"] == "1–2"
    assert str(talk.persons["author"][0]) == "Müller, Anna"
    assert bib.entries["web"].type == "online" and bib.entries["web"].fields["year"] == "2021"
    assert bib.entries["a"].fields["journal"] == "Curr Treat Options Oncol"
    assert bib.entries["a"].fields["title"] == "What Clinical Trials"
