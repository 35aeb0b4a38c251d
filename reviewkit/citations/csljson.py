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
from .keys import is_others
from .identifiers import doi_url


def _date(value) -> tuple[str, str]:
    """(year, month) from a CSL date object; blanks when absent or null."""
    if not isinstance(value, dict):
        return "", ""
    parts = value.get("date-parts") or []
    first = parts[0] if parts and isinstance(parts[0], list) else []
    year = str(first[0]) if len(first) > 0 and first[0] not in (None, "") else ""
    month = str(first[1]) if len(first) > 1 and first[1] not in (None, "") else ""
    if not year and value.get("raw"):
        year = (re.search(r"\d{4}", str(value["raw"])) or [""])[0]
    if not year and value.get("literal"):
        year = (re.search(r"\d{4}", str(value["literal"])) or [""])[0]
    return (year if re.fullmatch(r"-?\d{1,4}", year) else ""), month


def _names(items):
    out = []
    for n in items or []:
        if not isinstance(n, dict):
            continue
        if n.get("literal") and not n.get("family"):
            out.append(R.person(literal=n["literal"]))
        elif n.get("family") or n.get("given"):
            family = " ".join(filter(None, [n.get("non-dropping-particle", ""), n.get("family", "")]))
            out.append(R.person(family or n.get("given", ""), n.get("given", "") if family else ""))
    return out


def _first(value):
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def item_to_entry(item: dict, source: str):
    year, month = _date(item.get("issued") or item.get("published-print") or item.get("published-online"))
    return R.make_entry(
        R.CSL_TO_BIBTEX.get(item.get("type", ""), "misc"),
        authors=_names(item.get("author")), editors=_names(item.get("editor")),
        title=_first(item.get("title")), journal=_first(item.get("container-title")),
        year=year, month=month, volume=item.get("volume", ""), number=item.get("issue", "") or item.get("number", ""),
        pages=item.get("page", ""), doi=item.get("DOI", ""), pmid=item.get("PMID", ""), pmcid=item.get("PMCID", ""),
        url=item.get("URL", ""), abstract=re.sub(r"<[^>]+>", "", item.get("abstract", "") or ""),
        publisher=item.get("publisher", ""), language=item.get("language", ""),
        issn=_first(item.get("ISSN")), source=source,
    )


def parse(text: str, *, name: str = "<string>", skip_invalid: bool = False, skipped: list | None = None):
    from pybtex.database import BibliographyData

    from .keys import assign_keys

    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", source=f"{name}:{exc.lineno}") from None
    items = data if isinstance(data, list) else [data]
    explicit, generated = {}, []
    for i, item in enumerate(items, start=1):
        problem = None
        if not isinstance(item, dict):
            problem = f"item {i} is a {type(item).__name__}, expected an object"
        elif not any(item.get(k) for k in ("title", "DOI", "PMID", "URL", "author")):
            problem = f"item {i} is empty (no title, DOI, PMID, URL or author)"
        if problem:
            if not skip_invalid:
                raise InputError(problem, source=f"{name}#{i}")
            if skipped is not None:
                skipped.append(f"{name}#{i}: {problem}")
            continue
        entry = item_to_entry(item, f"{name.rsplit('/', 1)[-1]}#{i}")
        if item.get("id") and str(item["id"]) not in explicit:
            explicit[str(item["id"])] = entry
        else:
            generated.append(entry)
    entries = dict(explicit)
    entries.update(assign_keys(generated, taken=set(explicit)))
    return BibliographyData(entries=entries)


def loads(text: str, *, name: str = "<string>", **kw):
    return parse(text, name=name, **kw)


def load(path_or_file, *, encoding: str = "utf-8", **kw):
    from . import read_text

    text, name = read_text(path_or_file, encoding)
    return parse(text, name=name, **kw)


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
        months = "jan feb mar apr may jun jul aug sep oct nov dec".split()
        m = f.get("month", "")[:3].lower()
        if m in months:
            parts.append(months.index(m) + 1)
        elif m.isdigit():
            parts.append(int(m))
        item["issued"] = {"date-parts": [parts]}
    mapping = {"journal": "container-title", "booktitle": "container-title", "volume": "volume", "number": "issue",
               "pages": "page", "publisher": "publisher", "abstract": "abstract", "language": "language",
               "doi": "DOI", "pmid": "PMID", "pmcid": "PMCID", "url": "URL", "issn": "ISSN", "note": "note"}
    for src, dst in mapping.items():
        if f.get(src) and dst not in item:
            item[dst] = f[src]
    if "URL" not in item and f.get("doi"):
        item["URL"] = doi_url(f["doi"])
    if f.get("nct"):
        item["number"] = f["nct"]
    return item


def dumps(bib) -> str:
    return json.dumps([entry_to_item(k, e) for k, e in bib.entries.items()], ensure_ascii=False, indent=2) + "\n"
