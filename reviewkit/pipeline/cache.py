"""What is fresh: a section reruns only when something it depends on changed.

A section depends on its code cells (not its Markdown), its parameters, the
content of its declared inputs, the reviewkit version and the environment
(the Python version and the installed distributions).  The report depends on
every section, the Markdown of every notebook, the bibliography, the abstract,
the ``[report]`` settings, the citation lock file and the template.

State lives in ``outputs/.reviewkit/state.json`` and is written after each
section that finished, so an interrupted build never marks as fresh a section
that did not complete.  Only the standard library is imported here: a no-op
build must not pay for nbformat, pandas or a kernel.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from .params import source_of

STATE_DIR = ".reviewkit"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileHashes:
    """sha256 of files, reusing the previous hash when size and mtime did not change."""

    def __init__(self, previous: dict | None = None):
        self.previous = previous or {}
        self.now: dict[str, list] = {}

    def __call__(self, path: Path) -> str:
        key = str(path)
        st = path.stat()
        old = self.previous.get(key)
        if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            digest = old[2]
        else:
            digest = _sha(path.read_bytes())
        self.now[key] = [st.st_size, st.st_mtime_ns, digest]
        return digest


def environment() -> str:
    """Python version + the installed distributions (their dist-info names carry the versions)."""
    h = hashlib.sha256(sys.version.encode())
    for entry in sorted(p for p in sys.path if p and os.path.isdir(p)):
        try:
            names = sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        h.update("\0".join(names).encode())
    return h.hexdigest()[:16]


def code_hash(nb: dict) -> str:
    cells = [source_of(c) for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name", "")
    return _sha(json.dumps([kernel, cells]).encode())


def markdown_hash(nb: dict) -> str:
    return _sha(json.dumps([source_of(c) for c in nb.get("cells", []) if c.get("cell_type") == "markdown"]).encode())


def section_parts(cfg, section, nb: dict, hashes: FileHashes, env: str, version: str) -> dict:
    inputs = {str(p.relative_to(cfg.root)): hashes(p) for p in cfg.glob(section.inputs)}
    return {
        "code": code_hash(nb),
        "parameters": json.dumps(section.parameters, sort_keys=True),
        "inputs": inputs,
        "version": version,
        "environment": env,
    }


def key_of(parts: dict) -> str:
    return _sha(json.dumps(parts, sort_keys=True).encode())


def reasons(old: dict | None, new: dict, output: Path) -> list[str]:
    """Why a section must run (empty: it can be reused)."""
    if not old:
        return ["no previous run"]
    if not old.get("ok"):
        return ["the previous run failed"]
    if not output.is_file():
        return ["its executed notebook is missing"]
    was = old.get("parts", {})
    out = []
    if was.get("code") != new["code"]:
        out.append("code changed")
    if was.get("parameters") != new["parameters"]:
        out.append("parameters changed")
    a, b = was.get("inputs", {}), new["inputs"]
    for path in sorted(set(a) | set(b)):
        if path not in a:
            out.append(f"{path} added")
        elif path not in b:
            out.append(f"{path} removed")
        elif a[path] != b[path]:
            out.append(f"{path} changed")
    if was.get("version") != new["version"]:
        out.append("reviewkit version changed")
    if was.get("environment") != new["environment"]:
        out.append("environment changed")
    return out


class State:
    def __init__(self, outputs: Path):
        self.path = outputs / STATE_DIR / "state.json"
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.sections: dict = data.get("sections", {})
        self.report: dict = data.get("report", {})
        self.files: dict = data.get("files", {})

    def save(self, files: dict | None = None) -> None:
        from ..atomic import write as atomic_write

        if files is not None:
            self.files = files
        body = {"sections": self.sections, "report": self.report, "files": self.files}
        atomic_write(self.path, json.dumps(body, indent=1, sort_keys=True))
