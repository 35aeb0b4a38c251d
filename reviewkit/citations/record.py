"""One way to build a citation record from any format's parsed fields.

Every importer maps its format onto the keyword arguments of
:func:`make_entry`; identifiers are validated and normalized here, names
become pybtex ``Person`` objects (``family``/``given`` or a literal
organisation name), and empty values are dropped.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from .identifiers import normalize_doi, normalize_nct, normalize_pmcid, normalize_pmid  # noqa: F401 (re-exported)

#: CSL item types -> BibTeX/biblatex entry types (and back, first match)
CSL_TO_BIBTEX = {
    "article-journal": "article", "article": "article", "article-magazine": "article",
    "article-newspaper": "article", "review": "article", "book": "book", "chapter": "incollection",
    "paper-conference": "inproceedings", "report": "report", "thesis": "thesis",
    "webpage": "online", "post": "online", "post-weblog": "online", "dataset": "misc",
    "manuscript": "unpublished", "software": "software", "legislation": "misc",
}
BIBTEX_TO_CSL = {
    "article": "article-journal", "book": "book", "incollection": "chapter", "inbook": "chapter",
    "inproceedings": "paper-conference", "conference": "paper-conference", "report": "report",
    "techreport": "report", "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "online": "webpage", "electronic": "webpage", "misc": "document", "unpublished": "manuscript",
    "software": "software", "booklet": "book", "manual": "book", "proceedings": "book",
}

_WS = re.compile(r"\s+")


def clean(text) -> str:
    if not text:
        return ""
    s = text if isinstance(text, str) else str(text)
    if "  " in s or "\n" in s or "\t" in s or "\r" in s:
        return _WS.sub(" ", s).strip()
    return s.strip()


_PERSON = None
_ENTRY = None


class Fields(dict):
    """An entry's fields (or persons): a plain dict with lower-case keys whose ``[]`` and ``in`` also
    answer mixed-case names (``fields["Title"]``), as pybtex's case-insensitive mapping does — at a third
    of its memory, which counts at 200,000 records.  ``get`` is dict's own: reviewkit reads lower case."""

    __slots__ = ()

    def __missing__(self, key):
        low = key.lower()
        if low != key and dict.__contains__(self, low):
            return dict.__getitem__(self, low)
        raise KeyError(key)

    def __contains__(self, key):
        return dict.__contains__(self, key) or (isinstance(key, str) and dict.__contains__(self, key.lower()))

    def lower(self):
        return self


def new_entry(entry_type: str, fields: dict, persons: dict | None = None):
    """A pybtex ``Entry`` with :class:`Fields` mappings (field names and roles lower case)."""
    global _ENTRY
    if _ENTRY is None:
        from pybtex.database import Entry

        _ENTRY = Entry
    e = _ENTRY.__new__(_ENTRY)
    e.type = entry_type.lower()
    e.original_type = entry_type
    e.fields = Fields({k.lower(): v for k, v in fields.items()})
    e.persons = Fields({k.lower(): list(v) for k, v in (persons or {}).items()})
    return e


def _person(first: list, last: list):
    """A pybtex Person with its name parts set directly (``Person("…")`` re-parses TeX: slow at 100,000s)."""
    global _PERSON
    if _PERSON is None:
        from pybtex.database import Person

        _PERSON = Person
    p = _PERSON.__new__(_PERSON)
    p.first_names, p.middle_names, p.prelast_names, p.last_names, p.lineage_names = first, [], [], last, []
    return p


def person(family: str = "", given: str = "", literal: str = ""):
    """A pybtex Person: "Family, Given", or a literal (organisation) name kept whole."""
    if literal and not family:
        return _person([], [clean(literal)])  # one family name: an organisation is never split
    return _person([clean(given)] if given else [], [clean(family)] if family else [])


def split_name(text: str):
    """ "Family, Given" or "Family Initials" (MEDLINE AU) -> Person."""
    text = clean(text)
    if "," in text:
        family, given = text.split(",", 1)
        return person(family, given)
    m = re.match(r"^(.*\S)\s+((?:[A-Z]\.?-?){1,4})$", text)  # "Kasper B", Embase's "Adler D.G."
    if m:
        return person(m.group(1), " ".join(f"{c}." for c in re.findall(r"[A-Z]", m.group(2))))
    return person(literal=text)


def make_entry(entry_type: str = "article", *, authors=(), editors=(), title="", journal="", year="",
               month="", volume="", number="", pages="", doi="", pmid="", pmcid="", nct="", url="",
               abstract="", publisher="", note="", keywords=(), language="", issn="", booktitle="",
               howpublished="", source="", extra=None):
    fields = {
        "title": clean(title), "journal": clean(journal), "year": clean(year), "month": clean(month),
        "volume": clean(volume), "number": clean(number), "pages": clean(pages).replace("--", "–"),
        "doi": normalize_doi(doi) or "", "pmid": normalize_pmid(pmid) or "", "pmcid": normalize_pmcid(pmcid) or "",
        "nct": normalize_nct(nct) or "", "url": clean(url), "abstract": clean(abstract),
        "publisher": clean(publisher), "note": clean(note), "keywords": "; ".join(clean(k) for k in keywords if clean(k)),
        "language": clean(language), "issn": clean(issn), "booktitle": clean(booktitle),
        "howpublished": clean(howpublished), "source": clean(source),
    }
    fields.update({k: clean(v) for k, v in (extra or {}).items()})
    persons = {role: people for role, people in (("author", authors), ("editor", editors)) if people}
    return new_entry(entry_type, {k: _intern(k, v) for k, v in fields.items() if v}, persons)


_INTERNED = frozenset({"journal", "year", "month", "volume", "number", "publisher", "language", "issn",
                       "journaltitle", "booktitle", "howpublished"})


def _intern(name: str, value: str) -> str:
    """Values that repeat across thousands of records (journal, year …) are stored once."""
    return sys.intern(value) if name in _INTERNED and len(value) < 200 else value


def doi_from_url(text: str) -> str:
    """A DOI given as ``http://dx.doi.org/…`` or ``https://doi.org/…`` (else empty)."""
    return normalize_doi(text) or ""


@dataclass
class ParseResult:
    """What an importer's ``parse`` found: the entries, warnings (``file:line: text``) and skipped records."""

    bibliography: object
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def text_importer(parse):
    """``read``, ``loads`` and ``load`` of an importer whose ``parse(text, name=, skip_invalid=)`` reads a whole text.

    ``read(path_or_file, encoding=, skip_invalid=)`` returns the :class:`ParseResult`; ``loads``/``load`` return the
    bibliography (rispy-like, as :mod:`json`), extending *skipped* when given.
    """
    def read(path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False) -> ParseResult:
        from . import read_text

        text, name = read_text(path_or_file, encoding)
        return parse(text, name=name, skip_invalid=skip_invalid)

    def loads(text: str, *, name: str = "<string>", skip_invalid: bool = False, skipped: list | None = None):
        result = parse(text, name=name, skip_invalid=skip_invalid)
        if skipped is not None:
            skipped.extend(result.skipped)
        return result.bibliography

    def load(path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False, skipped: list | None = None):
        result = read(path_or_file, encoding=encoding, skip_invalid=skip_invalid)
        if skipped is not None:
            skipped.extend(result.skipped)
        return result.bibliography

    return read, loads, load


def lines(text: str) -> str:
    """*text* with every line end (CRLF, old-Mac CR, LF) as LF and no byte-order mark."""
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
