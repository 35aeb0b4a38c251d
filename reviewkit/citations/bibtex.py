"""BibTeX / biblatex files, read with pybtex.

Fields are decoded from LaTeX to plain Unicode once, here (see
:mod:`reviewkit.citations.latex`), and DOIs are normalized, so every importer
yields the same kind of record.
"""

from __future__ import annotations

import re

from ..errors import InputError
from .identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from .keys import is_others, name_text
from .latex import escape, needs_escape, to_text
from .record import ParseResult, Reading, bibliography, entries_of, lines, new_entry

_VERBATIM = {"url", "doi", "eprint", "file", "pmid", "pmcid", "nct", "urldate"}


_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^\s,{}()=\"#%'~\\]+)\s*,")


def entry_lines(text: str) -> dict[str, int]:
    """``{key: line}`` of each entry's ``@type{key,`` (the first, when a key repeats)."""
    out: dict[str, int] = {}
    line, pos = 1, 0
    for m in _ENTRY_START.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if m.group(1).lower() not in ("string", "preamble", "comment"):
            out.setdefault(m.group(2), line)
    return out


def _parser(name: str, lines: dict, warnings: list):
    from pybtex.database.input.bibtex import DuplicateField, Parser

    class TolerantParser(Parser):
        """pybtex, strict, except that a repeated field keeps the first value with a warning (as BibTeX does)."""

        def handle_error(self, error):
            if isinstance(error, DuplicateField):
                key = error.args[0] if error.args else ""
                m = re.search(r"entry with key (.*) has a duplicate (\S+) field", str(error))
                key, field = (m.group(1), m.group(2)) if m else (key, "?")
                where = f"{name}:{lines[key]}" if key in lines else name
                warnings.append(
                    f"{where}: entry {key!r} repeats the field {field!r}; the first value is kept (as BibTeX does)"
                )
                return
            raise error

    return TolerantParser()


def _decoded(p):
    """A copy of pybtex's Person with every name part decoded from LaTeX (built directly: no re-parsing)."""
    from pybtex.database import Person

    if is_others(p):
        return Person("others")
    out = Person.__new__(Person)
    out.first_names = [x for x in (to_text(n) for n in p.first_names) if x]
    out.middle_names = [x for x in (to_text(n) for n in p.middle_names) if x]
    out.prelast_names = [x for x in (to_text(n) for n in p.prelast_names) if x]
    out.last_names = [x for x in (to_text(n) for n in p.last_names) if x]
    out.lineage_names = [x for x in (to_text(n) for n in p.lineage_names) if x]
    return out


def read(path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False) -> ParseResult:
    from . import read_text

    text, name = read_text(path_or_file, encoding)
    return parse(text, name=name)


def records_of(path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False) -> Reading:
    """The :class:`Reading` of a file: ``(key, entry, line of its @type{key,)`` per entry."""
    from . import read_text

    text, name = read_text(path_or_file, encoding)
    entries, where, warnings = _parse(text, name)
    r = Reading()
    r.records = ((key, e, where.get(key)) for key, e in entries.items())
    r.warnings = warnings
    return r


def load(path_or_file, *, encoding: str = "utf-8"):
    return read(path_or_file, encoding=encoding).bibliography


def loads(text: str, *, name: str = "<string>"):
    return parse(text, name=name).bibliography


def parse(text: str, *, name: str = "<string>", skip_invalid: bool = False) -> ParseResult:
    entries, _, warnings = _parse(text, name)
    return ParseResult(bibliography(entries), warnings, [])


def _parse(text: str, name: str):
    """({key: entry}, {key: line}, warnings) of a BibTeX text."""
    from pybtex.database import BibliographyDataError
    from pybtex.exceptions import PybtexError
    from pybtex.scanner import PybtexSyntaxError, TokenRequired

    text = lines(text)
    where = entry_lines(text)
    warnings: list[str] = []
    parser = _parser(name, where, warnings)
    try:
        data = parser.parse_string(text)
    except (PybtexSyntaxError, TokenRequired) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"BibTeX syntax error: {exc}", source=f"{name}:{line}" if line else name) from None
    except BibliographyDataError as exc:
        m = re.search(r"repeated bibliography entry: (.*)", str(exc))
        if m:
            key = m.group(1).strip()
            starts = [
                text.count("\n", 0, e.start()) + 1
                for e in _ENTRY_START.finditer(text)
                if e.group(2).lower() == key.lower()
            ]
            at = " and ".join(f"line {n}" for n in starts[:2])
            raise InputError(
                f"the key {key!r} is used by two entries ({at}); each key must name one work",
                source=f"{name}:{starts[-1]}" if starts else name,
            ) from None
        raise InputError(f"BibTeX error: {exc}", source=name) from None
    except (PybtexError, RecursionError, ValueError) as exc:
        raise InputError(f"BibTeX error: {exc}", source=name) from None

    out = {}
    for key, e in data.entries.items():
        fields = {}
        for f, v in e.fields.items():
            lf = f.lower()
            v = str(v)
            fields[lf] = v.strip() if lf in _VERBATIM else to_text(v)
        if "doi" in fields:
            doi = normalize_doi(fields["doi"])
            if doi:
                fields["doi"] = doi
            else:
                at = f"{name}:{where[key]}" if key in where else name
                warnings.append(
                    f"{at}: entry {key!r}: doi {fields['doi'][:80]!r} is not a DOI (expected "
                    "10.<registrant>/<suffix>); kept in the note, never used as a link"
                )
                bad = fields.pop("doi")
                fields["note"] = "; ".join(filter(None, [fields.get("note", ""), f"DOI as given: {bad}"]))
        for f, norm in (("pmid", normalize_pmid), ("pmcid", normalize_pmcid)):
            if f in fields and (value := norm(fields[f])):
                fields[f] = value
        persons = {role: [_decoded(p) for p in people] for role, people in e.persons.items()}
        out[key] = new_entry(e.type, fields, persons)
    _inherit_crossrefs(out, name, where, warnings)
    for entry in out.values():  # biblatex spellings -> the fields the styles read
        f = entry.fields
        if "year" not in f and f.get("date", "")[:4].isdigit():
            f["year"] = f["date"][:4]
        if "journal" not in f and f.get("journaltitle"):
            f["journal"] = f["journaltitle"]
    return out, where, warnings


def _inherit_crossrefs(entries: dict, name: str, where: dict, warnings: list) -> None:
    """BibTeX ``crossref``: a child takes the fields it lacks from its parent (title -> booktitle)."""
    lower = {k.lower(): k for k in entries}
    for key, child in entries.items():
        ref = child.fields.get("crossref")
        if not ref:
            continue
        parent = entries.get(lower.get(ref.lower(), ""))
        if parent is None:
            at = f"{name}:{where[key]}" if key in where else name
            warnings.append(f"{at}: entry {key!r}: crossref {ref!r} names no entry in this file; nothing inherited")
            continue
        for f, v in parent.fields.items():
            if f == "title":
                child.fields.setdefault("booktitle", v)
            elif f not in ("crossref", "source"):
                child.fields.setdefault(f, v)
        if "editor" not in child.persons:
            for p in parent.persons.get("editor", []):
                child.add_person(p, "editor")


_ROLE_LINE = "  {} = {{{}}},".format  # "  author = {…}," (a field's line has the same shape)


def dump(bib, file) -> None:
    """Write BibTeX for plain-text entries (escaping LaTeX specials), a few hundred entries per write."""
    chunk: list[str] = []
    for i, (key, e) in enumerate(entries_of(bib)):
        persons, fields = e.persons, e.fields
        names = [" and ".join(map(name_text, people)) for people in persons.values()]
        if not needs_escape("\n".join([*names, *fields.values()])):  # nothing anywhere to escape (most entries)
            text = "\n".join(
                [
                    f"@{e.type}{{{key},",
                    *map(_ROLE_LINE, persons.keys(), names),
                    *map(_ROLE_LINE, fields.keys(), fields.values()),
                    "}\n",
                ]
            )
        else:
            lines = [f"@{e.type}{{{key},"]
            for role, text in zip(persons.keys(), names):
                # escaped as one text: " and " has nothing to escape, and escaping works character by character
                lines.append(f"  {role} = {{{escape(text)}}},")
            plain = not needs_escape("\n".join(v for f, v in fields.items() if f not in _VERBATIM))
            for f, v in fields.items():
                value = v if plain or f in _VERBATIM else escape(v)
                lines.append(f"  {f} = {{{value}}},")
            lines.append("}\n")
            text = "\n".join(lines)
        chunk.append("\n" + text if i else text)
        if len(chunk) >= 256:
            file.write("".join(chunk))
            chunk.clear()
    if chunk:
        file.write("".join(chunk))


def dumps(bib) -> str:
    """BibTeX text for plain-text entries (escaping LaTeX specials)."""
    import io

    out = io.StringIO()
    dump(bib, out)
    return out.getvalue()
