"""Citations: read citation files (six formats) and merge them into one record per work.

The public names — what a notebook or script imports — are those in ``__all__``:

- :func:`load`: one file -> :class:`pybtex.database.BibliographyData` (fields as plain Unicode text); the
  format comes from *fmt*, else the content, else the suffix (``FORMATS``: format -> suffixes).
- :func:`load_bibliography`: several files -> one merged record per work (:class:`merge.MergeResult`).
- :func:`search`, :func:`suggest_keys`: find records and keys as ``reviewkit refs`` does.

In a notebook, ``reviewkit.project.bibliography()`` is the review's merged bibliography as the build sees it.

Everything else is internal.  Each format has its own internal module (``bibtex``, ``ris``, ``medline``,
``pubmed_xml``, ``csljson``, ``reflist``) with ``read(path)`` -> records, warnings and skipped records, which
:func:`load` calls; BibTeX is the one format treated apart when merging: its keys are kept as the records' keys
(every other format gets generated keys) and its entries' line numbers name where a record came from.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError

__all__ = ["FORMATS", "load", "load_bibliography", "search", "suggest_keys"]

#: format -> suffixes
FORMATS = {
    "bibtex": (".bib", ".bibtex", ".biblatex"),
    "ris": (".ris",),
    "medline": (".nbib", ".medline"),
    "pubmed-xml": (".xml", ".xml.gz"),
    "csljson": (".json", ".csl.json", ".csljson"),
    "reflist": (".txt", ".refs"),
}
MODULES = {
    "bibtex": "bibtex",
    "ris": "ris",
    "medline": "medline",
    "pubmed-xml": "pubmed_xml",
    "csljson": "csljson",
    "reflist": "reflist",
}


def read_bytes(path) -> bytes:
    """The bytes of a regular file; a folder, a missing or unreadable path is an error naming it."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file of citations", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read this file: {exc.strerror or exc}", source=str(path)) from None


def check_encoding(encoding: str) -> str:
    import codecs

    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError, ValueError):
        raise InputError(f"unknown text encoding {encoding!r} (e.g. utf-8, latin-1, cp1252, utf-16)") from None


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def read_text(path_or_file, encoding: str = "utf-8") -> tuple[str, str]:
    """(text, name) from a path or a file object, every line end as LF; a decoding error names the line.

    A byte-order mark decides the encoding (UTF-8, UTF-16, UTF-32): that is
    the file saying what it is, not a guess.
    """
    check_encoding(encoding)
    if isinstance(path_or_file, (str, Path)):
        raw, name = read_bytes(path_or_file), str(path_or_file)
    else:
        raw, name = path_or_file.read(), str(getattr(path_or_file, "name", "<stream>"))
    if isinstance(raw, str):
        from .record import lines

        return lines(raw), name
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            encoding = enc
            break
    else:
        if b"\x00" in raw[:4096]:
            raise InputError("binary data, not a text file of citations", source=name)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte 0x{raw[exc.start]:02x} is not valid {encoding}; re-save the file as UTF-8 "
            "or pass --encoding (e.g. --encoding latin-1)",
            source=f"{name}:{line}",
        ) from None
    from .record import lines

    return lines(text), name


def sniff(text: str) -> str | None:
    """The format the content looks like, or None."""
    s = text.lstrip("\ufeff \t\r\n")
    if s.startswith(("<?xml", "<PubmedArticleSet", "<!DOCTYPE PubmedArticleSet")) or "<PubmedArticleSet" in s[:500]:
        return "pubmed-xml"
    if s.startswith(("[", "{")):
        return "csljson"
    if re.match(r"@\w+\s*[{(]", s) or re.search(r"^@\w+\s*[{(]", s[:2000], re.MULTILINE):
        return "bibtex"
    if re.search(r"^PMID-\s*\d+", s[:2000], re.MULTILINE):
        return "medline"
    if re.search(r"^(TY  -|TY\t|PT [A-Z]$|FN )", s[:4000], re.MULTILINE):
        return "ris"
    if re.match(r"(#.*\n\s*)*(\d+[.)]|\[\d+\])\s+\S", s):
        return "reflist"
    return None


def detect_format(path: Path, text: str | None = None) -> str:
    """From the content when it is recognisable (a wrong suffix is common), else from the suffix."""
    path = Path(path)
    if text is not None:
        found = sniff(text)
        if found:
            return found
    name = path.name.lower()
    for fmt, suffixes in FORMATS.items():
        if any(name.endswith(sfx) for sfx in suffixes):
            return fmt
    raise InputError(
        f"cannot tell the format of this file; known formats: {', '.join(FORMATS)} (use --from FORMAT)",
        source=str(path),
    )


def _head(path: Path) -> str:
    """The first 4 KB of a file as text (decompressed when gzipped), to recognise its format."""
    import gzip
    import zlib

    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as exc:
        raise InputError(f"cannot read this file: {exc.strerror or exc}", source=str(path)) from None
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as g:
                head = g.read(4096)
        except (OSError, EOFError, zlib.error):
            return ""
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return head.decode(enc, errors="replace")
    return head.decode("utf-8", errors="replace")


def cache_dir() -> Path:
    import os

    base = os.environ.get("REVIEWKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "reviewkit"
    )
    return Path(base) / "citations"


def load(
    path,
    *,
    fmt: str | None = None,
    encoding: str = "utf-8",
    warnings: list | None = None,
    skip_invalid: bool = False,
    skipped: list | None = None,
    cache: bool = True,
):
    """Read one citation file (format from *fmt*, else the content, else the suffix).

    Parsed files are cached (``$REVIEWKIT_CACHE``, default
    ``~/.cache/reviewkit``), so an unchanged 20,000-entry library is not parsed
    again; warnings and skipped records are cached with it.  The cache key
    covers the file's content and the source code of the importer that parsed
    it (:mod:`reviewkit.pipeline.code`), so an edited importer is never served
    its old results; cache files are JSON, read without executing anything.
    """
    import hashlib
    import json

    from ..pipeline import code

    path = Path(path)
    data = read_bytes(path)  # a folder, missing or unreadable path: an error naming it
    fmt = fmt or detect_format(path, _head(path))
    if fmt not in MODULES:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", source=str(path))
    digest = hashlib.sha256(data).hexdigest()
    importer = code.key([f"{__name__}.{MODULES[fmt]}"], dynamic=False)
    tag = hashlib.sha256(f"{importer}|{fmt}|{encoding}|{skip_invalid}|{path.resolve()}".encode()).hexdigest()[:16]
    cached = cache_dir() / f"{digest}-{tag}.json"
    if cache and cached.is_file():
        try:
            from pybtex.database import BibliographyData

            from .library import decode_entry

            stored = json.loads(cached.read_text(encoding="utf-8"))
            bib = BibliographyData(entries={k: decode_entry(v) for k, v in stored["entries"]})
            if warnings is not None:
                warnings.extend(stored["warnings"])
            if skipped is not None:
                skipped.extend(stored["skipped"])
            return bib
        except Exception:  # a damaged cache file is ignored, then rewritten
            pass
    warn: list = []
    skip: list = []
    bib = _load_uncached(path, fmt, encoding, warn, skip_invalid, skip)
    if warnings is not None:
        warnings.extend(warn)
    if skipped is not None:
        skipped.extend(skip)
    if cache:
        from ..atomic import write
        from .library import encode_entry

        body = {
            "entries": [[k, encode_entry(e)] for k, e in bib.entries.items()],
            "warnings": [str(w) for w in warn],
            "skipped": [str(x) for x in skip],
        }
        try:
            write(cached, json.dumps(body, ensure_ascii=False))
        except OSError:
            pass  # a read-only cache only costs speed
    return bib


def _load_uncached(path: Path, fmt: str, encoding: str, warnings: list, skip_invalid: bool, skipped: list):
    import importlib

    if fmt not in MODULES:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", source=str(path))
    module = importlib.import_module(f".{MODULES[fmt]}", __name__)
    result = module.read(path, encoding=encoding, skip_invalid=skip_invalid)
    warnings.extend(result.warnings)
    skipped.extend(result.skipped)
    return result.bibliography


def search(entries, query: str = "", limit: int | None = None):
    """Records matching a fuzzy query ("kasper 2021 unmet"), best first (see :mod:`._search`).

    *entries*: a mapping of keys to pybtex entries (``bib.entries``); returns at most *limit* of them.
    """
    from ._search import search as _search

    return _search(entries, query, limit)


def suggest_keys(key: str, entries, n: int = 3) -> list[str]:
    """The known keys closest to an unknown *key*, as ``reviewkit refs`` would find them."""
    from ._search import suggest_keys as _suggest

    return _suggest(key, entries, n)


def load_bibliography(
    paths,
    *,
    warnings: list | None = None,
    fmt: str | None = None,
    encoding: str = "utf-8",
    skip_invalid: bool = False,
    skipped: list | None = None,
    on_key_clash: str = "error",
    cache: bool = True,
):
    """Read and merge citation files -> :class:`merge.MergeResult` (with ``warnings`` and ``skipped``).

    A BibTeX key is kept as the record's key; every other record gets a readable
    generated key, and the keys its source gave (CSL-JSON ids) stay citable as
    aliases.  The same key for two different works is an error naming both
    records (``on_key_clash="rename"``: a new key and a warning instead).
    """
    from .merge import Record, merge
    from .record import gc_paused

    records = []
    warn: list[str] = []
    skip: list[str] = []
    with gc_paused():  # millions of acyclic objects: see record.gc_paused
        for path in paths:
            path = Path(path)
            reading = _reading(path, fmt, encoding, skip_invalid, cache)
            origin = _origin(path)
            for key, entry, line in reading.records:  # parsed as they are read: one file's entries, never twice
                records.append(Record(entry, key, origin(key, entry, line)))
            warn += reading.warnings
            skip += reading.skipped
        result = merge(records, on_key_clash=on_key_clash)
    result.warnings[:0] = warn
    result.skipped = skip
    if warnings is not None:
        warnings.extend(result.warnings)
    if skipped is not None:
        skipped.extend(skip)
    return result


def _reading(path: Path, fmt: str | None, encoding: str, skip_invalid: bool, cache: bool):
    """The records of one file as a :class:`record.Reading`: from the parse cache (see :func:`load`), or
    parsed while they are iterated by the importer's ``records_of``."""
    import importlib

    from .record import Reading

    this_fmt = fmt or (detect_format(path, _head(path)) if path.is_file() else None)
    if cache or not path.is_file():  # (a folder, missing or unreadable path: load() names it)
        r = Reading()
        bib = load(
            path,
            fmt=this_fmt,
            encoding=encoding,
            warnings=r.warnings,
            skip_invalid=skip_invalid,
            skipped=r.skipped,
            cache=cache,
        )
        lines = {}
        if this_fmt == "bibtex":
            from .bibtex import entry_lines

            lines = entry_lines(read_text(path, encoding)[0])
        r.records = ((key if this_fmt == "bibtex" else None, e, lines.get(key)) for key, e in bib.entries.items())
        return r
    if this_fmt not in MODULES:
        raise InputError(f"unknown format {this_fmt!r}; known: {', '.join(FORMATS)}", source=str(path))
    module = importlib.import_module(f".{MODULES[this_fmt]}", __name__)
    if hasattr(module, "records_of"):
        return module.records_of(path, encoding=encoding, skip_invalid=skip_invalid)
    result = module.read(path, encoding=encoding, skip_invalid=skip_invalid)
    r = Reading()
    r.records = ((None, e, None) for e in result.bibliography.entries.values())
    r.warnings, r.skipped = result.warnings, result.skipped
    return r


def _origin(path: Path):
    """``origin(key, entry, line)``: where a record of *path* came from, for merge reports and key clashes —
    ``file:line``, ``file#item`` or ``file (key)``."""
    name = path.name
    in_source = re.compile(rf"(?:^|[\s;/]){re.escape(name)}([:#]\d+)")
    in_reflist = re.compile(rf"{re.escape(name)}, reference \d+ \(line (\d+)\)")  # pasted reference lists

    def origin(key: str | None, entry, line: int | None) -> str:
        source = entry.fields.get("source", "")
        if source.startswith(name) and source[len(name) : len(name) + 1] == ":":
            rest = source[len(name) + 1 :]
            if rest.isdigit() and rest.isascii():  # "file.ris:12", as RIS, MEDLINE … write it: what the search finds
                return source
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
