"""Evidence summaries: the extraction sheet, statistics, meta-analysis, figures and prose.

The public functions are re-exported here and imported on first use, so that
``import reviewkit`` (and the CLI) stays fast.
"""

_LAZY = {
    "proportion_ci": "stats", "pool_proportions": "stats",
    "effect_sizes": "meta", "meta_analysis": "meta", "mantel_haenszel": "meta", "peto": "meta",
    "subgroups": "meta", "leave_one_out": "meta", "egger_test": "meta",
}
__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
