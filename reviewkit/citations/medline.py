"""PubMed MEDLINE / ``.nbib`` files (read with Biopython's ``Bio.Medline``).

Repeated tags (``AU``, ``LID``, ``AID``) and wrapped values are Biopython's
job; this module maps the record onto the citation fields.  MEDLINE has no
record terminator, so a record is a blank-line-separated block that starts
with ``PMID-``; anything else is an error naming its line.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..errors import InputError
from . import record as R

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _blocks(text: str, name: str):
    """(first line number, block text) per record; checks each starts with PMID-."""
    block, start = [], None
    for lineno, line in enumerate(io.StringIO(text.lstrip("\ufeff")), start=1):
        if line.strip():
            if start is None:
                start = lineno
            block.append(line)
        elif block:
            yield start, "".join(block)
            block, start = [], None
    if block:
        yield start, "".join(block)


def parse(text: str, *, name: str = "<string>", skip_invalid: bool = False, skipped: list | None = None):
    from Bio import Medline
    from pybtex.database import BibliographyData

    from .keys import assign_keys

    entries = []
    for start, block in _blocks(text, name):
        first = block.lstrip().split("\n", 1)[0]
        if not re.match(r"^[A-Z]{2,4}\s*-", first):
            msg = f"expected a MEDLINE tag such as 'PMID- ', found {first[:40]!r}"
            if skip_invalid:
                (skipped if skipped is not None else []).append(f"{name}:{start}: {msg}")
                continue
            raise InputError(msg, source=f"{name}:{start}")
        rec = next(iter(Medline.parse(io.StringIO(block))), None)
        if not rec or not (rec.get("TI") or rec.get("PMID")):
            msg = "record has neither a PMID nor a title"
            if skip_invalid:
                (skipped if skipped is not None else []).append(f"{name}:{start}: {msg}")
                continue
            raise InputError(msg, source=f"{name}:{start}")
        entries.append(_to_entry(rec, f"{Path(name).name}:{start}"))
    return BibliographyData(entries=assign_keys(entries))


def _to_entry(rec, source: str):
    doi = ""
    for v in rec.get("LID", []) if isinstance(rec.get("LID"), list) else [rec.get("LID", "")]:
        if v and v.endswith("[doi]"):
            doi = v[:-5].strip()
    if not doi:
        for v in rec.get("AID", []):
            if v.endswith("[doi]"):
                doi = v[:-5].strip()
                break
    dp = rec.get("DP", "")
    year = (re.search(r"\d{4}", dp) or [""])[0]
    month = next((m for m in _MONTHS if re.search(rf"\b{m}\b", dp)), "")
    fau, au = rec.get("FAU", []), rec.get("AU", [])
    authors = [R.split_name(a) for a in (fau or au)]
    for corp in rec.get("CN", []) if isinstance(rec.get("CN"), list) else [rec.get("CN")] if rec.get("CN") else []:
        authors.append(R.person(literal=corp))
    title = rec.get("TI", "") or rec.get("BTI", "")
    title = re.sub(r"\.$", "", title) if not title.endswith(("?", "!")) else title
    return R.make_entry(
        "article" if rec.get("TA") or rec.get("JT") else "misc",
        authors=authors, title=title, journal=rec.get("TA") or rec.get("JT", ""),
        year=year, month=month, volume=rec.get("VI", ""), number=rec.get("IP", ""), pages=rec.get("PG", ""),
        doi=doi, pmid=rec.get("PMID", ""), pmcid=rec.get("PMC", ""), abstract=rec.get("AB", ""),
        keywords=rec.get("OT", []), language=(rec.get("LA") or [""])[0], source=source,
        extra={"journaltitle": rec.get("JT", "")},
    )


def loads(text: str, *, name: str = "<string>", **kw):
    return parse(text, name=name, **kw)


def load(path_or_file, *, encoding: str = "utf-8", **kw):
    from . import read_text

    text, name = read_text(path_or_file, encoding)
    return parse(text, name=name, **kw)
