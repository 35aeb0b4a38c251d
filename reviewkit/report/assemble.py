"""Assemble executed section notebooks into one position-paper notebook.

- Markdown cells and computed prose (``report.text``) form the narrative;
  headings are numbered (section ``1``, subsection ``1.1``); code is hidden and
  untagged outputs (logs, plain prints) are left out.
- Figures and tables (``report.figure`` / ``report.table``) are numbered in
  order of appearance; ``@fig:name`` / ``@tbl:name`` become links reading
  "Figure 2" / "Table 1".
- Pandoc citations (``[@key]``, ``[@a; @b]``, ``[@pmid:…]``, ``[@doi:…]``,
  ``[@nct:NCT…]``) become numbers in order of first appearance, compressed
  into ranges (``[4–6]``), each number linking to ``#ref-KEY``; the reference
  list holds exactly the cited works, in that order.

The result is an nbformat notebook whose metadata carries the title block and
the reference list, rendered by the ``paper`` nbconvert template.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import CitationError, InputError, closest
from . import MIME_TABLE  # the mimetype report.table() writes

# escaped brackets and at-signs (\[, \@ — what prose.literal writes for data) are never citations
_CITE_GROUP = re.compile(r"(?<!\\)\[(?P<body>[^\[\]]*(?<!\\)@[^\[\]]+)(?<!\\)\](?!\()")
_CITE_KEY = re.compile(r"(?<![\w@\\])@(?P<key>[A-Za-z0-9_][\w:.#$%&+?<>~/\-]*)")
_XREF = re.compile(r"(?<![\w@\[\\])@(?P<kind>fig|tbl):(?P<name>[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)")
_FENCE = re.compile(r"^(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


SUPPLEMENTARY_ROWS = 40  # tables longer than this go to the supplementary part unless placed explicitly
SUPPLEMENTARY_HEIGHT = 9.0  # figures taller than this (inches) too: taller than a printed page with its caption


@dataclass
class Block:
    kind: str  # "markdown" | "figure" | "table" | "prose"
    origin: str  # "notebook.ipynb, cell N"
    text: str = ""
    name: str = ""
    caption: str = ""
    data: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    supplementary: bool | None = None  # None: decided by size


@dataclass
class SectionDoc:
    name: str
    blocks: list[Block]


def blocks_from_notebook(nb, label: str, source: dict | None = None) -> list[Block]:
    """The report blocks of one executed notebook, in order.

    With *source* (the author's notebook as JSON), Markdown comes from the
    source and outputs from the executed notebook, matched by cell id: a
    Markdown-only edit is reassembled without rerunning the code.
    """
    if source is not None:

        def text_of(c):
            return "".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "")

        # the code cells ran from the same code (the cache key covers it), so they pair up in order; a cell
        # without an id (nbformat 4.4, older tools) pairs as well as one with
        ran = [c for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]
        code = [c for c in source.get("cells", []) if c.get("cell_type") == "code"]
        if len(ran) == len(code) and all(text_of(a) == text_of(b) for a, b in zip(ran, code)):
            pairs = {id(b): a for a, b in zip(ran, code)}
        else:
            by_id = {c.get("id"): c for c in ran if c.get("id")}
            pairs = {id(b): by_id.get(b.get("id"), {}) for b in code}
        cells = []
        for c in source.get("cells", []):
            if c.get("cell_type") == "markdown":
                cells.append({"cell_type": "markdown", "source": text_of(c)})
            elif c.get("cell_type") == "code":
                cells.append({"cell_type": "code", "source": text_of(c), "outputs": pairs[id(c)].get("outputs", [])})
        return _blocks(cells, label)
    return _blocks(nb.cells, label)


def _blocks(cells, label: str) -> list[Block]:
    out: list[Block] = []
    for i, cell in enumerate(cells, start=1):
        origin = f"{label}, cell {i}"
        if cell["cell_type"] == "markdown":
            if cell["source"].strip():
                out.append(Block("markdown", origin, text=cell["source"]))
        elif cell["cell_type"] == "code":
            for o in cell.get("outputs", []):
                meta = o.get("metadata", {}).get("reviewkit")
                if not meta or o.get("output_type") != "display_data":
                    continue
                kind = meta.get("kind")
                if kind == "prose":
                    out.append(Block("prose", origin, text=o["data"]["text/markdown"]))
                elif kind in ("figure", "table"):
                    out.append(
                        Block(
                            kind,
                            origin,
                            name=meta["name"],
                            caption=meta.get("caption", ""),
                            data=dict(o["data"]),
                            links=meta.get("links", {}),
                            supplementary=meta.get("supplementary"),
                        )
                    )
    return out


class _Entries(Mapping):
    """A bibliography's entries plus the lock-file entries cited by identifier, added here: the caller's
    bibliography (a :class:`~reviewkit.citations.library.Library` or pybtex data) is never changed."""

    def __init__(self, base):
        self.base = base
        self.added: dict = {}

    def __getitem__(self, key):
        return self.added[key] if key in self.added else self.base[key]

    def __contains__(self, key):
        return key in self.added or key in self.base

    def __iter__(self):
        yield from self.base
        yield from (k for k in self.added if k not in self.base)

    def __len__(self):
        return len(self.base) + sum(1 for k in self.added if k not in self.base)


class _Bibliography:
    """What the assembly reads of a bibliography: its entries (with the locked ones it cites) and identifier index."""

    def __init__(self, bibliography):
        self.entries = _Entries(bibliography.entries)
        self.id_index = getattr(bibliography, "id_index", None)

    def add_entry(self, key, entry) -> None:
        self.entries.added[key] = entry


class CitationResolver:
    """Maps citation keys and identifiers (``pmid:…``, ``doi:…``, ``nct:…``) to bibliography keys.

    An identifier found only in the lock file becomes an entry of :attr:`bib` (a view of *bibliography*,
    which itself is left unchanged)."""

    def __init__(self, bibliography, lock=None):
        from ..citations.library import identifier_index
        from ..identifiers import NORMALIZERS

        self.bib = _Bibliography(bibliography)
        self.lock = lock
        self._norm = NORMALIZERS
        index = getattr(bibliography, "id_index", None)
        self.by_id: dict[tuple[str, str], list[str]] = dict(index or identifier_index(bibliography.entries.items()))

    def _one(self, cited: str, what: str, keys: list[str], origin: str) -> str:
        """The one entry an identifier names; several: an error that lists them (never one picked silently)."""
        if len(keys) > 1:
            raise CitationError(
                f"citation @{cited}: {what} is carried by {len(keys)} records ({', '.join(keys)}), not one work; "
                "cite the one meant by its key",
                source=origin,
            )
        return keys[0]

    def resolve(self, key: str, origin: str) -> str:
        if key in self.bib.entries:
            return key
        if ("alias", key) in self.by_id:  # a key a source gave (CSL-JSON id, biblatex ids)
            return self._one(key, f"the source key {key!r}", self.by_id[("alias", key)], origin)
        prefix, _, ident = key.partition(":")
        prefix = prefix.lower()
        if ident and prefix in self._norm:
            value = self._norm[prefix](ident)
            if not value:
                raise CitationError(f"citation @{key}: {ident!r} is not a valid {prefix.upper()}", source=origin)
            found = self.by_id.get((prefix, value.lower()))
            if found:
                return self._one(key, f"{prefix.upper()} {value}", found, origin)
            ident = f"{prefix}:{value}"
            entry = self.lock.entry(ident) if self.lock is not None else None
            if entry is not None:
                if ident not in self.bib.entries:
                    self.bib.add_entry(ident, entry)
                return ident
            lock_name = self.lock.path.name if self.lock is not None else "references/citation-lock.json"
            raise CitationError(
                f"citation @{key}: {prefix.upper()} {value} is neither in the bibliography nor in {lock_name}; "
                "resolve it once with internet: `reviewkit cite refresh` (or add an entry to a bibliography file)",
                source=origin,
            )
        from ..citations import suggest_keys

        near = suggest_keys(key, self.bib.entries)
        hint = f"; closest known keys: {', '.join(near)}" if near else ""
        raise CitationError(f"unknown citation key @{key}{hint}", source=origin)


def _strip_key(key: str) -> str:
    return key.rstrip(".,;:")


def _outside_code(text: str, fn) -> str:
    """Apply *fn* to the parts of Markdown *text* outside fenced and inline code."""
    out: list[str] = []
    chunk: list[str] = []
    fenced = False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line.lstrip()):
            if not fenced:
                out.append(_inline(("".join(chunk)), fn))
                chunk = []
            fenced = not fenced
            out.append(line)
            continue
        (out if fenced else chunk).append(line)
    out.append(_inline("".join(chunk), fn))
    return "".join(out)


def _inline(text: str, fn) -> str:
    parts = re.split(r"(`[^`\n]*`)", text)
    return "".join(p if p.startswith("`") and p.endswith("`") and len(p) > 1 else fn(p) for p in parts)


def format_numbers(numbers: list[int], keys_by_number: dict[int, str]) -> str:
    """``[1, 2, 4, 5, 6]`` -> "1,2,4–6" as linked HTML (ranges of three or more)."""
    nums = sorted(set(numbers))
    runs: list[list[int]] = []
    for n in nums:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])

    def link(n):
        return f'<a class="citation" href="#ref-{html.escape(keys_by_number[n])}">{n}</a>'

    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{link(run[0])}–{link(run[-1])}")
        else:
            parts.extend(link(n) for n in run)
    return ",".join(parts)


def _group_keys(body: str) -> list[str]:
    """The keys of one bracketed citation group's body, in order."""
    return [_strip_key(k.group("key")) for k in _CITE_KEY.finditer(body)]


def cited_keys(text: str) -> list[str]:
    """Citation keys in Markdown *text*, outside code spans and fences, cross-references left out."""
    found: list[str] = []

    def collect(part: str) -> str:
        for group in _CITE_GROUP.finditer(part):
            found.extend(k for k in _group_keys(group.group("body")) if not k.startswith(("fig:", "tbl:")))
        return part

    _outside_code(text, collect)
    return found


def cited_identifiers(text: str) -> set[str]:
    """Canonical identifiers (``pmid:…``, ``doi:…``, …) cited in *text*."""
    from ..identifiers import canonical

    return {c for c in map(canonical, cited_keys(text)) if c}


class Assembler:
    def __init__(
        self,
        bibliography,
        lock=None,
        style=None,
        *,
        supplementary_rows: int = SUPPLEMENTARY_ROWS,
        supplementary_height: float = SUPPLEMENTARY_HEIGHT,
    ):
        """*style*: None for Vancouver (numbers linked one by one), else the path of a ``.csl`` file.

        Figures taller than *supplementary_height* inches and tables longer than
        *supplementary_rows* rows go to the "Supplementary material" part unless
        the notebook placed them (``supplementary=True/False``).
        """
        from .csl import CslCitations

        self.supplementary_rows = supplementary_rows
        self.supplementary_height = supplementary_height
        self.resolver = CitationResolver(bibliography, lock)
        self.bib = self.resolver.bib  # the caller's bibliography with the lock-file entries cited; it is not changed
        self.csl = CslCitations(style, self.bib) if style else None
        self.order: list[str] = []  # cited keys in first-appearance order
        self.numbers: dict[str, int] = {}
        self.floats: dict[tuple[str, str], int | str] = {}  # (fig|tbl, name) -> number (S1, S2 … in the supplement)

    # -- numbering -------------------------------------------------------
    def is_supplementary(self, b: Block) -> bool:
        if b.supplementary is not None:
            return b.supplementary
        if b.kind == "table":
            return len(b.data.get(MIME_TABLE, {}).get("data", [])) > self.supplementary_rows
        return _png_height_inches(b.data.get("image/png", "")) > self.supplementary_height

    def number_floats(self, sections: list[SectionDoc]) -> None:
        """Figures and tables numbered in order of appearance: 1, 2, … in the text, S1, S2, … in the supplement."""
        counters = {"fig": 0, "tbl": 0, "sfig": 0, "stbl": 0}
        for sec in sections:
            for b in sec.blocks:
                if b.kind in ("figure", "table"):
                    kind = "fig" if b.kind == "figure" else "tbl"
                    if (kind, b.name) in self.floats:
                        raise InputError(f"{b.kind} name {b.name!r} is used twice", source=b.origin)
                    if self.is_supplementary(b):
                        counters["s" + kind] += 1
                        self.floats[(kind, b.name)] = f"S{counters['s' + kind]}"
                    else:
                        counters[kind] += 1
                        self.floats[(kind, b.name)] = counters[kind]

    def cite(self, text: str, origin: str) -> str:
        def group(m):
            keys = _group_keys(m.group("body"))
            if keys and all(re.match(r"^(fig|tbl):", k) for k in keys):
                return m.group(0)  # a bracketed cross-reference, handled by xref()
            resolved = []
            for k in keys:
                rk = self.resolver.resolve(k, origin)
                if rk not in self.numbers:
                    self.order.append(rk)
                    self.numbers[rk] = len(self.order)
                resolved.append(rk)
            by_number = {self.numbers[k]: k for k in resolved}
            cites = html.escape(" ".join(dict.fromkeys(resolved)))
            if self.csl is not None:  # rendered by the style once every citation is known
                return f'<span class="citation-group" data-cites="{cites}">{self.csl.add(resolved)}</span>'
            return f'<span class="citation-group" data-cites="{cites}">[{format_numbers(list(by_number), by_number)}]</span>'

        return _outside_code(text, lambda s: _CITE_GROUP.sub(group, s))

    def xref(self, text: str, origin: str) -> str:
        def one(m):
            kind, name = m.group("kind"), m.group("name")
            n = self.floats.get((kind, name))
            if n is None:
                known = [f"@{k}:{nm}" for (k, nm) in self.floats if k == kind]
                near = closest(f"@{kind}:{name}", known)
                hint = f"; closest: {', '.join(near)}" if near else ""
                raise InputError(
                    f"cross-reference @{kind}:{name} names no {'figure' if kind == 'fig' else 'table'}{hint}",
                    source=origin,
                )
            label = "Figure" if kind == "fig" else "Table"
            return f'<a class="xref" href="#{kind}-{name}">{label}&nbsp;{n}</a>'

        def bracketed(s):
            s = re.sub(r"\[(@(?:fig|tbl):[a-z0-9\-]+)\]", r"\1", s)
            return _XREF.sub(one, s)

        return _outside_code(text, bracketed)

    def inline(self, text: str, origin: str) -> str:
        return self.cite(self.xref(text, origin), origin)

    # -- document --------------------------------------------------------
    def build(self, sections: list[SectionDoc], meta: dict):
        """(the assembled notebook, {figure name: files}, {table name: data}); *meta* is copied, not changed."""
        from nbformat.v4 import new_markdown_cell, new_notebook

        meta = dict(meta)
        self.number_floats(sections)
        cells = []
        if meta.get("abstract_markdown"):
            meta["abstract_markdown"] = self.inline(meta["abstract_markdown"], meta.get("abstract_source", "abstract"))
        figures_out: dict[str, dict] = {}
        tables_out: dict[str, dict] = {}
        supplement: list = []  # figures and tables of the "Supplementary material" part
        for s_index, sec in enumerate(sections, start=1):
            sub = 0
            first_heading = True
            for b in sec.blocks:
                if b.kind in ("markdown", "prose"):
                    text = self.inline(b.text, b.origin)
                    # computed prose may carry headings too (a batch section's title depends on its parameters)
                    text, sub, first_heading = _number_headings(text, s_index, sub, first_heading, sec.name)
                    cells.append(new_markdown_cell(text))
                elif b.kind in ("figure", "table"):
                    self._float_cell(
                        b, supplement if self.is_supplementary(b) else cells, figures_out, tables_out, sec.name
                    )
        if supplement:
            cells.append(new_markdown_cell(SUPPLEMENT_HEADING))
            cells.extend(supplement)
        if self.csl is not None:
            references = self._csl_references(cells, meta)
        else:
            from ..citations.styles.vancouver import format_html

            references = [
                {"key": key, "number": self.numbers[key], "html": format_html(self.bib.entries[key])}
                for key in self.order
            ]
        for r in references:
            r["ids"] = _identifiers(self.bib.entries[r["key"]])
        nb = new_notebook(cells=cells)
        nb.metadata["reviewkit"] = dict(meta, references=references)
        for i, c in enumerate(nb.cells):
            c.id = f"c{i}"
        return nb, figures_out, tables_out

    def _float_cell(self, b: Block, cells: list, figures_out: dict, tables_out: dict, section: str) -> None:
        """The output cell of one figure or table, with its number and linked caption; its files for outputs/."""
        import nbformat
        from nbformat.v4 import new_code_cell

        kind = "fig" if b.kind == "figure" else "tbl"
        meta = {
            "kind": b.kind,
            "name": b.name,
            "number": self.floats[(kind, b.name)],
            "caption_markdown": self.inline(b.caption, b.origin),
            "section": section,
        }
        if self.is_supplementary(b):
            meta["supplementary"] = True
        if b.kind == "figure":
            data = {"image/png": b.data["image/png"], "image/svg+xml": b.data["image/svg+xml"], "text/plain": b.caption}
            figures_out[b.name] = {
                "png": base64.b64decode(b.data["image/png"]),
                "svg": _svg_bytes(b.data["image/svg+xml"]),
            }
        else:
            data = {"text/html": b.data["text/html"], "text/plain": b.caption}
            tables_out[b.name] = b.data.get(MIME_TABLE, {"columns": [], "data": []})
        c = new_code_cell("")
        c.outputs = [nbformat.v4.new_output("display_data", data=data, metadata={"reviewkit": meta})]
        cells.append(c)

    def _csl_references(self, cells, meta) -> list[dict]:
        """Render the CSL citations into every text that holds a placeholder; the style's reference list."""
        csl = self.csl
        assert csl is not None  # called only when the report has a CSL style
        rendered, references = csl.render()
        sub = csl.substitute
        for c in cells:
            if c.cell_type == "markdown":
                c.source = sub(c.source, rendered)
            for o in c.get("outputs", []):
                m = o["metadata"]["reviewkit"]
                m["caption_markdown"] = sub(m["caption_markdown"], rendered)
        if meta.get("abstract_markdown"):
            meta["abstract_markdown"] = sub(meta["abstract_markdown"], rendered)
        meta["citation_style"] = {"format": csl.format, "csl": csl.path.name}
        return references


SUPPLEMENT_HEADING = '<h2 id="sec-supplementary" class="supplementary">Supplementary material</h2>'


def _png_height_inches(png, dpi: int = 200) -> float:
    """Height of a base64 PNG as ``report.figure`` saved it (at *dpi*), from its IHDR header."""
    import struct

    if isinstance(png, list):
        png = "".join(png)
    try:
        head = base64.b64decode(png[:64])
        return struct.unpack(">I", head[20:24])[0] / dpi
    except (ValueError, struct.error):
        return 0.0


def _identifiers(entry) -> dict:
    """The entry's validated identifiers (doi, pmid, pmcid, nct), for writers that tag them (JATS pub-id)."""
    from ..identifiers import identifiers_of

    return identifiers_of(entry.fields)


def _svg_bytes(svg) -> bytes:
    return ("".join(svg) if isinstance(svg, list) else svg).encode("utf-8")


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_AS_HTML = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _unescape_markdown(text: str) -> str:
    """``non\\-uterine \\(2nd line\\)`` -> ``non-uterine (2nd line)`` for text placed in raw HTML."""
    return _ESCAPED.sub(lambda m: _AS_HTML.get(m.group(1), m.group(1)), text)


def _number_headings(text: str, section: int, sub: int, first: bool, name: str):
    """``# Title`` -> section heading "N Title"; ``##`` -> "N.M Title"; deeper kept unnumbered."""
    lines = []
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
        m = None if fenced else _HEADING.match(line)
        if m:
            level, title = len(m.group(1)), m.group(2)
            # raw HTML below, where Markdown's backslash escapes (prose.literal) would print as backslashes
            html_title = _unescape_markdown(title)
            if level == 1:
                slug = f"sec-{name}"
                line = (
                    f'<h2 id="{slug}" class="section"><span class="secnum">{section}</span> {html_title}</h2>'
                    if first
                    else f"### {title}"
                )
                first = False
            elif level == 2:
                sub += 1
                line = f'<h3 id="sec-{name}-{sub}" class="subsection"><span class="secnum">{section}.{sub}</span> {html_title}</h3>'
            else:
                line = "#" * min(level + 1, 6) + " " + title
        lines.append(line)
    return "\n".join(lines), sub, first
