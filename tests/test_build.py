"""The example review built as a user builds it: `reviewkit build` in a copy of the project."""

import re
from html.parser import HTMLParser

import pypdf
import pytest

from reviewkit.pipeline.events import SectionFailed, Warned

from conftest import copy_project, kinds, reviewkit, set_defaults, statuses


class Hooks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.citations, self.ref_items, self.figures, self.sections = set(), [], [], [], []
        self.in_caption, self.captions, self.cites = False, [], []
        self._fig = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "citation" in a.get("class", "").split():
            self.citations.append(a["href"])
        if tag == "span" and a.get("class") == "citation-group":
            self.cites += a["data-cites"].split()
        if tag == "li" and a.get("id", "").startswith("ref-"):
            self.ref_items.append(a["id"][4:])
        if tag == "figure" and a.get("id", "").startswith("fig-"):
            self.figures.append({"id": a["id"], "img": False, "caption": ""})
        if tag == "img" and self.figures:
            self.figures[-1]["img"] = a.get("src", "").startswith("data:image/")
        if tag == "figcaption":
            self.in_caption = True
        if tag == "h2" and a.get("class") == "section":
            self.sections.append(a["id"])

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self.in_caption = False

    def handle_data(self, data):
        if self.in_caption and self.figures:
            self.figures[-1]["caption"] += data


@pytest.fixture(scope="module")
def report(built_example):
    project, _ = built_example
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    hooks = Hooks()
    hooks.feed(html)
    return project, html, hooks


def test_outputs_written(built_example):
    project, proc = built_example
    out = project / "outputs"
    for rel in [
        "report.html",
        "report.pdf",
        "sections/background.ipynb",
        "sections/trials.ipynb",
        "sections/efficacy-overall.ipynb",
        "sections/screening.ipynb",
        "figures/trial-phases.png",
        "figures/trial-phases.svg",
        "figures/survival-overall.svg",
        "figures/trial-classes.png",
        "figures/trial-timeline.svg",
        "figures/prisma.svg",
        "figures/response-leiomyosarcoma-subset.png",
        "tables/trials.csv",
        "tables/outcomes-overall.csv",
    ]:
        assert (out / rel).is_file() and (out / rel).stat().st_size > 0, rel
    assert any("printed DOI '1007/s11864-019-0606-9' is not a valid DOI" in w.text for w in kinds(proc.events, Warned))


def test_numbered_sections(report):
    _, html, hooks = report
    assert hooks.sections == [
        "sec-background",
        "sec-trials",
        "sec-screening",
        "sec-efficacy-overall",
        "sec-efficacy-leiomyosarcoma-subset",
        "sec-efficacy-leiomyosarcoma",
        "sec-changes",
    ]
    assert re.search(r'<span class="secnum">5</span> Reported efficacy: leiomyosarcoma subset', html)
    assert re.search(r'<span class="secnum">1\.1</span> Clinical presentation', html)


def test_figures_numbered_with_captions(report):
    _, _, hooks = report
    assert len(hooks.figures) >= 2
    for i, fig in enumerate(hooks.figures, start=1):
        assert fig["img"], fig
        assert fig["caption"].startswith(f"Figure {i}."), fig


def test_every_citation_target_exists_and_list_equals_cited(report):
    _, html, hooks = report
    assert hooks.citations
    for href in hooks.citations:
        assert href.startswith("#ref-") and href[1:] in hooks.ids
    assert set(hooks.ref_items) == set(hooks.cites)
    assert len(hooks.ref_items) == len(set(hooks.ref_items))
    # numbered in first-appearance order: the first citation in the document is [1]
    first = re.search(r'<a class="citation" href="#ref-([^"]+)">(\d+)</a>', html)
    assert first.group(2) == "1" and hooks.ref_items[0] == first.group(1)
    assert 'href="https://doi.org/10.3390/cancers13040886"' in html


def test_trial_figure_counts_21_trials(report):
    project, html, _ = report
    rows = (project / "outputs" / "tables" / "trials.csv").read_text(encoding="utf-8").strip().splitlines()
    assert len(rows) == 1 + 21
    assert "Of 21 registered trials" in html
    assert "(21 trials)" in html  # the figure caption, computed from the plotted table


def test_self_contained_html(report):
    _, html, _ = report
    assert not re.search(r'<(?:img|script|link)[^>]+(?:src|href)="(?!data:|#)', html)
    assert "<script" not in html


def test_pdf_is_valid_and_holds_the_references(report):
    project, _, hooks = report
    reader = pypdf.PdfReader(project / "outputs" / "report.pdf")
    assert len(reader.pages) >= 2
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "References" in text
    for doi in ["10.3390/cancers13040886", "10.1002/jso.24667", "10.3322/caac.21605"]:
        assert doi in text.replace(" ", "") or doi in text
    import unicodedata

    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))  # PDF text has ligatures (ﬁ)
    refs = re.findall(r'<li id="ref-[^"]+"[^>]*>(.*?)</li>', html_text(project), re.S)
    assert len(refs) == len(hooks.ref_items) >= 17
    for ref in refs:  # every reference's opening words (authors, title) are in the PDF
        plain = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", ref)).replace("&amp;", "&")
        assert plain[:30] in flat, plain[:60]
    for fig in hooks.figures:  # every figure caption, from its number to its first words
        cap = re.sub(r"\s+", "", fig["caption"]).replace("&", "&")
        assert cap[:60] in flat, fig["caption"]


def html_text(project):
    return (project / "outputs" / "report.html").read_text(encoding="utf-8")


def _html_only_copy(tmp_path):
    project = copy_project(tmp_path / "review")
    reviewkit("build", project, "--to", "html", check=True)
    return project, (project / "outputs" / "report.html").read_bytes()


def test_unknown_citation_key_fails_and_keeps_last_report(tmp_path):
    project, before = _html_only_copy(tmp_path)
    nb = project / "notebooks" / "background.ipynb"
    nb.write_text(
        nb.read_text(encoding="utf-8").replace("[@reichardt2014soft]", "[@reichard2014soft]"), encoding="utf-8"
    )
    proc = reviewkit("build", project, "--to", "html")
    assert proc.returncode == 2
    assert "notebooks/background.ipynb, cell 4: unknown citation key @reichard2014soft" in proc.stderr
    assert "closest known keys: reichardt2014soft" in proc.stderr
    assert (project / "outputs" / "report.html").read_bytes() == before


def test_failing_notebook_fails_and_keeps_last_report(tmp_path):
    project, before = _html_only_copy(tmp_path)
    nb = project / "notebooks" / "efficacy.ipynb"
    text = nb.read_text(encoding="utf-8")
    broken = text.replace(
        '"sheet = read_sheet(project.path(evidence_file))\\n"',
        '"sheet = read_sheet(project.path(evidence_file))\\n", "1 / 0\\n"',
        1,
    )
    assert broken != text
    nb.write_text(broken, encoding="utf-8")
    proc = reviewkit("build", project, "--to", "html")
    assert proc.returncode == 1
    failed = {e.section: e for e in kinds(proc.events, SectionFailed)}
    assert set(failed) == {"efficacy-overall", "efficacy-leiomyosarcoma-subset", "efficacy-leiomyosarcoma"}
    assert statuses(proc.events)["efficacy-overall"] == "code changed"  # once per subgroup; the others are reused
    assert failed["efficacy-overall"].error == "notebooks/efficacy.ipynb, cell 2: ZeroDivisionError: division by zero"
    assert failed["efficacy-overall"].notebook == "outputs/failed/efficacy-overall.ipynb"
    # display: the error the author reads names the count and the cell
    assert "3 of 3 sections failed" in proc.stderr
    assert "notebooks/efficacy.ipynb, cell 2: ZeroDivisionError: division by zero" in proc.stderr
    assert "traceback" not in proc.stderr.lower()
    assert (project / "outputs" / "report.html").read_bytes() == before
    assert (project / "outputs" / "sections" / "efficacy-overall.ipynb").is_file()  # the error is kept for the author


def test_no_chromium_still_writes_html(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "review")
    monkeypatch.setenv("REVIEWKIT_CHROMIUM", str(tmp_path / "no-such-chrome"))
    proc = reviewkit("build", project, "--to", "html,pdf")
    assert proc.returncode == 1
    assert "no Chromium found" in proc.stderr and "apt-get install chromium" in proc.stderr
    assert (project / "outputs" / "report.html").is_file()
    assert not (project / "outputs" / "report.pdf").exists()


def test_usage_errors_exit_2(tmp_path):
    proc = reviewkit("build", tmp_path, "--to", "html,docs")
    assert proc.returncode == 2 and "unknown format 'docs' (did you mean 'docx'?)" in proc.stderr
    assert "choose from html, pdf, docx, jats" in proc.stderr
    proc = reviewkit("build", tmp_path)
    assert proc.returncode == 2 and "no review.toml" in proc.stderr


def test_what_changed_section_with_a_previous_edition(tmp_path):
    """The previous edition is derived from the seed table: one trial absent, one status different."""
    project = copy_project(tmp_path / "review")
    seed = project / "references" / "trials" / "seed-nct05204524-related.csv"
    lines = seed.read_text(encoding="utf-8").splitlines()
    old = [l for l in lines if not l.startswith("NCT05080790")]
    old = [
        l.replace(
            'NCT04624178,A Study of Rucaparib and Nivolumab in People With Leiomyosarcoma,"Active, not recruiting"',
            "NCT04624178,A Study of Rucaparib and Nivolumab in People With Leiomyosarcoma,Recruiting",
        )
        for l in old
    ]
    assert len(old) == len(lines) - 1 and any(",Recruiting," in l and "NCT04624178" in l for l in old)
    (project / "previous.csv").write_text("\n".join(old) + "\n", encoding="utf-8")
    toml = project / "review.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('previous = ""', 'previous = "previous.csv"'), encoding="utf-8"
    )
    set_defaults(project / "notebooks" / "changes.ipynb", previous="previous.csv")
    reviewkit("build", project, "--to", "html", check=True)
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    assert (
        "Since the edition built from previous.csv: one new trial; one status change "
        "(NCT04624178 recruiting → active, not recruiting)." in html
    )
    assert 'id="tbl-trial-changes"' in html


def test_trial_section_reads_a_fetched_snapshot_unchanged(tmp_path):
    """A snapshot as `reviewkit trials fetch` writes it (here from real records) feeds the same notebook."""
    import json as _json

    from reviewkit.trials import snapshots

    from conftest import DATA

    project = copy_project(tmp_path / "review")
    studies = [p.read_text(encoding="utf-8") for p in sorted((DATA / "ctgov").glob("api-v2-*.json"))]
    snapshots.write(project / "references" / "trials" / "2026-11-22", studies, {"note": "test copy of real records"})
    toml = project / "review.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'parameters = { condition = "leiomyosarcoma", statuses = [] }',
            'parameters = { trials_file = "references/trials/2026-11-22", condition = "", statuses = [] }',
        ),
        encoding="utf-8",
    )
    set_defaults(project / "notebooks" / "trials.ipynb", trials_file="references/trials/2026-11-22", condition="")
    reviewkit("build", project, "--to", "html", check=True)
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    assert "Of 12 registered trials" in html
    rows = (project / "outputs" / "tables" / "trials.csv").read_text(encoding="utf-8").strip().splitlines()
    assert len(rows) == 13 and any(r.startswith("NCT03630471,") for r in rows)
    assert _json.loads((project / "references" / "trials" / "2026-11-22" / "manifest.json").read_text())["count"] == 12


def test_diff_of_two_editions(built_example, tmp_path):
    """Edition 2 is derived from edition 1's inputs: a trial gone, a status changed, one more citation."""
    import shutil

    project, _ = built_example
    new_project = copy_project(tmp_path / "next")
    trials = new_project / "references" / "trials" / "seed-nct05204524-related.csv"
    lines = [l for l in trials.read_text(encoding="utf-8").splitlines() if not l.startswith("NCT05080790")]
    trials.write_text(
        "\n".join(lines).replace(
            "NCT04099277,A Study of LY3435151 in Participants With Solid Tumors,Terminated",
            "NCT04099277,A Study of LY3435151 in Participants With Solid Tumors,Completed",
        )
        + "\n",
        encoding="utf-8",
    )
    nb = new_project / "notebooks" / "background.ipynb"
    nb.write_text(
        nb.read_text(encoding="utf-8").replace("[@reichardt2014soft]", "[@reichardt2014soft; @italiano2010clinical]"),
        encoding="utf-8",
    )
    nb.write_text(
        nb.read_text(encoding="utf-8").replace(
            "tumours of vascular origin [@italiano2010clinical]", "tumours of vascular origin"
        ),
        encoding="utf-8",
    )
    reviewkit("build", new_project, "--to", "html", check=True)
    old_out = tmp_path / "edition-1"
    shutil.copytree(project / "outputs", old_out)
    proc = reviewkit("diff", old_out, new_project / "outputs")
    assert proc.returncode == 0, proc.stderr
    assert "- trial NCT05080790" in proc.stdout
    assert "~ trial NCT04099277 Status: Terminated -> Completed" in proc.stdout
    assert proc.stdout.splitlines()[0].startswith(
        "references: 0 added, 0 removed; trials: 0 added, 1 removed, 1 change"
    )
    assert "~ trials-" not in proc.stdout
    report = (new_project / "outputs" / "changes.html").read_text(encoding="utf-8")
    assert "NCT05080790" in report and "<script" not in report
