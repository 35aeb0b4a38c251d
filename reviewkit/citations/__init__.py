"""Citations: importers (one module per format), merging, keys, styles.

Every importer returns a :class:`pybtex.database.BibliographyData` whose fields
are plain Unicode text.  :func:`load_bibliography` reads several files of any
supported format and merges them into one record per work.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

#: suffix -> importer module (relative to this package)
FORMATS = {
    "bibtex": (".bib", ".bibtex", ".biblatex"),
    "reflist": (".txt", ".refs"),
}


def detect_format(path: Path, text: str | None = None) -> str:
    suffix = path.suffix.lower()
    for fmt, suffixes in FORMATS.items():
        if suffix in suffixes:
            return fmt
    if text is not None:
        stripped = text.lstrip("\ufeff \t\r\n")
        if stripped.startswith("@"):
            return "bibtex"
        if stripped[:1].isdigit() or stripped.startswith("#"):
            return "reflist"
    raise InputError(
        f"cannot tell the format of this file from its suffix {suffix!r}; "
        f"known formats: {', '.join(FORMATS)} (use --from FORMAT)",
        source=str(path),
    )


def load(path, *, fmt: str | None = None, encoding: str = "utf-8", warnings: list | None = None):
    """Read one citation file (format from *fmt*, the suffix or the content)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", source=str(path))
    fmt = fmt or detect_format(path, path.read_text(encoding=encoding, errors="replace")[:2000])
    if fmt == "bibtex":
        from . import bibtex

        return bibtex.load(path, encoding=encoding)
    if fmt == "reflist":
        from . import reflist

        result = reflist.parse(path, encoding=encoding)
        if warnings is not None:
            warnings.extend(result.warnings)
        return result.bibliography
    raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}", source=str(path))


def load_bibliography(paths, *, warnings: list | None = None):
    """Read and merge citation files -> :class:`merge.MergeResult`."""
    from .merge import Record, merge

    records = []
    for path in paths:
        bib = load(path, warnings=warnings)
        explicit = detect_format(Path(path)) == "bibtex"
        for key, entry in bib.entries.items():
            records.append(Record(entry, key if explicit else None, f"{Path(path).name}:{key}"))
    return merge(records)
