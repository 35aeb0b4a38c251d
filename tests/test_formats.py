"""The example in four formats (HTML, PDF, DOCX, JATS) holds the same document, item by item.

Each format is read with its own reader (html.parser, python-docx, lxml, pypdf)
and compared: sections, figures and captions, tables, citation numbers in
order, the reference list.  The DOCX is opened by headless LibreOffice.
"""

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pypdf
import pytest

from reviewkit.pipeline.events import EditionPublished

from conftest import kinds, reviewkit

FIGURES = 7
REFERENCES = 17


def flat(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\xa0", " ")).strip()


class HtmlItems(HTMLParser):
    """Section headings, figure/table captions, citation numbers and references of the HTML report."""

    def __init__(self):
        super().__init__()
        self.sections, self.figures, self.tables, self.citations, self.references = [], [], [], [], []
        self.table_rows = []
        self._grab = None
        self._buf = ""
        self._kind = None
        self._rows = None
        self._cite = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        if tag == "h2" and cls == "section":
            self._start("section")
        elif tag == "figure":
            self._kind = "figure" if cls == "figure" else "table" if cls == "table" else None
        elif tag == "figcaption" and self._kind:
            self._start(self._kind)
        elif tag == "a" and "citation" in cls.split():
            self._cite = ""
        elif tag == "li" and a.get("id", "").startswith("ref-"):
            self._start("reference")
        elif tag == "tbody":
            self._rows = 0
        elif tag == "tr" and self._rows is not None:
            self._rows += 1

    def _start(self, what):
        self._grab, self._buf = what, ""

    def handle_endtag(self, tag):
        if tag == "a" and self._cite is not None:
            self.citations.append(self._cite)
            self._cite = None
        ends = {"section": "h2", "figure": "figcaption", "table": "figcaption", "reference": "li"}
        if self._grab and ends[self._grab] == tag:
            {"section": self.sections, "figure": self.figures, "table": self.tables, "reference": self.references}[
                self._grab
            ].append(flat(self._buf))
            self._grab = None
        if tag == "tbody" and self._rows is not None:
            self.table_rows.append(self._rows)
            self._rows = None

    def handle_data(self, data):
        if self._grab:
            self._buf += data
        if self._cite is not None:
            self._cite += data


@pytest.fixture(scope="module")
def four(built_example):
    project, _ = built_example
    proc = reviewkit("build", project, "--to", "html,pdf,docx,jats", check=True)
    out = project / "outputs"
    for name in ("report.html", "report.pdf", "report.docx", "report.xml"):
        assert (out / name).is_file(), name
    files = tuple(f"outputs/{name}" for name in ("report.html", "report.pdf", "report.docx", "report.xml"))
    assert [e.paths for e in kinds(proc.events, EditionPublished)] == [files]
    html = HtmlItems()
    html.feed((out / "report.html").read_text(encoding="utf-8"))
    return project, out, html


@pytest.fixture(scope="module")
def docx_doc(four):
    import docx

    return docx.Document(four[1] / "report.docx")


@pytest.fixture(scope="module")
def jats(four):
    from lxml import etree

    return etree.parse(str(four[1] / "report.xml"))  # well-formed, or this raises


def test_html_is_what_the_other_formats_are_compared_with(four):
    _, _, html = four
    assert len(html.sections) == 7 and len(html.figures) == FIGURES and len(html.references) == REFERENCES
    assert html.tables and html.citations[0] == "1"


def test_docx_sections_and_heading_styles(four, docx_doc):
    html = four[2]
    h1 = [flat(p.text) for p in docx_doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == html.sections + ["References"]
    h2 = [flat(p.text) for p in docx_doc.paragraphs if p.style.name == "Heading 2"]
    assert "1.1 Clinical presentation" in h2
    title = [p.text for p in docx_doc.paragraphs if p.style.name == "Title"]
    assert title == ["Leiomyosarcoma: unmet needs, registered trials and reported efficacy"]
    styles = {p.style.name for p in docx_doc.paragraphs}
    assert {"Abstract", "Keywords", "Author"} <= styles
    assert docx_doc.core_properties.title == title[0]


def test_docx_figures_tables_captions(four, docx_doc):
    html = four[2]
    captions = [flat(p.text) for p in docx_doc.paragraphs if p.style.name == "Caption"]
    assert [c for c in captions if c.startswith("Figure")] == html.figures
    assert [c for c in captions if c.startswith("Table")] == html.tables
    assert len(docx_doc.inline_shapes) == FIGURES
    assert len(docx_doc.tables) == len(html.tables)
    assert [len(t.rows) - 1 for t in docx_doc.tables] == html.table_rows  # header row + every data row


def test_docx_citations_and_references(four, docx_doc):
    html = four[2]
    numbers, refs, in_refs = [], [], False
    for p in docx_doc.paragraphs:
        if p.style.name == "Heading 1":
            in_refs = p.text == "References"
            continue
        if in_refs and p.text.strip():
            refs.append(flat(p.text))
        for item in p.iter_inner_content():
            if getattr(item, "fragment", "").startswith("ref-"):
                numbers.append(item.text)
    for table in docx_doc.tables:
        for cell in (c for row in table.rows for c in row.cells):
            for p in cell.paragraphs:
                numbers += [h.text for h in p.hyperlinks if h.fragment.startswith("ref-")]
    assert sorted(numbers) == sorted(html.citations)
    assert refs == html.references and len(refs) == REFERENCES


def test_docx_has_page_numbers_and_fixed_bytes(four):
    import io
    import zipfile

    data = (four[1] / "report.docx").read_bytes()
    z = zipfile.ZipFile(io.BytesIO(data))
    footers = [n for n in z.namelist() if n.startswith("word/footer")]
    assert footers and any("PAGE" in z.read(n).decode() for n in footers)
    assert {i.date_time for i in z.infolist()} == {(2026, 11, 5, 0, 0, 0)}  # SOURCE_DATE_EPOCH of the tests


def test_docx_opens_in_libreoffice(four, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed: make test installs it (scripts/ensure-libreoffice.sh)"
    proc = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(four[1] / "report.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    pdf = pypdf.PdfReader(tmp_path / "report.pdf")
    assert len(pdf.pages) >= 5
    text = flat(" ".join(p.extract_text() for p in pdf.pages))
    assert "Figure 7." in text and "References" in text
    assert re.search(r"\b2 Registered trial landscape\b", text)


def test_jats_structure_and_items(four, jats):
    html = four[2]
    root = jats.getroot()
    assert root.tag == "article" and root.get("dtd-version") == "1.3"
    assert jats.docinfo.public_id.startswith("-//NLM//DTD JATS (Z39.96)")
    assert root.findtext("front/article-meta/title-group/article-title").startswith("Leiomyosarcoma")
    assert root.find("front/article-meta/abstract/p") is not None
    assert [k.text for k in root.findall("front/article-meta/kwd-group/kwd")][0] == "leiomyosarcoma"
    sections = [flat("".join(s.find("title").itertext())) for s in root.findall("body/sec")]
    assert sections == html.sections
    figs = root.findall(".//body//fig")
    assert [flat("".join(f.find("caption").itertext())) for f in figs] == html.figures
    assert all(f.find("graphic").get("{http://www.w3.org/1999/xlink}href").startswith("figures/") for f in figs)
    wraps = root.findall(".//body//table-wrap")
    assert [flat("".join(w.find("caption").itertext())) for w in wraps] == html.tables
    cites = [x.text for x in root.iter("xref") if x.get("ref-type") == "bibr"]
    assert sorted(cites) == sorted(html.citations)
    assert all(
        x.get("rid") in {r.get("id") for r in root.iter("ref")}
        for x in root.iter("xref")
        if x.get("ref-type") == "bibr"
    )


def test_jats_ref_list_with_pub_ids(four, jats):
    refs = jats.getroot().findall("back/ref-list/ref")
    assert len(refs) == REFERENCES
    assert [r.findtext("label") for r in refs] == [str(i) for i in range(1, REFERENCES + 1)]
    dois = {p.text for p in jats.getroot().iter("pub-id") if p.get("pub-id-type") == "doi"}
    assert "10.3390/cancers13040886" in dois
    nct = [e for e in jats.getroot().iter("ext-link") if e.get("ext-link-type") == "clinicaltrials"]
    assert [e.text for e in nct] == ["NCT05204524"]  # the example's references carry no PMID: see test_jats_unit
    for r, text in zip(refs, four[2].references):
        assert flat(r.find("mixed-citation").text).startswith(text[:40])


def test_same_bytes_again(four):
    out = four[1]
    before = {n: (out / n).read_bytes() for n in ("report.docx", "report.xml")}
    reviewkit("build", four[0], "--to", "docx,jats", check=True)
    assert {n: (out / n).read_bytes() for n in before} == before


def test_bundle_holds_the_submission(four):
    import hashlib
    import io
    import json
    import zipfile

    from PIL import Image

    project, out, html = four
    proc = reviewkit("bundle", project)
    assert proc.returncode == 0, proc.stderr
    z = zipfile.ZipFile(out / "submission.zip")
    names = set(z.namelist())
    assert {f"report.{x}" for x in ("html", "pdf", "docx", "xml")} <= names
    from lxml import etree

    jats = etree.fromstring(z.read("report.xml"))
    graphics = [g.get("{http://www.w3.org/1999/xlink}href") for g in jats.iter("graphic")]
    assert len(graphics) == FIGURES and all(g in names for g in graphics)  # JATS graphics resolve inside the zip
    links = set(re.findall(r'<a class="notebook" href="([^"]+)"', z.read("report.html").decode()))
    assert links and all(h in names for h in links)  # so do the HTML's notebook links
    for f in range(1, FIGURES + 1):
        stems = [n[:-4] for n in names if n.startswith(f"figures/figure-{f}-") and n.endswith(".png")]
        assert len(stems) == 1, f
        assert {f"{stems[0]}.svg", f"{stems[0]}.pdf"} <= names
        png = Image.open(io.BytesIO(z.read(f"{stems[0]}.png")))
        assert round(png.info["dpi"][0]) == 300
        assert z.read(f"{stems[0]}.pdf").startswith(b"%PDF")
    assert len([n for n in names if n.startswith("tables/") and n.endswith(".csv")]) == len(html.tables)
    assert {"notebooks/trials.ipynb", "notebooks/trials.html"} <= names
    bib = z.read("bibliography/references.bib").decode()
    assert len(re.findall(r"^@\w+\{", bib, re.M)) == REFERENCES
    assert len(json.loads(z.read("bibliography/references.json"))) == REFERENCES
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["packages"]["nbconvert"] and manifest["sections"][0]["inputs"][0]["sha256"]
    for name, digest in manifest["bundle"]["files"].items():
        assert hashlib.sha256(z.read(name)).hexdigest() == digest, name


def test_every_figure_and_table_links_to_an_existing_notebook_page(four):
    _project, out, html = four
    text = (out / "report.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<a class="notebook" href="([^"]+)"', text)
    assert len(hrefs) == FIGURES + len(html.tables)
    for href in set(hrefs):
        page = out / href
        assert page.is_file() and "<html" in page.read_text(encoding="utf-8")[:200].lower(), href
