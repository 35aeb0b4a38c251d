"""Merge citation records from several files into one record per work.

Two records are the same work when they share a normalized DOI, PMID or
PMCID, or else the same normalized title, year and first-author surname.  A
pasted reference list sometimes runs the journal into the title
("… (SPAEN) Cancers (Basel)"); such a title matches when the shorter title is
a prefix of the longer one (of at least three words), the longer adds at most
four words, and year and first author agree.  Every lookup is a dictionary
probe (the prefix rule looks only at records sharing surname, year and the
first three title words), so merging is linear in the number of records.

Within a merged group each field keeps its richer value (the longer text; a
tie goes to the alphabetically first, so the result does not depend on input
order), and the author list with more named authors; the title comes from a
record that kept title and journal apart, when there is one.  Keys given explicitly
(BibTeX/CSL ids) are kept; generated keys are recomputed after merging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .keys import ascii_fold, assign_keys, first_family, is_others

_ID_FIELDS = ("doi", "pmid", "pmcid", "nct")
PREFIX_WORDS = 3  # a title must have at least this many words to match another by prefix


def norm_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", ascii_fold(title).lower()).strip()


def _family_key(entry) -> str:
    return re.sub(r"[^a-z]", "", ascii_fold(first_family(entry)).lower())


@dataclass
class Record:
    """One input record: the entry, its key if the source gave one, where it came from."""

    entry: object
    key: str | None = None
    origin: str = ""


@dataclass
class MergeResult:
    bibliography: object
    decisions: list[str] = field(default_factory=list)
    read: int = 0

    @property
    def written(self) -> int:
        return len(self.bibliography.entries)

    @property
    def merged(self) -> int:
        return self.read - self.written

    def summary(self) -> str:
        return f"read {self.read} records, merged {self.merged} duplicates, wrote {self.written}"


class _Group:
    __slots__ = ("records", "title")

    def __init__(self, record, title: str):
        self.records = [record]
        self.title = title  # normalized title of the first record


def merge(records) -> MergeResult:
    """Merge an iterable of :class:`Record` into one ``BibliographyData``.

    The cyclic garbage collector is paused while the (acyclic) index is
    built: with 100,000 records its repeated full passes cost a third of the time.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _merge(records)
    finally:
        if enabled:
            gc.enable()


def _merge(records) -> MergeResult:
    from pybtex.database import BibliographyData

    groups: list[_Group] = []
    by_id: dict[tuple[str, str], _Group] = {}
    by_title: dict[tuple[str, str, str], _Group] = {}
    by_prefix: dict[tuple[str, str, str], list[_Group]] = {}  # (surname, year, first 3 title words)
    decisions: list[str] = []
    read = 0

    def facts(entry):
        """What matching needs of a record, computed once: (ids, title, surname, year)."""
        f = entry.fields
        ids = [(name, f[name].lower()) for name in _ID_FIELDS if f.get(name)]
        return ids, norm_title(f.get("title", "")), _family_key(entry), f.get("year", "")

    def index(group, facts_):
        ids, t, fam, year = facts_
        for key in ids:
            by_id.setdefault(key, group)
        if t:
            by_title.setdefault((t, year, fam), group)
            words = t.split()
            if len(words) >= PREFIX_WORDS:
                bucket = by_prefix.setdefault((fam, year, " ".join(words[:PREFIX_WORDS])), [])
                if group not in bucket:
                    bucket.append(group)

    def find(facts_):
        ids, t, fam, year = facts_
        for key in ids:
            if key in by_id:
                return by_id[key], f"same {key[0].upper()} {key[1]}"
        if not t:
            return None, ""
        g = by_title.get((t, year, fam))
        if g:
            return g, "same title, year and first author"
        words = t.split()
        for g in by_prefix.get((fam, year, " ".join(words[:PREFIX_WORDS])), []) if len(words) >= PREFIX_WORDS else []:
            other = g.title
            short, long_ = sorted((t, other), key=len)
            if short and long_.startswith(short + " ") and len(long_[len(short):].split()) <= 4:
                return g, "title is a prefix of the other (journal run into the title), same year and first author"
        return None, ""

    for rec in records:
        read += 1
        fx = facts(rec.entry)
        g, why = find(fx)
        if g is None:
            g = _Group(rec, fx[1])
            groups.append(g)
        else:
            decisions.append(f"merged {rec.origin or '?'} into {g.records[0].origin or '?'}: {why}")
            g.records.append(rec)
        index(g, fx)

    merged_entries = []
    explicit: dict[int, str] = {}
    for i, g in enumerate(groups):
        merged_entries.append(_combine([r.entry for r in g.records]))
        keys = sorted(r.key for r in g.records if r.key)
        if keys:
            explicit[i] = keys[0]
    taken = set(explicit.values())
    generated = assign_keys([e for i, e in enumerate(merged_entries) if i not in explicit], taken=taken)
    key_of = {id(e): k for k, e in generated.items()}
    out = {}
    for i, e in enumerate(merged_entries):
        out[explicit.get(i) or key_of[id(e)]] = e
    return MergeResult(BibliographyData(entries=dict(sorted(out.items()))), decisions, read)


def _richer(values):
    values = [v for v in values if v]
    return max(values, key=lambda v: (len(v), [-ord(c) for c in v])) if values else None


def _named(persons):
    return [p for p in persons if not is_others(p)]


def _combine(entries):
    from pybtex.database import Entry

    if len(entries) == 1:
        return entries[0]
    types = [e.type for e in entries]
    etype = "article" if "article" in types else sorted(types)[0]
    fields = {}
    names = sorted({k for e in entries for k in e.fields})
    structured = [e for e in entries if e.fields.get("journal") or e.fields.get("booktitle")] or entries
    for name in names:
        if name == "title":  # a title from a record that kept title and journal apart wins
            fields[name] = _richer([e.fields.get(name) for e in structured]) or _richer([e.fields.get(name) for e in entries])
        elif name == "source":
            fields[name] = " | ".join(sorted({e.fields[name] for e in entries if e.fields.get(name)}))
        else:
            fields[name] = _richer([e.fields.get(name) for e in entries])
    out = Entry(etype, fields={k: v for k, v in fields.items() if v})
    for role in sorted({r for e in entries for r in e.persons}):
        lists = [e.persons.get(role, []) for e in entries]
        best = max(
            lists,
            key=lambda ps: (len(_named(ps)), sum(len("".join(p.first_names + p.last_names)) for p in ps),
                            any(map(is_others, ps))),
        )
        for p in best:
            out.add_person(p, role)
    return out
