"""Helpers for notebooks: find the project and its files from any folder.

A notebook runs with the project folder as working directory under
``reviewkit build`` and with ``notebooks/`` as working directory in
JupyterLab; :func:`path` makes a project-relative path work in both.
The public names are those in ``__all__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["bibliography", "path", "root", "slug"]


def root() -> Path:
    """The project folder: the nearest folder holding ``review.toml``, from the working directory up."""
    from .layout import find_root

    return find_root()


def path(relative: str | Path) -> Path:
    """*relative* (``"references/evidence.csv"``) as a path inside the project folder, from any working directory."""
    return root() / relative


def slug(value: Any) -> str:
    """*value* in the form the build gives names: ``"leiomyosarcoma subset" -> "leiomyosarcoma-subset"``.

    A matrix member's section is ``NAME-SLUG``; a notebook appends the same slug to its figure and table names
    (``f"outcomes-{project.slug(subgroup)}"``) so that every member's names differ.
    """
    from .pipeline.config import slug as _slug

    return _slug(value)


def bibliography() -> Any:
    """The review's merged bibliography, as the build sees it (a cached :class:`~reviewkit.citations.library.Library`:
    ``.entries`` maps keys to pybtex entries, built on first access)."""
    from .citations.library import Library
    from .pipeline.config import load

    return Library.load(load(root()).bibliography_files)
