"""reviewkit — evidence bases to position-paper reports.

The notebook API is the names in the ``__all__`` of five modules, nothing else:

- :mod:`reviewkit.project` — find the review's files from any folder, its bibliography;
- :mod:`reviewkit.report` — put figures, tables and computed prose in the report;
- :mod:`reviewkit.citations` — read and merge citation files;
- :mod:`reviewkit.trials` — the registered-trial table: read, select, classify, compare, show;
- :mod:`reviewkit.evidence` — the extraction sheet, statistics, figures and prose.

``from reviewkit import project, report`` is how a notebook starts.  Every other module (``reviewkit.pipeline``,
``reviewkit.cli``, the submodules of the packages above unless their package's ``__all__`` names them) is
internal: it may change without notice.

Importing this package is cheap: nothing heavy is imported and nothing happens at import time; the
modules above are imported on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: the public modules, imported on first use
_MODULES = ("citations", "evidence", "project", "report", "trials")

__all__ = ["__version__", "citations", "evidence", "project", "report", "trials"]


def __getattr__(name: str) -> object:  # PEP 562; `typing` is not imported: it would double the import time
    if name in _MODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
