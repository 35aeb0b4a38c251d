"""RIS files from PubMed, Scopus, Embase, Ovid, ProQuest, Web of Science, Rayyan, Zotero, EndNote.

The tokenizer is tolerant of what those exports really contain: a byte-order
mark, CR, CRLF or LF line ends, tags separated by tabs or by one space (Web of
Science's two-letter tags), untagged continuation lines (joined to the value
before, except in keyword and URL lists, where EndNote writes one value per
line), repeated tags, and
lines outside records ("Record #1 of 2", "1.", Ovid's ``NL  -`` and link lines
after ``ER``), which are ignored with a warning naming them.  A record cut
before its ``ER`` is an error naming the line; nothing is dropped silently.
Records are read one at a time (a 200,000-record file never exists as tokens
all at once).  Tag names follow rispy's table; writing uses rispy.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from . import record as R
from .keys import is_others

# "TY  - JOUR", "TY  -JOUR", "TY\t- JOUR", "TY\tJOUR", "ER  -"
_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: {1,2}-(?: |$)| {1,2}-(?=\S)|\t+-? ?)(.*)$")
# Web of Science: "PT J", "AU Name", "ER" alone
_WOS_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_WOS_HEAD = re.compile(r"^(FN|VR) ")
_FAST = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_WOS_LISTS = {"AU", "AF", "BA", "BF", "CA", "ED", "BE", "CR", "C1", "GP"}
_LIST_TAGS = frozenset({"KW", "DE", "UR", "L1", "L2", "L3", "L4"})  # one value per line (EndNote's lists)

TYPES = {
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "ABST": "article",
    "INPR": "article",
    "BOOK": "book",
    "EBOOK": "book",
    "CHAP": "incollection",
    "ECHAP": "incollection",
    "CONF": "inproceedings",
    "CPAPER": "inproceedings",
    "RPRT": "report",
    "THES": "thesis",
    "ELEC": "online",
    "WEB": "online",
    "DATA": "misc",
    "GEN": "misc",
    "J": "article",
    "B": "book",
    "S": "article",
    "P": "misc",
    "Journal Article": "article",
}


def _grouped(pairs, by: dict[str, list[str]]) -> dict[str, list[str]]:
    """*by*, with the non-empty values (stripped) of the ``(tag, value)`` *pairs* appended under their tag, in order."""
    for t, v in pairs:
        v = v.strip()
        if v:
            values = by.get(t)
            if values is None:
                by[t] = [v]
            else:
                values.append(v)
    return by


class RawRecord:
    """One record's tags in file order: ``(tag, value, line)``; values by tag are indexed once.

    A record the fast reader took whole (one ``XX  - value`` per line from its ``TY`` line on) is made from its
    ``(tag, value)`` pairs: its index is built from them directly, and its ``tags`` only when asked for."""

    __slots__ = ("_by", "_pairs", "_tags", "line", "plain")

    def __init__(self, line: int, tags=None, plain: bool = False):
        self.line = line
        self.plain = plain  # known: no value has a tab or two spaces in a row (values never have line ends)
        self._tags: list[tuple[str, str, int]] | None = tags if tags is not None else []
        self._pairs: tuple[str, list] | None = None
        self._by: dict[str, list[str]] | None = None

    @classmethod
    def of_lines(cls, line: int, ty: str, found: list, plain: bool) -> RawRecord:
        """The record whose line *line* is ``TY  - ty`` (*ty* stripped) and whose next lines are the ``(tag,
        value)`` pairs *found* (values as written: stripped here)."""
        rec = cls(line, None, plain)
        rec._tags, rec._pairs = None, (ty, found)
        rec._by = _grouped(found, {"TY": [ty]} if ty else {})
        return rec

    @property
    def tags(self) -> list[tuple[str, str, int]]:
        if self._tags is None:
            ty, found = self._pairs or ("", ())
            self._tags = [("TY", ty, self.line)]
            self._tags += [(t, v.strip(), ln) for ln, (t, v) in enumerate(found, start=self.line + 1)]
        return self._tags

    def _index(self) -> dict:
        if self._by is None:
            self._by = _grouped(((t, v) for t, v, _ in self.tags), {})
        return self._by

    def all(self, *names):
        """Non-empty values of these tags, tag by tag in the order named (file order within a tag)."""
        by = self._index()
        if len(names) == 1:
            return by.get(names[0], [])
        return [v for n in names for v in by.get(n, ())]

    def first(self, *names):
        by = self._index()
        for n in names:
            if n in by:
                return by[n][0]
        return ""


def tokenize(text: str, name: str = "<string>", warnings: list | None = None) -> list[RawRecord]:
    """All records of a RIS text (see :func:`iter_records`)."""
    return list(iter_records(text, name, warnings))


def _lines(text: str):
    """The lines of *text* (LF-separated) one at a time, without a list of all of them."""
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        yield text[pos:end]
        pos = end + 1


_BODY = re.compile(r"^(?!TY|PT|ER|EF)([A-Z][A-Z0-9])  - (.*)$", re.MULTILINE)


def _simple_record(text: str, pos: int, lineno: int):
    """(record, position after its ER line, number of its ER line) when the record at *pos* (line *lineno*)
    has only ``XX  - value`` lines up to a plain ``ER  -`` line — what most exporters write — else None
    (the line-by-line reader then handles it: blank lines, continuations, a missing ER …)."""
    end = text.find("\nER  -", pos)
    if end < 0:
        return None
    eol = text.find("\n", end + 1)
    if eol < 0:
        eol = len(text)
    if eol - end - 1 > 6 or (eol - end - 1 == 6 and text[eol - 1] != " "):
        return None  # "ER  - something": left to the line-by-line reader
    first = text.find("\n", pos)
    found = []
    plain = True
    if first < end:
        body = text[first + 1 : end]
        found = _BODY.findall(body)
        if len(found) != body.count("\n") + 1:
            return None
        # each line's "XX  - " has one "  ": more is a value with two spaces in a row (or starting with a space)
        plain = "\t" not in body and body.count("  ") == len(found)
    rec = RawRecord.of_lines(lineno, text[pos + 6 : first].strip(), found, plain)
    return rec, eol + 1, lineno + 1 + len(found)


def iter_records(text: str, name: str = "<string>", warnings: list | None = None):
    """The records of a RIS file.  Lines outside any record — export headers, "1.", tags an exporter
    writes after ``ER`` (Ovid's ``NL  -``, "Link to the Ovid Full Text…"), a second ``ER`` — are
    ignored with one warning per run of lines (into *warnings*), naming the lines.  A record that
    never ends (a new ``TY`` or the end of the file before its ``ER``) is an error: where it was cut
    cannot be known."""
    text = R.lines(text)
    current: RawRecord | None = None
    wos = False
    last_tag = None
    stray: list[tuple[int, str]] = []  # the current run of lines outside any record

    def flush_stray():
        if stray and warnings is not None:
            first, last = stray[0][0], stray[-1][0]
            span = f"{first}" if first == last else f"{first}-{last}"
            what = "line" if first == last else f"{len(stray)} lines"
            warnings.append(f"{name}:{span}: {what} outside any record ignored (first: {stray[0][1][:60]!r})")
        stray.clear()

    pos, n, lineno = 0, len(text), 0
    while pos < n:
        if current is None and not wos and lineno >= 3 and text.startswith("TY  - ", pos):
            simple = _simple_record(text, pos, lineno + 1)
            if simple is not None:  # a whole well-formed record, read by two regular-expression scans
                rec, pos, lineno = simple
                if stray:
                    flush_stray()
                yield rec
                continue
        end = text.find("\n", pos)
        if end < 0:
            end = n
        line = text[pos:end]
        pos = end + 1
        lineno += 1
        if not line.strip():
            continue
        if lineno <= 3 and _WOS_HEAD.match(line):
            wos = True
            continue
        if (
            not wos
            and len(line) >= 5
            and line[2:5] == "  -"
            and line[0] in _UPPER
            and (len(line) == 5 or line[5] == " ")
        ):
            m = _FAST.match(line)  # the common "TI  - value" shape, checked without the general pattern
        else:
            m = (_WOS_TAG if wos else _TAG).match(line)
        if wos and line.startswith("   ") and current is not None and last_tag:
            if last_tag in _WOS_LISTS:  # one author / cited reference per continuation line
                current.tags.append((last_tag, line.strip(), lineno))
            else:  # a wrapped title or abstract
                t, v, ln = current.tags[-1]
                current.tags[-1] = (t, f"{v} {line.strip()}", ln)
            continue
        if m and not line.startswith(" "):
            tag, value = m.group(1), (m.group(2) or "").strip()
            if tag in ("TY", "PT"):
                if current is not None:
                    raise InputError(
                        f"record starting at line {current.line} has no end tag (ER) before this new "
                        "record; the file may have been cut or joined",
                        source=f"{name}:{lineno}",
                    )
                flush_stray()
                current = RawRecord(lineno, [("TY", value, lineno)])
                last_tag = "TY"
                continue
            if tag == "ER" and current is not None:
                yield current
                current, last_tag = None, None
                continue
            if tag == "EF" and wos:
                continue
            if current is None:
                stray.append((lineno, line))
                continue
            current.tags.append((tag, value, lineno))
            last_tag = tag
        elif current is not None and last_tag in _LIST_TAGS:
            # EndNote writes a keyword or URL list as one tag followed by untagged lines, one value per line
            current.tags.append((last_tag, line.strip(), lineno))
        elif current is not None and last_tag:
            # untagged continuation line: belongs to the previous tag's value
            t, v, ln = current.tags[-1]
            current.tags[-1] = (t, f"{v} {line.strip()}".strip(), ln)
        else:
            stray.append((lineno, line))
    if current is not None:
        raise InputError(
            f"file ends inside the record that starts at line {current.line} (no ER tag); the file may have been cut",
            source=f"{name}:{current.line}",
        )
    flush_stray()


def _first(by: dict, tags) -> str:
    for t in tags:
        v = by.get(t)
        if v:
            return v[0]
    return ""


def _all(by: dict, tags) -> list:
    return [v for t in tags for v in by.get(t, ())]


def _either(a: list | None, b: list | None) -> list:
    """The values of two tags (each a non-empty list, or None when absent), one tag's after the other's: what
    :func:`_all` gives for two tags, without its loops.  (The list may be *a* itself: read it, never change it.)"""
    if a is None:
        return b if b is not None else []
    return a + b if b is not None else a


_DOI_TAGS, _URL_TAGS, _TITLE_TAGS = ("DO", "DI", "M3", "UR", "L3"), ("UR", "L2"), ("TI", "T1", "CT", "BT", "ST")
_JOURNAL_TAGS = ("JO", "JF", "T2", "SO", "JA", "J2", "J9")
_PMID_TAGS, _PMID_TAGS_EMBASE = ("AN", "C2", "PM", "PMID", "M1"), ("C5", "AN", "C2", "PM", "PMID", "M1")
_DIGITS = re.compile(r"\d{1,9}")
_YEAR = re.compile(r"\d{4}")
_HTTP = re.compile(r"^https?://")
_PMCID = re.compile(r"PMC\d+")
_TYPE_JOURNAL_TAGS = ("JO", "JF", "T2", "SO", "J2", "JA")


def _people(values, names: dict, plain: bool = False) -> list:
    """Persons for these name strings; a name seen before in the file is the same (never changed) Person.
    *plain*: the strings have no tab or two spaces in a row (nor whitespace at their ends)."""
    out = []
    for v in values:
        p = names.get(v)
        if p is None:
            p = names[v] = R.split_plain_name(v) if plain and "," in v else R.split_name(v)
        out.append(p)
    return out


_NOTHING = ("",)


def _to_entry(rec: RawRecord, base: str, names: dict, doi: str | None = None, base_plain: bool = False):
    """The entry of a record; *doi*: the first valid DOI of its DO/DI tags when the caller has looked
    (``""``: none there), else None; *base_plain*: *base* has no whitespace that ``clean`` would change."""
    by = rec._index()
    get = by.get  # a tag's list is never empty: ``(get(a) or get(b) or _NOTHING)[0]`` is the first value
    if not doi:
        tags = _DOI_TAGS if doi is None else ("M3", "UR", "L3")  # (DO and DI: none valid)
        doi = ""
        for v in _all(by, tags):
            doi = R.doi_from_url(v)
            if doi:
                break
    url = ""
    if "UR" in by or "L2" in by:
        url = next((u for u in _all(by, _URL_TAGS) if _HTTP.match(u) and not R.doi_from_url(u)), "")
    sp, ep = (get("SP") or get("BP") or _NOTHING)[0], (get("EP") or _NOTHING)[0]
    if (sp, ep) == ("No", "Specified"):  # Ovid: "No Pagination Specified" split over SP and EP
        sp, ep = "", ""
    pages = f"{sp}–{ep}" if sp and ep and sp != ep else sp
    year_text = (get("PY") or get("Y1") or get("DA") or _NOTHING)[0]  # Y2 is the access date, not the year
    year = (_YEAR.search(year_text) or [""])[0] if year_text else ""
    authors = _people(_either(get("AU"), get("A1")) or get("AF", ()), names, rec.plain)
    pmid = ""
    embase = "DB" in by and any("embase" in v.lower() for v in by["DB"])
    if not by.keys().isdisjoint(_PMID_TAGS_EMBASE):  # (most records have none of these tags)
        for v in _all(by, _PMID_TAGS_EMBASE if embase else _PMID_TAGS):  # Embase gives the MEDLINE PMID in C5
            if _DIGITS.fullmatch(v):
                pmid = v
                break
    pmcid = ""
    if "C2" in by or "PMCID" in by or "PC" in by:
        pmcid = next((v for v in _all(by, ("C2", "PMCID", "PC")) if _PMCID.fullmatch(v)), "")
    editors = _either(get("A2"), get("ED"))
    # make_entry's values, in its order, the empty ones left out
    given = [
        (name, value)
        for name, value in (
            ("title", (get("TI") or get("T1") or get("CT") or get("BT") or get("ST") or _NOTHING)[0]),
            ("journal", _first(by, _JOURNAL_TAGS)),
            ("year", year),
            ("volume", (get("VL") or get("VO") or get("VN") or _NOTHING)[0]),
            ("number", (get("IS") or get("CP") or get("IP") or _NOTHING)[0]),
            ("pages", pages),
            ("doi", doi),
            ("pmid", pmid),
            ("pmcid", pmcid),
            ("url", url),
            ("abstract", (get("AB") or get("N2") or _NOTHING)[0]),
            ("publisher", (get("PB") or _NOTHING)[0]),
            ("note", (get("N1") or _NOTHING)[0]),
            ("keywords", _all(by, ("KW", "DE")) if "KW" in by or "DE" in by else ()),
            ("language", (get("LA") or _NOTHING)[0]),
            ("issn", (get("SN") or _NOTHING)[0]),
            ("source", f"{base}:{rec.line}"),
        )
        if value
    ]
    return R.entry_from(
        TYPES.get((get("TY") or _NOTHING)[0]) or ("article" if _first(by, _TYPE_JOURNAL_TAGS) else "misc"),
        given,
        authors,
        _people(editors, names, rec.plain) if editors else (),
        plain=rec.plain and base_plain,
    )


def _stream(text: str, name: str, skip_invalid: bool, out: R.Reading):
    """``(None, entry, line)`` per record, read one at a time: memory holds entries, never all tokens."""
    base = Path(name).name
    base_plain = base == base.strip() and not ("  " in base or "\t" in base or "\n" in base or "\r" in base)
    names: dict = {}
    seen = 0
    warnings = out.warnings
    for rec in iter_records(text, name, warnings):
        seen += 1
        by = rec._index()
        given = _either(by.get("DO"), by.get("DI"))
        doi = ""  # the first valid DOI among them
        bad = []
        for v in given:
            d = R.doi_from_url(v)
            if not d:
                bad.append(v)
            elif not doi:
                doi = d
        for v in bad:
            warnings.append(
                f"{name}:{next(ln for t, x, ln in rec.tags if x == v)}: {v[:80]!r} is not a DOI "
                "(expected 10.<registrant>/<suffix>); not used as one"
            )
        if not _first(by, _TITLE_TAGS) and len(bad) == len(given):
            problem = "record has neither a title (TI/T1) nor a valid DOI"
            if not skip_invalid:
                raise InputError(problem, source=f"{name}:{rec.line}")
            out.skipped.append(f"{name}:{rec.line}: {problem}")
            continue
        yield None, _to_entry(rec, base, names, doi, base_plain), rec.line
    if not seen and text.strip():
        first = next(i for i, ln in enumerate(_lines(R.lines(text)), start=1) if ln.strip())
        raise InputError(
            "no RIS record in this file (expected a line 'TY  - …' to start one)", source=f"{name}:{first}"
        )


# parse(text) and read(path) -> ParseResult, loads(text) and load(path) -> BibliographyData, records_of(path) ->
# Reading (records as they are read), as every text importer has them
parse, read, loads, load, records_of = R.text_importer(_stream)


def dumps(bib) -> str:
    """RIS text (written with rispy)."""
    import rispy

    ty = {
        "article": "JOUR",
        "book": "BOOK",
        "incollection": "CHAP",
        "inproceedings": "CPAPER",
        "report": "RPRT",
        "thesis": "THES",
        "online": "ELEC",
    }
    out = []
    for key, e in bib.entries.items():
        f = e.fields
        item = {"type_of_reference": ty.get(e.type, "GEN"), "id": key}
        authors = [
            ", ".join(
                filter(None, [" ".join(p.prelast_names + p.last_names), " ".join(p.first_names + p.middle_names)])
            )
            for p in e.persons.get("author", [])
            if not is_others(p)
        ]
        if authors:
            item["authors"] = authors
        mapping = {
            "title": "title",
            "journal": "secondary_title",
            "volume": "volume",
            "number": "number",
            "doi": "doi",
            "abstract": "abstract",
            "publisher": "publisher",
            "issn": "issn",
        }
        for src, dst in mapping.items():
            if f.get(src):
                item[dst] = f[src]
        if f.get("year"):
            item["year"] = f["year"]
        if f.get("pages"):
            sp, _, ep = f["pages"].replace("–", "-").partition("-")
            item["start_page"] = sp
            if ep:
                item["end_page"] = ep
        urls = [u for u in [f.get("url")] if u]
        if urls:
            item["urls"] = urls
        if f.get("pmid"):
            item["accession_number"] = f["pmid"]
        if f.get("keywords"):
            item["keywords"] = [k.strip() for k in f["keywords"].split(";") if k.strip()]
        out.append(item)
    return rispy.dumps(out)
