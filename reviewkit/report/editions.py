"""What changed between two editions (two ``outputs/`` folders)."""

from __future__ import annotations

import csv
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError


@dataclass
class EditionDiff:
    references_added: list[tuple[str, str]] = field(default_factory=list)  # (key, formatted text)
    references_removed: list[tuple[str, str]] = field(default_factory=list)
    trials_added: list[str] = field(default_factory=list)
    trials_removed: list[str] = field(default_factory=list)
    trials_changed: list[tuple[str, str, str, str]] = field(default_factory=list)  # (nct, column, old, new)
    cells_changed: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # (table, row, column, old, new)
    tables_added: list[str] = field(default_factory=list)
    tables_removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        from ..evidence.prose import count

        parts = [
            f"references: {len(self.references_added)} added, {len(self.references_removed)} removed",
            f"trials: {len(self.trials_added)} added, {len(self.trials_removed)} removed, "
            f"{count(len(self.trials_changed), 'change', words=False)}",
            f"tables: {count(len(self.cells_changed), 'changed value', words=False)}"
            + (
                f", {len(self.tables_added)} new, {len(self.tables_removed)} gone"
                if self.tables_added or self.tables_removed
                else ""
            ),
        ]
        return "; ".join(parts)


def _references(outputs: Path) -> dict[str, str]:
    nb = outputs / "report.ipynb"
    if not nb.is_file():
        raise InputError("no report.ipynb here: is this an outputs folder of `reviewkit build`?", source=str(outputs))
    refs = json.loads(nb.read_text(encoding="utf-8"))["metadata"].get("reviewkit", {}).get("references", [])
    import re

    return {r["key"]: html.unescape(re.sub(r"<[^>]+>", "", r["html"])) for r in refs}


def _table(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def diff_outputs(old, new) -> EditionDiff:
    old, new = Path(old), Path(new)
    d = EditionDiff()
    ro, rn = _references(old), _references(new)
    d.references_added = [(k, rn[k]) for k in rn if k not in ro]
    d.references_removed = [(k, ro[k]) for k in ro if k not in rn]
    to, tn = old / "tables" / "trials.csv", new / "tables" / "trials.csv"
    if to.is_file() and tn.is_file():
        ta = {r["NCT ID"]: r for r in _table(to)}
        tb = {r["NCT ID"]: r for r in _table(tn)}
        d.trials_added = sorted(set(tb) - set(ta))
        d.trials_removed = sorted(set(ta) - set(tb))
        for nct in sorted(set(ta) & set(tb)):
            for col in tb[nct]:
                if col in ta[nct] and ta[nct][col] != tb[nct][col]:
                    d.trials_changed.append((nct, col, ta[nct][col], tb[nct][col]))
    names_o = {p.name for p in (old / "tables").glob("*.csv")} if (old / "tables").is_dir() else set()
    names_n = {p.name for p in (new / "tables").glob("*.csv")} if (new / "tables").is_dir() else set()
    d.tables_added, d.tables_removed = sorted(names_n - names_o), sorted(names_o - names_n)
    for name in sorted(names_o & names_n - {"trials.csv"}):
        a, b = _table(old / "tables" / name), _table(new / "tables" / name)
        for i, (ra, rb) in enumerate(zip(a, b), start=1):
            label = f"row {i}" + (f" ({next(iter(rb.values()))})" if rb else "")
            for col in rb:
                if col in ra and not _same(ra[col], rb[col]):
                    d.cells_changed.append((name, label, col, ra[col], rb[col]))
        for i in range(len(a), len(b)):
            d.cells_changed.append((name, f"row {i + 1}", "(row)", "", "added"))
        for i in range(len(b), len(a)):
            d.cells_changed.append((name, f"row {i + 1}", "(row)", "", "removed"))
    return d


def to_html(d: EditionDiff, old: str, new: str) -> str:
    e = html.escape

    def table(head, rows):
        if not rows:
            return "<p>None.</p>"
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
        return (
            f"<table><thead><tr>{''.join(f'<th>{e(h)}</th>' for h in head)}</tr></thead><tbody>{body}</tbody></table>"
        )

    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>What changed between two editions</title>
<style>body{{font-family:Georgia,'DejaVu Serif',serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
table{{border-collapse:collapse;width:100%;font:0.85rem Arial,sans-serif}}td,th{{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}}
h1{{font-size:1.5rem}}h2{{font-size:1.15rem;margin-top:1.8rem}}</style></head><body>
<h1>What changed between two editions</h1>
<p>{e(old)} → {e(new)}</p><p><strong>{e(d.summary())}</strong></p>
<h2>References added</h2>{table(["Key", "Reference"], d.references_added)}
<h2>References removed</h2>{table(["Key", "Reference"], d.references_removed)}
<h2>Trials</h2>{table(["NCT ID", "Change"], [(n, "added") for n in d.trials_added] + [(n, "removed") for n in d.trials_removed])}
{table(["NCT ID", "Column", "Before", "Now"], d.trials_changed)}
<h2>Changed values in tables</h2>{table(["Table", "Row", "Column", "Before", "Now"], d.cells_changed)}
</body></html>
"""
