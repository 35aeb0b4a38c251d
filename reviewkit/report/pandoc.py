"""DOCX and JATS writers of the assembled document, through pandoc.

The assembled notebook (``report.ipynb``) is the one structured document:
Markdown cells (citations and cross-references already numbered and linked),
figure and table outputs carrying their number, name and Markdown caption,
and the title block and reference list in its metadata.  The HTML and PDF
writers render it with the nbconvert ``paper`` template; this module writes
the same document as DOCX and JATS XML with pandoc (the ``pypandoc-binary``
wheel ships the binary, nothing to install on the system).

How: every block of the document becomes HTML exactly as the HTML writer
shows it (Markdown through nbconvert's Markdown renderer, then the same
sanitizer); figures, tables and references are written from their structured
fields.  Pandoc reads that once into its AST (JSON); the title block is
written from the metadata; pandoc's docx and jats writers do the rest, and
:mod:`reviewkit.report.docx` / :mod:`reviewkit.report.jats` finish what pandoc
leaves out (page numbers, caption style, JATS front matter and ref-list).

The pandoc AST is handled as plain JSON rather than through panflute: the
few edits needed (heading levels, moving the references out of the JATS
body) are a dozen lines, and plain JSON follows whatever AST version the
bundled pandoc speaks.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from pathlib import Path

from ..errors import ExportError
from .assemble import _png_height_inches

MAX_FIGURE_HEIGHT_IN = 7  # A4 or Letter text height less room for the caption
JATS = "jats_archiving"  # JATS 1.3 Archiving and Interchange: the tag set that accepts any journal's article


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def run_pandoc(args: list[str], data: bytes, *, cwd=None, epoch: int | None = None) -> bytes:
    env = dict(os.environ)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        proc = subprocess.run([pandoc_path(), *args], input=data, capture_output=True, cwd=cwd, env=env, timeout=300)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExportError(
            f"pandoc (from the pypandoc-binary package) could not run: {exc}; "
            "reinstall reviewkit's dependencies (make setup)"
        ) from None
    if proc.returncode != 0:
        raise ExportError(f"pandoc {' '.join(args[:4])} failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def _md(text) -> str:
    """A Markdown fragment as the HTML writer shows it (same renderer, same sanitizer)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from .export import sanitize

    if isinstance(text, list):
        text = "".join(text)
    return sanitize(markdown2html_mistune(text))


def _inline_md(text) -> str:
    return re.sub(r"</?p>", "", _md(text)).strip()


def document_html(nb, image_dir: Path, *, title_block: bool = True) -> str:
    """The document as one HTML page for pandoc's reader; figure PNGs are written to *image_dir*."""
    import base64

    rk = nb.metadata.get("reviewkit", {})
    parts = ["<html><head><meta charset='utf-8'><title></title></head><body>"]
    if title_block:
        parts.append(title_block_html(rk))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(_md(cell.source))
            continue
        for o in cell.get("outputs", []):
            m = o.get("metadata", {}).get("reviewkit")
            if not m:
                continue
            label = "Figure" if m["kind"] == "figure" else "Table"
            caption = f"<strong>{label} {html.escape(str(m['number']))}.</strong> {_inline_md(m['caption_markdown'])}"
            if m["kind"] == "figure":
                png = o["data"]["image/png"]
                png = "".join(png) if isinstance(png, list) else png
                path = image_dir / f"{m['name']}.png"
                path.write_bytes(base64.b64decode(png))
                # a figure taller than a page is scaled to fit one (Word cannot split an image)
                fit = f' height="{MAX_FIGURE_HEIGHT_IN}in"' if _png_height_inches(png) > MAX_FIGURE_HEIGHT_IN else ""
                parts.append(
                    f'<figure id="fig-{html.escape(m["name"])}"><img src="{html.escape(path.name)}"{fit} '
                    f'alt="{label} {m["number"]}"><figcaption>{caption}</figcaption></figure>'
                )
            elif m["kind"] == "table":
                table = _md_raw(o["data"]["text/html"])
                table = re.sub(
                    r"^\s*<table[^>]*>",
                    f'<table id="tbl-{html.escape(m["name"])}"><caption>{caption}</caption>',
                    table,
                    count=1,
                )
                parts.append(table)
    for key, heading, text in rk.get("statements", []):
        parts.append(
            f'<div class="statement"><h2 id="{key.replace("_", "-")}">{html.escape(heading)}</h2>'
            f"<p>{html.escape(text)}</p></div>"
        )
    refs = rk.get("references", [])
    if refs:
        if rk.get("citation_style"):  # the style prints its own labels (or none): one paragraph per reference
            items = "".join(f'<div id="ref-{html.escape(r["key"])}"><p>{_sanitize(r["html"])}</p></div>' for r in refs)
        else:
            items = (
                "<ol>"
                + "".join(f'<li id="ref-{html.escape(r["key"])}">{_sanitize(r["html"])}</li>' for r in refs)
                + "</ol>"
            )
        parts.append(f'<div id="references"><h2 id="sec-references">References</h2>{items}</div>')
    parts.append("</body></html>")
    return "\n".join(parts)


def _sanitize(fragment) -> str:
    from .export import sanitize

    return sanitize(fragment)


def _md_raw(fragment) -> str:
    return _sanitize("".join(fragment) if isinstance(fragment, list) else fragment)


def title_block_html(rk: dict) -> str:
    """Title, authors, affiliations, abstract and keywords as Word-styled paragraphs (``custom-style``)."""
    from .metadata import author_lines

    out = [f'<div data-custom-style="Title"><p>{html.escape(rk.get("title", ""))}</p></div>']
    authors, affs, notes = author_lines(rk)
    if authors:
        out.append(f'<div data-custom-style="Author"><p>{authors}</p></div>')
    for a in affs:
        out.append(f'<div data-custom-style="Affiliation"><p>{a}</p></div>')
    for n in notes:
        out.append(f'<div data-custom-style="Author Note"><p>{n}</p></div>')
    dates = []
    if rk.get("data_as_of"):
        dates.append(f"Data as of {html.escape(rk['data_as_of'])}")
    if rk.get("build_date"):
        dates.append(f"Built {html.escape(rk['build_date'])}")
    if dates:
        out.append(f'<div data-custom-style="Date"><p>{" · ".join(dates)}</p></div>')
    if rk.get("abstract_markdown"):
        out.append('<div data-custom-style="Abstract Title"><p><strong>Abstract</strong></p></div>')
        out.append(f'<div data-custom-style="Abstract">{_md(rk["abstract_markdown"])}</div>')
    if rk.get("keywords"):
        kw = "; ".join(html.escape(k) for k in rk["keywords"])
        out.append(f'<div data-custom-style="Keywords"><p><strong>Keywords:</strong> {kw}</p></div>')
    return "\n".join(out)


def to_ast(page: str) -> dict:
    return json.loads(run_pandoc(["-f", "html", "-t", "json"], page.encode("utf-8")))


def shift_headings(blocks: list, by: int = -1) -> None:
    """h2 sections become level-1 headings (Word "Heading 1"), h3 level 2, …"""
    for b in blocks:
        if b.get("t") == "Header":
            b["c"][0] = max(1, b["c"][0] + by)
        elif b.get("t") == "Div":
            shift_headings(b["c"][1], by)


def to_docx(nb, *, reference_doc: Path | None = None, epoch: int | None = None) -> bytes:
    import tempfile

    from .docx import finish

    with tempfile.TemporaryDirectory(prefix="reviewkit-docx-") as name:
        tmp = Path(name)
        ast = to_ast(document_html(nb, tmp))
        shift_headings(ast["blocks"])
        (tmp / "doc.json").write_text(json.dumps(ast), encoding="utf-8")
        args = ["-f", "json", "-t", "docx", "-o", "report.docx", "--resource-path", str(tmp), "doc.json"]
        if reference_doc:
            args[4:4] = ["--reference-doc", str(reference_doc)]
        run_pandoc(args, b"", cwd=tmp, epoch=epoch)
        return finish(
            (tmp / "report.docx").read_bytes(),
            nb.metadata.get("reviewkit", {}),
            epoch=epoch,
            own_styles=reference_doc is not None,
        )


def to_jats(nb, *, epoch: int | None = None) -> bytes:
    import tempfile

    from .jats import finish

    with tempfile.TemporaryDirectory(prefix="reviewkit-jats-") as name:
        tmp = Path(name)
        ast = to_ast(document_html(nb, tmp, title_block=False))
        ast["blocks"] = [b for b in ast["blocks"] if not (b.get("t") == "Div" and b["c"][0][0] == "references")]
        shift_headings(ast["blocks"])
        for b in ast["blocks"]:
            if b.get("t") == "Figure":
                _figure_paths(b)
        body = run_pandoc(["-f", "json", "-t", JATS], json.dumps(ast).encode("utf-8"), cwd=tmp, epoch=epoch)
        rk = nb.metadata.get("reviewkit", {})
        abstract = ""
        if rk.get("abstract_markdown"):
            abstract = run_pandoc(["-f", "html", "-t", JATS], _md(rk["abstract_markdown"]).encode("utf-8")).decode(
                "utf-8"
            )
        return finish(body.decode("utf-8"), rk, abstract_xml=abstract)


def _figure_paths(block) -> None:
    """Point JATS graphics at the figure files written beside the report (``figures/NAME.png``)."""

    def walk(x):
        if isinstance(x, dict):
            if x.get("t") == "Image":
                target = x["c"][2]
                target[0] = f"figures/{target[0]}"
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(block)
