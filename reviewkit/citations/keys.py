"""Deterministic, readable citation keys: ``kasper2021unmet``.

A key is the first author's family name (ASCII, lower case) + year + the first
significant word of the title.  Entries that would share a key are ordered by
a content fingerprint (DOI, else title), so the keys do not depend on the
order of the input files; the first keeps the plain key, the others get
``b``, ``c``, … appended.
"""

from __future__ import annotations

import re
import unicodedata

from .record import Fields

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "for",
        "and",
        "or",
        "to",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "was",
        "be",
        "its",
        "into",
        "than",
        "what",
        "which",
        "how",
        "why",
        "when",
        "who",
        "whom",
        "whose",
        "does",
        "do",
        "did",
        "can",
        "should",
    ]
)


def ascii_fold(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def fields_of(entry) -> dict:
    """An entry's fields for reading, as a plain dict (pybtex keeps lower-case keys in ``_dict``; reading
    through its case-insensitive mapping costs a third of a 20,000-record merge)."""
    f = entry.fields
    return f if type(f) is Fields else getattr(f, "_dict", f)


def is_others(person) -> bool:
    """pybtex's "et al." marker (``and others``), tested without formatting the name."""
    return person.last_names == ["others"] and not (person.first_names or person.middle_names or person.prelast_names)


def name_text(person) -> str:
    """``str(person)`` ("von Last, Jr, First"), without its joins of empty lists for a name that has only family
    and given names (every name reviewkit's importers other than BibTeX make)."""
    if person.middle_names or person.prelast_names or person.lineage_names:
        return str(person)
    last, first = " ".join(person.last_names), " ".join(person.first_names)
    return f"{last}, {first}" if last and first else last or first


def first_family(entry) -> str:
    for role in ("author", "editor"):
        for person in entry.persons.get(role, []):
            if is_others(person):
                continue
            name = " ".join(person.prelast_names + person.last_names) or str(person)
            return name
    f = fields_of(entry)
    org = f.get("organization") or f.get("institution")
    return org or ""


_NOT_LETTER = re.compile(r"[^a-z]")
_NOT_DIGIT = re.compile(r"\D")
_SPACE_OR_DASH = re.compile(r"[\s\-]+")
_WORD = re.compile(r"[a-z0-9]+")
_NON_WORD = re.compile(r"\W+")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "di", "da", "la", "le", "du"})


def plain_letters(low: str) -> str | None:
    """The letters of a lower-case ASCII word of letters and trailing digits ("kasper", "kasper12"), which is
    what ``[^a-z]`` removed leaves of it; None for any other text (the regular expressions decide)."""
    if low.isascii():
        letters = low.rstrip("0123456789")
        if letters.isalpha():
            return letters
    return None


def base_key(entry) -> str:
    folded = ascii_fold(first_family(entry)).lower()
    family = plain_letters(folded)
    if family is None:
        family = _NOT_LETTER.sub("", folded)
        # 'van Oortmerssen' -> 'oortmerssen'; keep particles out of the key
        fam_words = [w for w in _SPACE_OR_DASH.split(folded) if w]
        if len(fam_words) > 1 and fam_words[0] in _PARTICLES:
            family = _NOT_LETTER.sub("", "".join(fam_words[1:]))
    f = fields_of(entry)
    words = _WORD.findall(ascii_fold(f.get("title", "")).lower())
    if not family:
        word = _first_word(words)
        family = word or "anon"
        word = next((w for w in words if w not in _STOP and w != family and not w.isdigit()), "")
        return f"{family}{_key_year(f.get('year', ''))}{word}" or "anon"
    return base_from(family, f.get("year", ""), words)


def base_from(family: str, year: str, words) -> str:
    """:func:`base_key` of an entry whose surname's letters are *family* (not empty), of its year field and of
    its title's words (``[a-z0-9]+`` of the folded, lower-case title: ``norm_title(title).split()``)."""
    return f"{family}{_key_year(year)}{_first_word(words)}"


def _key_year(year: str) -> str:
    if not (year.isdigit() and year.isascii()):  # "2021": digits only, as the regular expression would leave it
        year = _NOT_DIGIT.sub("", year)
    return year[:4]


def _first_word(words) -> str:
    for w in words:
        if w not in _STOP and not w.isdigit():
            return w
    return ""


def fingerprint(entry) -> str:
    f = fields_of(entry)
    return (
        f.get("doi")
        or f.get("pmid")
        or f.get("pmcid")
        or f.get("nct")
        or (_NON_WORD.sub(" ", f.get("title", "").lower()).strip() + "|" + f.get("year", ""))
    )


def suffix(n: int) -> str:
    """1 -> "b", 25 -> "z", 26 -> "aa" …: letters only, so any number of collisions stays ASCII."""
    if n < len(_SUFFIXES):
        return _SUFFIXES[n]
    return _suffix(n)


def _suffix(n: int) -> str:
    n += 1
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


_SUFFIXES = [_suffix(n) for n in range(702)]  # "a", "b" … "zz": every suffix of up to two letters


def assign_keys(entries, taken=()) -> dict:
    """``{key: entry}`` for *entries* (distinct entries) in their order, keys unique (also against *taken*)."""
    entries = list(entries)
    return dict(zip(keys_for(entries, taken), entries))


def keys_for(entries: list, taken=(), bases=None) -> list[str]:
    """The keys of *entries* (distinct entries), in their order, unique (also against *taken*): the base key,
    and for entries that share one, ordered by :func:`fingerprint`, a suffix after the first.  *bases*: the
    entries' base keys where the caller knows them (``None``: computed here)."""
    groups: dict[str, list[int]] = {}
    for j, e in enumerate(entries):
        base = bases[j] if bases is not None else None
        groups.setdefault(base_key(e) if base is None else base, []).append(j)
    keys = [""] * len(entries)
    used = set(taken)
    for base in sorted(groups):
        members = groups[base]
        if len(members) > 1:
            members = sorted(members, key=lambda j: fingerprint(entries[j]))
        for i, j in enumerate(members):
            key = base if i == 0 else f"{base}{suffix(i)}"
            n = i
            while key in used:
                n += 1
                key = f"{base}{suffix(n)}"
            used.add(key)
            keys[j] = key
    return keys
