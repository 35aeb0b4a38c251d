"""Sentences rendered from tables, so no number in the narrative is typed.

Every function returns Markdown text; values coming from data files are
HTML-escaped, so a title or label cannot inject markup into the report.
"""

from __future__ import annotations

import html
import re

from ..vocab import PHASE_LABELS, STATUS_LABELS
from ..wording import count as count  # re-exported: prose.count, prose.number, prose.plural
from ..wording import number as number
from ..wording import plural as plural

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~@])")


def literal(text) -> str:
    """Text from data, safe to put in Markdown: prints as itself (no markup, no HTML, no citation or math)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def percent(x: float, digits: int = 0) -> str:
    """A proportion (0–1) as a percentage string, ``0.1818 -> "18%"``."""
    return f"{x * 100:.{digits}f}%"


def sentence_case(text: str) -> str:
    """*text* with its first letter capitalised, the rest unchanged: ``"in the study" -> "In the study"``."""
    return text[:1].upper() + text[1:]


def trial_summary(trials, *, noun: str = "registered trial") -> str:
    """ "Of 21 registered trials, 9 are recruiting; phase 2 is the most common phase (8 trials)."""
    n = len(trials)
    if n == 0:
        return f"No {noun}s matched."
    recruiting = int((trials["overall_status"] == "RECRUITING").sum())
    text = f"Of {count(n, noun, words=False)}, {number(recruiting)} {'is' if recruiting == 1 else 'are'} recruiting"
    phases = trials.loc[trials["phase"] != "", "phase"].value_counts()
    if len(phases):
        top = phases.max()
        best = sorted(phases[phases == top].index)
        names = " and ".join(PHASE_LABELS[p].lower() for p in best)
        verb = "is the most common phase" if len(best) == 1 else "are the most common phases"
        text += f"; {names} {verb} ({count(top, 'trial')} {'each' if len(best) > 1 else ''})".replace(" )", ")")
        missing = int((trials["phase"] == "").sum())
        if missing:
            text += f", and {count(missing, 'trial')} {'has' if missing == 1 else 'have'} no phase given"
    return html.escape(text + ".", quote=False)


def status_breakdown(trials) -> str:
    counts = trials["overall_status"].value_counts()
    parts = [f"{number(v)} {STATUS_LABELS.get(k, k).lower()}" for k, v in counts.items()]
    if len(parts) > 1:
        parts[-1] = "and " + parts[-1]
    return html.escape(", ".join(parts) if len(parts) > 2 else " ".join(parts), quote=False)


def proportion_sentence(row, ci=None, *, endpoint_name: str | None = None) -> str:
    """ "The objective response rate was 18% (2 of 11; 95% CI 2%–52%, exact) in the … (n = 11)."""
    from .sheet import ENDPOINTS

    name = (endpoint_name or ENDPOINTS.get(row["endpoint"], row["endpoint"])).lower()
    value = f"{row['value']:g}%"
    detail = []
    if not _missing(row.get("events")) and not _missing(row.get("n")):
        detail.append(f"{int(row['events'])} of {int(row['n'])}")
    if ci is not None:
        detail.append(f"{round(ci.level * 100):g}% CI {percent(ci.low)}–{percent(ci.high)}, {ci.method}")
    inner = f" ({'; '.join(detail)})" if detail else ""
    return html.escape(f"the {name} was {value}{inner}", quote=False)


def _missing(value) -> bool:
    """None, NaN, pd.NA or NaT (``x == x`` raises on pd.NA)."""
    import pandas as pd

    return value is None or bool(pd.isna(value))


def median_phrase(row) -> str:
    """ "3.9 months (95% CI 1.9–21.9)"; medians keep one decimal, as survival medians are reported."""
    unit = f" {row['unit']}" if row["unit"] else ""
    lo, hi = row["ci_low"], row["ci_high"]
    ci = ""
    if lo == lo and lo is not None:
        level = f"{row['ci_level']:g}% CI" if row["ci_level"] == row["ci_level"] else "CI"
        hi_text = f"{hi:.1f}" if hi == hi and hi is not None else "upper limit not reported"
        ci = f" ({level} {lo:.1f}–{hi_text})"
    return html.escape(f"{row['value']:.1f}{unit}{ci}", quote=False)


# The public names (the notebook API, see reviewkit.evidence); everything else here is internal.
__all__ = [
    "count",
    "literal",
    "median_phrase",
    "number",
    "percent",
    "proportion_sentence",
    "sentence_case",
    "trial_summary",
]
