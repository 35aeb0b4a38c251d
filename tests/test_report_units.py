"""Units of the journal formats: JATS ref-list identifiers, explicit supplementary placement, metadata checks."""

import re

import pytest

from reviewkit.errors import ConfigError
from reviewkit.report import metadata
from reviewkit.report.assemble import Assembler, Block, SectionDoc

from conftest import DATA


@pytest.fixture(scope="module")
def pubmed_bibliography():
    """Real PubMed records (tests/data/same-works-four-formats.nbib) with PMID, PMCID and DOI."""
    from reviewkit.citations import load_bibliography

    return load_bibliography([DATA / "same-works-four-formats.nbib"]).bibliography


def test_jats_ref_list_tags_doi_pmid_pmcid(pubmed_bibliography):
    from lxml import etree

    from reviewkit.report.jats import finish

    asm = Assembler(pubmed_bibliography)
    keys = list(pubmed_bibliography.entries)[:2]
    secs = [SectionDoc("a", [Block("markdown", "a, cell 1", text=f"# A\n\nSee [@{keys[0]}; @{keys[1]}].")])]
    nb, _, _ = asm.build(secs, {"title": "T"})
    rk = nb.metadata["reviewkit"]
    root = etree.fromstring(finish("<sec id='sec-a'><title>A</title></sec>", rk))
    refs = root.findall("back/ref-list/ref")
    assert [r.get("id") for r in refs] == [f"ref-{k}" for k in keys]
    ids = {(p.get("pub-id-type"), p.text) for p in root.iter("pub-id")}
    assert ("pmid", "29424689") in ids and ("pmcid", "PMC5832410") in ids
    assert ("doi", "10.7554/elife.32822") in {(t, v.lower()) for t, v in ids}


def test_explicit_supplementary_flag_and_s_numbering(pubmed_bibliography):
    asm = Assembler(pubmed_bibliography)
    png = ""  # size unknown: placement only by the flag
    secs = [
        SectionDoc(
            "a",
            [
                Block("markdown", "a, cell 1", text="# A\n\nSee @fig:one, @fig:two and @tbl:big."),
                Block("figure", "a, cell 2", name="one", caption="One.", data={"image/png": png, "image/svg+xml": ""}),
                Block(
                    "figure",
                    "a, cell 3",
                    name="two",
                    caption="Two.",
                    data={"image/png": png, "image/svg+xml": ""},
                    supplementary=True,
                ),
                Block(
                    "table",
                    "a, cell 4",
                    name="big",
                    caption="Big.",
                    data={
                        "text/html": "<table></table>",
                        "application/vnd.reviewkit.table+json": {"columns": ["x"], "data": [[i] for i in range(41)]},
                    },
                ),
                Block(
                    "table",
                    "a, cell 5",
                    name="kept",
                    caption="Kept.",
                    supplementary=False,
                    data={
                        "text/html": "<table></table>",
                        "application/vnd.reviewkit.table+json": {"columns": ["x"], "data": [[i] for i in range(500)]},
                    },
                ),
            ],
        )
    ]
    nb, _, _ = asm.build(secs, {"title": "T"})
    assert "Figure\xa01" in nb.cells[0].source or "Figure&nbsp;1" in nb.cells[0].source
    assert re.search(r"Figure&nbsp;S1.*Table&nbsp;S1", nb.cells[0].source)
    order = [
        (o.metadata.reviewkit["name"], o.metadata.reviewkit["number"])
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    ]
    assert order == [("one", 1), ("kept", 1), ("two", "S1"), ("big", "S1")]  # supplement after the text
    assert any("Supplementary material" in c.source for c in nb.cells if c.cell_type == "markdown")


def test_orcid_checksum():
    assert metadata.orcid_checksum_ok("0000-0002-1825-0097")
    assert metadata.orcid_checksum_ok("0000-0002-9079-593X")  # check digit X
    assert not metadata.orcid_checksum_ok("0000-0002-1825-0098")


@pytest.mark.parametrize(
    "author, message",
    [
        (
            {"name": "A", "orcd": "x"},
            r"review\.toml:4: unknown key report\.authors\[1\]\.orcd \(did you mean 'orcid'\?\)",
        ),
        ({"name": "A", "orcid": "0000-0002-1825"}, r"ORCID '0000-0002-1825' of A: expected 16 digits"),
        ({"name": "A", "affiliations": [3]}, r"A: affiliation 3 is not one of 1–2"),
        ({"name": "A", "corresponding": True}, r"A is the corresponding author: add email"),
        ({"name": "A", "email": "not-an-address"}, r"e-mail 'not-an-address' of A is not an address"),
        ({"orcid": "0000-0002-1825-0097"}, r"report\.authors\[1\] needs a name"),
    ],
)
def test_metadata_errors_name_the_problem(author, message):
    def toml_value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return f'"{v}"' if isinstance(v, str) else str(v)

    text = '[report]\ntitle = "T"\n' + "\n".join(f"{k} = {toml_value(v)}" for k, v in author.items())
    report = {"title": "T", "affiliations": ["X", "Y"], "authors": [author]}
    with pytest.raises(ConfigError, match=message):
        metadata.check(report, "review.toml", text)


# -- the reference list and the notebook pages (export that scales) ------------------------------------------


def test_reference_numbers_are_the_lists_own_count_not_one_value_per_item():
    """Vancouver numbers are 1..n in list order: written as plain <li> (an explicit value on every item made
    Chromium recompute the later ordinals for each one, quadratic in the number of references)."""
    from pybtex.database import BibliographyData, Entry

    from reviewkit.report.export import to_html

    bib = BibliographyData(
        {f"syn{i}": Entry("article", fields={"title": f"Synthetic work {i}", "year": "2020"}) for i in range(1, 6)}
    )
    secs = [SectionDoc("a", [Block("markdown", "a, cell 1", text="# A\n\nSee [@syn3; @syn1] and [@syn5].")])]
    nb, _, _ = Assembler(bib).build(secs, {"title": "Synthetic"})
    html = to_html(nb)
    items = re.findall(r'<li id="ref-(syn\d)"([^>]*)>', html)
    assert items == [("syn3", ""), ("syn1", ""), ("syn5", "")]  # first cited first: 1, 2, 3 by the <ol> itself
    nb.metadata["reviewkit"]["references"][2]["number"] = 7  # a list that skips numbers keeps them explicit
    assert '<li id="ref-syn5" value="7">' in to_html(nb)


def _section_notebook(path, text):
    """A small executed notebook (SYNTHETIC: a code cell and its output written here, no kernel)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cell = new_code_cell("print('synthetic')")
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    path.write_text(nbformat.writes(new_notebook(cells=[cell])), encoding="utf-8")
    return path


def test_notebook_pages_rendered_once_per_content_then_from_the_cache(tmp_path, monkeypatch):
    from reviewkit.report import pages

    monkeypatch.setenv("REVIEWKIT_CACHE", str(tmp_path / "cache"))
    a = _section_notebook(tmp_path / "a.ipynb", "synthetic output A\n")
    b = _section_notebook(tmp_path / "b.ipynb", "synthetic output B\n")
    stats = {}
    first = pages.notebook_pages({"a": a, "b": b}, stats=stats)
    assert stats == {"rendered": ["a", "b"], "cached": []}
    assert b"synthetic output A" in first["a"] and b"synthetic output B" in first["b"]
    assert len(list((tmp_path / "cache" / "pages").glob("*.html"))) == 2  # under $REVIEWKIT_CACHE

    again = pages.notebook_pages({"a": a, "b": b}, stats=stats)
    assert stats == {"rendered": [], "cached": ["a", "b"]} and again == first

    _section_notebook(b, "synthetic output B, run again\n")  # a section that ran again: only its page is new
    third = pages.notebook_pages({"a": a, "b": b}, stats=stats)
    assert stats == {"rendered": ["b"], "cached": ["a"]}
    assert b"run again" in third["b"] and third["a"] == first["a"]


def test_notebook_pages_rendered_again_when_the_code_or_the_environment_changed(tmp_path, monkeypatch):
    from reviewkit.pipeline import cache, code
    from reviewkit.report import pages

    monkeypatch.setenv("REVIEWKIT_CACHE", str(tmp_path / "cache"))
    a = _section_notebook(tmp_path / "a.ipynb", "synthetic output A\n")
    stats = {}
    pages.notebook_pages({"a": a}, stats=stats)
    real_key = code.key
    monkeypatch.setattr(code, "key", lambda modules, **kw: "edited-" + real_key(modules, **kw))
    pages.notebook_pages({"a": a}, stats=stats)
    assert stats["rendered"] == ["a"]  # an edited writers.py (or a module it uses) is never served old pages
    monkeypatch.setattr(cache, "environment", lambda: "another nbconvert")
    pages.notebook_pages({"a": a}, stats=stats)
    assert stats["rendered"] == ["a"]


def test_a_damaged_cached_page_is_rendered_again(tmp_path, monkeypatch):
    from reviewkit.report import pages

    monkeypatch.setenv("REVIEWKIT_CACHE", str(tmp_path / "cache"))
    a = _section_notebook(tmp_path / "a.ipynb", "synthetic output A\n")
    whole = pages.notebook_pages({"a": a})["a"]
    (stored,) = (tmp_path / "cache" / "pages").glob("*.html")
    stored.write_bytes(whole[: len(whole) // 2])  # cut short (another tool, a full disk)
    stats = {}
    assert pages.notebook_pages({"a": a}, stats=stats)["a"] == whole and stats["rendered"] == ["a"]
    assert stored.read_bytes() == whole


def test_a_thousand_references_print_with_whole_numbers(tmp_path):
    """1,000 SYNTHETIC references in the PDF: numbered 1 to 1000 by the list itself, four-digit numbers not cut
    at the page margin (the list is given room for them), the last on the last page."""
    import io

    import pypdf
    from pybtex.database import BibliographyData, Entry

    from reviewkit.report.export import find_chromium, to_html, to_pdf

    if find_chromium() is None:
        pytest.fail("Chromium is needed for this test (make chromium)")
    n = 1000
    bib = BibliographyData(
        {f"syn{i}": Entry("article", fields={"title": f"Synthetic work {i}", "year": "2020"}) for i in range(1, n + 1)}
    )
    text = "# A\n\n" + "\n\n".join(f"Synthetic sentence [@syn{i}]." for i in range(1, n + 1))
    nb, _, _ = Assembler(bib).build(
        [SectionDoc("a", [Block("markdown", "a, cell 1", text=text)])], {"title": "Synthetic"}
    )
    assert '<ol class="references digits-4">' in to_html(nb) and " value=" not in to_html(nb)
    reader = pypdf.PdfReader(io.BytesIO(to_pdf(nb)))
    last = reader.pages[-1].extract_text()
    assert re.search(r"(?m)^1000\. Synthetic work 1000", last), last[-300:]
    assert re.search(r"(?m)^999\. Synthetic work 999\b", "\n".join(p.extract_text() for p in reader.pages[-2:]))


def test_notebook_pages_started_alongside_give_the_same_pages_and_hand_over_errors(tmp_path, monkeypatch):
    from reviewkit.report import pages

    monkeypatch.setenv("REVIEWKIT_CACHE", str(tmp_path / "cache"))
    a = _section_notebook(tmp_path / "a.ipynb", "synthetic output A\n")
    started = pages.notebook_pages_started({"a": a}, cache=False)
    assert started.result() == pages.notebook_pages({"a": a}, cache=False)
    missing = pages.notebook_pages_started({"gone": tmp_path / "gone.ipynb"})
    with pytest.raises(FileNotFoundError):
        missing.result()


def test_a_pdf_carries_the_build_date_and_the_same_bytes_a_second_time():
    """Chromium stamps CreationDate/ModDate with the wall clock; the writer puts the build date there instead,
    so two renders seconds apart give the same bytes (SYNTHETIC one-section document)."""
    import io
    import time

    import pypdf
    from pybtex.database import BibliographyData

    from reviewkit.report import writers
    from reviewkit.report.export import find_chromium

    if find_chromium() is None:
        pytest.fail("Chromium is needed for this test (make chromium)")
    nb, _, _ = Assembler(BibliographyData()).build(
        [SectionDoc("a", [Block("markdown", "a, cell 1", text="# A\n\nSynthetic text.")])], {"title": "Synthetic"}
    )
    nb.metadata["reviewkit"]["build_date"] = "2024-01-02"
    first = writers.render(nb, "pdf")
    time.sleep(1.1)  # the wall clock's seconds move on
    assert writers.render(nb, "pdf") == first
    info = pypdf.PdfReader(io.BytesIO(first)).metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20240102000000+00'00'"
    assert writers.pdf_dated(b"/CreationDate (D:20261123185859-05'00')", "2024-01-02") == (
        b"/CreationDate (D:20240102000000+00'00')"
    )
    assert writers.pdf_dated(b"/ModDate (D:20261123185859Z)", "") == b"/ModDate (D:20261123185859Z)"


def _synthetic_rows_table(rows: int):
    """A report with one SYNTHETIC supplementary table of *rows* rows (IDs SYN-000001, …; titles say synthetic)."""
    import pandas as pd

    from reviewkit.report import MIME_TABLE, table_html

    df = pd.DataFrame(
        {
            "ID": [f"SYN-{i:06d}" for i in range(1, rows + 1)],
            "Title": [f"[synthetic] Synthetic study {i} & co" for i in range(1, rows + 1)],
            "Enrolment": [10 + i % 990 for i in range(rows)],
        }
    )
    block = Block(
        "table",
        "a, table",
        name="syn",
        caption="SYNTHETIC rows.",
        data={"text/html": table_html(df), MIME_TABLE: {"columns": list(df.columns), "data": df.values.tolist()}},
    )
    from pybtex.database import BibliographyData

    nb, _, _ = Assembler(BibliographyData()).build([SectionDoc("a", [block])], {"title": "Synthetic"})
    return nb, table_html(df)


def test_a_long_table_prints_as_consecutive_tables_with_one_set_of_columns():
    from reviewkit.report.export import PRINT_TABLE_ROWS, print_table, sanitize, to_html

    n = 2 * PRINT_TABLE_ROWS + 7
    nb, fragment = _synthetic_rows_table(n)
    printed = print_table(sanitize(fragment))
    parts = re.findall(r'<table class="data print-part( continues)?"><colgroup>(.*?)</colgroup><thead>', printed)
    assert [bool(c) for c, _ in parts] == [True, True, False]  # the closing rule on the last part only
    assert len({cols for _, cols in parts}) == 1  # the same column widths in every part
    widths = [float(w) for w in re.findall(r"width:([\d.]+)%", parts[0][1])]
    assert widths[1] > widths[0] > widths[2] and abs(sum(widths) - 100) < 0.1  # the title column is the widest
    assert printed.count("<th>ID</th>") == 3
    assert re.findall(r"SYN-\d+", printed) == [f"SYN-{i:06d}" for i in range(1, n + 1)]  # every row, in order
    assert "&amp; co" in printed
    # a short table, or one print_table cannot read row by row, is printed as it is; the HTML report is unchanged
    _, short = _synthetic_rows_table(PRINT_TABLE_ROWS)
    assert print_table(sanitize(short)) == sanitize(short)
    spanned = sanitize(fragment).replace("<td>", '<td colspan="2">', 1)
    assert print_table(spanned) == spanned
    assert 'class="data print-part' not in to_html(nb) and to_html(nb).count("<th>ID</th>") == 1


def test_a_long_table_in_the_pdf_has_its_header_on_every_page_and_no_row_split():
    import io

    import pypdf

    from reviewkit.report import writers
    from reviewkit.report.export import find_chromium

    if find_chromium() is None:
        pytest.fail("Chromium is needed for this test (make chromium)")
    n = 700
    nb, _ = _synthetic_rows_table(n)
    reader = pypdf.PdfReader(io.BytesIO(writers.render(nb, "pdf", running_title="Synthetic running title")))
    seen = []
    for number, page in enumerate(reader.pages[1:], start=2):  # the table starts on the page after the title
        text = page.extract_text()
        assert re.search(r"(?m)^ID Title Enrolment$", text), text[:300]  # the header row on every page
        assert "Synthetic running title" in text and f"{number} / {len(reader.pages)}" in text
        rows = re.findall(r"(?m)^SYN-(\d+) \[synthetic\] Synthetic study (\d+) & co (\d+)$", text)
        assert all(int(a) == int(b) for a, b, _ in rows)  # each row whole on one line of one page
        seen += [int(a) for a, _, _ in rows]
    assert seen == list(range(1, n + 1))
