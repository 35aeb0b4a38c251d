"""PubMed MEDLINE / ``.nbib`` files (read with Biopython's ``Bio.Medline``).

Repeated tags (``AU``, ``LID``, ``AID``) and wrapped values are Biopython's
job; this module maps the record onto the citation fields.  MEDLINE has no
record terminator, so a record is a blank-line-separated block that starts
with a MEDLINE tag (``PMID-`` in PubMed's exports) and has a PMID or a title;
anything else is an error naming its line.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..errors import InputError
from . import record as R

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _blocks(text: str, name: str):
    """(first line number, block text) per blank-line-separated record."""
    block, start = [], None
    for lineno, line in enumerate(R.lines(text).split("\n"), start=1):
        if line.strip():
            if start is None:
                start = lineno
            block.append(line + "\n")
        elif block:
            yield start, "".join(block)
            block, start = [], None
    if block:
        yield start, "".join(block)


def _stream(text: str, name: str, skip_invalid: bool, out: R.Reading):
    """``(None, entry, line)`` per record, one block at a time."""
    from Bio import Medline

    def problem(msg, start):
        if not skip_invalid:
            raise InputError(msg, source=f"{name}:{start}")
        out.skipped.append(f"{name}:{start}: {msg}")

    for start, block in _blocks(text, name):
        first = block.split("\n", 1)[0]
        if not re.match(r"^[A-Z]{2,4}\s*-", first):
            problem(f"expected a MEDLINE tag such as 'PMID- ', found {first[:40]!r}", start)
            continue
        try:
            rec = next(iter(Medline.parse(io.StringIO(block))), None)
        except (KeyError, IndexError, ValueError, TypeError):
            rec = None
        if not rec or not (rec.get("TI") or rec.get("PMID")):
            problem("record has neither a PMID nor a title", start)
            continue
        yield None, _to_entry(rec, f"{Path(name).name}:{start}"), start


def _tagged(value: str, marker: str) -> list[str]:
    """The word before each *marker* ("10.1/x [doi]"), found without backtracking over long lines."""
    out, start = [], 0
    while (i := value.find(marker, start)) >= 0:
        before = value[max(0, i - 1000) : i].split()
        if before:
            out.append(before[-1])
        start = i + len(marker)
    return out


def _values(rec, tag) -> list[str]:
    v = rec.get(tag, [])
    return [x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)]


def _t(rec, tag) -> str:
    return " ".join(_values(rec, tag))


def _to_entry(rec, source: str):
    # Biopython joins repeated LID lines into one string ("S0140… [pii] 10.1016/… [doi]"): find each "… [doi]"
    dois = [d for tag in ("LID", "AID") for v in _values(rec, tag) for d in _tagged(v, "[doi]")]
    doi = next((d for d in dois if R.normalize_doi(d)), "")
    dp = _t(rec, "DP")
    year = (re.search(r"\d{4}", dp) or [""])[0]
    month = next((m for m in _MONTHS if re.search(rf"\b{m}\b", dp)), "")
    fau, au = _values(rec, "FAU"), _values(rec, "AU")
    authors = [R.split_name(a) for a in (fau or au)]
    for corp in _values(rec, "CN"):
        authors.append(R.person(literal=corp))
    title = _t(rec, "TI") or _t(rec, "BTI")
    title = re.sub(r"\.$", "", title) if not title.endswith(("?", "!")) else title
    return R.make_entry(
        "article" if _t(rec, "TA") or _t(rec, "JT") else "misc",
        authors=authors,
        title=title,
        journal=_t(rec, "TA") or _t(rec, "JT"),
        year=year,
        month=month,
        volume=_t(rec, "VI"),
        number=_t(rec, "IP"),
        pages=_t(rec, "PG"),
        doi=doi,
        pmid=_t(rec, "PMID"),
        pmcid=_t(rec, "PMC"),
        abstract=_t(rec, "AB"),
        keywords=_values(rec, "OT"),
        language=(_values(rec, "LA") or [""])[0],
        source=source,
        extra={"journaltitle": _t(rec, "JT")},
    )


# parse(text) and read(path) -> ParseResult, loads(text) and load(path) -> BibliographyData, records_of(path) ->
# Reading (records as they are read), as every text importer has them
parse, read, loads, load, records_of = R.text_importer(_stream)
