"""What is fresh: a section reruns only when something it depends on changed.

A section depends on its code cells (not its Markdown), its parameters, the
content of its declared inputs, the content of every file its kernel opened
last time (observed, :mod:`reviewkit.pipeline.observe`), the source of the
reviewkit modules it used (:mod:`reviewkit.pipeline.code`) and the
environment (the Python version and the installed distributions).  Files are
compared by content (sha256), whatever their size and modification time say.
The report depends on every section, the Markdown of every notebook, the
bibliography, the abstract, the ``[report]`` settings, the citation lock
file, the template and the code that assembles and exports it.

State lives in ``outputs/.reviewkit/state.json``, written only by the build
holding the lock, after each section that finished, so an interrupted build
never marks as fresh a section that did not complete.  Only the standard
library is imported here: a no-op build must not pay for nbformat, pandas or
a kernel.
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
    """sha256 of file contents, each file read once per build (size and mtime are never trusted)."""

    MISSING = "missing"

    def __init__(self):
        self.seen: dict[str, str] = {}

    def __call__(self, path: Path) -> str:
        key = str(path)
        if key not in self.seen:
            try:
                self.seen[key] = _sha(Path(path).read_bytes())
            except IsADirectoryError:  # a listed folder: the names in it
                self.seen[key] = _sha("\n".join(sorted(os.listdir(path))).encode())
            except (FileNotFoundError, NotADirectoryError):
                self.seen[key] = self.MISSING
        return self.seen[key]


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


def section_parts(cfg, section, nb: dict, hashes: FileHashes, env: str, previous: dict | None = None) -> dict:
    """What the section's key is made of; *previous* (its last state) says which files and modules it used."""
    from . import code
    from .observe import dependency_path

    was = (previous or {}).get("parts", {})
    inputs = {str(p.relative_to(cfg.root)): hashes(p) for p in cfg.glob(section.inputs)}
    observed = {name: hashes(dependency_path(name, cfg.root)) for name in was.get("observed", {})}
    return {
        "code": code_hash(nb),
        "parameters": json.dumps(section.parameters, sort_keys=True),
        "inputs": inputs,
        "observed": observed,
        "modules": code.hashes(was.get("modules", {})),
        "environment": env,
    }


def observed_parts(parts: dict, files: dict, modules, hashes: FileHashes) -> dict:
    """*parts* with what the kernel was seen to read (after a run)."""
    from . import code

    return {
        **parts,
        "observed": {name: hashes(p) for name, p in sorted(files.items())},
        "modules": code.hashes(modules),
    }


def key_of(parts: dict) -> str:
    return _sha(json.dumps(parts, sort_keys=True).encode())


def reasons(old: dict | None, new: dict, have_output: bool) -> list[str]:
    """Why a section must run (empty: it can be reused)."""
    if not old:
        return ["no previous run"]
    if not old.get("ok"):
        return ["the previous run failed"]
    if not have_output:
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
    a, b = was.get("observed", {}), new.get("observed", {})
    for path in sorted(a):
        if path in new["inputs"] or path in was.get("inputs", {}):
            continue  # said above
        how = "listed" if path.endswith("/") else "read"
        if b.get(path) == FileHashes.MISSING:
            out.append(f"{path} ({how} last time) was deleted or renamed")
        elif a[path] != b.get(path):
            out.append(f"{path} ({how} last time) changed")
    a, b = was.get("modules", {}), new.get("modules", {})
    changed = sorted(m for m in set(a) | set(b) if a.get(m) != b.get(m))
    if changed:
        from .code import display_name

        files = [display_name(m) for m in changed]
        out.append(f"reviewkit code changed ({', '.join(files[:3])}{', …' if len(files) > 3 else ''})")
    if was.get("environment") != new["environment"]:
        out.append("environment changed")
    return out


class State:
    """The cache's memory: per section its parts, key and executed notebook (``runs/NAME-KEY.ipynb``)."""

    def __init__(self, outputs: Path):
        self.dir = outputs / STATE_DIR
        self.path = self.dir / "state.json"
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if data.get("format") != 2:  # an older layout: start afresh rather than trust it
            data = {}
        self.sections: dict = data.get("sections", {})
        self.report: dict = data.get("report", {})

    def run_path(self, name: str, key: str) -> Path:
        return self.dir / "runs" / f"{name}-{key[:20]}.ipynb"

    def has_run(self, name: str) -> bool:
        st = self.sections.get(name)
        return bool(st and st.get("key") and self.run_path(name, st["key"]).is_file())

    def save(self) -> None:
        from ..atomic import write as atomic_write

        body = {"format": 2, "sections": self.sections, "report": self.report}
        atomic_write(self.path, json.dumps(body, indent=1, sort_keys=True))

    def collect_garbage(self) -> None:
        """Remove executed notebooks no section refers to any more."""
        keep = {self.run_path(n, st["key"]).name for n, st in self.sections.items() if st.get("key")}
        for f in (self.dir / "runs").glob("*.ipynb"):
            if f.name not in keep:
                f.unlink(missing_ok=True)
