"""One way to build a citation record from any format's parsed fields.

Every importer maps its format onto the keyword arguments of
:func:`make_entry` (RIS, whose reader already knows which fields it has,
hands them to :func:`entry_from`, the function ``make_entry`` itself ends
in); identifiers are validated and normalized here, names
become pybtex ``Person`` objects (``family``/``given`` or a literal
organisation name), and empty values are dropped.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .identifiers import NORMALIZERS, normalize_doi, normalize_nct, normalize_pmcid, normalize_pmid  # noqa: F401 (re-exported)

#: CSL item types -> BibTeX/biblatex entry types (and back, first match)
CSL_TO_BIBTEX = {
    "article-journal": "article",
    "article": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "report",
    "thesis": "thesis",
    "webpage": "online",
    "post": "online",
    "post-weblog": "online",
    "dataset": "misc",
    "manuscript": "unpublished",
    "software": "software",
    "legislation": "misc",
}
BIBTEX_TO_CSL = {
    "article": "article-journal",
    "book": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "report": "report",
    "techreport": "report",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "online": "webpage",
    "electronic": "webpage",
    "misc": "document",
    "unpublished": "manuscript",
    "software": "software",
    "booklet": "book",
    "manual": "book",
    "proceedings": "book",
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


def new_entry(entry_type: str, fields: dict, persons: dict | None = None, *, lower: bool = True):
    """A pybtex ``Entry`` with :class:`Fields` mappings (field names and roles lower case; *lower*=False when
    the caller's names already are)."""
    persons = persons or {}
    if lower:
        fields = {k.lower(): v for k, v in fields.items()}
        persons = {k.lower(): v for k, v in persons.items()}
    return _entry(entry_type, Fields(fields), persons)


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


def split_plain_name(text: str):
    """:func:`split_name` of a "Family, Given" text that :func:`clean` leaves as it is (no whitespace at its ends,
    no line end, tab or two spaces in a row), without the calls."""
    family, given = text.split(",", 1)
    return _person([given.strip()] if given else [], [family.strip()] if family else [])


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


def make_entry(
    entry_type: str = "article",
    *,
    authors=(),
    editors=(),
    title="",
    journal="",
    year="",
    month="",
    volume="",
    number="",
    pages="",
    doi="",
    pmid="",
    pmcid="",
    nct="",
    url="",
    abstract="",
    publisher="",
    note="",
    keywords=(),
    language="",
    issn="",
    booktitle="",
    howpublished="",
    source="",
    extra=None,
):
    """An entry from one format's parsed values: text cleaned, identifiers validated, empty values dropped.
    Only the values given are looked at (most of the twenty are empty in most records)."""
    values = (title, journal, year, month, volume, number, pages, doi, pmid, pmcid, nct, url, abstract, publisher)
    given = [
        (name, value)
        for name, value in zip(_FIELD_ORDER, (*values, note, keywords, language, issn, booktitle, howpublished, source))
        if value
    ]
    return entry_from(entry_type, given, authors, editors, extra)


def entry_from(entry_type: str, given, authors=(), editors=(), extra=None, *, plain: bool = False):
    """:func:`make_entry`'s entry from *given*: its non-empty values as ``(field, value)`` pairs in
    ``_FIELD_ORDER``.  *plain*: every text value is a ``str`` with no leading or trailing whitespace, no line
    end, tab or two spaces in a row (a RIS record the reader checked): :func:`clean` would return it as it is."""
    fields = Fields()
    for name, value in given:
        how = _HOW[name]
        if how == _NORMALIZED:
            value = NORMALIZERS[name](value) or ""
        elif how == _LIST:
            value = "; ".join(c for c in map(clean, value) if c)
        else:
            if plain:
                pass
            elif type(value) is str and not ("  " in value or "\n" in value or "\t" in value or "\r" in value):
                value = value.strip()  # what clean() does to such a text, without the call
            else:
                value = clean(value)
            if how == _PAGES:
                value = value.replace("--", "–")
            elif how == _INTERN and len(value) < 200:
                value = sys.intern(value)  # journal, year …: stored once across thousands of records
        if value:
            fields[name] = value
    for name, value in (extra or {}).items():
        value = clean(value)
        if value:
            fields[name] = sys.intern(value) if name in _INTERNED and len(value) < 200 else value
    persons = {role: people for role, people in (("author", authors), ("editor", editors)) if people}
    if extra and any(not k.islower() for k in extra):
        return new_entry(entry_type, fields, persons, lower=True)
    return _entry(entry_type, fields, persons)


def _entry(entry_type: str, fields: Fields, persons: dict):
    """The entry itself, for a *fields* mapping that the caller made for it and hands over (the persons' lists
    are copied)."""
    global _ENTRY
    if _ENTRY is None:
        from pybtex.database import Entry

        _ENTRY = Entry
    e = _ENTRY.__new__(_ENTRY)
    e.type = entry_type.lower()
    e.original_type = entry_type
    e.fields = fields
    e.persons = Fields({k: list(v) for k, v in persons.items()})
    return e


_INTERNED = frozenset(
    {
        "journal",
        "year",
        "month",
        "volume",
        "number",
        "publisher",
        "language",
        "issn",
        "journaltitle",
        "booktitle",
        "howpublished",
    }
)
#: make_entry's fields in the order an entry holds them (and the writers write them)
_FIELD_ORDER: tuple[str, ...] = (
    *("title", "journal", "year", "month", "volume", "number", "pages", "doi", "pmid", "pmcid", "nct", "url"),
    *("abstract", "publisher", "note", "keywords", "language", "issn", "booktitle", "howpublished", "source"),
)
_TEXT, _NORMALIZED, _LIST, _PAGES, _INTERN = range(5)
#: what make_entry does to each field's value: clean the text, or validate an identifier, join a list, …
_HOW = {name: _INTERN if name in _INTERNED else _TEXT for name in _FIELD_ORDER}
_HOW.update(dict.fromkeys(NORMALIZERS, _NORMALIZED), keywords=_LIST, pages=_PAGES)


def doi_from_url(text: str) -> str:
    """A DOI given as ``http://dx.doi.org/…`` or ``https://doi.org/…`` (else empty)."""
    return normalize_doi(text) or ""


@dataclass
class ParseResult:
    """What an importer's ``parse`` found: the entries, warnings (``file:line: text``) and skipped records."""

    bibliography: object
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class Reading:
    """One file's records, parsed while they are iterated (an importer never holds a whole file's entries).

    ``records`` yields ``(key, entry, line)``: the key the source gave (BibTeX) or ``None``, the entry, and
    the line where the entry starts when the importer knows it better than the entry's ``source`` field says.
    ``warnings`` (``file:line: text``) and ``skipped`` fill as the records are read.
    """

    __slots__ = ("records", "skipped", "warnings")

    def __init__(self) -> None:
        self.records: Iterator[tuple[str | None, Any, int | None]] = iter(())
        self.warnings: list[str] = []
        self.skipped: list[str] = []

    def result(self) -> ParseResult:
        """All records with keys (the source's, else readable generated ones) as a :class:`ParseResult`."""
        from .keys import assign_keys

        given: dict[str, Any] = {}
        generated: list = []
        for key, entry, _ in self.records:
            if key is None:
                generated.append(entry)
            else:
                given[key] = entry
        return ParseResult(bibliography(given or assign_keys(generated)), self.warnings, self.skipped)


def bibliography(entries: dict):
    """A pybtex ``BibliographyData`` holding *entries* (``{key: Entry}``) in their order."""
    from pybtex.database import BibliographyData

    return BibliographyData(entries=entries)


def entries_of(bib):
    """``bib.entries.items()`` in their order, read from pybtex's two dicts directly (its mapping looks each key
    up again, in lower case)."""
    entries = bib.entries
    by_lower, spelled = getattr(entries, "_dict", None), getattr(entries, "_keys", None)
    if type(by_lower) is not dict or spelled is None or len(by_lower) != len(spelled):
        return entries.items()
    return zip(spelled.values(), by_lower.values())  # (both dicts are filed and emptied together, in one order)


def reading(stream, text: str, name: str, skip_invalid: bool) -> Reading:
    """The :class:`Reading` of *text* by an importer's ``stream(text, name, skip_invalid, reading)`` generator."""
    r = Reading()
    r.records = stream(text, name, skip_invalid, r)
    return r


def text_importer(stream):
    """``parse``, ``read``, ``loads``, ``load`` and ``records_of`` of an importer whose generator
    ``stream(text, name, skip_invalid, reading)`` yields ``(key, entry, line)`` from a whole text.

    ``records_of(path_or_file, encoding=, skip_invalid=)`` returns the :class:`Reading` (records read as iterated);
    ``parse(text, name=, skip_invalid=)`` and ``read(path_or_file, …)`` the :class:`ParseResult`;
    ``loads``/``load`` the bibliography (rispy-like, as :mod:`json`), extending *skipped* when given.
    """

    def parse(text: str, *, name: str = "<string>", skip_invalid: bool = False) -> ParseResult:
        return reading(stream, text, name, skip_invalid).result()

    def records_of(path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False) -> Reading:
        from . import read_text

        text, name = read_text(path_or_file, encoding)
        return reading(stream, text, name, skip_invalid)

    def read(path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False) -> ParseResult:
        return records_of(path_or_file, encoding=encoding, skip_invalid=skip_invalid).result()

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

    return parse, read, loads, load, records_of


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector inside the block and restore its previous state after it, whatever
    happens.  Reading and merging 20,000 records allocates millions of acyclic objects (strings, dicts,
    tuples); each allocation burst triggers collections that re-scan every object kept so far, which cost
    a third of an import (see benchmarks/bench_import.py).  Reference counting still frees everything."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def lines(text: str) -> str:
    """*text* with every line end (CRLF, old-Mac CR, LF) as LF and no byte-order mark."""
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
