"""What changed between two editions of the trial table."""

from __future__ import annotations

import html

from ..vocab import STATUS_LABELS
from ..wording import count

TRACKED = [
    "overall_status",
    "phase",
    "start_date",
    "primary_completion_date",
    "completion_date",
    "enrollment",
    "has_results",
]
CHANGE_COLUMNS = ["nct_id", "change", "field", "old", "new", "brief_title"]


def _text(v) -> str:
    if v is None or (isinstance(v, float) and v != v) or str(v) in ("<NA>", "nan"):
        return ""
    return str(v)


def diff(old, new):
    """A table of changes: ``added``, ``removed``, ``status``, ``results posted``, ``dates moved``, …"""
    import pandas as pd

    o = old.set_index("nct_id")
    n = new.set_index("nct_id")
    rows = []
    for nct in sorted(set(n.index) - set(o.index)):
        rows.append((nct, "added", "", "", _text(n.at[nct, "overall_status"]), _text(n.at[nct, "brief_title"])))
    for nct in sorted(set(o.index) - set(n.index)):
        rows.append((nct, "removed", "", _text(o.at[nct, "overall_status"]), "", _text(o.at[nct, "brief_title"])))
    common = sorted(set(o.index) & set(n.index))
    for col in TRACKED:
        before = o.loc[common, col].map(_text)
        after = n.loc[common, col].map(_text)
        for nct in before.index[before != after]:
            a, b = before[nct], after[nct]
            if col == "has_results":
                if b == "True" and a != "True":
                    rows.append((nct, "results posted", col, a, b, _text(n.at[nct, "brief_title"])))
                continue
            kind = {
                "overall_status": "status changed",
                "enrollment": "enrollment changed",
                "phase": "phase changed",
            }.get(col, "date moved")
            rows.append((nct, kind, col, a, b, _text(n.at[nct, "brief_title"])))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def summary(changes, *, old_label: str = "the last edition") -> str:
    """A short computed paragraph (Markdown, escaped)."""
    if changes.empty:
        return html.escape(f"No registered trial changed since {old_label}.", quote=False)
    parts = []
    for kind, noun in (("added", "new trial"), ("removed", "trial no longer found")):
        k = int((changes["change"] == kind).sum())
        if k:
            parts.append(count(k, noun, noun.replace("trial", "trials")))
    status = changes[changes["change"] == "status changed"]
    if len(status):
        moves = "; ".join(
            f"{r.nct_id} {STATUS_LABELS.get(r.old, r.old).lower()} → {STATUS_LABELS.get(r.new, r.new).lower()}"
            for r in status.itertuples()
        )
        parts.append(f"{count(len(status), 'status change')} ({moves})")
    for kind, noun in (
        ("results posted", "trial with results newly posted"),
        ("date moved", "date moved"),
        ("enrollment changed", "enrollment change"),
        ("phase changed", "phase change"),
    ):
        k = int((changes["change"] == kind).sum())
        if k:
            plural = (
                noun.replace("trial with", "trials with")
                if noun.startswith("trial")
                else noun.replace("date moved", "dates moved")
                if noun == "date moved"
                else noun + "s"
            )
            parts.append(count(k, noun, plural))
    text = f"Since {old_label}: " + "; ".join(parts) + "."
    return html.escape(text[0].upper() + text[1:], quote=False)
