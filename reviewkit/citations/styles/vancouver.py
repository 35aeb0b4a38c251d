"""Vancouver (NLM/ICMJE, as printed by medical journals) — a pybtex formatting style.

    Kasper B, Achee A, Schuster K, et al. Unmet medical needs … Cancers (Basel). 2021;13(4):886. doi:10.3390/cancers13040886

Rules:
- authors as "Family Initials"; up to six listed; more than six -> the first
  three and "et al."; a source list that itself ended in "et al." keeps it;
- journal titles in NLM form: abbreviations without periods
  ("J. Surg. Oncol." -> "J Surg Oncol");
- "Year;Volume(Issue):Pages"; the DOI as ``doi:…`` linked to doi.org; PMID and
  ClinicalTrials.gov identifiers linked to PubMed and ClinicalTrials.gov;
- only validated identifiers become links; every field is rendered as literal
  text (the HTML backend escapes it).

Registered as the pybtex plugin ``vancouver`` (entry point group
``pybtex.style.formatting``), so ``pybtex -s vancouver`` and
``find_plugin("pybtex.style.formatting", "vancouver")`` find it.
"""

from __future__ import annotations

import re

from pybtex.richtext import HRef, Text
from pybtex.style.formatting import BaseStyle
from pybtex.style.template import node

from ..identifiers import (
    doi_url,
    nct_url,
    normalize_doi,
    normalize_nct,
    normalize_pmcid,
    normalize_pmid,
    pmc_url,
    pubmed_url,
)
from ..keys import is_others

MAX_AUTHORS = 6

# characters that may stand as they are in a URL; everything else (quotes, angle brackets, spaces,
# backslashes …) is percent-encoded, so no backend can be tricked out of an HTML attribute
_URL_SAFE = "/:;,.?#[]@!$&()*+=%~-_"


def href(url: str, text):
    """A link whose URL is percent-encoded where it could break out of an attribute (any backend)."""
    from urllib.parse import quote

    return HRef(quote(url, safe=_URL_SAFE), text)


TRUNCATED_TO = 3


def initials(person) -> str:
    given = person.first_names + person.middle_names
    out = []
    for name in given:
        for part in re.split(r"[-\s]+", name):
            part = part.strip(".")
            if not part:
                continue
            # "N. N. A." parsed as one token "NNA" keeps its letters
            out.append(part if part.isupper() and len(part) <= 4 else part[0].upper())
    return "".join(out)


def format_person(person) -> str:
    family = " ".join(person.prelast_names + person.last_names + person.lineage_names)
    ini = initials(person)
    return f"{family} {ini}".strip()


def format_authors(persons) -> str:
    """Up to six authors; more (or a list the source already cut with "et al.") -> three + et al."""
    named = [p for p in persons if not is_others(p)]
    truncated = len(named) < len(persons)
    if len(named) > MAX_AUTHORS or truncated:
        named, truncated = named[:TRUNCATED_TO], True
    names = ", ".join(format_person(p) for p in named)
    if truncated:
        names = f"{names}, et al" if names else "et al"
    return names


def nlm_journal(journal: str) -> str:
    """Drop the periods of abbreviations, NLM style."""
    s = re.sub(r"\.(?=[\s),]|$)", "", journal)
    return re.sub(r"\s+", " ", s).strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


@node
def vancouver_entry(children, context):
    e = context["entry"]
    f = e.fields
    parts: list = []

    persons = e.persons.get("author") or e.persons.get("editor") or []
    if persons:
        who = format_authors(persons)
        if "author" not in e.persons:
            who += ", editors" if len(persons) > 1 else ", editor"
        parts.append(Text(_sentence(who)))
    elif f.get("organization") or f.get("institution"):
        parts.append(Text(_sentence(f.get("organization") or f.get("institution"))))

    if f.get("title"):
        title = f["title"].strip()
        if e.type in ("online", "misc", "webpage") and f.get("url") and not f.get("nct"):
            title = f"{title.rstrip('.')} [Internet]"
        parts.append(Text(_sentence(title)))

    journal = f.get("journal") or f.get("journaltitle")
    if journal:
        parts.append(Text(_sentence(nlm_journal(journal))))
    for name in ("howpublished", "publisher", "organization_note"):
        if f.get(name) and e.type != "article":
            parts.append(Text(_sentence(f[name])))

    year = f.get("year") or (f.get("date", "")[:4] if f.get("date") else "")
    if journal:
        src = year
        if f.get("volume"):
            src += f";{f['volume']}"
        if f.get("number"):
            src += f"({f['number']})"
        if f.get("pages"):
            src += f":{f['pages']}"
        if src:
            parts.append(Text(_sentence(src)))
    elif year:
        parts.append(Text(_sentence(year)))
    if f.get("note"):
        parts.append(Text(_sentence(f["note"])))

    links = []
    doi = normalize_doi(f.get("doi"))
    if doi:
        links.append(Text("doi:", href(doi_url(doi), Text(doi))))
    pmid = normalize_pmid(f.get("pmid"))
    if pmid:
        links.append(Text("PMID: ", href(pubmed_url(pmid), Text(pmid))))
    pmcid = normalize_pmcid(f.get("pmcid"))
    if pmcid:
        links.append(Text("PMCID: ", href(pmc_url(pmcid), Text(pmcid))))
    nct = normalize_nct(f.get("nct"))
    if nct:
        links.append(Text("ClinicalTrials.gov identifier: ", href(nct_url(nct), Text(nct))))
    url = f.get("url", "")
    if url and re.match(r"^https?://[^\s<>\"']+$", url) and not (doi or nct):
        links.append(Text("Available from: ", href(url, Text(url))))

    out = Text()
    for i, p in enumerate(parts + links):
        out += Text(" ") + p if i else p
    return out


class VancouverStyle(BaseStyle):
    """NLM/ICMJE "Vancouver" references (pybtex plugin name ``vancouver``)."""

    default_sorting_style = "none"
    default_label_style = "number"
    default_name_style = "plain"

    def format_entry(self, label, entry, bib_data=None):
        from pybtex.style import FormattedEntry

        text = vancouver_entry.format_data({"entry": entry, "style": self, "bib_data": bib_data})
        return FormattedEntry(entry.key, text, label)


Style = VancouverStyle


def format_html(entry) -> str:
    """One entry as an HTML fragment (escaped text, validated links only, escaped attributes)."""
    import html

    from pybtex.backends.html import Backend

    class AttributeSafe(Backend):
        @staticmethod
        def format_href(url, text, external=False):
            target = ' target="_blank"' if external else ""
            return f'<a href="{html.escape(url, quote=True)}"{target}>{text}</a>' if text else ""

    text = vancouver_entry.format_data({"entry": entry, "style": None, "bib_data": None})
    return text.render(AttributeSafe())


def format_text(entry) -> str:
    text = vancouver_entry.format_data({"entry": entry, "style": None, "bib_data": None})
    return str(text)
