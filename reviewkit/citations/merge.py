"""Merge citation records from several files into one record per work — never two works into one.

The rules, in the order they apply:

1. **Identifiers decide first.**  Two records whose DOI, PMID or PMCID differ
   (each side has one of the same kind, and they are not equal) are never the
   same work, whatever their titles: an erratum and its article, a conference
   abstract and the full paper, one article published in two languages.
2. Records that share a DOI, PMID or PMCID (and have no conflicting
   identifier) are the same work; so are two trial registrations (records with
   an NCT id and none of the others) with the same NCT id — a paper that
   reports a trial is not the trial.
3. Otherwise, records with no conflicting identifier are the same work when
   they have the same normalized title, year and first-author surname; a pasted
   title that ran into its journal name ("… (SPAEN) Cancers (Basel)") also
   matches when the shorter title (three words or more) is a prefix of the
   longer one, which adds at most four words.
4. Generic titles (Correction, Erratum, Corrigendum, Retraction, Expression of
   concern, Editorial, Reply, Comment, Letter, In memoriam, Abstracts, Index,
   one-word titles …) never match on title alone.
5. A record without identifiers whose title matches two works that have
   different identifiers is not merged into either (which one would be a
   guess); the report says so.

Records are taken in a fixed order (most identifiers first, then by content),
so the result does not depend on the order of the input files.  Every lookup
is a dictionary probe — identifier, exact title, and the title shortened or
matched by one to four words — that looks at no more than a few works filed
under the key (a key crowded with works that have different identifiers merges
nothing new: safe, never a guess), so merging is linear in the number of
records whatever the distribution of titles, and memory is one small entry
per key.

Within a merged work each field keeps its richer value (the longer text; ties
go alphabetically), every identifier of every record is kept (rule 1 makes
them agree), the author list with more named authors wins, and the title
comes from a record that kept title and journal apart.  BibTeX keys are kept;
every other record gets a readable key (surname + year + first title word),
and the keys a source gave (CSL-JSON ids, BibTeX keys of merged duplicates)
stay citable as aliases in the ``ids`` field.  Two different works given the
same key in the inputs are an error naming both (or, with
``on_key_clash="rename"``, the later one gets a new key and a warning).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..identifiers import KINDS
from .keys import ascii_fold, base_from, fields_of, fingerprint, first_family, is_others, keys_for, plain_letters
from .record import Fields, new_entry

ID_KINDS = KINDS  # doi, pmid, pmcid, nct (reviewkit.identifiers)
CONFLICT_KINDS = ("doi", "pmid", "pmcid")  # a work has one of each; two different values are two works
PREFIX_WORDS = 3  # a title must have at least this many words to match another by prefix
MAX_EXTRA_WORDS = 4  # … and the longer title adds at most this many

#: Titles that name a kind of item, not a work: never matched on title alone.
GENERIC_TITLE = re.compile(
    r"^(?:"
    r"(?:author |authors |publisher s |publishers )?(?:correction|corrections|erratum|errata|corrigendum|corrigenda|addendum)"
    r"|(?:notice of )?retraction|retracted|retraction notice|withdrawn|withdrawal"
    r"|expression of concern|editorial expression of concern|editorial|editor s note|editors note|guest editorial"
    r"|reply|author reply|authors reply|in reply|response|authors response|author s reply|comment|comments|commentary"
    r"|letter|letters|letter to the editor|in memoriam|obituary|abstracts|abstract|index|author index|subject index"
    r"|contents|table of contents|front matter|back matter|cover|preface|foreword|introduction|acknowledgments?"
    r"|acknowledgement|reviewers|news|book review|highlights|announcement|announcements|errata and corrigenda"
    r")(?: (?:to|of|on|for|in|re)\b.*)?$"
)


_NOT_WORD = re.compile(r"[^a-z0-9]+")
_OTHERS = ["others"]
_NOT_LETTER = re.compile(r"[^a-z]")


def norm_title(title: str) -> str:
    return _NOT_WORD.sub(" ", ascii_fold(title).lower()).strip()


def is_generic(normalized_title: str) -> bool:
    """A title that names a kind of item ("Correction", "Erratum to …", "Reply") or a single word."""
    return not normalized_title or " " not in normalized_title or bool(GENERIC_TITLE.match(normalized_title))


def _family_key(entry) -> str:
    low = ascii_fold(first_family(entry)).lower()
    letters = plain_letters(low)  # "kasper", "kasper12": nothing for the regular expression to look at
    return _NOT_LETTER.sub("", low) if letters is None else letters


@dataclass(slots=True)
class Record:
    """One input record: the entry, its key if the source gave one, where it came from."""

    entry: object
    key: str | None = None
    origin: str = ""


@dataclass
class MergeResult:
    bibliography: Any  # pybtex BibliographyData
    decisions: list[str] = field(default_factory=list)
    read: int = 0
    apart: list[str] = field(default_factory=list)  # same title kept apart, and why
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return len(self.bibliography.entries)

    @property
    def merged(self) -> int:
        return self.read - self.written

    def summary(self) -> str:
        return f"read {self.read} records, merged {self.merged} duplicates, wrote {self.written}"

    def report(self) -> list[str]:
        """Every decision: one line per merged record (surviving key first, then the rule), then works kept apart."""
        return [self.summary(), *self.decisions, *self.apart]


class _Group:
    __slots__ = ("base", "ids", "index", "records", "titles", "why")

    def __init__(self, index: int):
        self.base: str | None = None  # its first record's base key, when the merge had what it takes at hand
        self.records: list[Record] = []
        self.ids: dict[str, str] = {}
        self.titles: list[tuple[str, str, str]] = []  # (normalized title, year, surname) of its records
        self.index = index
        self.why: list[tuple[Record, str]] = []


def _ids(entry) -> dict[str, str]:
    """The record's identifiers.  An NCT id names a trial, which many papers report: it identifies the
    work only for a record that has no DOI, PMID or PMCID (a registration itself)."""
    return _ids_of(fields_of(entry))


def _ids_of(f: dict) -> dict[str, str]:
    ids = {}
    for k in CONFLICT_KINDS:
        v = f.get(k)
        if v:
            ids[k] = v.lower()
    if not ids and f.get("nct"):
        ids["nct"] = f["nct"].lower()
    return ids


def _conflict(a: dict, b: dict) -> str | None:
    for k in CONFLICT_KINDS:
        if k in a and k in b and a[k] != b[k]:
            return k
    return None


def _related(t: str, other: str) -> str | None:
    """The title rule that makes two normalized titles match: "same" or "prefix", else None."""
    if t == other:
        return "same"
    short, long_ = sorted((t, other), key=len)
    if (
        long_.startswith(short + " ")
        and short.count(" ") + 1 >= PREFIX_WORDS
        and len(long_[len(short) :].split()) <= MAX_EXTRA_WORDS
    ):
        return "prefix"
    return None


class _TitleIndex:
    """Hash of a title key -> the work (or works) filed under it.  A probe looks at no more than
    :attr:`SCAN` works and checks each against the title itself, so neither a crowd of works with one
    title nor a hash collision can make it slow or wrong; memory is one small entry per key.  Keys are
    given as their hashes (``hash((title, year, surname))``), computed once per record."""

    SCAN = 16

    def __init__(self):
        self.data: dict[int, object] = {}

    def add(self, h: int, group: _Group) -> None:
        v = self.data.setdefault(h, group)
        if v is not group:
            if type(v) is list:
                if v[-1] is not group:
                    v.append(group)
            else:
                self.data[h] = [v, group]

    def candidates(self, h: int) -> tuple[list, bool]:
        v = self.data.get(h)
        if v is None:
            return [], False
        if type(v) is not list:
            return [v], False
        return v[: self.SCAN], len(v) > self.SCAN


def _compatible(index: _TitleIndex, h: int, title: tuple, ids: dict, limit: int = 2) -> tuple[list, bool]:
    """(up to *limit* works under the key hashed *h* whose title matches *title* and whose identifiers cannot
    conflict with *ids*, whether more works were there than a probe looks at)."""
    t, year, fam = title
    cands, more = index.candidates(h)
    out = []
    for g in cands:
        if g in out or _conflict(g.ids, ids):
            continue
        if not any(y == year and f == fam and _related(t, t2) for t2, y, f in g.titles):
            continue  # a hash collision, not the same title
        out.append(g)
        if len(out) >= limit:
            break
    return out, more


def merge(records, *, on_key_clash: str = "error") -> MergeResult:
    """Merge an iterable of :class:`Record` into one ``BibliographyData``."""
    return _merge(records, on_key_clash)


def _order(records):
    """Most identifiers first, then by content: the same records in any order give the same result."""
    keyed = []
    for i, rec in enumerate(records):
        entry = rec.entry
        f = entry.fields
        if type(f) is not Fields:
            f = fields_of(entry)
        doi, pmid, pmcid, nct = f.get("doi"), f.get("pmid"), f.get("pmcid"), f.get("nct")  # ID_KINDS
        n = -((1 if doi else 0) + (1 if pmid else 0) + (1 if pmcid else 0) + (1 if nct else 0))
        # fingerprint(entry), with the identifiers read once
        fp = doi or pmid or pmcid or nct or fingerprint(entry)
        keyed.append(((n, fp, rec.key or "", rec.origin, i), rec))
    keyed.sort(key=_first_item)  # the keys differ (by i): records are never compared
    return [rec for _, rec in keyed]


def _first_item(pair):
    return pair[0]


def _shortened(t: str) -> list[str]:
    """*t* (a normalized title: words joined by single spaces) without its last 1..4 words, each keeping at
    least :data:`PREFIX_WORDS` words — the titles of which *t* may be the longer under the prefix rule."""
    out = []
    words = t.count(" ") + 1
    end = len(t)
    for k in range(1, MAX_EXTRA_WORDS + 1):
        if words - k < PREFIX_WORDS:
            break
        end = t.rfind(" ", 0, end)
        out.append(t[:end])
    return out


def _merge(records, on_key_clash: str) -> MergeResult:
    groups: list[_Group] = []
    by_id: dict[tuple[str, str], _Group] = {}
    # one index (one table: memory) for two kinds of key: h = hash((title, year, surname)) -> the works with that
    # title, and ~hash((title shortened by 1..4 words, year, surname)) -> the works with the longer title
    titles = _TitleIndex()
    data = titles.data
    apart: list[str] = []
    read = 0

    for rec in _order(records):
        read += 1
        entry = rec.entry
        f = entry.fields
        if type(f) is not Fields:
            f = fields_of(entry)
        ids = _ids_of(f)
        title = f.get("title", "")
        # norm_title, inline
        t = _NOT_WORD.sub(" ", (title if title.isascii() else ascii_fold(title)).lower()).strip()
        # _family_key, inline: the letters of the first surname (first_family's answer for a first author with
        # a family name and no "von" part, without its loops)
        people = entry.persons.get("author")
        p = people[0] if people else None
        if p is not None and not p.prelast_names and p.last_names and p.last_names != _OTHERS:
            surname = " ".join(p.last_names) or first_family(entry)
        else:
            surname = first_family(entry)
        low = (surname if surname.isascii() else ascii_fold(surname)).lower()
        letters = plain_letters(low)  # "kasper", "kasper12": nothing for the regular expression to look at
        fam, year = _NOT_LETTER.sub("", low) if letters is None else letters, f.get("year", "")
        target, why = None, ""
        for k, v in ids.items():  # rule 2, checked against rule 1
            g = by_id.get((k, v))
            if g is not None:
                clash = _conflict(g.ids, ids)
                if clash:
                    apart.append(
                        f"kept apart: {rec.origin} and {g.records[0].origin} share {k.upper()} {v} "
                        f"but have different {clash.upper()}s ({ids[clash]} / {g.ids[clash]})"
                    )
                    continue
                target, why = g, f"same {k.upper()} {v}"
                break
        usable = " " in t and not GENERIC_TITLE.match(t)  # (is_generic, inline)
        if usable:
            me = (t, year, fam)
            exact = hash(me)
            # _shortened(t), inline: the title without its last 1..4 words, keeping PREFIX_WORDS words
            shorter = []
            end = len(t)
            for _ in range(min(MAX_EXTRA_WORDS, t.count(" ") + 1 - PREFIX_WORDS)):
                end = t.rfind(" ", 0, end)
                shorter.append(hash((t[:end], year, fam)))
        if target is None and usable:  # rules 3-5
            # (a key that no work is filed under, as most are, is not probed)
            found, more = _compatible(titles, exact, me, ids) if exact in data else ([], False)
            if not found and t.count(" ") + 1 >= PREFIX_WORDS:
                for key in shorter:  # this title is the longer: a work whose title is this one shortened
                    if key in data:
                        found, more = _compatible(titles, key, me, ids)
                        if found:
                            break
                if not found and ~exact in data:  # this title is the shorter: a work whose title,
                    found, more = _compatible(titles, ~exact, me, ids)  # shortened, is this one
            if len(found) > 1 or (found and more):
                other = found[1].records[0].origin if len(found) > 1 else "other works"
                apart.append(
                    f"kept apart: {rec.origin} has the title of {found[0].records[0].origin} and of "
                    f"{other}, which have different identifiers; not merged into either"
                )
            elif found:
                g = found[0]
                rule = (
                    "same"
                    if any(_related(t, t2) == "same" for t2, y, fa in g.titles if (y, fa) == (year, fam))
                    else "prefix"
                )
                target, why = (
                    g,
                    (
                        "same title, year and first author"
                        if rule == "same"
                        else "title is a prefix of the other (journal run into the title), same year and first author"
                    ),
                )
        if target is None:
            target = _Group(len(groups))
            groups.append(target)
            if letters:  # the key base_key() would give this record (the group's key while it has no other)
                target.base = base_from(letters, year, t.split())
        else:
            target.why.append((rec, why))
        target.records.append(rec)
        for k, v in ids.items():
            target.ids.setdefault(k, v)
            by_id.setdefault((k, v), target)
        if usable:
            if me not in target.titles:
                target.titles.append(me)
            if data.setdefault(exact, target) is not target:  # (a new key: filed, nothing more to do)
                titles.add(exact, target)
            for key in shorter:
                if data.setdefault(~key, target) is not target:  # (a new key: filed, nothing more to do)
                    titles.add(~key, target)

    # the indexes are done with: their memory goes before the merged records are built
    del by_id, titles, data
    for g in groups:
        g.ids = g.titles = None  # type: ignore[assignment]  # unused from here on
    return _finish(groups, read, apart, on_key_clash)


def _source_keys(rec) -> list[str]:
    """The keys a source gave this record: its BibTeX key and any alias (CSL-JSON id, biblatex ``ids``)."""
    keys = [rec.key] if rec.key else []
    keys += [a.strip() for a in fields_of(rec.entry).get("ids", "").split(",") if a.strip()]
    return keys


def _index_of(group: _Group) -> int:
    return group.index


def _finish(groups, read, apart, on_key_clash) -> MergeResult:
    # (made in index order, and kept in it: the sort only checks)
    groups.sort(key=_index_of)
    owner: dict[str, int] = {}
    where: dict[str, str] = {}
    warnings: list[str] = []
    explicit: dict[int, str] = {}
    for i, g in enumerate(groups):
        keyed = False
        for rec in g.records:
            if not rec.key and not fields_of(rec.entry).get("ids"):
                continue  # no key given (every record of most formats): nothing to own
            keyed = keyed or bool(rec.key)
            for key in _source_keys(rec):
                if owner.get(key, i) != i:
                    a, b = where[key], rec.origin
                    if on_key_clash != "rename":
                        raise InputError(
                            f"key {key!r} names two different works: {a} and {b}; rename one of them "
                            "(or import with --rename-clashing-keys to give the later one a new key and a warning)",
                            source=b,
                        )
                    warnings.append(
                        f"{b}: key {key!r} already names a different work ({a}); this record gets a new key"
                    )
                    continue
                owner[key], where[key] = i, where.get(key, rec.origin)
        if keyed:
            kept = sorted(r.key for r in g.records if r.key and owner.get(r.key) == i)
            if kept:
                explicit[i] = kept[0]
    merged_entries = [
        g.records[0].entry if len(g.records) == 1 else _combine([r.entry for r in g.records]) for g in groups
    ]
    rest = [i for i in range(len(groups)) if i not in explicit] if explicit else range(len(groups))
    keys = keys_for(
        [merged_entries[i] for i in rest],
        set(owner),
        [groups[i].base if len(groups[i].records) == 1 else None for i in rest],
    )
    key_of = dict(zip(rest, keys)) if explicit else keys
    del keys
    owned: dict[int, list[str]] = {}
    for k, i in owner.items():
        owned.setdefault(i, []).append(k)
    out = {}
    decisions = []
    for i, (g, e) in enumerate(zip(groups, merged_entries)):
        key = explicit.get(i) or key_of[i]
        aliases = ",".join(sorted(k for k in owned[i] if k != key)) if i in owned else ""
        if aliases != e.fields.get("ids", ""):
            if len(g.records) == 1:  # never change an input entry in place
                e = new_entry(e.type, dict(e.fields), dict(e.persons))
            if aliases:
                e.fields["ids"] = aliases
            else:
                del e.fields["ids"]
        out[key] = e
        first = g.records[0].origin
        for rec, why in g.why:
            decisions.append(f"{key}: merged {rec.origin} with {first} ({why})")
    del merged_entries, key_of
    return MergeResult(_bibliography(out), decisions, read, apart, warnings)


def _bibliography(out: dict):
    """A ``BibliographyData`` of *out*'s entries sorted by key, emptying *out* as they are added (one by one: no
    second and third copy of 200,000 entries' index).  A key that no earlier key equals in lower case is filed
    as ``add_entry`` files it (its checks cannot fail: no wanted-entries filter, no citations to canonicalize),
    without its five calls; one that does goes through ``add_entry``, which reports the repeated key."""
    from pybtex.database import BibliographyData

    bib = BibliographyData()
    entries = bib.entries
    by_lower, spelled = entries._dict, entries._keys
    for key in sorted(out):
        e = out.pop(key)
        low = key.lower()
        if low in by_lower:
            bib.add_entry(key, e)
        else:
            e.key = key
            by_lower[low] = e
            spelled[low] = key
    return bib


def _richer(values):
    """The longest value; of equally long ones, the first in code-point order."""
    values = [v for v in values if v]
    if not values:
        return None
    longest = max(map(len, values))
    return min(v for v in values if len(v) == longest)


def _named(persons):
    return [p for p in persons if not is_others(p)]


def _combine(entries):
    if len(entries) == 1:
        return entries[0]
    types = [e.type for e in entries]
    etype = "article" if "article" in types else sorted(types)[0]
    fields = {}
    names = sorted({k for e in entries for k in e.fields})
    structured = [e for e in entries if e.fields.get("journal") or e.fields.get("booktitle")] or entries
    for name in names:
        if name == "title":  # a title from a record that kept title and journal apart wins
            fields[name] = _richer([e.fields.get(name) for e in structured]) or _richer(
                [e.fields.get(name) for e in entries]
            )
        elif name == "source":
            fields[name] = " | ".join(sorted({e.fields[name] for e in entries if e.fields.get(name)}))
        elif name == "ids":
            fields[name] = ",".join(sorted({a for e in entries for a in e.fields.get("ids", "").split(",") if a}))
        else:
            fields[name] = _richer([e.fields.get(name) for e in entries])
    persons = {}
    for role in sorted({r for e in entries for r in e.persons}):
        lists = [e.persons.get(role, []) for e in entries]
        persons[role] = max(
            lists,
            key=lambda ps: (
                len(_named(ps)),
                sum(len("".join(p.first_names + p.last_names)) for p in ps),
                any(map(is_others, ps)),
            ),
        )
    return new_entry(etype, {k: v for k, v in fields.items() if v}, persons)
