"""Code keys: a hash of the reviewkit source that produced a cached result.

Caches key on the *code* that made them, not on a version string: an edited
importer invalidates exactly the parse results it produced.  The code of a
result is the closure of the reviewkit modules it used — the modules named,
plus every reviewkit module they import (also inside functions), plus their
parent packages' ``__init__``.  The imports are read from the source with
:mod:`ast`, nothing is executed.  A dynamic relative import
(``importlib.import_module(f".{name}", __name__)``, as the citation importers
are picked by format) depends on every module of its package, unless the
caller names the one module it uses (``dynamic=False``).

Only the standard library is used: a no-op build stays cheap.
"""

from __future__ import annotations

import ast
import hashlib
import re
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
NAME = PACKAGE.name


def module_of(path: Path) -> str | None:
    """``reviewkit.x.y`` for a file of the package (a ``.py`` or its cached ``.pyc``), else None."""
    try:
        rel = path.relative_to(PACKAGE)
    except ValueError:
        return None
    parts = list(rel.parts)
    if parts and parts[-1].endswith(".pyc") and len(parts) >= 2 and parts[-2] == "__pycache__":
        parts = parts[:-2] + [parts[-1].split(".")[0] + ".py"]
    if not parts or not parts[-1].endswith(".py"):
        return None
    parts[-1] = parts[-1][:-3]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    name = ".".join([NAME, *parts])
    return name if file_of(name) else None


@cache  # like _source: the package's files are read once per process
def file_of(module: str) -> Path | None:
    rel = module.split(".")[1:]
    base = PACKAGE.joinpath(*rel)
    for candidate in (base.with_suffix(".py") if rel else None, base / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def display_name(module: str) -> str:
    """``reviewkit/x/y.py`` for ``reviewkit.x.y`` (a package: its ``__init__.py``)."""
    f = file_of(module)
    return str(f.relative_to(PACKAGE.parent)) if f else module.replace(".", "/") + ".py"


@cache
def _source(module: str) -> bytes:
    f = file_of(module)
    return f.read_bytes() if f else b""


#: {module: [sha256 of its source, imported modules, dynamic packages]} kept between builds (see :func:`remember`)
_KNOWN: dict = {}


def remember(path: Path, save: bool = False) -> None:
    """Load (or, with *save*, write) the import lists of earlier builds, so a no-op build parses no source.

    Entries are used only while the module's source hash is unchanged.
    """
    import json

    if save:
        from ..atomic import write

        known = {m: [_digest(m), sorted(f), sorted(d)] for m in list(_SEEN) for f, d in [_imports(m)]}
        try:
            write(path, json.dumps(known, sort_keys=True))
        except OSError:
            pass
        return
    try:
        _KNOWN.update(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass


_SEEN: set = set()


@cache
def _imports(module: str) -> tuple[frozenset, frozenset]:
    """(reviewkit modules imported by *module*, packages it imports from dynamically)."""
    f = file_of(module)
    if f is None:
        return frozenset(), frozenset()
    _SEEN.add(module)
    known = _KNOWN.get(module)
    if known and known[0] == _digest(module):
        return frozenset(known[1]), frozenset(known[2])
    is_pkg = f.name == "__init__.py"
    package = module if is_pkg else module.rpartition(".")[0]
    found: set[str] = set()
    dynamic: set[str] = set()
    try:
        tree = _import_tree(_source(module))
    except SyntaxError:
        return frozenset(), frozenset()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == NAME)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != NAME:
                continue
            found.add(target)
            for a in node.names:  # `from . import x` may name a submodule
                if file_of(f"{target}.{a.name}"):
                    found.add(f"{target}.{a.name}")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and len(node.args) == 2
            and not isinstance(node.args[0], ast.Constant)
        ):
            dynamic.add(package)
    return frozenset(m for m in found if file_of(m)), frozenset(dynamic)


#: a comment, or a string literal (any prefix, single- or triple-quoted), whichever starts first
_STRING_OR_COMMENT = re.compile(
    rb"#[^\n]*|[rRbBuUfF]{0,2}(?:"
    rb"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''|"
    rb'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""|'
    rb"'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"
    rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*")',
    re.S,
)
_IMPORT_WORD = re.compile(rb"\bimport\b")
_STATEMENT_START = re.compile(rb"^[ \t]*(?:import|from)\b", re.M)


def _import_tree(source: bytes) -> ast.AST:
    """A tree holding the same import statements as ``ast.parse(source)``, parsed from those statements alone.

    Parsing whole modules to read their imports costs a third of a second over the report's modules, in every
    cold build; their import statements are a small part of them.  Comments and string literals are blanked
    (so that a docstring's example is no statement), then every line that starts with ``import`` or ``from``
    is taken with its continuation lines (open brackets, a trailing backslash) and the statements are parsed
    together.  Whenever that may not give what the whole module's tree gives — an ``import`` keyword outside
    the statements taken (``if x: import y``), a statement that does not parse alone, a call of
    ``import_module`` (its arguments are read from the tree) — the whole module is parsed instead.  For a module
    that parses, both give the same import statements (``tests/test_code_keys.py`` checks every module of the
    package); of one that does not, the statements are read where the whole parse gives nothing (its own source
    hash still changes the key).
    """
    if b"import_module" in source:
        return ast.parse(source)
    blank = _STRING_OR_COMMENT.sub(lambda m: b"\n" * m[0].count(b"\n"), source)  # (its lines kept)
    lines = blank.split(b"\n")
    starts = {blank.count(b"\n", 0, m.start()) for m in _STATEMENT_START.finditer(blank)}
    statements, words = [], 0
    for first in sorted(starts):
        i, depth, text = first, 0, []
        while i < len(lines):
            line = lines[i]
            text.append(line.strip().removesuffix(b"\\").strip())
            depth += line.count(b"(") - line.count(b")")
            i += 1
            if depth <= 0 and not line.rstrip().endswith(b"\\"):
                break
        statement = b" ".join(text)
        words += len(_IMPORT_WORD.findall(statement))
        statements.append(statement)
    if words != len(_IMPORT_WORD.findall(blank)):
        return ast.parse(source)
    try:
        return ast.parse(b"\n".join(statements))
    except SyntaxError:
        return ast.parse(source)


def _package_modules(package: str) -> set[str]:
    folder = file_of(package)
    if folder is None or folder.name != "__init__.py":
        return set()
    return {f"{package}.{p.stem}" for p in folder.parent.glob("*.py") if p.stem != "__init__"}


def closure(modules, *, dynamic: bool = True) -> set[str]:
    return set(_closure(frozenset(modules), dynamic))


@cache  # like _imports, on which it depends: the sections of a build mostly use the same modules
def _closure(modules: frozenset, dynamic: bool) -> frozenset[str]:
    todo = [m for m in modules if file_of(m)]
    seen: set[str] = set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        parts = m.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages run their __init__
        found, dyn = _imports(m)
        todo.extend(found)
        if dynamic:
            for pkg in dyn:
                todo.extend(_package_modules(pkg))
    return frozenset(seen)


def hashes(modules, *, dynamic: bool = True) -> dict[str, str]:
    """{module: sha256 of its source} over the closure of *modules*."""
    return {m: _digest(m) for m in sorted(closure(modules, dynamic=dynamic))}


@cache
def _digest(module: str) -> str:
    return hashlib.sha256(_source(module)).hexdigest()


def key(modules, *, dynamic: bool = True) -> str:
    """One hash over the closure of *modules* (for cache file names)."""
    h = hashlib.sha256()
    for m, digest in hashes(modules, dynamic=dynamic).items():
        h.update(f"{m}\0{digest}\n".encode())
    return h.hexdigest()
