"""Pasted reference lists: numbered NLM/Vancouver-style references.

The input is what an author copies out of a PubMed page or a paper::

    1. Martin-Liberal J. Leiomyosarcoma: principles of management. Intractable Rare Dis Res. 2013;2:127–129. - PMC - PubMed
    2. Ikoma N., Torres K.E., ... Feig B.W. Recurrence patterns ... J. Surg. Oncol. 2017;116:313–319. doi: 10.1002/jso.24667. - DOI - PMC - PubMed

Each reference becomes one pybtex entry with ``author``, ``title``,
``journal``, ``year``, ``volume``, ``number``, ``pages``, ``doi``, ``url``,
``note`` and ``source`` (file, line, and the ``# source:`` header of the file
when there is one).  PubMed's trailing "- DOI - PMC - PubMed" markers are
dropped.  A printed DOI that is not a valid DOI is never stored: it is reported
as a warning naming the line, and kept verbatim in ``note``.

Lines starting with ``#`` are comments; a ``# source: …`` comment names where
the list was copied from and is recorded in every entry.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..errors import InputError
from .identifiers import normalize_doi
from .record import ParseResult, lines

# "1. ", "12) ", "[3] " at the start of a line
_NUMBER = re.compile(r"^\s*(?:\[(\d+)\]|(\d+)[.)])\s+")
_MARKERS = re.compile(r"(?:\s+-\s+(?:DOI|PMC|PubMed|Free PMC article|Free article|Google Scholar|Crossref))+\s*$")
_DOI_TEXT = re.compile(r"\bdoi:\s*(\S+?)(?:\.(?=\s|$)|(?=\s|$))", re.IGNORECASE)
_URL = re.compile(r"https?://\S+?(?=[.,;]?(?:\s|$))")
_PMID_TEXT = re.compile(r"\bPMID:\s*(\d+)\.?", re.IGNORECASE)
_PMCID_TEXT = re.compile(r"\bPMCID:\s*(PMC\d+)\.?", re.IGNORECASE)

_PARTICLE = r"(?:(?:van|von|der|den|de|del|della|di|da|dos|du|la|le|ter|ten)\s)"
_FAMILY = rf"{_PARTICLE}*[A-ZÀ-ÖØ-Þ][\w'’\-]*(?:\s{_PARTICLE}*[A-ZÀ-ÖØ-Þ][\w'’\-]*)*?"
_INITIALS = r"(?:[A-Z]\.?-?){1,4}"
_AUTHOR = re.compile(rf"(?P<family>{_FAMILY})\s(?P<given>{_INITIALS})(?=[,.\s])")
_ET_AL = re.compile(r",?\s*et\s+al\.{0,2}(?:,\s*eds?\.)?", re.IGNORECASE)

# "2013;2:127–129", "2014;10(Suppl 8):s19–s27", "2021;13:886", "2022 Mar;23(3):439-449"
_SOURCE = re.compile(
    r"(?P<year>(?:1[89]|20)\d{2})(?:\s+(?:[A-Z][a-z]{2}(?:-[A-Z][a-z]{2})?)(?:\s+\d{1,2})?)?"
    r";\s*(?P<volume>[^:;()\s.]+(?:\s[^:;()\s.]+)?)?(?:\s?\((?P<issue>[^)]+)\))?"
    r"(?::\s*(?P<pages>[A-Za-z]*\d[\w–\-]*))?\.?"
)


def load(path_or_file, *, encoding: str = "utf-8"):
    """Read a pasted reference list from a path or an open text file."""
    return read(path_or_file, encoding=encoding).bibliography


def loads(text: str, *, name: str = "<string>"):
    return parse_text(text, name=name).bibliography


def parse(path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False) -> ParseResult:
    from . import read_text

    text, name = read_text(path_or_file, encoding)
    return parse_text(text, name=name)


read = parse


def parse_text(text: str, *, name: str = "<string>") -> ParseResult:
    from pybtex.database import BibliographyData

    from .keys import assign_keys

    text = lines(text)
    warnings: list[str] = []
    header_source = None
    records: list[tuple[int, str, str]] = []  # (line, number, text)
    for lineno, raw in enumerate(io.StringIO(text), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = re.match(r"#\s*source:\s*(.+)", line, re.IGNORECASE)
            if m:
                header_source = m.group(1).strip()
            continue
        m = _NUMBER.match(raw)
        if m:
            records.append((lineno, m.group(1) or m.group(2), raw[m.end() :].strip()))
        elif records:  # a wrapped line continues the previous reference
            ln, num, body = records[-1]
            records[-1] = (ln, num, f"{body} {line}")
        else:
            raise InputError(
                f"expected a numbered reference ('1. Author A. Title. Journal. Year;…'), found {line[:60]!r}",
                source=f"{name}:{lineno}",
            )
    if not records:
        raise InputError("no numbered references found", source=name)

    entries = []
    for position, (lineno, _num, body) in enumerate(records, start=1):
        where = f"{name}:{lineno}"
        entry = parse_reference(body, where=where, warnings=warnings)
        src = f"{Path(name).name}, reference {position} (line {lineno})"
        entry.fields["source"] = f"{header_source}; {src}" if header_source else src
        entries.append(entry)
    return ParseResult(BibliographyData(entries=assign_keys(entries)), warnings)


def parse_reference(body: str, *, where: str = "<string>", warnings: list | None = None):
    """One reference (without its number) -> a pybtex ``Entry``."""
    from pybtex.database import Entry, Person

    warnings = warnings if warnings is not None else []
    rest = _MARKERS.sub("", body).strip()
    fields: dict[str, str] = {}

    m = _DOI_TEXT.search(rest)
    if m:
        printed = m.group(1)
        doi = normalize_doi(printed)
        if doi:
            fields["doi"] = doi
        else:
            warnings.append(
                f"{where}: printed DOI {printed!r} is not a valid DOI (expected '10.<registrant>/<suffix>'); "
                "kept as a note, not linked"
            )
            fields["note"] = f"Printed DOI: {printed}"
        rest = (rest[: m.start()] + rest[m.end() :]).strip()
    for rx, key in ((_PMID_TEXT, "pmid"), (_PMCID_TEXT, "pmcid")):
        m = rx.search(rest)
        if m:
            fields[key] = m.group(1).upper()
            rest = (rest[: m.start()] + rest[m.end() :]).strip()
    m = _URL.search(rest)
    if m:
        fields["url"] = m.group(0)
        rest = (rest[: m.start()] + rest[m.end() :]).strip()

    persons, role, rest = _split_authors(rest)
    if not persons:
        warnings.append(f"{where}: no author list recognised at the start of the reference")

    # The last "year;volume(issue):pages" group is the source; text before it is title + journal.
    matches = list(_SOURCE.finditer(rest))
    entry_type = "article"
    if matches:
        sm = matches[-1]
        fields["year"] = sm.group("year")
        for grp, key in (("volume", "volume"), ("issue", "number"), ("pages", "pages")):
            if sm.group(grp):
                fields[key] = sm.group(grp).strip()
        head = rest[: sm.start()].strip()
        tail = rest[sm.end() :].strip(" .")
        title, journal = _split_title_journal(head)
        if journal:
            fields["journal"] = journal
        if tail:
            fields["note"] = "; ".join(filter(None, [fields.get("note"), tail]))
    else:
        entry_type = "misc"
        title, remainder = _split_sentence(rest)
        if remainder:
            fields["howpublished"] = re.sub(r"\s+", " ", remainder).strip(" .")
        warnings.append(f"{where}: no 'year;volume:pages' source found; the text after the title is kept verbatim")
    if title:
        fields["title"] = title.strip().rstrip(".")
    else:
        warnings.append(f"{where}: no title recognised")

    entry = Entry(entry_type, fields=fields)
    for p in persons:
        entry.add_person(p if isinstance(p, Person) else Person(p), role)
    return entry


def _split_authors(text: str):
    """Leading "Surname AB, Surname C, et al." -> ([Person], role, rest)."""
    from pybtex.database import Person

    persons = []
    pos = 0
    role = "author"
    while True:
        m = _AUTHOR.match(text, pos)
        if not m:
            break
        given = m.group("given")
        initials = [c for c in given if c.isupper()]
        persons.append(Person(last=m.group("family"), first=" ".join(f"{c}." for c in initials)))
        pos = m.end()
        if text.startswith(",", pos):
            pos += 1
            while text.startswith(" ", pos):
                pos += 1
            etal = _ET_AL.match(text, pos)
            if etal and re.match(r"et\s+al", text[pos:], re.IGNORECASE):
                persons.append(Person("others"))
                if re.search(r"eds?\.?$", etal.group(0)):
                    role = "editor"
                pos = etal.end()
                break
            continue
        break
    if not persons:
        return [], role, text
    rest = text[pos:]
    rest = re.sub(r"^\.+", "", rest).strip()
    return persons, role, rest


def _split_sentence(text: str) -> tuple[str, str]:
    """First sentence (ending in '.', '?' or '!' before a space) and the rest."""
    m = re.search(r"(?<=[^\s.][.?!])\s+(?=[A-Z0-9(\[])", text)
    if not m:
        return text.strip(), ""
    return text[: m.start()].strip(), text[m.end() :].strip()


def _split_title_journal(head: str) -> tuple[str, str]:
    title, journal = _split_sentence(head)
    if not journal:
        return title.rstrip("."), ""
    # A title keeps its own '?'/'!'; a plain period closing it is dropped.
    title = title[:-1] if title.endswith(".") else title
    return title, journal.strip().rstrip(".").strip()
