"""The review's merged bibliography, cached so an unchanged library costs almost nothing.

A build needs three things from the library: which keys exist, which key
carries a DOI/PMID/PMCID/NCT, and the full record of the works actually cited.
:class:`Library` keeps exactly that on disk for a given set of input files
(keyed by their content hashes): one compact JSON string per entry and an
identifier index.  Loading it reads one file; pybtex entries are built only
for the keys that are looked up, so a 20,000-entry library whose files did not
change loads in well under half a second, and only cited entries are
formatted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from ..identifiers import NORMALIZERS

ID_FIELDS = NORMALIZERS  # entry field -> its rule (reviewkit.identifiers)


def identifier_index(entries) -> dict[tuple[str, str], list[str]]:
    """``(field, normalized value in lower case)`` and ``("alias", a source's key)`` -> the keys of the entries
    *entries* (``(key, entry)`` pairs) that carry it, in their order.  More than one key: the identifier names no
    one work (the versions of a PubMed article, each with its DOI, share one PMID), so citing it is an error."""
    index: dict[tuple[str, str], list[str]] = {}
    for key, e in entries:
        found = [(f, v.lower()) for f, norm in ID_FIELDS.items() if (v := norm(e.fields.get(f)))]
        found += [("alias", alias) for alias in e.fields.get("ids", "").split(",") if alias]  # CSL ids …: citable
        for item in found:
            keys = index.setdefault(item, [])
            if key not in keys:
                keys.append(key)
    return index


def encode_entry(entry) -> str:
    persons = {
        r: [[p.first_names, p.middle_names, p.prelast_names, p.last_names, p.lineage_names] for p in ps]
        for r, ps in entry.persons.items()
    }
    return json.dumps([entry.type, dict(entry.fields), persons], ensure_ascii=False, separators=(",", ":"))


def decode_entry(text: str):
    from pybtex.database import Entry, Person

    etype, fields, persons = json.loads(text)
    entry = Entry(etype, fields=fields)
    for role, people in persons.items():
        for first, middle, prelast, last, lineage in people:
            p = Person()
            p.first_names, p.middle_names, p.prelast_names, p.last_names, p.lineage_names = (
                first,
                middle,
                prelast,
                last,
                lineage,
            )
            entry.add_person(p, role)
    return entry


class LazyEntries(Mapping):
    """``{key: Entry}`` whose entries are decoded on first access."""

    def __init__(self, encoded: dict[str, str]):
        self._encoded = encoded
        self._decoded: dict = {}

    def __getitem__(self, key):
        if key not in self._decoded:
            self._decoded[key] = decode_entry(self._encoded[key])
        return self._decoded[key]

    def __contains__(self, key):
        return key in self._encoded or key in self._decoded

    def __iter__(self):
        yield from self._encoded
        yield from (k for k in self._decoded if k not in self._encoded)

    def __len__(self):
        return len(self._encoded) + sum(1 for k in self._decoded if k not in self._encoded)

    def add(self, key, entry):
        self._decoded[key] = entry


class Library:
    """What a build reads of the bibliography (see the module docstring)."""

    def __init__(
        self,
        encoded: dict[str, str],
        id_index: dict[tuple[str, str], list[str]],
        summary: str,
        decisions: list[str],
        warnings: list[str],
    ):
        self.entries = LazyEntries(encoded)
        self.id_index = id_index
        self.summary = summary
        self.decisions = decisions
        self.warnings = warnings

    def add_entry(self, key, entry) -> None:
        self.entries.add(key, entry)

    @classmethod
    def from_merge(cls, result, warnings):
        encoded = {k: encode_entry(e) for k, e in result.bibliography.entries.items()}
        index = identifier_index(result.bibliography.entries.items())
        return cls(encoded, index, result.summary(), list(result.decisions), list(warnings))

    @classmethod
    def load(cls, paths, *, cache: bool = True) -> Library:
        """The merged library of *paths*, from the cache when their contents and the code that reads and
        merges them (every importer, the merge) are unchanged.  The cache file is JSON, never executed."""
        from ..pipeline import code
        from . import cache_dir, load_bibliography

        paths = [Path(p) for p in paths]
        h = hashlib.sha256(f"library|{code.key([__name__])}".encode())
        for p in paths:
            h.update(str(p.resolve()).encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
        cached = cache_dir() / f"library-{h.hexdigest()[:32]}.json"
        if cache and cached.is_file():
            try:
                d = json.loads(cached.read_text(encoding="utf-8"))
                index = {(f, v): keys for f, v, *keys in d["id_index"]}
                return cls(d["entries"], index, d["summary"], d["decisions"], d["warnings"])
            except Exception:  # damaged: rebuilt below
                pass
        warnings: list[str] = []
        lib = cls.from_merge(load_bibliography(paths, warnings=warnings), warnings)
        if cache:
            from ..atomic import write

            body = {
                "entries": lib.entries._encoded,
                "id_index": [[f, v, *keys] for (f, v), keys in lib.id_index.items()],
                "summary": lib.summary,
                "decisions": [str(x) for x in lib.decisions],
                "warnings": [str(w) for w in lib.warnings],
            }
            try:  # parallel kernels may fill the same cache: each writes its own temporary file, then renames
                write(cached, json.dumps(body, ensure_ascii=False))
            except OSError:
                pass
        return lib
