"""Nothing lost on import: merges that never fuse two works, vendor quirks read with a warning,
every failure a reviewkit error, keys that mean one work (issue 11).

Records built in this file are synthetic (titles say so; DOIs use Crossref's example prefix 10.5555);
every real input comes from tests/data/ (see its README).
"""

import json
import os
import stat

import pytest
from pybtex.database import Entry, Person

from reviewkit.citations import bibtex, load_bibliography, medline, pubmed_xml, read_text, ris, suggest_keys
from reviewkit.citations.identifiers import normalize_doi
from reviewkit.citations.merge import Record, is_generic, merge, norm_title
from reviewkit.errors import InputError

from conftest import DATA, reviewkit


def synthetic(title, year="2021", author="Kasper, Bernd", **ids):
    e = Entry("article", fields={"title": title, "year": year, **ids})
    e.add_person(Person(author), "author")
    return e


def keyed(result):
    return result.bibliography.entries


# -- 1. a merge that cannot fuse two studies ---------------------------------------------------------


def test_different_dois_are_never_merged_whatever_the_title():
    # a conference abstract and the full paper: same title, authors and year, different DOIs
    a = synthetic("Synthetic trial of drug X in leiomyosarcoma", doi="10.5555/abstract.1")
    b = synthetic("Synthetic trial of drug X in leiomyosarcoma", doi="10.5555/paper.1")
    result = merge([Record(a, origin="a.ris:1"), Record(b, origin="b.ris:1")])
    assert result.written == 2 and not result.decisions
    assert sorted(e.fields["doi"] for e in keyed(result).values()) == ["10.5555/abstract.1", "10.5555/paper.1"]


def test_same_doi_but_different_pmid_is_kept_apart_and_reported():
    a = synthetic("Synthetic paper in two languages", doi="10.5555/x", pmid="1000001")
    b = synthetic("Synthetic paper in two languages", doi="10.5555/x", pmid="1000002")
    result = merge([Record(a, origin="a.xml#1"), Record(b, origin="a.xml#2")])
    assert result.written == 2
    assert any("kept apart" in line and "PMID" in line for line in result.apart)


@pytest.mark.parametrize(
    "title",
    [
        "Correction",
        "Erratum",
        "Corrigendum to: Synthetic title",
        "Retraction notice",
        "Expression of concern",
        "Editorial",
        "Reply",
        "Comment on synthetic paper",
        "Letter to the editor",
        "In memoriam",
        "Abstracts",
        "Index",
        "Sarcoma",
    ],
)
def test_generic_titles_never_match_on_title_alone(title):
    assert is_generic(norm_title(title))
    a, b = synthetic(title), synthetic(title)  # neither has an identifier: nothing says they are one work
    assert merge([Record(a, origin="a:1"), Record(b, origin="b:1")]).written == 2


def test_merged_record_keeps_every_identifier_and_the_report_names_the_surviving_key_first():
    a = synthetic("Synthetic unmet needs paper", doi="10.5555/unmet")
    b = synthetic("Synthetic unmet needs paper", pmid="1000003", pmcid="PMC1000003")
    result = merge([Record(a, "kasper2021synth", origin="seed.bib:3"), Record(b, origin="pubmed.nbib:1")])
    ((key, e),) = keyed(result).items()
    assert key == "kasper2021synth"
    assert (e.fields["doi"], e.fields["pmid"], e.fields["pmcid"]) == ("10.5555/unmet", "1000003", "PMC1000003")
    assert result.decisions == [
        "kasper2021synth: merged seed.bib:3 with pubmed.nbib:1 (same title, year and first author)"
    ]


def test_a_record_without_identifiers_matching_two_different_works_merges_into_neither():
    a = synthetic("Synthetic ambiguous title here", doi="10.5555/one")
    b = synthetic("Synthetic ambiguous title here", doi="10.5555/two")
    c = synthetic("Synthetic ambiguous title here")
    for order in ([a, b, c], [c, b, a], [b, c, a]):
        result = merge([Record(e, origin=f"f:{i}") for i, e in enumerate(order)])
        assert result.written == 3
        assert any("not merged into either" in line for line in result.apart)


def test_trial_registration_and_a_paper_reporting_it_are_two_works():
    reg = synthetic("Synthetic registration title", nct="NCT00000001")
    paper = synthetic("Synthetic results paper", doi="10.5555/results", nct="NCT00000001")
    assert merge([Record(reg, origin="a:1"), Record(paper, origin="b:1")]).written == 2


def test_merge_result_does_not_depend_on_input_order():
    records = [
        synthetic("Synthetic title one", doi="10.5555/1"),
        synthetic("Synthetic title one", pmid="77"),
        synthetic("Synthetic title one"),
        synthetic("Synthetic title two", doi="10.5555/2"),
        synthetic("Synthetic title two (SPAEN) Cancers Basel"),
    ]
    first = merge([Record(e, origin=f"x:{i}") for i, e in enumerate(records)])
    second = merge([Record(e, origin=f"x:{i}") for i, e in reversed(list(enumerate(records)))])
    assert {k: dict(e.fields) for k, e in keyed(first).items()} == {k: dict(e.fields) for k, e in keyed(second).items()}


def test_example_merges_by_title_only_where_identifiers_agree(bibliography):
    assert (bibliography.read, bibliography.written) == (20, 17)
    for line in bibliography.decisions:  # "key: merged origin with origin (rule)"
        key = line.split(":", 1)[0]
        assert key in bibliography.bibliography.entries


# -- 2. vendor quirks read with a warning ------------------------------------------------------------


def test_ovid_lines_after_er_are_ignored_with_warnings_naming_the_lines():
    result = ris.read(DATA / "ris-ovid-tags-and-links-after-er.ris")
    (e,) = result.bibliography.entries.values()
    assert e.fields["doi"] == "10.1002/cpp.2398" and e.fields["year"] == "2019"
    assert "pages" not in e.fields  # "No" / "Specified" is not a page range
    assert any(":1: line outside any record" in w for w in result.warnings)
    assert any(":26-28: 2 lines outside any record" in w and "NL  - " in w for w in result.warnings)


def test_proquest_accession_number_is_not_a_pmid():
    bib = ris.load(DATA / "ris-proquest-accession-not-pmid-doi-as-url.ris")
    assert [e.fields.get("pmid") for e in bib.entries.values()] == [None, None]
    assert sorted(e.fields["doi"] for e in bib.entries.values()) == [
        "10.1002/jts.22387",
        "10.1080/20008198.2019.1586266",
    ]


def test_embase_pmid_in_c5_and_dotted_initials():
    bib = ris.load(DATA / "ris-embase-pmid-in-c5.ris")
    first, second = bib.entries.values()
    assert "pmid" not in first.fields and second.fields["pmid"] == "15368318"
    assert [str(p) for p in first.persons["author"]] == ["Liu, R.", "Adler, D. G."]


def test_endnote_keyword_and_url_lists_on_untagged_lines_are_separate_values():
    """EndNote writes `KW  - first` then one keyword (or URL) per untagged line: each is its own value, so the
    URL stays one link (not two joined by a space) and keywords stay apart; DOIs and the PMID in AN are kept."""
    result = ris.read(DATA / "ris-endnote-untagged-keyword-and-url-lines.ris")
    assert result.warnings == []
    by_year = {e.fields["year"]: e.fields for e in result.bibliography.entries.values()}
    assert sorted(by_year) == ["1996", "2009", "2015", "2016"]
    f = by_year["2016"]
    assert f["doi"] == "10.1037/a0039713"
    assert f["url"] == (
        "http://www.scopus.com/inward/record.url?eid=2-s2.0-84954398991&partnerID=40"
        "&md5=8f9327a3b23b70040e5d04acfe840a08"
    )
    assert f["keywords"] == "Adolescence; Complex trauma; Mental health; Polytraumatization; Polyvictimization"
    assert (by_year["2015"]["doi"], by_year["2015"]["pmid"]) == ("10.1089/neu.2015.3992", "26176500")
    assert by_year["2015"]["keywords"].split("; ")[-1] == "traumatic brain injury"
    assert by_year["1996"]["note"] == "Cited By :26 Export Date: 10 March 2016"  # a note's lines are still joined
    assert by_year["2009"]["pages"] == "359-376"


def test_real_pubmed_xml_keeps_pmid_and_doi():
    bib = pubmed_xml.load(DATA / "pubmed-xml-structured-abstract-inline-markup.xml")
    (e,) = bib.entries.values()
    assert (e.fields["pmid"], e.fields["doi"]) == ("29768149", "10.1056/nejmoa1715274")
    assert "nct" not in e.fields  # the trial it reports is not this work's identifier
    assert "β 2 -agonist" in e.fields["abstract"] or "β2-agonist" in e.fields["abstract"].replace(" ", "")


def test_repeated_bibtex_field_keeps_the_first_with_a_warning():
    text = (
        "@article{synth2020a,\n  title = {Synthetic first title},\n  year = {2020},\n  title = {Synthetic second},\n}\n"
    )
    result = bibtex.parse(text, name="x.bib")
    assert result.bibliography.entries["synth2020a"].fields["title"] == "Synthetic first title"
    assert result.warnings == [
        "x.bib:1: entry 'synth2020a' repeats the field 'title'; the first value is kept (as BibTeX does)"
    ]


def test_same_key_twice_in_one_bibtex_file_names_both_lines():
    text = "@article{k, title={Synthetic A}}\n\n@article{k, title={Synthetic B}}\n"
    with pytest.raises(InputError, match=r"x.bib:3: the key 'k' is used by two entries \(line 1 and line 3\)"):
        bibtex.parse(text, name="x.bib")


def test_old_ctgov_status_phase_and_study_type_spellings_read_with_warnings(tmp_path):
    from reviewkit.trials.table import read

    csv = tmp_path / "old-site.csv"
    csv.write_text(
        "nct_id,overall_status,phase,study_type,source\n"
        "NCT00000001,Unknown status,Phase 0,Observational [Patient Registry],synthetic row\n",
        encoding="utf-8",
    )
    got = read([csv])
    df, warnings = got.table, got.warnings
    assert df.loc[0, ["overall_status", "phase", "study_type"]].tolist() == ["UNKNOWN", "EARLY_PHASE1", "OBSERVATIONAL"]
    assert len(warnings) == 3 and all(w.startswith(f"{csv}:2: ") for w in warnings)


# -- 3. every error is a reviewkit error; every key one work --------------------------------------------


def test_cr_only_line_ends_lose_nothing(tmp_path):
    for name, module in (("same-works-four-formats.nbib", medline), ("ris-web-of-science-two-letter-tags.ris", ris)):
        lf = module.load(DATA / name)
        cr = tmp_path / name
        cr.write_bytes((DATA / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
        crb = module.load(cr)
        assert [dict(e.fields) | {"source": ""} for e in crb.entries.values()] == [
            dict(e.fields) | {"source": ""} for e in lf.entries.values()
        ]


def test_medline_doi_given_only_in_lid_is_kept(tmp_path):
    text = (DATA / "same-works-four-formats.nbib").read_text(encoding="utf-8")
    no_aid = "\n".join(line for line in text.splitlines() if not line.startswith("AID "))
    bib = medline.loads(no_aid, name="lid-only.nbib")
    assert [e.fields.get("doi") for e in bib.entries.values()] == ["10.7554/elife.32822", "10.1038/nbt.3780"]


def test_ris_record_with_only_an_invalid_doi_is_reported():
    with pytest.raises(InputError, match=r"x.ris:1: record has neither a title \(TI/T1\) nor a valid DOI"):
        ris.parse("TY  - JOUR\nDO  - not a doi\nER  - \n", name="x.ris")
    result = ris.parse("TY  - JOUR\nTI  - Synthetic\nDO  - 10.5555/a b\nER  - \n", name="x.ris")
    assert "doi" not in next(iter(result.bibliography.entries.values())).fields
    assert any("x.ris:3" in w and "is not a DOI" in w for w in result.warnings)


@pytest.mark.parametrize(
    "doi",
    [
        '10.5555/a"onmouseover=alert(1)',
        "10.5555/<script>",
        "10.5555/a b",
        "10.5555/a'b",
        "11.5555/a",
        "10.55/a",
        "10.5555",
    ],
)
def test_strict_doi(doi):
    assert normalize_doi(doi) is None


def test_vancouver_escapes_what_goes_into_attributes():
    from pybtex.backends.html import Backend

    from reviewkit.citations.styles.vancouver import format_html, vancouver_entry

    e = synthetic("Synthetic", url='https://example.org/"><script>alert(1)</script>')
    e.fields["doi"] = "10.5555/ok"
    for html in (
        format_html(e),
        vancouver_entry.format_data({"entry": e, "style": None, "bib_data": None}).render(Backend()),
    ):
        assert "<script" not in html and '"><' not in html
        assert 'href="https://doi.org/10.5555/ok"' in html


def test_paths_that_are_not_readable_files_are_errors_naming_them(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path)
    with pytest.raises(InputError, match="file not found"):
        read_text(tmp_path / "missing.ris")
    afile = tmp_path / "a.ris"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read"):
        read_text(afile / "child.ris")  # a path through a file: the operating system refuses it
    with pytest.raises(InputError, match="unknown text encoding 'bogus'"):
        read_text(afile, "bogus")


def test_utf16_with_byte_order_mark_is_read(tmp_path):
    f = tmp_path / "utf16.ris"
    f.write_bytes((DATA / "ris-utf8-cyrillic-short-title-only.ris").read_text(encoding="utf-8").encode("utf-16"))
    assert len(ris.load(f).entries) == 1


def test_same_key_for_two_works_in_two_files_is_an_error_or_a_rename(tmp_path):
    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    a.write_text(
        "@article{kasper2022what, title={Synthetic leiomyosarcoma paper}, year={2022}, doi={10.5555/a}}\n",
        encoding="utf-8",
    )
    b.write_text(
        "% synthetic\n\n@article{kasper2022what, title={Synthetic zebrafish paper}, year={2022}, doi={10.5555/b}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_bibliography([a, b])
    assert "a.bib:1 (@kasper2022what)" in str(info.value) and "b.bib:3 (@kasper2022what)" in str(info.value)
    result = load_bibliography([a, b], on_key_clash="rename")
    assert result.written == 2 and any("already names a different work" in w for w in result.warnings)
    assert result.bibliography.entries["kasper2022what"].fields["doi"] == "10.5555/a"


def test_csl_ids_become_aliases_and_keys_are_readable(tmp_path):
    item = json.loads((DATA / "csl-crossref-doi-response.json").read_text(encoding="utf-8"))[0]
    item["id"] = "12IWnziJW"  # a machine-made id, as manubot and Zotero write them
    f = tmp_path / "items.json"
    f.write_text(json.dumps([item]), encoding="utf-8")
    result = load_bibliography([f])
    ((key, e),) = result.bibliography.entries.items()
    assert key != "12IWnziJW" and key[0].isalpha() and any(c.isdigit() for c in key)
    assert e.fields["ids"] == "12IWnziJW"
    from reviewkit.citations.library import Library
    from reviewkit.report.assemble import CitationResolver

    lib = Library.from_merge(result, [])
    assert CitationResolver(lib).resolve("12IWnziJW", "x.ipynb") == key


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_output_must_be_a_regular_file(tmp_path, kind):
    out = tmp_path / "out"
    if kind == "folder":
        out.mkdir()
    else:
        os.mkfifo(out)
    proc = reviewkit("import", DATA / "same-works-four-formats.bib", "-o", out)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and str(out) in proc.stderr
    assert out.is_dir() if kind == "folder" else stat.S_ISFIFO(os.stat(out).st_mode)
    proc = reviewkit("trials", "import", DATA / "ctgov" / "api-v2-NCT00465816.json", "-o", out)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_trials_import_of_anything_else_is_a_clear_error(tmp_path):
    cases = {
        "binary.csv": bytes(range(256)),
        "latin1.csv": "nct_id,source\nNCT00000001,Gen\xe8ve\n".encode("latin-1"),
        "deep.json": b"[" * 100000,
        "types.json": json.dumps({"protocolSection": {"identificationModule": [1]}}).encode(),
        "empty.csv": b"",
        "quote.csv": b'nct_id,source\n"NCT00000001,x\n',
    }
    for name, data in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        proc = reviewkit("trials", "import", f, "-o", tmp_path / "out.csv")
        assert proc.returncode == 2, (name, proc.stderr)
        assert "Traceback" not in proc.stderr and name in proc.stderr, (name, proc.stderr)
        assert not (tmp_path / "out.csv").exists()
    proc = reviewkit("trials", "import", tmp_path)  # a folder without study files
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_cut_gzip_pubmed_xml_is_an_error(tmp_path):
    import gzip

    data = gzip.compress((DATA / "pubmed-xml-structured-abstract-inline-markup.xml").read_bytes())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.xml\.gz"):
        pubmed_xml.load(cut)


# -- 5. keys people can use --------------------------------------------------------------------------


def test_refs_lists_the_kasper_papers_of_the_example():
    from conftest import ROOT

    proc = reviewkit("refs", "kasper", "--project", ROOT)
    assert proc.returncode == 0, proc.stderr
    keys = [line.split()[0] for line in proc.stdout.splitlines()]
    assert keys == ["kasper2021unmet", "kasper2022what"]
    assert "doi:10.3390/cancers13040886" in proc.stdout and "Kasper B" in proc.stdout
    proc = reviewkit("refs", "kasper", "2021", "unmet", "--project", ROOT)
    assert [line.split()[0] for line in proc.stdout.splitlines()] == ["kasper2021unmet"]


def test_unknown_key_suggestions_search_like_refs(bibliography):
    entries = bibliography.bibliography.entries
    assert suggest_keys("kasper2021unmt", entries)[0] == "kasper2021unmet"
    assert suggest_keys("kaspr2022", entries)[0] == "kasper2022what"


def test_check_suggests_keys_the_same_way(tmp_path):
    from conftest import copy_project

    project = copy_project(tmp_path / "p")
    nb = project / "notebooks" / "background.ipynb"
    data = json.loads(nb.read_text(encoding="utf-8"))
    cell = next(c for c in data["cells"] if c["cell_type"] == "markdown")
    cell["source"] = "".join(cell["source"]) + "\n\nSee [@kasper2021unmt].\n"
    nb.write_text(json.dumps(data), encoding="utf-8")
    proc = reviewkit("check", project)
    assert proc.returncode == 2 and "closest known keys: kasper2021unmet" in proc.stderr


def test_import_of_folders_missing_files_and_bad_encodings_is_a_clear_error(tmp_path):
    out = tmp_path / "out.bib"
    for args, expected in (
        ([tmp_path], "is a folder"),
        ([tmp_path / "missing.ris"], "file not found"),
        ([DATA / "same-works-four-formats.bib", "--encoding", "bogus"], "unknown text encoding"),
    ):
        proc = reviewkit("import", *args, "-o", out)
        assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert not out.exists()


def test_import_report_lists_surviving_key_first(tmp_path):
    from conftest import ROOT

    report = tmp_path / "report.txt"
    files = sorted((ROOT / "references" / "bibliography").glob("*"))
    proc = reviewkit("import", *files, "-o", tmp_path / "out.bib", "--report", report)
    assert proc.returncode == 0, proc.stderr
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "read 20 records, merged 3 duplicates, wrote 17"
    assert (
        "kasper2021unmet: merged seed-000-kasper2022-references.txt:6 with seed-papers.bib:18 (@kasper2021unmet) "
        "(title is a prefix of the other (journal run into the title), same year and first author)" in lines
    )


def test_scopus_export_with_untagged_reference_lines():
    result = ris.read(DATA / "ris-scopus-issn-suffix-repeated-n1.ris")
    (e,) = result.bibliography.entries.values()
    assert (e.fields["doi"], e.fields["journal"], e.fields["year"]) == (
        "10.1016/j.psyneuen.2019.104501",
        "Psychoneuroendocrinology",
        "2020",
    )
    assert [str(p) for p in e.persons["author"]][0] == "Labanski, A." and not result.warnings


REAL_EXPORTS = [
    "ris-ovid-tags-and-links-after-er.ris",
    "ris-proquest-accession-not-pmid-doi-as-url.ris",
    "ris-embase-pmid-in-c5.ris",
    "ris-scopus-issn-suffix-repeated-n1.ris",
    "ris-web-of-science-two-letter-tags.ris",
    "ris-embase-doi-as-dx-url.ris",
    "ris-byte-order-mark.ris",
    "same-works-four-formats.ris",
    "same-works-four-formats.nbib",
    "same-works-four-formats.bib",
    "same-works-four-formats.json",
    "manubot-zotero-export.bib",
    "pubmed-xml-structured-abstract-inline-markup.xml",
]


def test_every_doi_and_pmid_of_the_real_exports_survives_the_merge():
    """Every DOI printed anywhere in a real export (tags, links) and every PMID a reader finds is in the merged
    output, and no two records with different identifiers were merged."""
    import re
    from urllib.parse import unquote

    from reviewkit.citations import load

    files = [DATA / name for name in REAL_EXPORTS]
    result = load_bibliography(files)
    out = list(result.bibliography.entries.values())
    out_dois = {e.fields["doi"] for e in out if e.fields.get("doi")}
    out_pmids = {e.fields["pmid"] for e in out if e.fields.get("pmid")}
    for f in files:
        kept, cited = [], False
        for line in f.read_text(encoding="utf-8-sig").splitlines():
            if line[:1].strip():  # a tag line; Web of Science's CR lists the works the record cites
                cited = line.startswith("CR ")
            if not cited:
                kept.append(line)
        text = unquote("\n".join(kept)).lower()
        printed = {normalize_doi(m.rstrip(".")) for m in re.findall(r"10\.\d{4,9}/[^\s\"'<>&;,\]}]+", text)}
        printed.discard(None)
        assert printed <= out_dois, (f.name, printed - out_dois)
        for e in load(f, cache=False).entries.values():
            if e.fields.get("pmid"):
                assert e.fields["pmid"] in out_pmids, (f.name, e.fields["pmid"])
    assert not result.apart  # nothing here needed keeping apart: no identifier conflicts among these works


# -- 6. real NLM PubMed baseline/update files (extracts of pubmed20n0014 and pubmed21n1298) ----------


def _pubmed_ids(path):
    """{PMID.version: [DOIs as given]} read straight from the XML with ElementTree (not reviewkit's reader)."""
    import xml.etree.ElementTree as ET

    out = {}
    for art in ET.parse(path).getroot().iter("PubmedArticle"):
        p = art.find("MedlineCitation/PMID")
        dois = [i.text or "" for i in art.iterfind("PubmedData/ArticleIdList/ArticleId") if i.get("IdType") == "doi"]
        dois += [e.text or "" for e in art.iterfind("MedlineCitation/Article/ELocationID") if e.get("EIdType") == "doi"]
        out[f"{p.text}.{p.get('Version')}"] = dois
    return out


def test_real_pubmed_errata_and_two_language_editions_with_one_title_stay_seven_records():
    # three "Correction: <title>" errata of one article (each correcting the one before), two "Correction."
    # notices of one journal without authors, and one article in its Spanish and its English edition: the same
    # title, year and first author within each group, every record with its own PMID and DOI
    path = DATA / "pubmed-xml-errata-and-two-language-editions-same-title.xml"
    given = _pubmed_ids(path)
    result = load_bibliography([path])
    out = {e.fields["pmid"]: e for e in result.bibliography.entries.values()}
    assert sorted(out) == sorted(k.split(".")[0] for k in given) and result.written == 7
    assert not result.decisions  # nothing merged
    for pmid_version, dois in given.items():
        assert {normalize_doi(d) for d in dois} == {out[pmid_version.split(".")[0]].fields["doi"]}
    errata = [out[p] for p in ("33361826", "33558669", "33837281")]
    assert len({(norm_title(e.fields["title"]), e.fields["year"], str(e.persons["author"][0])) for e in errata}) == 1
    editions = [out["32943251"], out["34088395"]]
    assert editions[0].fields["title"] == editions[1].fields["title"]
    assert [e.fields["doi"] for e in editions] == ["10.1016/j.arbres.2020.07.029", "10.1016/j.arbr.2020.07.030"]
    assert not result.warnings


def test_real_pubmed_update_file_versions_of_one_pmid_and_deleted_citations():
    # an update file gives PMID 30271887 twice (<PMID Version="1"> and "4", one DOI per version) and ends in a
    # <DeleteCitation> block of 20 PMIDs: each version is a record with its DOI, the deletions are not records
    path = DATA / "pubmed-xml-update-file-versioned-pmid-and-delete-citation.xml"
    assert sorted(_pubmed_ids(path)) == ["30271887.1", "30271887.4"]
    result = load_bibliography([path])
    entries = list(result.bibliography.entries.values())
    assert [e.fields["pmid"] for e in entries] == ["30271887", "30271887"]
    assert sorted(e.fields["doi"] for e in entries) == [
        "10.12688/wellcomeopenres.14677.1",
        "10.12688/wellcomeopenres.14677.4",
    ]
    assert any("share PMID 30271887 but have different DOIs" in line for line in result.apart)
    deleted: list[str] = []
    assert len(pubmed_xml.load(path, deleted=deleted).entries) == 2
    assert len(deleted) == 20 and deleted[0] == "31688362" and "30271887" not in deleted


def test_real_pubmed_sici_doi_is_kept_as_given_with_a_warning_and_a_shared_doi_stays_on_both(tmp_path):
    # pubmed20n0014 (1979): a Wiley SICI DOI with "<…>" in ArticleIdList (not a DOI by reviewkit's rule: never a
    # link), an empty <ArticleId IdType="doi"/>, and two different articles given one DOI
    path = DATA / "pubmed-xml-sici-doi-empty-doi-one-doi-two-articles.xml"
    sici = _pubmed_ids(path)["400626.1"][0]
    assert "<" in sici and normalize_doi(sici) is None
    out = tmp_path / "out.bib"
    proc = reviewkit("import", path, "-o", out)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {path.name}#1 (PMID 400626): {sici!r} is not a DOI (expected 10.<registrant>/<suffix>); "
        "kept in the note, never used as a link"
    ]
    entries = {e.fields["pmid"]: e for e in bibtex.load(out).entries.values()}
    assert sorted(entries) == ["400626", "402351", "420122", "420123"]
    assert "doi" not in entries["400626"].fields and sici in entries["400626"].fields["note"]
    assert "doi" not in entries["402351"].fields and "note" not in entries["402351"].fields
    assert entries["420122"].fields["doi"] == entries["420123"].fields["doi"] == "10.1093/ajcn/32.2.277"
    assert "share DOI 10.1093/ajcn/32.2.277 but have different PMIDs" in proc.stderr


def test_pubmed_xml_second_doi_and_invalid_elocation_are_kept_in_the_note():
    # SYNTHETIC structure around the two DOI elements (Crossref's example prefix): a valid ArticleId DOI, a
    # different valid ELocationID DOI and one that is not a DOI
    text = (
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version='1'>1</PMID><Article>"
        "<ArticleTitle>[synthetic] Two DOIs</ArticleTitle>"
        "<ELocationID EIdType='doi'>10.5555/OTHER</ELocationID><ELocationID EIdType='doi'>10.5555/a b</ELocationID>"
        "<ELocationID EIdType='doi'>10.5555/MAIN</ELocationID>"
        "</Article></MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType='doi'>10.5555/main</ArticleId>"
        "</ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>"
    )
    import io

    data = io.BytesIO(text.encode())
    data.name = "x.xml"
    result = pubmed_xml.read(data)
    (e,) = result.bibliography.entries.values()
    assert e.fields["doi"] == "10.5555/main"
    assert e.fields["note"] == "other DOI: 10.5555/other; DOI as given: 10.5555/a b"
    assert result.warnings == [
        "x.xml#1 (PMID 1): a second DOI '10.5555/other' besides '10.5555/main'; kept in the note",
        "x.xml#1 (PMID 1): '10.5555/a b' is not a DOI (expected 10.<registrant>/<suffix>); kept in the note, "
        "never used as a link",
    ]


@pytest.mark.parametrize("cached", [False, True])
def test_an_identifier_two_records_carry_is_not_cited_as_one_of_them(cached, tmp_path, monkeypatch):
    """Versions 1 and 4 of one PubMed article share PMID 30271887, each with its own DOI (a real update file):
    ``[@pmid:30271887]`` names no one work, so citing it is an error listing both keys; each DOI names one."""
    from reviewkit.citations.library import Library
    from reviewkit.errors import CitationError
    from reviewkit.report.assemble import CitationResolver

    monkeypatch.setenv("REVIEWKIT_CACHE", str(tmp_path / "cache"))
    path = DATA / "pubmed-xml-update-file-versioned-pmid-and-delete-citation.xml"
    if cached:  # the library as a build reads it the second time: from its JSON cache
        Library.load([path])
    for bibliography in (Library.load([path], cache=cached), load_bibliography([path]).bibliography):
        resolver = CitationResolver(bibliography)
        with pytest.raises(CitationError) as err:
            resolver.resolve("pmid:30271887", "section.md:3")
        assert "PMID 30271887 is carried by 2 records (newbury2018stage, newbury2018stageb)" in str(err.value)
        assert resolver.resolve("doi:10.12688/wellcomeopenres.14677.1", "x") == "newbury2018stage"
        assert resolver.resolve("doi:10.12688/WELLCOMEOPENRES.14677.4", "x") == "newbury2018stageb"
