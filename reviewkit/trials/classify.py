"""Intervention classes from a user-editable table (``references/intervention-classes.csv``).

The table maps an intervention name and its synonyms/brand names to a
category, class and mechanism.  Matching is exact after case and whitespace
folding, against the whole name or an alias the record itself gives in
parentheses ("Gadoquatrane (BAY1747846)"); anything else is listed as
unmatched — never guessed.  Extend the table to classify more.
"""

from __future__ import annotations

import re
from pathlib import Path

COLUMNS = ["name", "synonyms", "category", "class", "mechanism", "named_in"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def read_classes(path):
    """The validated intervention-class table (a CSV path) as a DataFrame; for :func:`classify`."""
    from ..csvfile import Problems, read

    path = Path(path)
    df = read(path, what="intervention class table", columns=COLUMNS)
    seen: dict[str, int] = {}
    problems = Problems("intervention class table", path)
    for i, r in enumerate(df.to_dict("records")):  # ("class" is a keyword: no itertuples)
        if not r["name"].strip() or not r["class"].strip():
            problems.row(i, "every row needs a name and a class")
        for alias in [r["name"], *r["synonyms"].split("|")]:
            key = _norm(alias)
            if key and key in seen:
                problems.row(i, f"{alias!r} is already listed on line {seen[key]}")
            elif key:
                seen[key] = i + 2
    problems.raise_all()
    return df


def lookup(classes) -> dict[str, dict]:
    out = {}
    for r in classes.to_dict("records"):
        for alias in [r["name"], *r["synonyms"].split("|")]:
            if alias.strip():
                out[_norm(alias)] = r
    return out


def _candidates(name: str) -> list[str]:
    inside = re.findall(r"\(([^()]+)\)", name)
    outside = re.sub(r"\([^()]*\)", " ", name)
    return [_norm(name), _norm(outside), *(_norm(x) for x in inside)]


def names_in_title(title: str, table: dict) -> list[str]:
    """The class-table names or synonyms that a title prints as whole words (in title order), as the title prints them."""
    found: list[tuple[int, int, str]] = []  # (start, end, text as printed)
    for alias in sorted(table, key=len, reverse=True):
        # matched in the title itself (case and runs of spaces aside), so offsets and the text returned are the title's
        pattern = r"\s+".join(re.escape(word) for word in alias.split())
        for m in re.finditer(rf"(?<![\w-]){pattern}(?![\w-])", title, re.IGNORECASE):
            if not any(s <= m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), m.group(0)))
    return [name for _, _, name in sorted(found)]


def classify(trials, classes, *, from_titles: bool = False):
    """(one row per trial × intervention with its class, sorted list of unmatched intervention names).

    With *from_titles*, a trial whose record lists no interventions (the
    example's seed page gives titles only) is classified by the drug names its
    title prints as whole words; those rows say ``from = "title"``.
    """
    import pandas as pd

    table = lookup(classes)
    rows, unmatched = [], set()
    for t in trials.itertuples(index=False):
        names, origin = list(t.interventions), "interventions"
        if not names and from_titles:
            names, origin = names_in_title(t.brief_title, table), "title"
        for name in names:
            hit = next((table[c] for c in _candidates(name) if c in table), None)
            if hit is None:
                unmatched.add(name)
                continue
            rows.append(
                {
                    "nct_id": t.nct_id,
                    "phase": t.phase,
                    "overall_status": t.overall_status,
                    "intervention": name,
                    "name": hit["name"],
                    "category": hit["category"],
                    "class": hit["class"],
                    "mechanism": hit["mechanism"],
                    "from": origin,
                }
            )
    cols = ["nct_id", "phase", "overall_status", "intervention", "name", "category", "class", "mechanism", "from"]
    return pd.DataFrame(rows, columns=cols), sorted(unmatched)
