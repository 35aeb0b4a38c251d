"""reviewkit — evidence bases to position-paper reports.

Importing this package is cheap: nothing heavy is imported and nothing happens
at import time.  Use the sub-packages (``reviewkit.citations``,
``reviewkit.trials``, ``reviewkit.evidence``, ``reviewkit.report``) directly.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
