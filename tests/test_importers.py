"""Every citation format an author receives, read from real files (tests/data/README.md)."""

import gzip
import json

import pytest

from reviewkit.citations import csljson, detect_format, load, load_bibliography, medline, pubmed_xml, ris
from reviewkit.errors import InputError

from conftest import DATA


def only(bib):
    assert len(bib.entries) == 1
    return next(iter(bib.entries.values()))


# -- RIS -------------------------------------------------------------------------------------------


def test_ris_byte_order_mark():
    assert only(ris.load(DATA / "ris-byte-order-mark.ris")).fields["doi"] == "10.1186/s40981-020-0316-0"


def test_ris_web_of_science():
    bib = ris.load(DATA / "ris-web-of-science-two-letter-tags.ris")
    assert len(bib.entries) == 2
    first = next(iter(bib.entries.values()))
    assert [str(p) for p in first.persons["author"]] == ["Parkes-Loach, PS", "Majeed, AP", "Law, CJ", "Loach, PA"]
    assert first.fields["title"].startswith(
        "Interactions stabilizing the structure of the core light-harvesting complex"
    )
    assert first.fields["journal"] == "BIOCHEMISTRY"


def test_ris_continuation_lines_join_and_records_without_title_are_reported():
    with pytest.raises(InputError, match=r"ris-untagged-continuation-lines.ris:1: record has neither a title"):
        ris.load(DATA / "ris-untagged-continuation-lines.ris")
    skipped = []
    bib = ris.load(DATA / "ris-untagged-continuation-lines.ris", skip_invalid=True, skipped=skipped)
    assert len(bib.entries) == 0 and len(skipped) == 3  # every record listed, none silently lost
    recs = ris.tokenize((DATA / "ris-untagged-continuation-lines.ris").read_text(encoding="utf-8"))
    n2 = [v for t, v, _ in recs[1].tags if t == "N2"][0]
    assert n2 == "first line, ER then second line and at the end the last line"


def test_ris_stray_lines_between_records_are_skipped():
    bib = ris.load(DATA / "ris-stray-lines-between-records.ris")
    assert [e.fields["title"] for e in bib.entries.values()] == ["Title of reference", "The title of the reference"]


def test_ris_doi_given_as_dx_url():
    e = only(ris.load(DATA / "ris-embase-doi-as-dx-url.ris"))
    assert e.fields["doi"] == "10.1177/2325967120950040"
    assert "url" not in e.fields  # the DOI URL is the DOI, not a separate link


def test_ris_utf8_short_title():
    e = only(ris.load(DATA / "ris-utf8-cyrillic-short-title-only.ris"))
    assert e.fields["title"].startswith("Состояние рецепторного аппарата")


def test_ris_crlf_tabs_and_repeated_tags():
    text = "TY\t- JOUR\r\nTI\t- Tab separated\r\nAU\t- Kasper, Bernd\r\nAU\t- Achee, Amy\r\nER\t- \r\n"
    e = only(ris.loads(text))
    assert e.fields["title"] == "Tab separated" and len(e.persons["author"]) == 2


@pytest.mark.parametrize(
    "text,message",
    [
        ("TI  - orphan\nER  - \n", ":1: no RIS record in this file"),
        ("TY  - JOUR\nTI  - no end\n", ":1: file ends inside the record"),
        ("TY  - JOUR\nTI  - a\nTY  - JOUR\nTI  - b\nER  - \n", ":3: record starting at line 1 has no end tag"),
        ("\n\nER  - \n", ":3: no RIS record in this file"),
    ],
)
def test_ris_malformed_names_the_line(text, message):
    with pytest.raises(InputError, match=message):
        ris.loads(text, name="x.ris")


# -- MEDLINE ----------------------------------------------------------------------------------------


def test_medline_repeated_and_wrapped_tags():
    bib = medline.load(DATA / "same-works-four-formats.nbib")
    scihub, repro = list(bib.entries.values())
    assert scihub.fields["pmid"] == "29424689" and scihub.fields["doi"] == "10.7554/elife.32822"
    assert scihub.fields["title"] == "Sci-Hub provides access to nearly all scholarly literature"
    assert [str(p) for p in scihub.persons["author"]][:2] == ["Himmelstein, Daniel S", "Romero, Ariel Rodriguez"]
    assert "Sci-Hub's database contains 68.9%" in scihub.fields["abstract"]  # a wrapped AB value, joined
    assert repro.fields["title"] == "Reproducibility of computational workflows is automated using continuous analysis"
    assert (repro.fields["volume"], repro.fields["number"], repro.fields["pages"]) == ("35", "4", "342-346")


def test_medline_garbage_is_an_error():
    with pytest.raises(InputError, match=r"x.nbib:1: expected a MEDLINE tag"):
        medline.loads("this is not medline\n", name="x.nbib")


# -- PubMed XML -------------------------------------------------------------------------------------
# Synthetic structure, real values: the PubmedArticleSet below is written by this test from the real
# MEDLINE records in same-works-four-formats.nbib, with the quirks the issue lists added around them.

PUBMED_XML = """<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">
<PubmedArticleSet>
<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">29424689</PMID>
<Article PubModel="Electronic"><Journal><JournalIssue CitedMedium="Internet"><Volume>7</Volume>
<PubDate><Year>2018</Year><Month>Mar</Month><Day>01</Day></PubDate></JournalIssue><Title>eLife</Title><ISOAbbreviation>Elife</ISOAbbreviation></Journal>
<ArticleTitle><i>Sci-Hub</i> provides access to nearly all scholarly literature.</ArticleTitle>
<Abstract><AbstractText>The website Sci-Hub enables users to download PDF versions of scholarly articles.</AbstractText></Abstract>
<AuthorList CompleteYN="Y"><Author><LastName>Himmelstein</LastName><ForeName>Daniel S</ForeName><Initials>DS</Initials></Author>
<Author><LastName>Romero</LastName><ForeName>Ariel Rodriguez</ForeName><Initials>AR</Initials></Author></AuthorList>
<Language>eng</Language></Article></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">29424689</ArticleId><ArticleId IdType="doi">10.7554/eLife.32822</ArticleId><ArticleId IdType="pmc">PMC5832410</ArticleId></ArticleIdList></PubmedData></PubmedArticle>
<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">28288103</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Internet"><Volume>35</Volume><Issue>4</Issue>
<PubDate><MedlineDate>2017 Apr-May</MedlineDate></PubDate></JournalIssue><Title>Nature biotechnology</Title><ISOAbbreviation>Nat Biotechnol</ISOAbbreviation></Journal>
<ArticleTitle>Reproducibility of computational workflows is automated using continuous analysis.</ArticleTitle>
<Pagination><MedlinePgn>342-346</MedlinePgn></Pagination>
<AuthorList CompleteYN="Y"><Author><CollectiveName>Continuous Analysis Group</CollectiveName></Author></AuthorList>
</Article></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">28288103</ArticleId><ArticleId IdType="doi">10.1038/nbt.3780</ArticleId></ArticleIdList></PubmedData></PubmedArticle>
<DeleteCitation><PMID Version="1">12345</PMID></DeleteCitation>
</PubmedArticleSet>
"""


@pytest.mark.parametrize("gz", [False, True])
def test_pubmed_xml_quirks(tmp_path, gz):
    path = tmp_path / ("pubmed.xml.gz" if gz else "pubmed")  # no suffix: detected from content
    data = PUBMED_XML.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    deleted = []
    bib = pubmed_xml.load(path, deleted=deleted)
    scihub, repro = list(bib.entries.values())
    assert len(bib.entries) == 2 and deleted == ["12345"]  # DeleteCitation is not a record
    assert scihub.fields["title"] == "Sci-Hub provides access to nearly all scholarly literature"  # inline <i>
    assert scihub.fields["pmcid"] == "PMC5832410" and scihub.fields["doi"] == "10.7554/elife.32822"
    assert repro.fields["year"] == "2017" and repro.fields["month"] == "Apr"  # MedlineDate
    assert [str(p) for p in repro.persons["author"]] == ["Continuous Analysis Group"]
    assert "abstract" not in repro.fields
    assert len(load(path).entries) == 2


def test_pubmed_xml_truncated_names_the_line(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(PUBMED_XML[: len(PUBMED_XML) // 2], encoding="utf-8")
    with pytest.raises(InputError, match=r"cut.xml:\d+: malformed XML"):
        pubmed_xml.load(path)


# -- CSL-JSON ---------------------------------------------------------------------------------------


def test_csl_string_and_missing_date_parts():
    assert only(csljson.load(DATA / "csl-string-date-parts.json")).fields["year"] == "2017"
    assert "year" not in only(csljson.load(DATA / "csl-null-date-parts.json")).fields
    assert "year" not in only(csljson.load(DATA / "csl-empty-date-parts.json")).fields


def test_csl_empty_item_is_reported_not_imported():
    with pytest.raises(InputError, match=r"csl-empty-item.json#1: item 1 is empty"):
        csljson.load(DATA / "csl-empty-item.json")


def test_csl_single_item_object():
    item = json.loads((DATA / "csl-crossref-doi-response.json").read_text(encoding="utf-8"))[0]
    e = only(csljson.loads(json.dumps(item)))
    assert (
        e.fields["doi"] == "10.1098/rsif.2017.0387" and e.fields["journal"] == "Journal of The Royal Society Interface"
    )


def test_csl_round_trip_carries_the_required_fields():
    bib = load_bibliography(
        [DATA / f"same-works-four-formats.{e}" for e in ("bib", "nbib", "ris", "json")]
    ).bibliography
    items = json.loads(csljson.dumps(bib))
    scihub = next(i for i in items if i.get("DOI") == "10.7554/elife.32822")
    for key in ("id", "type", "title", "author", "issued", "container-title", "DOI", "PMID", "URL"):
        assert key in scihub, key
    assert scihub["author"][0] == {"family": "Himmelstein", "given": "Daniel S"}
    assert scihub["issued"] == {"date-parts": [[2018, 3]]}


# -- detection and merging --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("same-works-four-formats.bib", "bibtex"),
        ("same-works-four-formats.nbib", "medline"),
        ("same-works-four-formats.ris", "ris"),
        ("same-works-four-formats.json", "csljson"),
        ("ris-web-of-science-two-letter-tags.ris", "ris"),
    ],
)
def test_format_detected_from_content_when_the_suffix_lies(tmp_path, name, fmt):
    wrong = tmp_path / "download.txt"
    wrong.write_bytes((DATA / name).read_bytes())
    assert detect_format(wrong, wrong.read_text(encoding="utf-8-sig")[:4000]) == fmt
    assert len(load(wrong).entries) >= 1


def test_binary_garbage_is_refused(tmp_path):
    junk = tmp_path / "refs.ris"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="binary data"):
        load(junk)


def test_four_formats_merge_to_three_works():
    result = load_bibliography([DATA / f"same-works-four-formats.{e}" for e in ("bib", "nbib", "ris", "json")])
    assert (result.read, result.merged, result.written) == (8, 5, 3)
    scihub = next(e for e in result.bibliography.entries.values() if e.fields.get("doi") == "10.7554/elife.32822")
    assert scihub.fields["pmid"] == "29424689"  # from MEDLINE, merged into the Zotero record
