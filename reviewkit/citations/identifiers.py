"""Kept so that ``from reviewkit.citations.identifiers import …`` and ``from .identifiers import …`` go on
working: the identifier rules live in :mod:`reviewkit.identifiers`, shared by citations, trials and report."""

from ..identifiers import (
    KINDS,
    NCT_RE,
    NORMALIZERS,
    canonical,
    doi_url,
    identifiers_of,
    nct_url,
    normalize_doi,
    normalize_nct,
    normalize_pmcid,
    normalize_pmid,
    pmc_url,
    pubmed_url,
)

__all__ = [
    "KINDS",
    "NCT_RE",
    "NORMALIZERS",
    "canonical",
    "doi_url",
    "identifiers_of",
    "nct_url",
    "normalize_doi",
    "normalize_nct",
    "normalize_pmcid",
    "normalize_pmid",
    "pmc_url",
    "pubmed_url",
]
