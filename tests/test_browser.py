"""The report in a real headless Chromium (Playwright with the machine's Chromium)."""

import os
import re
from pathlib import Path

import pytest

from reviewkit.report.export import CHROMIUM_FLAGS, find_chromium

from conftest import ARTIFACTS, copy_project, reviewkit


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    exe = find_chromium()
    assert exe, "no Chromium: `make test` installs Debian's chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, requests


def test_example_report_in_chromium(browser, built_example):
    project, _ = built_example
    page, problems, requests = open_page(browser, project / "outputs" / "report.html")
    assert problems == []
    # nothing fetched but the file itself (figures are embedded)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    missing = page.evaluate("""() => [...document.querySelectorAll('a.citation')]
        .map(a => a.getAttribute('href')).filter(h => !document.getElementById(h.slice(1)))""")
    assert page.locator("a.citation").count() > 10 and missing == []
    widths = page.evaluate(
        "() => [...document.querySelectorAll('figure.figure img')].map(i => i.complete && i.naturalWidth)"
    )
    assert len(widths) >= 5 and all(w and w > 0 for w in widths)
    xrefs = page.evaluate("""() => [...document.querySelectorAll('a.xref')]
        .map(a => [a.textContent, !!document.getElementById(a.getAttribute('href').slice(1))])""")
    assert xrefs and all(ok for _, ok in xrefs) and all(re.fullmatch(r"(Figure|Table)\u00a0\d+", t) for t, _ in xrefs)
    # numbered citations link to the list: clicking [1] lands on the first reference
    first = page.locator("a.citation").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("() => location.hash") == target
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-first-page.png"))
    # readable on a phone: one column, no horizontal scrolling of the page
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(ARTIFACTS / "report-phone.png"))
    page.close()


PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> *md* [a](javascript:alert(3))'


def test_untrusted_text_renders_as_text_and_runs_nothing(browser, tmp_path):
    project = copy_project(tmp_path / "review")
    bib = project / "references" / "bibliography" / "seed-papers.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8")
        + (
            "\n@article{evil2024,\n  author = {Evil, Eve},\n"
            f"  title = {{{PAYLOAD}}},\n  journal = {{J <b>Bold</b>}},\n  year = {{2024}},\n"
            "  url = {javascript:alert(4)},\n  source = {test payload, not evidence},\n}\n"
        ),
        encoding="utf-8",
    )
    nb = project / "notebooks" / "background.ipynb"
    nb.write_text(
        nb.read_text(encoding="utf-8").replace("[@reichardt2014soft]", "[@reichardt2014soft; @evil2024]"),
        encoding="utf-8",
    )
    trials = project / "references" / "trials" / "seed-nct05204524-related.csv"
    trials.write_text(
        trials.read_text(encoding="utf-8").replace(
            "Metronomic Trabectedin, Gemcitabine, and Dacarbazine for Leiomyosarcoma",
            '<img src=x onerror=""window.__pwned=5""> Trabectedin *x* [@kasper2021unmet]',
        ),
        encoding="utf-8",
    )
    reviewkit("build", project, "--to", "html", check=True)
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<script|<img src=x|\shref=\"javascript", html, re.IGNORECASE)
    page, problems, _ = open_page(browser, project / "outputs" / "report.html")
    assert problems == []
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("script").count() == 0 and page.locator("[onerror]").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    ref = page.locator("#ref-evil2024").inner_text()
    assert "<script>window.__pwned=1</script>" in ref and "*md*" in ref  # shown as literal text
    row = page.locator("#tbl-trials tr", has_text="Trabectedin *x*").inner_text()
    assert '<img src=x onerror="window.__pwned=5">' in row and "[@kasper2021unmet]" in row
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#ref-evil2024").screenshot(path=str(ARTIFACTS / "injected-payload-reference.png"))
    page.locator("#tbl-trials tr", has_text="Trabectedin *x*").screenshot(
        path=str(ARTIFACTS / "injected-payload-trial.png")
    )
    page.close()


def test_two_builds_are_byte_identical(built_example):
    project, _ = built_example
    out = project / "outputs"
    before = {
        p.relative_to(out): p.read_bytes()
        for p in [out / "report.html", *sorted((out / "figures").iterdir()), *sorted((out / "tables").iterdir())]
    }
    # the same formats as the first build: an edition is published whole, so an HTML-only build would retire its PDF
    reviewkit("build", project, "--to", "html,pdf", check=True)
    after = {p: (out / p).read_bytes() for p in before}
    changed = [str(p) for p in before if before[p] != after[p]]
    assert changed == []
    html = before[type(next(iter(before)))("report.html")].decode()
    assert str(project) not in html and "/tmp/" not in html  # no absolute paths


def _published(out):
    """Every file a reader gets from outputs/, through the edition's links; manifest.json is the build's own log."""
    files = {}
    for folder, dirs, names in os.walk(out, followlinks=True):
        dirs[:] = [d for d in dirs if d != ".reviewkit"]
        for name in names:
            path = Path(folder) / name
            if name not in {"manifest.json", ".gitkeep"}:
                files[path.relative_to(out).as_posix()] = path.read_bytes()
    return files


def test_a_forced_build_elsewhere_gives_the_same_bytes(built_example, tmp_path):
    """Every section run again, in another folder: report, figures, tables, executed notebooks and their pages are
    the same bytes (papermill's clock times, paths and the injected cell's random id are settled)."""
    project, _ = built_example
    other = copy_project(tmp_path / "elsewhere")
    reviewkit("build", other, "--to", "html,pdf", "--force", check=True)
    first, second = _published(project / "outputs"), _published(other / "outputs")
    assert any(name.startswith("sections/") for name in first) and any(n.startswith("notebooks/") for n in first)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
