"""Export the assembled notebook with nbconvert: HTML (self-contained) and PDF.

The PDF goes through nbconvert's WebPDFExporter driving the Chromium already
on the machine (``REVIEWKIT_CHROMIUM`` or the first of ``chromium``,
``chromium-browser``, ``google-chrome`` on PATH): the exporter has no browser
path setting, so :class:`ChromiumPDFExporter` supplies one.  Page numbers and
the running title are CSS page-margin boxes of the paper template (one layout,
not Chromium's header and footer templates, which it lays out as a document of
their own for every page); the page is hidden on screen, so Chromium lays the
report out only once, for print, not for its window before and after printing.
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
from pathlib import Path

from ..errors import ExportError

TEMPLATES = Path(__file__).parent / "templates"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: No connection beyond the machine: background services off, and every host name resolves to nothing
#: (the report is a local file with everything embedded, so printing it needs no network at all).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--no-default-browser-check",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-pings",
    "--dns-prefetch-disable",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
HOW_TO_GET_CHROMIUM = (
    "no Chromium found for the PDF (looked at $REVIEWKIT_CHROMIUM and "
    + ", ".join(CHROMIUM_NAMES)
    + " on PATH). Install it (Debian/Ubuntu: 'sudo apt-get install chromium') or set "
    "REVIEWKIT_CHROMIUM=/path/to/chrome; the HTML report was written"
)


def find_chromium() -> str | None:
    env = os.environ.get("REVIEWKIT_CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _b64(text) -> str:
    if isinstance(text, list):
        text = "".join(text)
    data = text.encode("utf-8") if isinstance(text, str) else text
    return base64.b64encode(data).decode("ascii")


ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "sup",
    "sub",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "span",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "div",
    "dl",
    "dt",
    "dd",
    "caption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "class", "title"},
    "span": {"class", "data-cites"},
    "h2": {"id", "class"},
    "h3": {"id", "class"},
    "h4": {"id"},
    "table": {"class"},
    "td": {"class", "colspan", "rowspan"},
    "th": {"class", "colspan", "rowspan"},
    "li": {"id", "value"},
    "ol": {"class", "start"},
    "div": {"class"},
    "code": {"class"},
}


def sanitize(fragment) -> str:
    """Keep formatting, citation and cross-reference hooks; drop scripts, event handlers, javascript: links.

    Applied to every piece of HTML that comes from Markdown or data (cells,
    captions, abstract, tables, references), so bibliographic text from outside
    renders as text and runs nothing.
    """
    import nh3

    if isinstance(fragment, list):
        fragment = "".join(fragment)
    return nh3.clean(
        str(fragment),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


#: Rows per <table> when a long table is printed: Chromium lays a long table out and paginates it faster as
#: consecutive tables (10,000 rows: ~1 CPU s less); each repeats the header row, and all share one set of
#: column widths, so the columns stay in line from one to the next.
PRINT_TABLE_ROWS = 250
_SIMPLE_TABLE = re.compile(
    r'<table class="data"><thead>(<tr>(?:(?!</tr>).)*</tr>)</thead><tbody>(.*)</tbody></table>', re.S
)
_ROW = re.compile(r"<tr>(?:(?!</tr>).)*</tr>", re.S)
_CELL = re.compile(r"<t[hd][^>]*>((?:(?!</t[hd]>).)*)</t[hd]>", re.S)


def print_table(fragment: str) -> str:
    """A sanitized table as the PDF prints it: a table of more than :data:`PRINT_TABLE_ROWS` rows becomes
    consecutive tables of that many rows, each with the header row, the last one with the closing rule, all
    with ``table-layout: fixed`` and the same column widths, in proportion to the longest text of each column
    (at least 4, at most 40 characters).  Anything but the one plain table ``table_html`` writes (one header
    row, no nested table, no spans) is returned unchanged."""
    m = _SIMPLE_TABLE.fullmatch(fragment)
    if not m or "<table" in m[2] or "span=" in fragment:
        return fragment
    rows = _ROW.findall(m[2])
    if len(rows) <= PRINT_TABLE_ROWS or "".join(rows) != m[2]:
        return fragment
    head = _CELL.findall(m[1])
    widths = [len(html.unescape(re.sub(r"<[^>]*>", "", c)).strip()) for c in head]
    for row in rows:
        cells = _CELL.findall(row)
        if len(cells) != len(head):
            return fragment
        for i, c in enumerate(cells):
            if len(c) > widths[i]:  # the markup is longer than the text: only then is the text worth measuring
                widths[i] = max(widths[i], len(html.unescape(re.sub(r"<[^>]*>", "", c)).strip()))
    widths = [min(max(w, 4), 40) for w in widths]
    cols = "".join(f'<col style="width:{100 * w / sum(widths):.2f}%">' for w in widths)
    parts = []
    for start in range(0, len(rows), PRINT_TABLE_ROWS):
        last = start + PRINT_TABLE_ROWS >= len(rows)
        parts.append(
            f'<table class="data print-part{"" if last else " continues"}"><colgroup>{cols}</colgroup>'
            f"<thead>{m[1]}</thead><tbody>{''.join(rows[start : start + PRINT_TABLE_ROWS])}</tbody></table>"
        )
    return "".join(parts)


def _css_string(text: str) -> str:
    """*text* as a quoted CSS string, safe inside a <style> element (no quote, backslash or "<" left raw)."""
    escaped = "".join(c if c.isalnum() or c in " .,;:-_()[]&'/" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def _exporter_kwargs():
    return dict(
        template_name="paper",
        extra_template_basedirs=[str(TEMPLATES)],
        filters={"b64": _b64, "sanitize": sanitize, "print_table": print_table},
    )


def _render_template(exporter, nb, resources):
    """The ``paper`` template rendered, and nothing after it.

    nbconvert's ``HTMLExporter.from_notebook_node`` parses its whole output again with
    BeautifulSoup to add ``alt`` text to images and ``tabindex`` to JupyterLab cells;
    the paper template writes every ``alt`` itself and has no JupyterLab cells, so
    that pass only re-serialized the page — and cost more than the template itself
    (8 s of a 10,000-row table's 9 s). The template's own output is what is written.
    """
    from nbconvert.exporters import TemplateExporter

    return TemplateExporter.from_notebook_node(exporter, nb, resources=resources)


def _make_html_exporter():
    from nbconvert.exporters import HTMLExporter

    class _PaperHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            return _render_template(self, nb, resources)

    return _PaperHTMLExporter


def to_html(nb, *, vector: bool = False) -> str:
    exporter = _make_html_exporter()(**_exporter_kwargs())
    body, _ = exporter.from_notebook_node(nb, resources={"reviewkit_vector": vector})
    return body


def to_pdf(nb, *, chromium: str | None = None, running_title: str = "") -> bytes:
    chromium = chromium or find_chromium()
    if not chromium:
        raise ExportError(HOW_TO_GET_CHROMIUM)
    exporter = ChromiumPDFExporter(executable=chromium, running_title=running_title, **_exporter_kwargs())
    try:
        pdf, _ = exporter.from_notebook_node(nb, resources={"reviewkit_vector": True, "reviewkit_print": True})
    except ExportError:
        raise
    except Exception as exc:
        raise ExportError(f"PDF export with {chromium} failed: {exc}") from exc
    return pdf


def _make_pdf_exporter():
    from nbconvert.exporters import WebPDFExporter
    from traitlets import Unicode

    class _ChromiumPDFExporter(WebPDFExporter):
        """WebPDFExporter with an explicit browser path, A4 pages, page numbers."""

        executable = Unicode("").tag(config=True)
        running_title = Unicode("").tag(config=True)

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = {**(resources or {}), "reviewkit_running_title": _css_string(self.running_title)}
            html_text, resources = _render_template(self, nb, resources)
            return self.run_playwright(html_text), resources

        def run_playwright(self, html_text):
            import asyncio
            import concurrent.futures
            import tempfile

            from playwright.async_api import async_playwright

            async def main(path):
                async with async_playwright() as p:
                    browser = await p.chromium.launch(
                        executable_path=self.executable,
                        args=CHROMIUM_FLAGS,
                        handle_sigint=False,
                        handle_sigterm=False,
                        handle_sighup=False,
                    )
                    try:
                        page = await browser.new_page()
                        await page.goto(Path(path).as_uri(), wait_until="load")
                        return await page.pdf(
                            format="A4",
                            print_background=True,
                            margin={"top": "20mm", "bottom": "20mm", "left": "18mm", "right": "18mm"},
                        )
                    finally:
                        await browser.close()

            with tempfile.TemporaryDirectory(prefix="reviewkit-pdf-") as tmp:
                path = Path(tmp) / "report.html"
                path.write_text(html_text, encoding="utf-8")
                with concurrent.futures.ThreadPoolExecutor(1) as pool:
                    return pool.submit(asyncio.run, main(path)).result()

    return _ChromiumPDFExporter


def ChromiumPDFExporter(**kwargs):
    return _make_pdf_exporter()(**kwargs)
