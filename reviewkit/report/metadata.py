"""Author metadata of ``review.toml``: authors, affiliations, statements.

    [report]
    affiliations = ["Dept. …, University …", "…"]          # numbered 1, 2, … in order
    funding = "…"                 conflicts = "…"
    data_availability = "…"       acknowledgements = "…"

    [[report.authors]]            # or authors = ["Name", …] (names only)
    name = "Given Family"         # or given = "…", family = "…"
    orcid = "0000-0002-1825-0097" # checksum validated (ISO 7064 11,2)
    affiliations = [1]            # numbers into report.affiliations
    email = "…"                   corresponding = true
    equal_contribution = true

    [[report.authors]]
    group = "The … Working Group" # group authorship
    on_behalf_of = true           # printed "on behalf of The … Working Group"

:func:`check` validates the table (errors name ``review.toml:LINE``);
:func:`contributors` gives the normalized list every writer reads.
"""

from __future__ import annotations

import html
import re

from ..errors import ConfigError, did_you_mean

AUTHOR_KEYS = {
    "name": str,
    "given": str,
    "family": str,
    "orcid": str,
    "affiliations": list,
    "email": str,
    "corresponding": bool,
    "equal_contribution": bool,
    "group": str,
    "on_behalf_of": bool,
}
STATEMENTS = {
    "funding": "Funding",
    "conflicts": "Conflicts of interest",
    "data_availability": "Data availability",
    "acknowledgements": "Acknowledgements",
}
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of an ORCID iD (``0000-0002-1825-0097``)."""
    digits = orcid.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _line(text: str, pattern: str, default: int = 1) -> int:
    m = re.search(pattern, text, re.MULTILINE)
    return text[: m.start()].count("\n") + 1 if m else default


def check(report: dict, path, text: str) -> None:
    """Raise :class:`ConfigError` naming the line for the first bad author entry."""
    affs = report.get("affiliations", [])
    for i, a in enumerate(report.get("authors", []), start=1):
        if isinstance(a, str):
            continue
        where = f"{path}:{_line(text, _AUTHORS_TABLE)}"
        if not isinstance(a, dict):
            raise ConfigError(f"report.authors[{i}] must be a name or a table, not {type(a).__name__}", source=where)
        for k, v in a.items():
            kline = f"{path}:{_line(text, _key_pattern(k, _toml_repr(v)))}"
            if k not in AUTHOR_KEYS:
                raise ConfigError(f"unknown key report.authors[{i}].{k}{did_you_mean(k, AUTHOR_KEYS)}", source=kline)
            if not isinstance(v, AUTHOR_KEYS[k]):
                raise ConfigError(
                    f"report.authors[{i}].{k} must be a {AUTHOR_KEYS[k].__name__}, not {type(v).__name__}", source=kline
                )
        label = a.get("name") or a.get("group") or " ".join(filter(None, [a.get("given"), a.get("family")]))
        if not label:
            raise ConfigError(f"report.authors[{i}] needs a name (or given and family, or group)", source=where)
        if "orcid" in a:
            line = f"{path}:{_line(text, _key_pattern('orcid', _toml_repr(a['orcid'])))}"
            m = _ORCID.match(a["orcid"].strip())
            if not m:
                raise ConfigError(
                    f"ORCID {a['orcid']!r} of {label}: expected 16 digits as 0000-0000-0000-000X", source=line
                )
            if not orcid_checksum_ok(m.group(1)):
                raise ConfigError(
                    f"ORCID {a['orcid']!r} of {label}: the check digit is wrong (a typo in the iD?)", source=line
                )
        if "email" in a and not _EMAIL.match(a["email"]):
            line = f"{path}:{_line(text, _key_pattern('email', _toml_repr(a['email'])))}"
            raise ConfigError(f"e-mail {a['email']!r} of {label} is not an address like name@example.org", source=line)
        if a.get("corresponding") and "email" not in a:
            raise ConfigError(f'{label} is the corresponding author: add email = "…"', source=where)
        for n in a.get("affiliations", []):
            if not isinstance(n, int) or not 1 <= n <= len(affs):
                line = f"{path}:{_line(text, _AFFILIATION_NUMBERS)}"
                raise ConfigError(
                    f"{label}: affiliation {n!r} is not one of 1–{len(affs)} (the numbers of report.affiliations)",
                    source=line,
                )


_AUTHORS_TABLE = r"^\s*\[\[report\.authors\]\]"
_AFFILIATION_NUMBERS = r"^\s*affiliations\s*=\s*\[\s*\d"


def _key_pattern(key: str, value: str) -> str:
    return rf"(?<![\w.]){re.escape(key)}\s*=\s*{re.escape(value)}"


def _toml_repr(v) -> str:
    return f'"{v}"' if isinstance(v, str) else ("true" if v is True else "false" if v is False else "")


def contributors(report: dict) -> list[dict]:
    """Every author as a dict: name, given, family, orcid, affiliations, email, corresponding, equal, group."""
    out = []
    for a in report.get("authors", []):
        if isinstance(a, str):
            out.append({"name": a})
            continue
        d = dict(a)
        if "name" not in d and "group" not in d:
            d["name"] = " ".join(filter(None, [a.get("given"), a.get("family")]))
        if "orcid" in d:  # validated by check(); an unchecked one is kept as written, never an AttributeError
            m = _ORCID.match(d["orcid"].strip())
            d["orcid"] = m.group(1) if m else d["orcid"].strip()
        out.append(d)
    return out


def statements(report: dict) -> list[tuple[str, str, str]]:
    """(key, heading, text) of the statements given, in a fixed order."""
    return [(k, title, report[k]) for k, title in STATEMENTS.items() if report.get(k)]


def structured(report: dict) -> bool:
    return any(not isinstance(a, str) for a in report.get("authors", [])) or bool(statements(report))


def display_name(a: dict) -> str:
    if a.get("group"):
        return f"on behalf of {a['group']}" if a.get("on_behalf_of") else a["group"]
    return a["name"]


def author_lines(rk: dict) -> tuple[str, list[str], list[str]]:
    """HTML: the author line (superscript affiliation numbers, *, †), affiliation lines, notes."""
    people = rk.get("contributors") or [{"name": n} for n in rk.get("authors", [])]
    affs = rk.get("affiliations", [])
    numbered = bool(rk.get("contributors")) and any(p.get("affiliations") for p in people)
    names = []
    for p in people:
        marks = [str(n) for n in p.get("affiliations", [])] if numbered else []
        if p.get("equal_contribution"):
            marks.append("†")
        if p.get("corresponding"):
            marks.append("*")
        sup = f"<sup>{','.join(marks)}</sup>" if marks else ""
        orcid = f' <a href="https://orcid.org/{p["orcid"]}">ORCID {p["orcid"]}</a>' if p.get("orcid") else ""
        names.append(f"{html.escape(display_name(p))}{sup}{orcid}")
    line = ", ".join(names)
    aff_lines = [
        f"<sup>{i}</sup> {html.escape(a)}" if numbered else html.escape(a) for i, a in enumerate(affs, start=1)
    ]
    notes = []
    if any(p.get("equal_contribution") for p in people):
        notes.append("† These authors contributed equally.")
    for p in people:
        if p.get("corresponding"):
            e = html.escape(p["email"])
            notes.append(f'* Corresponding author: {html.escape(display_name(p))}, <a href="mailto:{e}">{e}</a>')
    return line, aff_lines, notes


def document_meta(report: dict) -> dict:
    """The metadata keys the assembled document carries for every writer.

    Plain author names stay as they were (``authors``); structured authors add
    ``contributors`` and the title-block HTML, statements add ``statements``.
    """
    people = contributors(report)
    meta: dict[str, object] = {
        "authors": [display_name(p) for p in people],
        "affiliations": list(report.get("affiliations", [])),
    }
    if structured(report):
        meta["contributors"] = people
        line, affs, notes = author_lines({**meta, "contributors": people})
        meta["title_block_html"] = {"authors": line, "affiliations": affs, "notes": notes}
        meta["statements"] = [list(s) for s in statements(report)]
    return meta
