"""PubMed XML (``PubmedArticleSet``, plain or ``.gz``), streamed.

``iterparse`` hands over one ``PubmedArticle`` at a time and each is cleared
once converted, so a 30,000-article file never holds the whole tree.  Handles
``MedlineDate``, collective authors, articles without abstract or author list,
inline markup in titles (``<i>``, ``<sup>``) and ``DeleteCitation`` blocks,
which list PMIDs to delete and are not records.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import record as R

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _text(el) -> str:
    return R.clean("".join(el.itertext())) if el is not None else ""


def _open(path_or_file):
    if isinstance(path_or_file, (str, Path)):
        path = Path(path_or_file)
        try:
            if path.is_dir():
                raise InputError("is a folder, not a PubMed XML file", source=str(path))
            with open(path, "rb") as f:
                magic = f.read(2)
            return (gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")), str(path)
        except FileNotFoundError:
            raise InputError("file not found", source=str(path)) from None
        except OSError as exc:
            raise InputError(f"cannot read this file: {exc.strerror or exc}", source=str(path)) from None
    return path_or_file, getattr(path_or_file, "name", "<stream>")


def iter_entries(path_or_file, *, deleted: list | None = None, warnings: list | None = None):
    """Yield one pybtex Entry per ``PubmedArticle``/``PubmedBookArticle``; *warnings* gets one line per DOI
    that is not kept as the DOI (see :func:`_doi`)."""
    import xml.etree.ElementTree as ET
    import zlib

    stream, name = _open(path_or_file)
    try:
        context = ET.iterparse(stream, events=("start", "end"))
        root: Any = None  # the <PubmedArticleSet> element, once its start is seen
        index = 0
        for event, el in context:
            if event == "start":
                if root is None:
                    root = el
                    if el.tag not in ("PubmedArticleSet", "PubmedBookArticleSet"):
                        raise InputError(
                            f"not PubMed XML: root element is <{el.tag}>, expected <PubmedArticleSet>", source=name
                        )
                continue
            if el.tag in ("PubmedArticle", "PubmedBookArticle"):
                index += 1
                yield _to_entry(el, f"{Path(name).name}#{index}", warnings)
                root.clear()
            elif el.tag == "DeleteCitation":
                if deleted is not None:
                    deleted.extend(_text(p) for p in el.findall("PMID"))
                root.clear()
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(f"malformed XML: {exc}", source=f"{name}:{line}" if line else name) from None
    except (OSError, EOFError, zlib.error) as exc:  # truncated or damaged .gz
        raise InputError(f"cannot read (a cut or damaged .gz file?): {exc}", source=name) from None
    except (ValueError, LookupError, RecursionError) as exc:  # e.g. an unknown encoding declaration
        raise InputError(f"malformed XML: {exc}", source=name) from None
    finally:
        if isinstance(path_or_file, (str, Path)):
            stream.close()


def _doi(el, art, article_ids: list, source: str, warnings: list | None) -> tuple[str, str]:
    """(the article's DOI, a note for the rest): every DOI the article gives — ``ArticleIdList`` first, then
    ``ELocationID`` — is looked at.  The first valid one is the DOI; a given value that is not a DOI (an old
    SICI DOI with ``<…>``) is kept in the note as given, never used as a link, with a warning, and so is a
    second, different valid DOI: nothing the file says is dropped."""
    given = [_text(i) for i in article_ids if i.get("IdType") == "doi"]
    given += [_text(e) for e in art.iterfind("ELocationID") if e.get("EIdType") == "doi"]
    doi, notes, seen = "", [], set()
    for value in given:
        d = R.normalize_doi(value) if value else None
        if not value or (d or value) in seen:
            continue  # an empty element, or a DOI given twice (ArticleIdList and ELocationID, in any case)
        seen.add(d or value)
        if d and not doi:
            doi = d
            continue
        notes.append(f"other DOI: {d}" if d else f"DOI as given: {value}")
        if warnings is not None:
            at = f"{source} (PMID {_text(el.find('MedlineCitation/PMID'))})"
            warnings.append(
                f"{at}: a second DOI {d!r} besides {doi!r}; kept in the note"
                if d
                else f"{at}: {value[:80]!r} is not a DOI (expected 10.<registrant>/<suffix>); kept in the note, "
                "never used as a link"
            )
    return doi, "; ".join(notes)


def _to_entry(el, source: str, warnings: list | None = None):
    cit = el.find("MedlineCitation")
    art = cit.find("Article") if cit is not None else None
    if art is None:  # PubmedBookArticle
        book = el.find("BookDocument")
        return R.make_entry(
            "book",
            title=_text(book.find("ArticleTitle") if book is not None else None)
            or _text(book.find("Book/BookTitle") if book is not None else None),
            pmid=_text(book.find("PMID") if book is not None else None),
            source=source,
        )
    authors = []
    for a in art.findall("AuthorList/Author"):
        if a.find("CollectiveName") is not None:
            authors.append(R.person(literal=_text(a.find("CollectiveName"))))
        else:
            given = _text(a.find("ForeName")) or " ".join(f"{c}." for c in _text(a.find("Initials")))
            authors.append(R.person(_text(a.find("LastName")), given))
    if art.find("AuthorList") is not None and art.find("AuthorList").get("CompleteYN") == "N":
        from pybtex.database import Person

        authors.append(Person("others"))
    pub = art.find("Journal/JournalIssue/PubDate")
    year = _text(pub.find("Year")) if pub is not None else ""
    month = _text(pub.find("Month")) if pub is not None else ""
    if not year and pub is not None and pub.find("MedlineDate") is not None:
        md = _text(pub.find("MedlineDate"))  # e.g. "1998 Dec-1999 Jan"
        year = (re.search(r"\d{4}", md) or [""])[0]
        month = next((m for m in _MONTHS if m in md), "")
    article_ids = el.findall("PubmedData/ArticleIdList/ArticleId")
    ids = {i.get("IdType"): _text(i) for i in article_ids}
    doi, note = _doi(el, art, article_ids, source, warnings)
    abstract = " ".join(_text(t) for t in art.findall("Abstract/AbstractText"))
    title = _text(art.find("ArticleTitle"))
    title = title[:-1] if title.endswith(".") else title
    return R.make_entry(
        "article",
        authors=authors,
        title=title,
        journal=_text(art.find("Journal/ISOAbbreviation"))
        or _text(cit.find("MedlineJournalInfo/MedlineTA"))
        or _text(art.find("Journal/Title")),
        year=year,
        month=month,
        volume=_text(art.find("Journal/JournalIssue/Volume")),
        number=_text(art.find("Journal/JournalIssue/Issue")),
        pages=_text(art.find("Pagination/MedlinePgn")),
        doi=doi,
        pmid=_text(cit.find("PMID")),
        pmcid=ids.get("pmc", ""),
        abstract=abstract,
        note=note,
        language=_text(art.find("Language")),
        keywords=[_text(k) for k in cit.findall("KeywordList/Keyword")],
        source=source,
        extra={"journaltitle": _text(art.find("Journal/Title"))},
    )


def records_of(
    path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False, deleted: list | None = None
) -> R.Reading:
    """The :class:`Reading` of a file: ``(None, entry, None)`` per article, parsed as they are iterated;
    an article with neither PMID nor title is reported, not kept."""
    out = R.Reading()

    def records():
        for entry in iter_entries(path_or_file, deleted=deleted, warnings=out.warnings):
            if not (entry.fields.get("pmid") or entry.fields.get("title")):
                where = entry.fields.get("source", "?")
                if not skip_invalid:
                    raise InputError("article has neither a PMID nor a title", source=where)
                out.skipped.append(f"{where}: article has neither a PMID nor a title")
                continue
            yield None, entry, None

    out.records = records()
    return out


def read(path_or_file, *, encoding: str = "utf-8", skip_invalid: bool = False, deleted: list | None = None):
    """All articles -> :class:`ParseResult`; an article with neither PMID nor title is reported, not kept."""
    return records_of(path_or_file, skip_invalid=skip_invalid, deleted=deleted).result()


def load(
    path_or_file,
    *,
    encoding: str = "utf-8",
    deleted: list | None = None,
    skip_invalid: bool = False,
    skipped: list | None = None,
):
    result = read(path_or_file, deleted=deleted, skip_invalid=skip_invalid)
    if skipped is not None:
        skipped.extend(result.skipped)
    return result.bibliography


def loads(text: str, *, name: str = "<string>", **kw):
    import io

    data = io.BytesIO(text.encode("utf-8"))
    data.name = name
    return load(data, **kw)
