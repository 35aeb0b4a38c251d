"""CSL-JSON: a single item or an array (Crossref, DataCite, PubMed, Zotero, manubot…).

Date parts may be numbers or strings, empty, ``[[null]]`` or have extra
parts; an empty item (``{}``) is reported, not imported.  The writer emits
``id``, ``type``, ``title``, ``author`` (family/given or literal), ``issued``,
``container-title``, ``DOI`` (bare, lower case), ``PMID``, ``PMCID``, ``URL``
and the other fields it knows.
"""

from __future__ import annotations

import json
import re

from ..errors import InputError
from . import record as R
from .identifiers import doi_url
from .keys import is_others


def _date(value) -> tuple[str, str]:
    """(year, month) from a CSL date object; blanks when absent or null."""
    if not isinstance(value, dict):
        return "", ""
    parts = value.get("date-parts")
    parts = parts if isinstance(parts, list) else []
    first = parts[0] if parts and isinstance(parts[0], list) else []
    year = str(first[0]) if len(first) > 0 and first[0] not in (None, "") else ""
    month = str(first[1]) if len(first) > 1 and first[1] not in (None, "") else ""
    if not year and value.get("raw"):
        year = (re.search(r"\d{4}", str(value["raw"])) or [""])[0]
    if not year and value.get("literal"):
        year = (re.search(r"\d{4}", str(value["literal"])) or [""])[0]
    return (year if re.fullmatch(r"-?\d{1,4}", year) else ""), (month if re.fullmatch(r"\d{1,2}", month) else "")


def _s(value) -> str:
    """A CSL field as text: strings and numbers as they are, the first of a list, anything else empty."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, bool) or value is None:
        return ""
    return str(value) if isinstance(value, (str, int, float)) else ""


def _names(items):
    out = []
    for n in items if isinstance(items, list) else []:
        if not isinstance(n, dict):
            continue
        family, given, literal = _s(n.get("family")), _s(n.get("given")), _s(n.get("literal"))
        if literal and not family:
            out.append(R.person(literal=literal))
        elif family or given:
            family = " ".join(filter(None, [_s(n.get("non-dropping-particle")), family]))
            out.append(R.person(family or given, given if family else ""))
    return out


_ALIAS = re.compile(r"[^\s,{}]+")


def item_to_entry(item: dict, source: str):
    year, month = _date(item.get("issued") or item.get("published-print") or item.get("published-online"))
    alias = _s(item.get("id"))
    return R.make_entry(
        R.CSL_TO_BIBTEX.get(_s(item.get("type")), "misc"),
        authors=_names(item.get("author")),
        editors=_names(item.get("editor")),
        title=_s(item.get("title")),
        journal=_s(item.get("container-title")),
        year=year,
        month=month,
        volume=_s(item.get("volume")),
        number=_s(item.get("issue")) or _s(item.get("number")),
        pages=_s(item.get("page")),
        doi=_s(item.get("DOI")),
        pmid=_s(item.get("PMID")),
        pmcid=_s(item.get("PMCID")),
        url=_s(item.get("URL")),
        abstract=re.sub(r"<[^>]+>", "", _s(item.get("abstract"))),
        publisher=_s(item.get("publisher")),
        language=_s(item.get("language")),
        issn=_s(item.get("ISSN")),
        source=source,
        extra={"ids": alias} if alias and _ALIAS.fullmatch(alias) else None,
    )


def _stream(text: str, name: str, skip_invalid: bool, out: R.Reading):
    """``(None, entry, None)`` per item.  CSL ids ("12IWnziJW") are often machine-made: every item gets a
    readable key, and its id stays citable as an alias (the ``ids`` field, as biblatex spells aliases)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", source=f"{name}:{exc.lineno}") from None
    except RecursionError:
        raise InputError(
            "JSON nested too deeply to be CSL-JSON (expected an item or an array of items)", source=name
        ) from None
    items = data if isinstance(data, list) else [data]
    base = name.rsplit("/", 1)[-1]
    for i, item in enumerate(items, start=1):
        problem = None
        if not isinstance(item, dict):
            problem = f"item {i} is a {type(item).__name__}, expected an object"
        elif not any(item.get(k) for k in ("title", "DOI", "PMID", "URL", "author")):
            problem = f"item {i} is empty (no title, DOI, PMID, URL or author)"
        if problem:
            if not skip_invalid:
                raise InputError(problem, source=f"{name}#{i}")
            out.skipped.append(f"{name}#{i}: {problem}")
            continue
        yield None, item_to_entry(item, f"{base}#{i}"), None


# parse(text) and read(path) -> ParseResult, loads(text) and load(path) -> BibliographyData, records_of(path) ->
# Reading (records as they are read), as every text importer has them
parse, read, loads, load, records_of = R.text_importer(_stream)


def entry_to_item(key: str, e) -> dict:
    f = e.fields
    item: dict = {"id": key, "type": R.BIBTEX_TO_CSL.get(e.type, "document")}
    if f.get("title"):
        item["title"] = f["title"]
    for role in ("author", "editor"):
        names = []
        for p in e.persons.get(role, []):
            if is_others(p):
                continue
            family = " ".join(p.prelast_names + p.last_names)
            given = " ".join(p.first_names + p.middle_names)
            names.append({"family": family, "given": given} if given else {"literal": family})
        if names:
            item[role] = names
    if f.get("year") and re.fullmatch(r"\d{4}", f["year"]):
        parts = [int(f["year"])]
        months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        m = f.get("month", "")[:3].lower()
        if m in months:
            parts.append(months.index(m) + 1)
        elif m.isdigit():
            parts.append(int(m))
        item["issued"] = {"date-parts": [parts]}
    mapping = {
        "journal": "container-title",
        "booktitle": "container-title",
        "volume": "volume",
        "number": "issue",
        "pages": "page",
        "publisher": "publisher",
        "abstract": "abstract",
        "language": "language",
        "doi": "DOI",
        "pmid": "PMID",
        "pmcid": "PMCID",
        "url": "URL",
        "issn": "ISSN",
        "note": "note",
    }
    for src, dst in mapping.items():
        if f.get(src) and dst not in item:
            item[dst] = f[src]
    if "URL" not in item and f.get("doi"):
        item["URL"] = doi_url(f["doi"])
    if f.get("nct"):
        item["number"] = f["nct"]
    return item


def dump(bib, file) -> None:
    """Write a CSL-JSON array, one item at a time (the same text as :func:`dumps`)."""
    file.write("[")
    for i, (k, e) in enumerate(bib.entries.items()):
        item = json.dumps(entry_to_item(k, e), ensure_ascii=False, indent=2)
        file.write(("," if i else "") + "\n  " + item.replace("\n", "\n  "))
    file.write("\n]\n" if bib.entries else "]\n")


def dumps(bib) -> str:
    return json.dumps([entry_to_item(k, e) for k, e in bib.entries.items()], ensure_ascii=False, indent=2) + "\n"
