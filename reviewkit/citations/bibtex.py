"""BibTeX / biblatex files, read with pybtex.

Fields are decoded from LaTeX to plain Unicode once, here (see
:mod:`reviewkit.citations.latex`), and DOIs are normalized, so every importer
yields the same kind of record.
"""

from __future__ import annotations

from ..errors import InputError
from .identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from .keys import is_others
from .latex import escape, to_text

_VERBATIM = {"url", "doi", "eprint", "file", "pmid", "pmcid", "nct", "urldate"}


def load(path_or_file, *, encoding: str = "utf-8"):
    from . import read_text

    text, name = read_text(path_or_file, encoding)
    return loads(text, name=name)


def loads(text: str, *, name: str = "<string>"):
    from pybtex.database import BibliographyData, Entry, Person
    from pybtex.database.input.bibtex import Parser
    from pybtex.scanner import PybtexSyntaxError, TokenRequired

    parser = Parser()  # pybtex is strict by default: problems raise, never print-and-continue
    try:
        data = parser.parse_string(text.lstrip("\ufeff"))
    except (PybtexSyntaxError, TokenRequired) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"BibTeX syntax error: {exc}", source=f"{name}:{line}" if line else name) from None
    except Exception as exc:  # pybtex raises PybtexError subclasses for duplicates etc.
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
                raise InputError(f"entry {key!r}: doi {fields['doi']!r} is not a valid DOI", source=name)
        for f, norm in (("pmid", normalize_pmid), ("pmcid", normalize_pmcid)):
            if f in fields and norm(fields[f]):
                fields[f] = norm(fields[f])
        entry = Entry(e.type.lower(), fields=fields)
        for role, persons in e.persons.items():
            for p in persons:
                if is_others(p):
                    entry.add_person(Person("others"), role)
                    continue
                entry.add_person(
                    Person(
                        first=to_text(" ".join(p.first_names)),
                        middle=to_text(" ".join(p.middle_names)),
                        prelast=to_text(" ".join(p.prelast_names)),
                        last=to_text(" ".join(p.last_names)),
                        lineage=to_text(" ".join(p.lineage_names)),
                    ),
                    role,
                )
        out[key] = entry
    _inherit_crossrefs(out, name)
    for entry in out.values():  # biblatex spellings -> the fields the styles read
        f = entry.fields
        if "year" not in f and f.get("date", "")[:4].isdigit():
            f["year"] = f["date"][:4]
        if "journal" not in f and f.get("journaltitle"):
            f["journal"] = f["journaltitle"]
    return BibliographyData(entries=out)


def _inherit_crossrefs(entries: dict, name: str) -> None:
    """BibTeX ``crossref``: a child takes the fields it lacks from its parent (title -> booktitle)."""
    lower = {k.lower(): k for k in entries}
    for key, child in entries.items():
        ref = child.fields.get("crossref")
        if not ref:
            continue
        parent = entries.get(lower.get(ref.lower(), ""))
        if parent is None:
            raise InputError(f"entry {key!r}: crossref {ref!r} names no entry in this file", source=name)
        for f, v in parent.fields.items():
            if f == "title":
                child.fields.setdefault("booktitle", v)
            elif f not in ("crossref", "source"):
                child.fields.setdefault(f, v)
        if "editor" not in child.persons:
            for p in parent.persons.get("editor", []):
                child.add_person(p, "editor")


def dumps(bib) -> str:
    """BibTeX text for plain-text entries (escaping LaTeX specials)."""
    lines = []
    for key, e in bib.entries.items():
        lines.append(f"@{e.type}{{{key},")
        for role, persons in e.persons.items():
            lines.append(f"  {role} = {{{' and '.join(escape(str(p)) for p in persons)}}},")
        for f, v in e.fields.items():
            value = v if f in _VERBATIM else escape(v)
            lines.append(f"  {f} = {{{value}}},")
        lines.append("}\n")
    return "\n".join(lines)
