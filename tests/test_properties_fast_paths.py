"""Every fast path of the import gives exactly what the general path gives (hypothesis).

The import takes shortcuts for the common case — a surname of ASCII letters needs no regular expression, an
entry with nothing to escape is written as it is, a title's shortened forms are cut at its last spaces, a
RIS record's DOI is validated once.  Each test here holds the code as it was before the shortcut (the general
path, copied verbatim) and checks, on arbitrary input that reaches both the shortcut and the general case, that
the result is the same, field for field and in the same order.  ``benchmarks/check_import_identity.py`` checks
the same on whole files against the main branch.
"""

import io
import os
import re
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewkit.citations import bibtex, keys, merge, ris
from reviewkit.citations import record as R
from reviewkit.citations.keys import ascii_fold, fields_of, first_family
from reviewkit.citations.latex import escape

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "40")) * 5  # cheap examples: five times the readers' number
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow],
)

# text that reaches both sides of every shortcut: ASCII letters and digits, accents, other scripts, spaces,
# tabs and line ends, LaTeX specials, punctuation
PIECES = ["Kasper", "kasper", "van der", "O'Neil", "Müller", "Ødegård", "Łukasz", "ß", "Ⅻ", "²", "١٢", "ǅ", "İ"]
PIECES += ["  ", " ", "\t", "\n", "\r", "\xa0", "-", "--", "_", "{", "}", "\\", "%", "&", "$", "#", "~", "^", "2021"]
PIECES += ["and", "the", "of", "trial", "sarcoma", "Correction", ".", ",", ";", ":", "10.5555/x", "(SPAEN)", "β"]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=8).map("".join)
WORDY = st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet="abcxyz019 ", max_size=6)), max_size=12).map(
    "".join
)


def person(family, given):
    return R.person(family, given) if family or given else R.person(literal="Group")


PERSONS = st.lists(st.builds(person, TEXT, TEXT), max_size=3)


def entry_of(title, year, persons, fields=None):
    f = {"title": title, "year": year, **(fields or {})}
    return R.new_entry("article", {k: v for k, v in f.items() if v}, {"author": persons} if persons else {})


def as_data(e):
    """An entry as plain data: type, fields and persons (name parts), in their order."""
    people = {
        role: [(p.first_names, p.middle_names, p.prelast_names, p.last_names, p.lineage_names) for p in ps]
        for role, ps in e.persons.items()
    }
    return e.type, e.original_type, list(e.fields.items()), list(people.items())


# ---- the general paths, as they were -------------------------------------------------------------------------

_NOT_LETTER = re.compile(r"[^a-z]")
_NOT_DIGIT = re.compile(r"\D")
_SPACE_OR_DASH = re.compile(r"[\s\-]+")
_WORD = re.compile(r"[a-z0-9]+")


def family_key_general(entry) -> str:
    return _NOT_LETTER.sub("", ascii_fold(first_family(entry)).lower())


def base_key_general(entry) -> str:
    folded = ascii_fold(first_family(entry)).lower()
    family = _NOT_LETTER.sub("", folded)
    fam_words = [w for w in _SPACE_OR_DASH.split(folded) if w]
    if len(fam_words) > 1 and fam_words[0] in keys._PARTICLES:
        family = _NOT_LETTER.sub("", "".join(fam_words[1:]))
    f = fields_of(entry)
    year = _NOT_DIGIT.sub("", f.get("year", ""))[:4]
    words = _WORD.findall(ascii_fold(f.get("title", "")).lower())
    word = next((w for w in words if w not in keys._STOP and not w.isdigit()), "")
    if not family:
        family = word or "anon"
        word = next((w for w in words if w not in keys._STOP and w != family and not w.isdigit()), "")
    return f"{family}{year}{word}" or "anon"


def shortened_general(t: str) -> list[str]:
    words = t.split()
    return [" ".join(words[:-k]) for k in range(1, merge.MAX_EXTRA_WORDS + 1) if len(words) - k >= merge.PREFIX_WORDS]


def dump_general(bib, file) -> None:
    for i, (key, e) in enumerate(bib.entries.items()):
        lines = [f"@{e.type}{{{key},"]
        for role, persons in e.persons.items():
            lines.append(f"  {role} = {{{' and '.join(escape(str(p)) for p in persons)}}},")
        for f, v in e.fields.items():
            value = v if f in bibtex._VERBATIM else escape(v)
            lines.append(f"  {f} = {{{value}}},")
        lines.append("}\n")
        file.write(("\n" if i else "") + "\n".join(lines))


def make_entry_general(entry_type="article", *, authors=(), editors=(), extra=None, **values):
    fields = {}
    for name in R._FIELD_ORDER:
        value = values.get(name, "")
        if not value:
            continue
        if name in R.NORMALIZERS:
            value = R.NORMALIZERS[name](value) or ""
        elif name == "keywords":
            value = "; ".join(c for c in map(R.clean, value) if c)
        else:
            value = R.clean(value)
            if name == "pages":
                value = value.replace("--", "–")
            elif name in R._INTERNED and len(value) < 200:
                value = sys.intern(value)
        if value:
            fields[name] = value
    for name, value in (extra or {}).items():
        value = R.clean(value)
        if value:
            fields[name] = sys.intern(value) if name in R._INTERNED and len(value) < 200 else value
    persons = {role: people for role, people in (("author", authors), ("editor", editors)) if people}
    return R.new_entry(entry_type, fields, persons, lower=any(not k.islower() for k in extra or ()))


def ris_to_entry_general(rec, base: str, names: dict):
    by = rec._index()
    doi = ""
    for v in ris._all(by, ris._DOI_TAGS):
        doi = R.doi_from_url(v)
        if doi:
            break
    url = next((u for u in ris._all(by, ris._URL_TAGS) if ris._HTTP.match(u) and not R.doi_from_url(u)), "")
    sp, ep = ris._first(by, ("SP", "BP")), ris._first(by, ("EP",))
    if (sp, ep) == ("No", "Specified"):
        sp, ep = "", ""
    pages = f"{sp}–{ep}" if sp and ep and sp != ep else sp
    year_text = ris._first(by, ("PY", "Y1", "DA"))
    year = (ris._YEAR.search(year_text) or [""])[0] if year_text else ""
    authors = [R.split_name(v) for v in ris._all(by, ("AU", "A1")) or by.get("AF", ())]
    pmid = ""
    embase = "DB" in by and any("embase" in v.lower() for v in by["DB"])
    for v in ris._all(by, ris._PMID_TAGS_EMBASE if embase else ris._PMID_TAGS):
        if ris._DIGITS.fullmatch(v):
            pmid = v
            break
    pmcid = next((v for v in ris._all(by, ("C2", "PMCID", "PC")) if re.fullmatch(r"PMC\d+", v)), "")
    ty = ris._first(by, ("TY",))
    editors = ris._all(by, ("A2", "ED"))
    return make_entry_general(
        ris.TYPES.get(ty, "article" if ris._first(by, ("JO", "JF", "T2", "SO", "J2", "JA")) else "misc"),
        authors=authors,
        editors=[R.split_name(v) for v in editors] if editors else (),
        title=ris._first(by, ris._TITLE_TAGS),
        journal=ris._first(by, ris._JOURNAL_TAGS),
        year=year,
        volume=ris._first(by, ("VL", "VO", "VN")),
        number=ris._first(by, ("IS", "CP", "IP")),
        pages=pages,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        url=url,
        abstract=ris._first(by, ("AB", "N2")),
        publisher=ris._first(by, ("PB",)),
        keywords=ris._all(by, ("KW", "DE")),
        language=ris._first(by, ("LA",)),
        note=ris._first(by, ("N1",)),
        issn=ris._first(by, ("SN",)),
        source=f"{base}:{rec.line}",
    )


# ---- the properties -------------------------------------------------------------------------------------------


@SETTINGS
@given(PERSONS, TEXT)
def test_family_key_fast_path_is_the_regular_expression(persons, org):
    e = entry_of("", "", persons, {"organization": org})
    assert merge._family_key(e) == family_key_general(e)


@SETTINGS
@given(PERSONS, TEXT, st.one_of(TEXT, st.sampled_from(["2021", "2021a", "١٢٣٤", "²⁰²¹", "20212", ""])), TEXT)
def test_base_key_fast_paths_are_the_regular_expressions(persons, title, year, org):
    e = entry_of(title, year, persons, {"organization": org})
    assert keys.base_key(e) == base_key_general(e)


@SETTINGS
@given(WORDY)
def test_shortened_titles_are_the_words_dropped(title):
    t = merge.norm_title(title)
    if t:
        assert merge._shortened(t) == shortened_general(t)


@SETTINGS
@given(st.lists(st.tuples(PERSONS, TEXT, TEXT, TEXT, TEXT), min_size=1, max_size=4))
def test_bibtex_writer_fast_path_is_escaping_every_value(items):
    entries = {}
    for i, (persons, title, journal, doi, note) in enumerate(items):
        f = {"title": title, "journal": journal, "doi": doi, "url": note, "note": note, "source": f"x.ris:{i}"}
        entries[f"k{i}"] = R.new_entry("article", {k: v for k, v in f.items() if v}, {"author": persons})
    bib = R.bibliography(entries)
    fast, general = io.StringIO(), io.StringIO()
    bibtex.dump(bib, fast)
    dump_general(bib, general)
    assert fast.getvalue() == general.getvalue()


FIELD = st.sampled_from([n for n in R._FIELD_ORDER if n != "keywords"])
VALUE = st.one_of(
    TEXT, st.sampled_from(["10.5555/X", "doi:10.5555/x.", "https://doi.org/10.1/x", "123", "PMC12", "NCT01234567"])
)


@SETTINGS
@given(
    st.sampled_from(["article", "Article", "misc", "BOOK"]),
    st.dictionaries(FIELD, VALUE, max_size=8),
    st.lists(TEXT, max_size=3),
    PERSONS,
    PERSONS,
    st.one_of(st.none(), st.dictionaries(st.sampled_from(["organization", "Institution", "eprint", "month"]), TEXT)),
)
def test_make_entry_is_the_general_one(entry_type, values, keywords, authors, editors, extra):
    fast = R.make_entry(entry_type, authors=authors, editors=editors, keywords=keywords, extra=extra, **values)
    general = make_entry_general(entry_type, authors=authors, editors=editors, keywords=keywords, extra=extra, **values)
    assert as_data(fast) == as_data(general)


RIS_TAGS = ["TY", "AU", "A1", "AF", "A2", "ED", "TI", "T1", "CT", "BT", "ST", "JO", "JF", "T2", "SO", "JA", "J2"]
RIS_TAGS += ["J9", "PY", "Y1", "DA", "VL", "VO", "VN", "IS", "CP", "IP", "SP", "BP", "EP", "DO", "DI", "M3", "UR"]
RIS_TAGS += ["L2", "L3", "AN", "C2", "C5", "PM", "PMID", "M1", "PMCID", "PC", "DB", "AB", "N2", "PB", "KW", "DE"]
RIS_TAGS += ["LA", "N1", "SN"]
RIS_VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        ["10.5555/Syn.1", "http://dx.doi.org/10.5555/a", "https://example.org/x", "doi 10.5555", "12345678"]
        + ["PMC123", "PMC12x", "Embase", "EMBASE Ovid", "No", "Specified", "JOUR", "BOOK", "CHAP", "2021///"]
        + ["Kasper, Bernd", "Kasper B", "Adler D.G.", "Sarcoma Group", "12-19", "ABC123"]
    ),
)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(RIS_TAGS), RIS_VALUES), max_size=14))
def test_ris_entry_is_the_general_one(tags):
    rec = ris.RawRecord(3, [("TY", "JOUR", 3)] + [(t, v.strip(), i) for i, (t, v) in enumerate(tags, start=4)])
    general = as_data(ris_to_entry_general(rec, "x.ris", {}))
    assert as_data(ris._to_entry(rec, "x.ris", {})) == general
    # as the reader calls it: the first valid DO/DI DOI found while checking them ("" when none is valid)
    given_dois = [R.doi_from_url(v) for v in ris._all(rec._index(), ("DO", "DI"))]
    doi = next((d for d in given_dois if d), "")
    assert as_data(ris._to_entry(rec, "x.ris", {}, doi)) == general


def origin_general(path):
    name = path.name
    in_source = re.compile(rf"(?:^|[\s;/]){re.escape(name)}([:#]\d+)")
    in_reflist = re.compile(rf"{re.escape(name)}, reference \d+ \(line (\d+)\)")

    def origin(key, entry, line):
        source = entry.fields.get("source", "")
        m = in_source.search(source)
        if m:
            return f"{name}{m.group(1)}"
        m = in_reflist.search(source)
        if m:
            return f"{name}:{m.group(1)}"
        if key is not None and line is not None:
            return f"{name}:{line} (@{key})"
        return f"{name} ({key})" if key is not None else f"{name}:{line}" if line else name

    return origin


@SETTINGS
@given(
    st.sampled_from(["a.ris", "a.ris.ris", "x y.bib", "1.nbib", "a"]),
    st.lists(st.one_of(st.sampled_from(["a.ris", ":", "#", "12", "٣", "²", " ", ";", "/", "x"]), TEXT), max_size=5),
    st.one_of(st.none(), st.sampled_from(["key", "k2"])),
    st.one_of(st.none(), st.integers(0, 99)),
)
def test_origin_fast_path_is_the_search(filename, source, key, line):
    from pathlib import Path

    from reviewkit.citations import _origin

    e = R.new_entry("article", {"source": "".join(source)} if "".join(source) else {})
    assert _origin(Path("/d") / filename)(key, e, line) == origin_general(Path("/d") / filename)(key, e, line)


_DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*|urn:doi:)", re.IGNORECASE)


def normalize_doi_general(text):
    from reviewkit.identifiers import _DOI

    if not text:
        return None
    s = _DOI_PREFIXES.sub("", text.strip())
    s = s.rstrip(".,;")
    s = s.lower()
    return s if _DOI.match(s) else None


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["10.", "10.5555/", "doi:", "DOI: ", "https://doi.org/", "urn:doi:", " ", "."]), TEXT
        ),
        max_size=5,
    ).map("".join)
)
def test_bare_doi_fast_path_is_the_prefix_search(text):
    from reviewkit.identifiers import normalize_doi

    assert normalize_doi(text) == normalize_doi_general(text)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(RIS_TAGS[1:]), RIS_VALUES), max_size=14))
def test_ris_entry_of_a_record_read_from_text_is_the_general_one(tags):
    """A record as the reader reads it (values without tabs or two spaces in a row are used as they are)."""
    body = "".join(f"{t}  - {v.replace(chr(10), ' ').replace(chr(13), ' ')}\n" for t, v in tags)
    recs = list(ris.iter_records(f"\n\n\nTY  - JOUR\n{body}ER  - \n", "x.ris", []))
    assert len(recs) == 1
    rec = recs[0]
    general = as_data(ris_to_entry_general(rec, "x.ris", {}))
    assert as_data(ris._to_entry(rec, "x.ris", {}, None, True)) == general
    assert as_data(ris._to_entry(rec, "x y.ris", {}, None, False)) == as_data(ris_to_entry_general(rec, "x y.ris", {}))


@SETTINGS
@given(PERSONS)
def test_name_text_is_str_of_the_person(persons):
    from pybtex.database import Person

    from reviewkit.citations.keys import name_text

    for p in [*persons, Person("van der Berg, Jr, Ana María"), Person("others"), Person("{Sarcoma Group}")]:
        assert name_text(p) == str(p)


def assign_keys_general(entries, taken=()):
    groups = {}
    for e in entries:
        groups.setdefault(keys.base_key(e), []).append(e)
    key_of = {}
    used = set(taken)
    for base in sorted(groups):
        members = groups[base]
        if len(members) > 1:
            members = sorted(members, key=keys.fingerprint)
        for i, e in enumerate(members):
            key = base if i == 0 else f"{base}{keys.suffix(i)}"
            n = i
            while key in used:
                n += 1
                key = f"{base}{keys.suffix(n)}"
            used.add(key)
            key_of[id(e)] = key
    return {key_of[id(e)]: e for e in entries}


YEARS = st.one_of(TEXT, st.sampled_from(["2021", "2021a", "١٢٣٤", "²⁰²¹", "20212", ""]))


@SETTINGS
@given(st.lists(st.tuples(PERSONS, WORDY, YEARS), max_size=6), st.sets(st.sampled_from(["kasper2021", "anon", "x"])))
def test_keys_are_the_general_ones(items, taken):
    entries = [entry_of(title, year, persons) for persons, title, year in items]
    assert list(keys.assign_keys(entries, taken).items()) == list(assign_keys_general(entries, taken).items())


PARSED = ["others", "van der Berg, Ana", "{Sarcoma Group}", "others, Jr, Ana", "Kasper12, B", "von Müller, K"]


@SETTINGS
@given(st.lists(st.sampled_from(PARSED), max_size=2), PERSONS, WORDY, YEARS, TEXT)
def test_merge_key_of_a_lone_record_is_its_base_key(parsed, persons, title, year, org):
    """The merge computes a record's base key from the title and surname it normalized (keys.base_from)."""
    from pybtex.database import Person

    e = entry_of(title, year, [Person(x) for x in parsed] + persons, {"organization": org})
    result = merge.merge([merge.Record(e, None, "x.ris:1")])
    assert list(result.bibliography.entries.keys()) == [keys.base_key(e)]
