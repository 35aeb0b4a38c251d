"""``manifest.json``: per section what it was built from (declared and observed reads), when, and whether it ran.

Whether a section ran or was reused, its status and its timing come from the
build's events (:class:`Outcomes` subscribes to them); what it was built from
comes from the cache state the build recorded.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

from ..atomic import write as atomic_write
from .events import Event, SectionFailed, SectionRan, SectionReused

PACKAGES = (
    "reviewkit",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "pandas",
    "matplotlib",
    "seaborn",
    "pybtex",
    "scipy",
)


class Outcomes:
    """A subscriber keeping, per section, the last of SectionRan / SectionReused / SectionFailed it was sent."""

    def __init__(self):
        self.sections: dict[str, SectionRan | SectionReused | SectionFailed] = {}

    def __call__(self, event: Event) -> None:
        if isinstance(event, (SectionRan, SectionReused, SectionFailed)):
            self.sections[event.section] = event


def _versions() -> dict:
    from importlib import metadata

    out = {}
    for dist in PACKAGES:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _section(cfg, s, parts: dict, outcome) -> dict:
    observed = parts.get("observed", {})
    return {
        "name": s.name,
        "notebook": str(s.notebook.relative_to(cfg.root)),
        "notebook_code_sha256": parts.get("code"),
        "parameters": s.parameters,
        "inputs": [{"path": k, "sha256": v} for k, v in sorted(parts.get("inputs", {}).items())],
        "reads": [
            {"path": k, "sha256": v, "declared": k in parts.get("inputs", {})} for k, v in sorted(observed.items())
        ],
        "reviewkit_modules": parts.get("modules", {}),
        "kernel": "python3",
        "status": "failed" if isinstance(outcome, SectionFailed) or outcome is None else "ok",
        "ran": not isinstance(outcome, SectionReused) and outcome is not None,
        "seconds": getattr(outcome, "seconds", None),
        "finished": getattr(outcome, "finished", None),
    }


def write(cfg, outcomes: Outcomes, parts: dict, started: datetime, folder: Path, prov: dict) -> None:
    """Write ``folder/manifest.json`` for the sections of *cfg*; *parts*: each section's recorded cache parts."""
    from .. import __version__

    sections, outside = [], {}
    for s in cfg.sections:
        p = parts.get(s.name, {})
        outside.update({k: v for k, v in p.get("observed", {}).items() if os.path.isabs(k)})
        sections.append(_section(cfg, s, p, outcomes.sections.get(s.name)))
    body = {
        "reviewkit": __version__,
        "build_started": started.isoformat(timespec="seconds"),
        "packages": _versions(),
        "python": sys.version.split()[0],
        "review": {
            "commit": prov["commit"] or None,
            "uncommitted_changes": prov["dirty"],
            "under_version_control": bool(prov["commit"]),
        },
        "reads_outside_project": [{"path": k, "sha256": v} for k, v in sorted(outside.items())],
        "sections": sections,
    }
    atomic_write(folder / "manifest.json", json.dumps(body, indent=2))
