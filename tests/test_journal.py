"""A synthetic review (tests/synthetic_review.py: 200 trials, full author metadata) in every format.

- author metadata (ORCID, numbered affiliations, corresponding author, equal contribution, group
  authorship, statements) shown in HTML, PDF, DOCX and JATS; a bad ORCID check digit names its line;
- nothing cut: the 200-row table and the 65-inch timeline go to "Supplementary material" (Table S1,
  Figure S1) with working cross-references in every format; in the PDF no figure crosses a page
  boundary and the table's header row repeats on every page it spans;
- every figure and table links to its executed notebook, rendered with its code in outputs/notebooks/.
"""

import re

import pypdf
import pytest

import synthetic_review
from conftest import reviewkit

A4_HEIGHT = 842.0
MARGIN = 20 / 25.4 * 72  # 20 mm in points


def flat(s):
    return re.sub(r"\s+", " ", s.replace("\xa0", " ")).strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = synthetic_review.make(tmp_path_factory.mktemp("synthetic") / "review")
    reviewkit("build", project, "--to", "html,pdf,docx,jats", check=True)
    out = project / "outputs"
    import docx
    from lxml import etree

    return {
        "project": project,
        "out": out,
        "html": (out / "report.html").read_text(encoding="utf-8"),
        "pdf": pypdf.PdfReader(out / "report.pdf"),
        "docx": docx.Document(out / "report.docx"),
        "jats": etree.parse(str(out / "report.xml")).getroot(),
    }


# -- author metadata ---------------------------------------------------------------------------


def test_metadata_in_html(built):
    html = built["html"]
    authors = re.search(r'<p class="authors">(.*?)</p>', html, re.S).group(1)
    assert "Ada Synthetic<sup>1,2,†,*</sup>" in authors and "Ben Synthetic<sup>2,†</sup>" in authors
    assert '<a href="https://orcid.org/0000-0002-1825-0097">' in authors
    assert "on behalf of Synthetic Review Group" in authors
    assert "<sup>1</sup> Synthetic Department of Testing, Example University" in html
    assert '<a href="mailto:ada.synthetic@example.org">ada.synthetic@example.org</a>' in html
    assert "† These authors contributed equally." in html
    for heading, text in [
        ("Funding", "Synthetic funding statement"),
        ("Conflicts of interest", "Synthetic conflicts"),
        ("Data availability", "Synthetic data availability"),
        ("Acknowledgements", "Synthetic acknowledgements"),
    ]:
        assert re.search(rf"<h2>{heading}</h2>\s*<p>{text}", html), heading


def test_metadata_in_pdf_and_docx(built):
    pdf = flat(" ".join(p.extract_text() for p in built["pdf"].pages))
    docx_text = flat("\n".join(p.text for p in built["docx"].paragraphs))
    for text in [
        "Ada Synthetic",
        "ORCID 0000-0002-1825-0097",
        "on behalf of Synthetic Review Group",
        "Synthetic Institute of Examples",
        "Corresponding author: Ada Synthetic",
        "ada.synthetic@example.org",
        "These authors contributed equally",
        "Conflicts of interest",
        "Synthetic funding statement",
        "Data availability",
        "Synthetic acknowledgements",
    ]:
        assert text in pdf, text
        assert text in docx_text, text
    styles = {p.style.name: p.text for p in built["docx"].paragraphs}
    assert "Ada Synthetic" in styles["Author"] and styles["Affiliation"].startswith("1 ") is False  # superscript number
    assert built["docx"].core_properties.author.startswith("Ada Synthetic; Ben Synthetic")


def test_metadata_in_jats(built):
    meta = built["jats"].find("front/article-meta")
    contribs = meta.findall("contrib-group/contrib")
    ada = contribs[0]
    assert ada.get("corresp") == "yes" and ada.get("equal-contrib") == "yes"
    assert ada.findtext("contrib-id[@contrib-id-type='orcid']") == "https://orcid.org/0000-0002-1825-0097"
    assert (ada.findtext("name/surname"), ada.findtext("name/given-names")) == ("Synthetic", "Ada")
    assert [x.get("rid") for x in ada.findall("xref[@ref-type='aff']")] == ["aff1", "aff2"]
    assert ada.findtext("email") == "ada.synthetic@example.org"
    assert contribs[1].findtext("string-name") == "Ben Synthetic"
    assert meta.findtext("contrib-group/on-behalf-of") == "on behalf of Synthetic Review Group"
    assert [a.findtext("institution") for a in meta.findall("aff")] == [
        "Synthetic Department of Testing, Example University",
        "Synthetic Institute of Examples",
    ]
    assert meta.find("author-notes/corresp/email").text == "ada.synthetic@example.org"
    assert meta.findtext("funding-group/funding-statement").startswith("Synthetic funding")
    back = built["jats"].find("back")
    assert back.findtext("ack/p").startswith("Synthetic acknowledgements")
    assert {n.get("notes-type") for n in back.findall("notes")} == {"conflict", "data-availability"}


def test_orcid_check_digit_error_names_the_line(tmp_path):
    project = synthetic_review.make(tmp_path / "review", orcid="0000-0002-1825-0098")
    line = next(
        i for i, t in enumerate((project / "review.toml").read_text().splitlines(), start=1) if t.startswith("orcid")
    )
    proc = reviewkit("check", project)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"review.toml:{line}: ORCID '0000-0002-1825-0098' of Ada Synthetic: the check digit is wrong" in proc.stderr


# -- nothing cut ---------------------------------------------------------------------------------


def test_bulky_items_go_to_the_supplement_with_s_numbers_in_every_format(built):
    html = built["html"]
    labels = re.findall(r'<span class="label">(?:<a[^>]*>)?((?:Figure|Table) S?\d+)\.', html)
    assert labels == ["Figure 1", "Figure S1", "Table S1"]
    assert html.index('id="sec-supplementary"') < html.index('id="fig-trial-timeline"')
    html = html.replace(
        "&nbsp;", "\xa0"
    )  # the template writes the entity (nbconvert's re-serialization no longer runs)
    assert '<a class="xref" href="#tbl-trials">Table\xa0S1</a>' in html
    assert '<a class="xref" href="#fig-trial-timeline">Figure\xa0S1</a>' in html
    d = built["docx"]
    captions = [p.text.split(".")[0] for p in d.paragraphs if p.style.name == "Caption"]
    assert captions == ["Figure 1", "Figure S1", "Table S1"]
    assert max(shape.height.inches for shape in d.inline_shapes) <= 7.01  # the 65-inch timeline fits a page
    assert "Supplementary material" in [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    links = {h.fragment: flat(h.text) for p in d.paragraphs for h in p.hyperlinks}
    assert links["tbl-trials"] == "Table S1" and links["fig-trial-timeline"] == "Figure S1"
    j = built["jats"]
    assert [flat("".join(f.find("caption").itertext())).split(".")[0] for f in j.iter("fig")] == [
        "Figure 1",
        "Figure S1",
    ]
    assert [flat("".join(t.find("caption").itertext())).split(".")[0] for t in j.iter("table-wrap")] == ["Table S1"]
    xrefs = {x.get("rid"): flat(x.text) for x in j.iter("xref") if x.get("ref-type") in ("fig", "table")}
    assert xrefs["tbl-trials"] == "Table S1" and xrefs["fig-trial-timeline"] == "Figure S1"


def _figure_boxes(reader):
    """{figure id: {page numbers}} from the PDF's link boxes around figure images (taller than a text line)."""
    pages = {}
    for number, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            dest = str(a.get("/Dest", ""))
            _x0, y0, _x1, y1 = (float(v) for v in a["/Rect"])
            if dest.startswith("/fig-") and y1 - y0 > 30:
                assert y0 >= MARGIN - 1 and y1 <= A4_HEIGHT - MARGIN + 1, (dest, number, (y0, y1))
                pages.setdefault(dest[1:], set()).add(number)
    return pages


def test_pdf_no_figure_crosses_a_page(built):
    boxes = _figure_boxes(built["pdf"])
    assert set(boxes) == {"fig-trial-phases", "fig-trial-timeline"}
    for fig, pages in boxes.items():
        assert len(pages) == 1, (fig, pages)
    texts = [p.extract_text() for p in built["pdf"].pages]
    for fig, label in (("fig-trial-phases", "Figure 1."), ("fig-trial-timeline", "Figure S1.")):
        (page,) = boxes[fig]
        assert label in texts[page - 1]  # the caption on the figure's page


def test_pdf_long_table_repeats_its_header_and_keeps_every_row(built):
    texts = [p.extract_text() for p in built["pdf"].pages]
    table_pages = [t for t in texts if re.search(r"NCT99\d{6}", t)]
    assert len(table_pages) >= 3
    for t in table_pages:
        assert re.search(r"NCT ID\s*Title\s*Status\s*Phase", t), t[:200]
    rows = set(re.findall(r"NCT99\d{6}", " ".join(table_pages)))
    assert len(rows) == synthetic_review.TRIALS - 1  # plus the one real trial: 200 rows, none lost


# -- figures linked to their notebooks ----------------------------------------------------------


def test_figures_and_tables_link_to_their_executed_notebook(built):
    html = built["html"]
    assert html.count('<a class="notebook" href="notebooks/trials.html"') == 3  # two figures, one table
    page = (built["out"] / "notebooks" / "trials.html").read_text(encoding="utf-8")
    import html as html_lib

    code = html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    assert "report.figure(" in code and "figures.trial_timeline(trials)" in code  # code shown
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)  # no external requests
    assert "report.figure(" not in html  # code hidden in the paper


def test_bundle_puts_the_supplement_apart(built):
    import zipfile

    proc = reviewkit("bundle", built["project"])
    assert proc.returncode == 0, proc.stderr
    z = zipfile.ZipFile(built["out"] / "submission.zip")
    names = set(z.namelist())
    assert {
        "supplementary/figure-s1-trial-timeline.png",
        "supplementary/figure-s1-trial-timeline.pdf",
        "supplementary/figure-s1-trial-timeline.svg",
        "supplementary/table-s1-trials.csv",
        "figures/figure-1-trial-phases.png",
    } <= names
    rows = z.read("supplementary/table-s1-trials.csv").decode().strip().splitlines()
    assert len(rows) == 1 + synthetic_review.TRIALS
