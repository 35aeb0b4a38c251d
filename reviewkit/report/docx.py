"""Finish pandoc's DOCX for Word users (python-docx): caption style, page numbers, properties, fixed bytes.

- figure and table captions in Word's built-in "Caption" style (what Word's
  "Insert Table of Figures" collects); pandoc names them "Image Caption" /
  "Table Caption";
- a centred page number (a PAGE field) in the footer of every section, unless
  the reference document already has a footer;
- document properties: title, authors, keywords;
- deterministic bytes: the zip's entries carry the build date, not the clock.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime


def _page_number_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    footer = section.footer
    if not footer.is_linked_to_previous and any(p.text.strip() for p in footer.paragraphs):
        return
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "1":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


TEXT_WIDTH_TWIPS = 9000  # about 6.25 in: the text width of pandoc's reference document


def _full_width_repeat_header(table) -> None:
    """Tables span the text width and repeat their header row on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")
    if table.rows:
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:tblHeader")) is None:
            tr_pr.append(OxmlElement("w:tblHeader"))
    # columns as wide as their content asks (no word broken; long text capped), not all equal
    cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
    if not cols:
        return
    need = [4.0] * len(cols)
    for row in table._tbl.tr_lst:
        for i, tc in enumerate(row.tc_lst[: len(cols)]):
            text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
            longest_word = max((len(w) for w in text.split()), default=0)
            need[i] = max(need[i], longest_word + 2.5, min(len(text), 60) * 0.6)
    total = sum(need)
    for col, n in zip(cols, need):
        col.set(qn("w:w"), str(round(TEXT_WIDTH_TWIPS * n / total)))


def finish(data: bytes, rk: dict, *, epoch: int | None = None, own_styles: bool = False) -> bytes:
    """*own_styles*: a reference document was given, so its styles decide the table text size."""
    import docx

    doc = docx.Document(io.BytesIO(data))
    caption = next((s for s in doc.styles if s.name == "Caption"), None)
    if caption is not None:
        for p in doc.paragraphs:
            if p.style is not None and p.style.name in ("Image Caption", "Table Caption"):
                p.style = caption
    for section in doc.sections:
        _page_number_footer(section)
    for table in doc.tables:
        _full_width_repeat_header(table)
        if not own_styles:  # data tables a size smaller than the text, as journals print them
            from docx.oxml.ns import qn
            from docx.shared import Pt
            from docx.text.run import Run

            for r in table._tbl.iter(qn("w:r")):  # links' runs too
                Run(r, None).font.size = Pt(9)  # type: ignore[arg-type]  # no parent needed to set a font size
    from .metadata import display_name

    props = doc.core_properties
    props.title = rk.get("title", "")
    people = rk.get("contributors") or [{"name": n} for n in rk.get("authors", [])]
    props.author = "; ".join(display_name(p) for p in people)
    props.keywords = "; ".join(rk.get("keywords", []))
    when = datetime.fromtimestamp(epoch or 0, UTC).replace(tzinfo=None)
    props.created = props.modified = when
    props.last_modified_by = "reviewkit"
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue(), epoch)


def fixed_zip(data: bytes, epoch: int | None) -> bytes:
    """The same zip with every entry dated *epoch* (1980-01-01 without one), so equal content gives equal bytes."""
    stamp = datetime.fromtimestamp(max(epoch or 0, 315532800), UTC).timetuple()[:6]
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, src.read(info.filename))
    return out.getvalue()
