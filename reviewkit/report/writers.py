"""The four writers of the assembled document, by format name.

    html   nbconvert + the ``paper`` template (self-contained)      report.html
    pdf    the same HTML printed by headless Chromium (A4)          report.pdf
    docx   pandoc's docx writer + python-docx finishing touches     report.docx
    jats   pandoc's JATS writer wrapped into a JATS 1.3 article     report.xml

Every writer takes the assembled notebook and returns bytes; the caller
decides where they go (:func:`write` puts them into the folder it is handed).
"""

from __future__ import annotations

import re
import threading
from datetime import UTC
from pathlib import Path
from typing import Any

FORMATS = ("html", "pdf", "docx", "jats")
FILES = {"html": "report.html", "pdf": "report.pdf", "docx": "report.docx", "jats": "report.xml"}
DEFAULT_FORMATS = ("html", "pdf")


def parse_formats(value) -> tuple[str, ...]:
    """``"html,pdf"`` or ``["html", "pdf"]`` -> a tuple of known formats; ValueError names the closest choice."""
    from ..errors import did_you_mean

    items = value.split(",") if isinstance(value, str) else list(value)
    fmts = tuple(dict.fromkeys(str(f).strip().lower() for f in items if str(f).strip()))
    for f in fmts:
        if f not in FORMATS:
            raise ValueError(f"unknown format {f!r}{did_you_mean(f, FORMATS)} (choose from {', '.join(FORMATS)})")
    if not fmts:
        raise ValueError(f"no format given (choose from {', '.join(FORMATS)})")
    return fmts


def epoch_of(date: str) -> int | None:
    """The build date (YYYY-MM-DD) as a Unix time, for timestamps inside DOCX zips."""
    from datetime import datetime

    try:
        return int(datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
    except (TypeError, ValueError):
        return None


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}(Z|[+-]\d\d'\d\d')\)")


def pdf_dated(pdf: bytes, date: str) -> bytes:
    """*pdf* with Chromium's wall-clock CreationDate and ModDate replaced by the build date *date* (YYYY-MM-DD,
    midnight UTC), so that a second build gives the same bytes.  The new stamp has the old one's length: the
    PDF's cross-reference offsets stay right.  Without a build date the PDF is returned as it is."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date or ""):
        return pdf
    stamp = date.replace("-", "").encode("ascii") + b"000000"

    def dated(m: re.Match) -> bytes:
        zone = b"Z" if m[2] == b"Z" else b"+00'00'"
        return b"/" + m[1] + b" (D:" + stamp + zone + b")"

    return _PDF_DATE.sub(dated, pdf)


def render(nb, fmt: str, *, running_title: str = "", docx_template: Path | None = None) -> bytes:
    from . import export, pandoc

    rk = nb.metadata.get("reviewkit", {})
    epoch = epoch_of(rk.get("build_date", ""))
    if fmt == "html":
        return export.to_html(nb).encode("utf-8")
    if fmt == "pdf":
        return pdf_dated(export.to_pdf(nb, running_title=running_title), rk.get("build_date", ""))
    if fmt == "docx":
        return pandoc.to_docx(nb, reference_doc=docx_template, epoch=epoch)
    if fmt == "jats":
        return pandoc.to_jats(nb, epoch=epoch)
    raise ValueError(f"unknown format {fmt!r}")


_PAGE_LOCK = threading.Lock()
_PAGE_EXPORTER: Any = None  # nbconvert's HTMLExporter for the notebook pages, made on first use


def _page_exporter():
    """nbconvert's HTMLExporter for the notebook pages, made on first use (call with ``_PAGE_LOCK`` held)."""
    global _PAGE_EXPORTER
    if _PAGE_EXPORTER is None:
        from nbconvert.exporters import HTMLExporter

        _PAGE_EXPORTER = HTMLExporter(template_name="lab", embed_images=True, sanitize_html=True)
    return _PAGE_EXPORTER


#: a SYNTHETIC notebook with the kinds of cells and outputs a section's page shows (markdown, Python code, a
#: markdown result, a figure, an HTML table, printed text), rendered by :func:`warm_pages`
_WARM_NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "pygments_lexer": "ipython3", "codemirror_mode": {"name": "ipython"}},
    },
    "cells": [
        {
            "cell_type": "markdown",
            "id": "warm-markdown",
            "metadata": {},
            "source": "# A heading\n\nSome *text* with a [link](https://example.org) and `code`.\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- an item\n- $x^2$\n",
        },
        {
            "cell_type": "code",
            "id": "warm-code",
            "execution_count": 1,
            "metadata": {"tags": ["parameters"]},
            "source": "import pandas as pd  # a comment\nx = {'a': [1, 2.5], \"b\": None}\n"
            "def f(y: int) -> str:\n    return f'{y!r}' * 2\nprint(f(3)); x",
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "33\n"},
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {
                        "text/markdown": "**Table 1.** A *caption*\n\n| a | b |\n|---|---|\n| 1 | 2 |",
                        "text/plain": "<md>",
                    },
                },
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {
                        "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
                        "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>',
                        "text/plain": "<Figure>",
                    },
                },
                {
                    "output_type": "execute_result",
                    "execution_count": 1,
                    "metadata": {},
                    "data": {
                        "text/html": '<div><table class="dataframe" border="1"><thead><tr style="text-align: right;">'
                        "<th></th><th>a</th></tr></thead><tbody><tr><th>0</th><td>1.0</td></tr></tbody></table></div>",
                        "text/plain": "   a\n0  1.0",
                    },
                },
            ],
        },
    ],
}


def warm_pages() -> None:
    """Render a SYNTHETIC page and throw it away: nbconvert's first page in a process costs about 0.4 s more
    than the next (its templates compiled, the regular expressions of pygments' lexer, of the sanitizer and of
    soupsieve's CSS selectors compiled, modules imported).  The build calls this while its sections' kernels
    are still being prepared, so that the pages rendered as sections finish do not pay it while the kernels
    compete for the cores.  Only caches are filled: the exporter's pages do not depend on what it rendered
    before (they are rendered in the order the sections finish)."""
    import nbformat

    nb = nbformat.from_dict(_WARM_NOTEBOOK)
    with _PAGE_LOCK:
        _page_exporter().from_notebook_node(nb)


def notebook_page(nb) -> bytes:
    """An executed section notebook as a standalone HTML page, code shown (what a figure's link opens).

    nbconvert's ``lab`` template with images embedded and HTML outputs sanitized;
    its scripts from CDNs (require.js, MathJax, Mermaid) are left out, so the page
    makes no request.
    """
    with _PAGE_LOCK:  # one exporter, its templates compiled once (half a page's time): one page at a time
        body, _ = _page_exporter().from_notebook_node(nb)
    body = re.sub(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(
        r'<script type="module">(?:(?!</script>).)*https?://(?:(?!</script>).)*</script>', "", body, flags=re.S
    )
    return body.encode("utf-8")
