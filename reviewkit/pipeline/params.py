"""Strict parameters: checked against the notebook's ``parameters`` cell before any kernel starts.

papermill only warns about an unknown parameter and injects it anyway, and
injects at the top when a notebook has no ``parameters`` cell.  reviewkit
makes both errors, and also a value whose type does not match the default
(an ``int`` may stand for a ``float``; a default of ``None`` accepts anything).

The parameters cell is read with :mod:`ast`, not ``papermill.inspect_notebook``:
papermill's inspector (a line regex) skips a line holding two ``=`` (``title =
"a = b"``, which reviewkit would then reject as an unknown parameter) and gives
defaults as source text, where the type check needs values.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from ..errors import ConfigError, did_you_mean

_ANY = object()


def read_notebook(path: Path) -> dict:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not a valid notebook (JSON error: {exc.msg})", source=f"{path}:{exc.lineno}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not a valid notebook (byte {exc.start} is not UTF-8)", source=str(path)) from None
    if not (
        isinstance(nb, dict)
        and isinstance(nb.get("cells", []), list)
        and all(isinstance(c, dict) for c in nb.get("cells", []))
    ):
        raise ConfigError(
            'not a notebook: expected a JSON object whose "cells" is a list of cells (save it from JupyterLab)',
            source=f"{path}:1",
        )
    return nb


def source_of(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def declared(path: Path, nb: dict | None = None) -> dict:
    """``{name: default}`` from the cell tagged ``parameters`` (non-literal defaults accept any value)."""
    nb = nb if nb is not None else read_notebook(path)
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise ConfigError(
            "the notebook has no cell tagged 'parameters' (tag one in JupyterLab: Property Inspector → Cell Tags)",
            source=str(path),
        )
    try:
        tree = ast.parse(source_of(cells[0]))
    except SyntaxError as exc:
        raise ConfigError(
            f"the parameters cell is not valid Python: {exc.msg}", source=f"{path}: parameters cell"
        ) from None
    out = {}
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        value = getattr(node, "value", None)
        for t in targets:
            if isinstance(t, ast.Name):
                try:
                    out[t.id] = ast.literal_eval(value) if value is not None else _ANY
                except ValueError:
                    out[t.id] = _ANY
    return out


def _type_ok(default, value) -> bool:
    if default is _ANY or default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def check(section_name: str, notebook: Path, parameters: dict, nb: dict | None = None) -> None:
    """Raise ConfigError naming the section, the parameter and the valid names or type."""
    defaults = declared(notebook, nb)
    problems = []
    for name, value in parameters.items():
        if name not in defaults:
            problems.append(
                f"unknown parameter {name!r}{did_you_mean(name, defaults)}; "
                f"the notebook declares {', '.join(defaults) or 'none'}"
            )
        elif not _type_ok(defaults[name], value):
            d = defaults[name]
            hint = ""
            if isinstance(d, (list, tuple)) and not isinstance(value, (list, tuple)):
                example = json.dumps([value])
                hint = f"; give a list: in review.toml {name} = {example}, on the command line -p {name} '{example}'"
            problems.append(
                f"parameter {name!r} is {type(value).__name__} {value!r}, but its default "
                f"{d!r} is {type(d).__name__}{hint}"
            )
    if problems:
        raise ConfigError(f"section {section_name!r}: " + "; ".join(problems), source=str(notebook))


def parse_value(text: str):
    """A ``-p NAME VALUE`` value, as papermill's CLI reads it: int, float, bool, None, else the string."""
    low = text.strip()
    if low in ("True", "true"):
        return True
    if low in ("False", "false"):
        return False
    if low in ("None", "null"):
        return None
    for cast in (int, float):
        try:
            return cast(low)
        except ValueError:
            pass
    if low[:1] in "[{":
        try:
            return json.loads(low)
        except json.JSONDecodeError:
            pass
    return text
