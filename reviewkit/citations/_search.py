"""Find citation keys the way people remember works: "kasper 2021 unmet".

A query is split into words; a record matches when every word matches one of
its words — the key, an alias, an author's family name, the year, a title
word, or an identifier — exactly, as a prefix (three letters or more), inside
an identifier, or with a small typo.  Results are ranked by how well the
words match.  :func:`suggest_keys` turns an unknown key (``kasper2021unmt``)
into such a query, so ``reviewkit refs``, ``reviewkit check`` and the build
suggest keys the same way.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .keys import ascii_fold, is_others

_WORD = re.compile(r"[a-z0-9]+")
_ID_FIELDS = ("doi", "pmid", "pmcid", "nct")


@dataclass
class Ref:
    """One row of ``reviewkit refs``: key, first author, year, title, identifiers, aliases."""

    key: str
    author: str
    year: str
    title: str
    ids: dict
    aliases: list

    def identifiers(self) -> str:
        return " ".join(f"{k}:{v}" for k, v in self.ids.items())


def _fold(text: str) -> str:
    return ascii_fold(text or "").lower()


def describe(key: str, entry) -> Ref:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    named = [p for p in people if not is_others(p)]
    author = ""
    if named:
        p = named[0]
        family = " ".join(p.prelast_names + p.last_names)
        initials = "".join(n[:1] for n in p.first_names + p.middle_names)
        author = f"{family} {initials}".strip() + (" et al." if len(people) > 1 else "")
    f = entry.fields
    return Ref(
        key,
        author,
        f.get("year", ""),
        f.get("title", ""),
        {k: f[k] for k in _ID_FIELDS if f.get(k)},
        [a for a in f.get("ids", "").split(",") if a],
    )


def _words(key: str, entry) -> tuple[set, set]:
    """(words, identifiers) a query can match for one record."""
    f = entry.fields
    words = set(_WORD.findall(_fold(key)))
    words.add(_fold(key))
    for a in f.get("ids", "").split(","):
        if a:
            words.add(_fold(a))
    for role in ("author", "editor"):
        for p in entry.persons.get(role, []):
            if not is_others(p):
                words.update(_WORD.findall(_fold(" ".join(p.prelast_names + p.last_names))))
    words.update(_WORD.findall(_fold(f.get("title", ""))))
    if f.get("year"):
        words.add(f["year"])
    ids = {_fold(f[k]) for k in _ID_FIELDS if f.get(k)}
    return words, ids


def _score(q: str, words: set, ids: set) -> float:
    if q in words:
        return 1.0
    if any(q in i for i in ids) and (len(q) >= 4 or q in ids):
        return 0.95
    if len(q) >= 3 and any(w.startswith(q) for w in words):
        return 0.9
    if len(q) >= 4:
        best = 0.0
        for w in words:
            if abs(len(w) - len(q)) <= 2 and w[:1] == q[:1]:
                m = difflib.SequenceMatcher(None, q, w)
                if m.quick_ratio() >= 0.8:
                    best = max(best, m.ratio())
        if best >= 0.8:
            return best * 0.8
    return 0.0


def search(entries, query: str = "", limit: int | None = None) -> list[Ref]:
    """Records of *entries* (``{key: Entry}``) matching every word of *query*, best first; all when empty."""
    terms = _WORD.findall(_fold(query)) if query else []
    scored = []
    for key in entries:
        entry = entries[key]
        if terms:
            words, ids = _words(key, entry)
            total = 0.0
            for q in terms:
                s = _score(q, words, ids)
                if not s:
                    break
                total += s
            else:
                scored.append((-total, key, entry))
        else:
            scored.append((0.0, key, entry))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [describe(key, entry) for _, key, entry in scored[:limit]]


def suggest_keys(key: str, entries, n: int = 3) -> list[str]:
    """The keys closest to an unknown *key*: records matching its parts (surname, year, title word),
    then the most similar keys."""
    parts = " ".join(re.findall(r"[A-Za-z]+|\d+", key))
    found = [r.key for r in search(entries, parts, limit=n)] if parts else []
    for k in difflib.get_close_matches(key, list(entries), n=n, cutoff=0.6):
        if k not in found:
            found.append(k)
    return found[:n]
