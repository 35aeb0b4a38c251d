"""Citations: importers (one module per format), merging, keys, styles.

Every importer module has ``load(path_or_file)`` and ``loads(text)`` returning
a :class:`pybtex.database.BibliographyData` whose fields are plain Unicode
text.  :func:`load` picks the importer from the suffix, or from the content
when the suffix is missing or wrong; :func:`load_bibliography` reads several
files and merges them into one record per work.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError

#: format -> suffixes
FORMATS = {
    "bibtex": (".bib", ".bibtex", ".biblatex"),
    "ris": (".ris",),
    "medline": (".nbib", ".medline"),
    "pubmed-xml": (".xml", ".xml.gz"),
    "csljson": (".json", ".csl.json", ".csljson"),
    "reflist": (".txt", ".refs"),
}
MODULES = {"bibtex": "bibtex", "ris": "ris", "medline": "medline", "pubmed-xml": "pubmed_xml",
           "csljson": "csljson", "reflist": "reflist"}


def read_text(path_or_file, encoding: str = "utf-8") -> tuple[str, str]:
    """(text, name) from a path or a file object; a decoding error names the line."""
    if isinstance(path_or_file, (str, Path)):
        path = Path(path_or_file)
        if not path.is_file():
            raise InputError("file not found", source=str(path))
        raw, name = path.read_bytes(), str(path)
    else:
        raw, name = path_or_file.read(), str(getattr(path_or_file, "name", "<stream>"))
    if isinstance(raw, str):
        return raw, name
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("binary data, not a text file of citations", source=name)
    try:
        return raw.decode(encoding), name
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte 0x{raw[exc.start]:02x} is not valid {encoding}; re-save the file as UTF-8 "
            "or pass --encoding (e.g. --encoding latin-1)",
            source=f"{name}:{line}",
        ) from None


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
    import gzip

    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as g:
                head = g.read(4096)
        except OSError:
            return ""
    return head.decode("utf-8", errors="replace")


def cache_dir() -> Path:
    import os

    base = os.environ.get("REVIEWKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "reviewkit")
    return Path(base) / "citations"


def load(path, *, fmt: str | None = None, encoding: str = "utf-8", warnings: list | None = None,
         skip_invalid: bool = False, skipped: list | None = None, cache: bool = True):
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
    if not path.is_file():
        raise InputError("file not found", source=str(path))
    fmt = fmt or detect_format(path, _head(path))
    if fmt not in MODULES:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", source=str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    importer = code.key([f"{__name__}.{MODULES[fmt]}"], dynamic=False)
    tag = hashlib.sha256(f"{importer}|{fmt}|{encoding}|{skip_invalid}|{path.resolve()}".encode()).hexdigest()[:16]
    cached = cache_dir() / f"{digest}-{tag}.json"
    if cache and cached.is_file():
        try:
            from pybtex.database import BibliographyData

            from .library import decode_entry

            data = json.loads(cached.read_text(encoding="utf-8"))
            bib = BibliographyData(entries={k: decode_entry(v) for k, v in data["entries"]})
            if warnings is not None:
                warnings.extend(data["warnings"])
            if skipped is not None:
                skipped.extend(data["skipped"])
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

        body = {"entries": [[k, encode_entry(e)] for k, e in bib.entries.items()],
                "warnings": [str(w) for w in warn], "skipped": [str(x) for x in skip]}
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
    if fmt == "reflist":
        result = module.parse(path, encoding=encoding)
        warnings.extend(result.warnings)
        return result.bibliography
    if fmt == "bibtex":
        return module.load(path, encoding=encoding)
    if fmt == "pubmed-xml":
        return module.load(path)
    return module.load(path, encoding=encoding, skip_invalid=skip_invalid, skipped=skipped)


def load_bibliography(paths, *, warnings: list | None = None, fmt: str | None = None, encoding: str = "utf-8",
                      skip_invalid: bool = False, skipped: list | None = None):
    """Read and merge citation files -> :class:`merge.MergeResult`."""
    from .merge import Record, merge

    records = []
    for path in paths:
        path = Path(path)
        this_fmt = fmt or detect_format(path, _head(path)) if path.is_file() else None
        bib = load(path, fmt=this_fmt, encoding=encoding, warnings=warnings, skip_invalid=skip_invalid, skipped=skipped)
        explicit = this_fmt in ("bibtex", "csljson")
        for key, entry in bib.entries.items():
            records.append(Record(entry, key if explicit else None, f"{path.name}:{key}"))
    return merge(records)
