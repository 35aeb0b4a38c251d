"""Cite by identifier: the lock file and the online resolvers that fill it.

Notebooks may cite ``[@pmid:…]``, ``[@pmcid:…]``, ``[@doi:…]`` or
``[@nct:NCT…]`` without a bibliography entry.  Builds read only the lock file
(``references/citation-lock.json``): one resolved CSL-JSON record per
identifier with when and from where it was resolved, so a build never needs
the network.  ``reviewkit cite refresh`` fills the missing identifiers online:

- PMID: NCBI E-utilities ``efetch`` (MEDLINE text, parsed by :mod:`.medline`),
  at most 3 requests/s, or 10/s with an API key (``NCBI_API_KEY``);
- PMCID: NCBI's PMC ID converter to a PMID, then as above;
- DOI: DOI content negotiation (``Accept: application/vnd.citationstyles.csl+json``);
- NCT: the ClinicalTrials.gov API v2 ``/studies/{nct}``.

Every request goes through :class:`reviewkit.http.Client`: a timeout, and
retries with exponential backoff on 429, 5xx and connection errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import CitationError, InputError
from ..http import RateLimiter as RateLimiter  # re-exported (it lived here)
from ..identifiers import canonical as canonical  # re-exported (it lived here)
from ..identifiers import normalize_doi, normalize_pmid
from ..layout import LOCK_NAME as LOCK_NAME  # re-exported (it lived here)

# -- the lock file -----------------------------------------------------------


@dataclass
class Lock:
    path: Path
    entries: dict = field(default_factory=dict)

    @classmethod
    def read(cls, path) -> Lock:
        path = Path(path)
        if not path.is_file():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", source=f"{path}:{exc.lineno}") from None
        if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
            raise InputError('expected {"version": 1, "entries": {identifier: record}}', source=str(path))
        return cls(path, data["entries"])

    def write(self) -> None:
        from ..atomic import write as atomic_write

        body = {"version": 1, "entries": dict(sorted(self.entries.items()))}
        atomic_write(self.path, json.dumps(body, ensure_ascii=False, indent=2) + "\n")

    def entry(self, identifier: str):
        """The pybtex Entry for a locked identifier, or None."""
        from .csljson import item_to_entry

        rec = self.entries.get(identifier)
        if not rec:
            return None
        return item_to_entry(
            rec["csl"], f"{self.path.name}: {identifier}, resolved {rec['resolved']} from {rec['from']}"
        )


# -- HTTP ----------------------------------------------------------------------


@dataclass
class Endpoints:
    eutils: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    idconv: str = "https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0/"
    doi: str = "https://doi.org"
    ctgov: str = "https://clinicaltrials.gov/api/v2"


class Resolver:
    """Resolves identifiers online into CSL-JSON items."""

    def __init__(
        self,
        endpoints: Endpoints | None = None,
        *,
        api_key: str | None = None,
        timeout: float = 20,
        retries: int = 4,
        backoff: float = 0.5,
        email: str | None = None,
    ):
        import os

        from ..http import Client

        self.ep = endpoints or Endpoints()
        self.api_key = api_key if api_key is not None else os.environ.get("NCBI_API_KEY")
        self.email = email or os.environ.get("NCBI_EMAIL")
        self.timeout = timeout
        self.http = Client(timeout=timeout, retries=retries, backoff=backoff, error=CitationError)
        self.ncbi_rate = RateLimiter(10 if self.api_key else 3)

    def _get(self, url, *, params=None, headers=None, what=""):
        return self.http.get(
            url, params=params, headers=headers, what=what, not_found="says the identifier does not exist"
        )

    def _ncbi_params(self, **params):
        if self.api_key:
            params["api_key"] = self.api_key
        if self.email:
            params["email"] = self.email
        params["tool"] = "reviewkit"
        return params

    def pmid(self, pmid: str) -> tuple[dict, str]:
        from .csljson import entry_to_item
        from .medline import loads

        self.ncbi_rate.wait()
        url = f"{self.ep.eutils}/efetch.fcgi"
        r = self._get(
            url, params=self._ncbi_params(db="pubmed", id=pmid, rettype="medline", retmode="text"), what=f"pmid:{pmid}"
        )
        bib = loads(r.text, name=f"efetch pmid {pmid}")
        for e in bib.entries.values():
            if e.fields.get("pmid") == pmid:
                return entry_to_item(f"pmid:{pmid}", e), r.url
        raise CitationError(f"PubMed returned no record for PMID {pmid}", source=f"pmid:{pmid}")

    def pmcid(self, pmcid: str) -> tuple[dict, str]:
        self.ncbi_rate.wait()
        r = self._get(self.ep.idconv, params=self._ncbi_params(ids=pmcid, format="json"), what=f"pmcid:{pmcid}")
        records = r.json().get("records", [])
        pmid = normalize_pmid(records[0].get("pmid")) if records else None
        if not pmid:
            raise CitationError(f"the PMC ID converter knows no PMID for {pmcid}", source=f"pmcid:{pmcid}")
        item, _ = self.pmid(pmid)
        item["id"] = f"pmcid:{pmcid}"
        item["PMCID"] = pmcid
        return item, r.url

    def doi(self, doi: str) -> tuple[dict, str]:
        url = f"{self.ep.doi}/{doi}"
        r = self._get(url, headers={"Accept": "application/vnd.citationstyles.csl+json"}, what=f"doi:{doi}")
        data = r.json()
        item = data[0] if isinstance(data, list) and data else data
        if not isinstance(item, dict) or not item:
            raise CitationError(f"{url} returned no CSL-JSON record", source=f"doi:{doi}")
        item = dict(item, id=f"doi:{doi}")
        item["DOI"] = normalize_doi(item.get("DOI")) or doi
        return _slim(item), url

    def nct(self, nct: str) -> tuple[dict, str]:
        url = f"{self.ep.ctgov}/studies/{nct}"
        r = self._get(url, params={"format": "json"}, what=f"nct:{nct}")
        study = r.json()
        ps = study.get("protocolSection", {})
        ident = ps.get("identificationModule", {})
        found = ident.get("nctId")
        if found != nct:
            raise CitationError(f"{url} returned the record of {found}, not {nct}", source=f"nct:{nct}")
        status = ps.get("statusModule", {})
        first = (status.get("studyFirstPostDateStruct") or {}).get("date", "")
        item = {
            "id": f"nct:{nct}",
            "type": "webpage",
            "title": ident.get("briefTitle") or ident.get("officialTitle", ""),
            "author": [{"literal": (ident.get("organization") or {}).get("fullName", "")}]
            if ident.get("organization")
            else [],
            "container-title": "ClinicalTrials.gov",
            "number": nct,
            "URL": f"https://clinicaltrials.gov/study/{nct}",
        }
        if first[:4].isdigit():
            item["issued"] = {"date-parts": [[int(first[:4])]]}
        return item, url

    def resolve(self, identifier: str) -> tuple[dict, str]:
        kind, _, value = identifier.partition(":")
        return getattr(self, kind)(value)


def _slim(item: dict) -> dict:
    """Drop Crossref's bulky bookkeeping (reference lists, licences, indexes) from a CSL item."""
    drop = {
        "reference",
        "license",
        "indexed",
        "deposited",
        "content-domain",
        "link",
        "funder",
        "relation",
        "assertion",
        "created",
        "references-count",
        "reference-count",
        "is-referenced-by-count",
        "score",
        "source",
        "prefix",
        "member",
        "update-policy",
        "original-title",
        "short-container-title",
    }
    return {k: v for k, v in item.items() if k not in drop}


def refresh(identifiers, lock: Lock, resolver: Resolver, *, log=print) -> dict:
    """Resolve the identifiers missing from *lock*; returns {identifier: error} for failures."""
    failures = {}
    for ident in sorted(set(identifiers)):
        if ident in lock.entries:
            continue
        try:
            item, source = resolver.resolve(ident)
        except CitationError as exc:
            failures[ident] = exc.message
            log(f"could not resolve {ident}: {exc.message}")
            continue
        lock.entries[ident] = {
            "resolved": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "from": source,
            "csl": item,
        }
        log(f"resolved {ident}")
    return failures
