"""Rules for the identifiers a citation or a trial can carry: DOI, PMID, PMCID, NCT.

Each ``normalize_*`` returns the canonical form or ``None`` when the text is
not a valid identifier of that kind; nothing here guesses a repair.
:data:`NORMALIZERS` maps each kind (also the name of the bibliography field
that holds it) to its rule; every layer (citations, trials, report) uses this
one map.  Standard library only; nothing happens at import.
"""

from __future__ import annotations

import re

# DOI handbook: "10." + registrant code (digits, dot-separated) + "/" + suffix.  reviewkit is stricter
# than the handbook: the suffix has no whitespace, quotes or angle brackets (a DOI goes into links and
# HTML attributes; old SICI DOIs with "<…>" are reported, kept as text, and never linked).
_DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/[^\s\"'<>`\\]+$")
_DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*|urn:doi:)", re.IGNORECASE)
_PMID = re.compile(r"^\d{1,9}$")
_PMCID = re.compile(r"^PMC\d{1,9}$", re.IGNORECASE)
_NCT = re.compile(r"^NCT\d{8}$", re.IGNORECASE)
#: The canonical form of an NCT id as a trial table stores it (upper case, no prefix)
NCT_RE = re.compile(r"^NCT\d{8}$")


def normalize_doi(text: str | None) -> str | None:
    """Bare, lower-case ``10.…`` DOI, or ``None`` if *text* is not a DOI.

    Accepts ``doi:`` prefixes and ``https://doi.org/`` / ``http://dx.doi.org/``
    URLs; strips sentence punctuation that a printed reference list leaves at
    the end.
    """
    if not text:
        return None
    s = text.strip()
    if not s.startswith("10."):  # (a bare DOI has none of the prefixes: no need to look)
        s = _DOI_PREFIXES.sub("", s)
    s = s.rstrip(".,;")
    s = s.lower()
    return s if _DOI.match(s) else None


def normalize_pmid(text) -> str | None:
    if text is None:
        return None
    s = str(text).strip()
    s = re.sub(r"^(?:pmid:\s*)", "", s, flags=re.IGNORECASE)
    return s if _PMID.match(s) and int(s) > 0 else None


def normalize_pmcid(text) -> str | None:
    if not text:
        return None
    s = re.sub(r"^(?:pmcid:\s*)", "", str(text).strip(), flags=re.IGNORECASE)
    return s.upper() if _PMCID.match(s) else None


def normalize_nct(text) -> str | None:
    if not text:
        return None
    s = re.sub(r"^(?:nct:\s*)(?=NCT)", "", str(text).strip(), flags=re.IGNORECASE)
    return s.upper() if _NCT.match(s) else None


#: kind (= entry field) -> its rule, in the order identifiers are listed and compared
NORMALIZERS = {"doi": normalize_doi, "pmid": normalize_pmid, "pmcid": normalize_pmcid, "nct": normalize_nct}
KINDS = tuple(NORMALIZERS)


def canonical(identifier: str) -> str | None:
    """``"PMID: 123"``-style text or ``"doi:10.X/Y"`` -> ``"doi:10.x/y"``; None if not an identifier."""
    kind, _, value = identifier.partition(":")
    norm = NORMALIZERS.get(kind.strip().lower())
    v = norm(value) if norm else None
    return f"{kind.strip().lower()}:{v}" if v else None


def identifiers_of(fields) -> dict[str, str]:
    """The valid identifiers among *fields* (an entry's fields: ``doi``, ``pmid``, ``pmcid``, ``nct``), canonical."""
    out = {}
    for kind, norm in NORMALIZERS.items():
        value = norm(fields.get(kind))
        if value:
            out[kind] = value
    return out


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def pmc_url(pmcid: str) -> str:
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/"


def nct_url(nct: str) -> str:
    return f"https://clinicaltrials.gov/study/{nct}"
