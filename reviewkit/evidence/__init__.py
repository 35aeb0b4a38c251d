"""Evidence summaries: the extraction sheet, statistics, meta-analysis, figures and prose.

The public names — what a notebook imports — are those in ``__all__``:

- :func:`read_sheet` (the extraction sheet), :func:`read_log` (the screening log): validated DataFrames;
  ``ENDPOINTS``: a dict from endpoint codes (``"ORR"``) to their names (``"Objective response rate"``).
- :func:`proportion_ci`, :func:`pool_proportions`: a response rate's interval, proportions pooled.
- :func:`effect_sizes`, :func:`meta_analysis`, :func:`mantel_haenszel`, :func:`peto`, :func:`subgroups`,
  :func:`leave_one_out`, :func:`egger_test`: the meta-analysis statistics.
- Public modules, used as namespaces (``from reviewkit.evidence import figures, prose``); their own
  ``__all__`` lists their public names: ``figures`` (figures from tables), ``prose`` (sentences from
  tables), ``outcomes`` (what an efficacy section shows: rows, sentences, forest-plot frame, outcomes table),
  and for a meta-analysis ``synthesis`` (one outcome analysed), ``forest`` (forest and funnel plots),
  ``meta_prose`` (its sentences), ``bias`` (risk of bias) and ``grade`` (GRADE summary of findings).

Every other submodule (``sheet``, ``stats``, ``meta``, ``comparative``, ``screening``) is internal: it may
change without notice.  Names are imported on first use, so that ``import reviewkit`` (and the CLI) stays
fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what a type checker sees; at run time each name is imported on first use (below)
    from . import bias, figures, forest, grade, meta_prose, outcomes, prose, synthesis
    from .meta import (
        effect_sizes,
        egger_test,
        leave_one_out,
        mantel_haenszel,
        meta_analysis,
        peto,
        subgroups,
    )
    from .screening import read_log
    from .sheet import ENDPOINTS, read_sheet
    from .stats import pool_proportions, proportion_ci

#: public name -> internal module that defines it
_LAZY = {
    "ENDPOINTS": "sheet",
    "read_sheet": "sheet",
    "read_log": "screening",
    "proportion_ci": "stats",
    "pool_proportions": "stats",
    "effect_sizes": "meta",
    "meta_analysis": "meta",
    "mantel_haenszel": "meta",
    "peto": "meta",
    "subgroups": "meta",
    "leave_one_out": "meta",
    "egger_test": "meta",
}
#: public submodules, used as namespaces
_MODULES = ("bias", "figures", "forest", "grade", "meta_prose", "outcomes", "prose", "synthesis")

__all__ = [
    "ENDPOINTS",
    "bias",
    "effect_sizes",
    "egger_test",
    "figures",
    "forest",
    "grade",
    "leave_one_out",
    "mantel_haenszel",
    "meta_analysis",
    "meta_prose",
    "outcomes",
    "peto",
    "pool_proportions",
    "proportion_ci",
    "prose",
    "read_log",
    "read_sheet",
    "subgroups",
    "synthesis",
]


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    from ..errors import did_you_mean

    raise AttributeError(f"module {__name__!r} has no public name {name!r}{did_you_mean(name, __all__)}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
