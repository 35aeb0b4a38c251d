"""Helpers for notebooks: find the project and its files from any folder.

A notebook runs with the project folder as working directory under
``reviewkit build`` and with ``notebooks/`` as working directory in
JupyterLab; :func:`path` makes a project-relative path work in both.
"""

from __future__ import annotations

from pathlib import Path


def root() -> Path:
    """The project folder (the one holding ``review.toml``), from the working directory or a parent."""
    from .layout import find_root

    return find_root()


def path(relative) -> Path:
    return root() / relative


def bibliography():
    """The review's merged bibliography, as the build sees it (a cached :class:`~reviewkit.citations.library.Library`:
    ``.entries`` maps keys to pybtex entries, built on first access)."""
    from .citations.library import Library
    from .pipeline.config import load

    return Library.load(load(root()).bibliography_files)
