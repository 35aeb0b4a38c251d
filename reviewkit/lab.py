"""JupyterLab with the report's parameters: ``reviewkit lab [SECTION]``.

A notebook's own defaults equal the parameters of one of its sections
(``reviewkit check`` and ``build`` enforce it), so opening it in JupyterLab and
running all cells gives that section's numbers.  Any other section — a member
of a ``matrix``, or a second section on the same notebook — opens as a
*lab copy*: ``notebooks/NAME.lab.ipynb``, beside the source so relative paths
behave the same, holding the source's cells plus the cell papermill would
inject (tagged ``injected-parameters``), exactly what the build runs.

Edits made in the copy are written back to the source notebook — without the
injected cell and without outputs — each time the copy is saved, and when
JupyterLab stops.  An author's edit is never lost: if the source changed
meanwhile (another editor, ``git pull``), nothing is overwritten; the copy is
kept and the conflict is named.  A copy left behind by a session that was
killed is written back before a new one is made.  The source's hash at the
last write-back is kept in ``outputs/.reviewkit/lab/`` (never in the open copy,
which JupyterLab would then report as changed on disk).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, did_you_mean

if TYPE_CHECKING:
    from nbformat import NotebookNode

LAB_KEY = "reviewkit_lab"  # notebook metadata of a lab copy: source, section, base_sha256


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def find_section(cfg, name: str):
    for s in cfg.sections:
        if s.name == name:
            return s
    raise InputError(
        f"no section named {name!r}{did_you_mean(name, [s.name for s in cfg.sections])}; "
        f"sections: {', '.join(s.name for s in cfg.sections)}",
        source=str(cfg.path),
    )


def copy_path(section) -> Path:
    return section.notebook.with_name(f"{section.name}.lab.ipynb")


def _author_cells(nb: NotebookNode) -> NotebookNode:
    """The notebook as the author keeps it: no injected parameters, no outputs, no lab metadata."""
    import copy

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
            c.execution_count = None
    nb.metadata.pop(LAB_KEY, None)
    nb.metadata.pop("papermill", None)
    return nb


def _same(a, b) -> bool:  # compared as nbformat writes them
    import nbformat

    return json.loads(nbformat.writes(a)) == json.loads(nbformat.writes(b))


def _base_file(cfg_root: Path, copy: Path) -> Path:
    return cfg_root / "outputs" / ".reviewkit" / "lab" / f"{copy.name}.json"


def _set_base(root: Path, copy: Path, source: Path) -> None:
    from .atomic import write

    write(_base_file(root, copy), json.dumps({"source": source.name, "base_sha256": _sha(source)}))


def prepare(cfg, section) -> Path:
    """The notebook to open for *section*: the source itself when its defaults are the section's parameters,
    else a fresh lab copy with the section's parameters injected (an older copy is written back first)."""
    import nbformat
    from papermill.parameterize import parameterize_notebook

    from .atomic import write
    from .pipeline import params, validate

    if validate.defaults_match(params.declared(section.notebook), section.parameters):
        return section.notebook
    copy = copy_path(section)
    if copy.is_file():
        sync_back(copy, cfg.root)
    from papermill.iorw import load_notebook_node

    lab = parameterize_notebook(load_notebook_node(str(section.notebook)), section.parameters)  # as papermill runs it
    for (
        c
    ) in lab.cells:  # papermill's loader adds empty tags and papermill metadata; keep the author's cells as they were
        if c.metadata.get("tags") == []:
            del c.metadata["tags"]
        c.metadata.pop("papermill", None)
    lab.metadata.pop("papermill", None)
    lab.metadata[LAB_KEY] = {"source": section.notebook.name, "section": section.name}
    _set_base(cfg.root, copy, section.notebook)
    write(copy, nbformat.writes(lab))
    return copy


def sync_back(copy: Path, root: Path) -> str:
    """Write the author's edits in the lab *copy* to its source notebook: "written", "unchanged" — or raise
    InputError (the copy kept, the source untouched) when the source changed since the copy was made or last
    written back."""
    import nbformat

    from .atomic import write

    lab = nbformat.read(copy, as_version=4)
    info = lab.metadata.get(LAB_KEY)
    if not info:
        raise InputError("not a reviewkit lab copy (no reviewkit_lab metadata)", source=str(copy))
    source = copy.with_name(info["source"])
    mine = _author_cells(lab)
    if source.is_file():
        theirs = nbformat.read(source, as_version=4)
        mine.metadata = theirs.metadata  # the cells are the author's edits; JupyterLab's own metadata is not
        if _same(mine, theirs):
            return "unchanged"
        try:
            base = json.loads(_base_file(root, copy).read_text(encoding="utf-8"))["base_sha256"]
        except (OSError, ValueError, KeyError):
            base = None
        if base != _sha(source):
            shown = copy.relative_to(root)
            raise InputError(
                f"{source.name} changed since the lab copy {shown} was made, and the copy has edits too; nothing "
                f"was overwritten. Merge the copy's edits into {source.name} by hand, then delete {shown}",
                source=str(source.relative_to(root)),
            )
    write(source, nbformat.writes(mine))
    _set_base(root, copy, source)
    return "written"


def finish(copy: Path, root: Path) -> str:
    """At the end of a session: write back, then remove the copy (kept if it could not be written back)."""
    status = sync_back(copy, root)
    copy.unlink(missing_ok=True)
    _base_file(root, copy).unlink(missing_ok=True)
    return status
