"""One validation for ``reviewkit check`` and ``reviewkit build``: what one rejects, the other rejects too.

Everything is read, nothing is run (no kernel).  Every problem is collected —
all at once, each with its file and line (or notebook cell) — in two stages:

- **cheap** (standard library only, run by every build, even a no-op one):
  every path in ``review.toml`` (abstract, notebooks, inputs, bibliography)
  resolves inside the project and matches a file; notebooks are valid JSON
  with a ``parameters`` cell; each section's parameters have the notebook's
  names and types; a notebook's defaults equal one of its sections'
  parameters (so JupyterLab shows the report's numbers); parameter values
  that name project files name existing ones; a notebook saved with outputs
  is a warning with the command that strips it.
- **deep** (run by ``check`` always and by ``build`` whenever something has
  to run or be assembled; a build with nothing stale validated the same
  inputs last time): the bibliography parses; every citation key in every
  Markdown source (notebook cells, captions and prose in code, the abstract)
  resolves; every CSV a section declares or names parses (field counts per
  line, the separator); the evidence sheet, screening log, trial tables and
  class table pass their own validation.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, ReviewkitError, closest


@dataclass
class Problem:
    text: str  # "file:line: what is wrong"
    warning: bool = False
    kind: str = ""  # "bibliography": the build logs those itself

    def __str__(self) -> str:
        return f"warning: {self.text}" if self.warning else self.text


class ValidationError(ConfigError):
    """Several problems at once (exit status 2)."""

    def __init__(self, problems: list[Problem]):
        n = len(problems)
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} found; nothing was run "
            f"(`reviewkit check` lists the same):\n  " + "\n  ".join(p.text for p in problems)
        )
        self.problems = problems


# -- paths ---------------------------------------------------------------------------------------------------------


def _inside(root: Path, path: Path, *, real_root: Path | None = None) -> bool:
    """*path*, links followed, is in *root* (*real_root*: ``root.resolve()``, when the caller has it already)."""
    return path.resolve().is_relative_to(real_root or root.resolve())


def path_problem(root: Path, value: str, what: str, *, folders: bool = False) -> str | None:
    """Why *value* (a path or glob from review.toml, relative to the project) is not usable, else None."""
    if not isinstance(value, str):
        return f"{what} {value!r} is not text; expected a path in quotes, relative to the project folder"
    if not value.strip():
        return f"{what} is empty; expected a path relative to the project folder"
    p = Path(value)
    if p.is_absolute() or value.startswith("~"):
        return f"{what} {value!r} is an absolute path; give it relative to the project folder ({root})"
    magic = any(c in value for c in "*?[")
    real_root = root.resolve()  # once, not for every match
    if not _inside(root, root / Path(*p.parts[: _fixed_len(p)]), real_root=real_root):
        return f"{what} {value!r} resolves outside the project ({root}); keep the review's files inside its folder"
    if magic:
        matches = [m for m in root.glob(value) if m.is_file()]
    else:
        matches = [root / p] if (root / p).is_file() or (folders and (root / p).is_dir()) else []
    outside = [m for m in matches if not _inside(root, m, real_root=real_root)]
    if outside:
        return f"{what} {value!r} reaches {outside[0]}, outside the project (a link?); keep the review's files inside its folder"
    if not matches:
        if not magic and (root / p).is_dir():
            return (
                f"{what} {value!r} is a folder; expected a file (a glob such as {value.rstrip('/')}/* names its files)"
            )
        if magic and (value.rstrip("/").endswith("**") or value.endswith("/")):
            return f"{what} {value!r} matches folders, not files; end it with /**/* (every file below) or /*"
        return f"{what} {value!r} matches no file{_nearby(root, value)}"
    return None


def _fixed_len(p: Path) -> int:
    for i, part in enumerate(p.parts):
        if any(c in part for c in "*?["):
            return i
    return len(p.parts)


def _nearby(root: Path, value: str) -> str:
    """ " (closest: …)" from the files in the folder the path names (or the nearest existing parent)."""
    folder = (root / value).parent
    while not folder.is_dir() and folder != root:
        folder = folder.parent
    try:
        names = [str((folder / n).relative_to(root)) for n in sorted(p.name for p in folder.iterdir())]
    except (OSError, ValueError):
        return ""
    near = closest(value, names)
    return f" (closest: {', '.join(near)})" if near else ""


# -- review.toml lines ---------------------------------------------------------------------------------------------


class _Lines:
    def __init__(self, cfg):
        from .config import _line_of, _spans

        self.path = cfg.path
        self.text = cfg.path.read_text(encoding="utf-8")
        self._line_of = _line_of
        self.report_span = next(iter(_spans(self.text, "report")), None)

    def report(self, key: str) -> str:
        return f"{self.path}:{self._line_of(self.text, key, self.report_span)}"

    def section(self, s, key: str) -> str:
        return f"{self.path}:{s.lines.get(key) or s.lines.get('notebook', 1)}"


# -- notebooks -----------------------------------------------------------------------------------------------------


def _same(a, b) -> bool:
    """Equal and of the same type all the way down (1 is not 1.0, a tuple is not a list): the kernel prints the same."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def defaults_match(defaults: dict, parameters: dict) -> bool:
    """The notebook run as it is (JupyterLab) gets exactly *parameters*."""
    return all(k in defaults and _same(defaults[k], v) for k, v in parameters.items())


def _python_value(v) -> str:
    return repr(v)


def strings_in_code(source: str) -> list[str]:
    """String constants of a code cell (f-string text included), where prose and captions carry citations."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


_PATHLIKE = re.compile(r"^[^\s:*?\"<>|]+\.[A-Za-z][A-Za-z0-9]{0,5}$")


def looks_like_path(value) -> bool:
    """A parameter value that names a file: has a folder separator or a file suffix, and is not a URL."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and "://" not in value
        and ("/" in value or bool(_PATHLIKE.match(value)))
    )


# -- CSV -----------------------------------------------------------------------------------------------------------


def csv_problems(path: Path, rel: str, limit: int = 20) -> list[str]:
    """Field counts per line against the header, the separator, the encoding: "file:4: expected 23 fields, saw 24"."""
    import csv
    import io

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return [f"{rel}:{line}: not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8"]
    except OSError as exc:
        return [f"{rel}: cannot be read: {exc.strerror}"]
    if not text.strip():
        return [f"{rel}:1: the file is empty; expected a header line naming the columns"]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out = []
    try:
        header = next(reader)
        first = text.splitlines()[0]
        if len(header) == 1:
            for sep, name in ((";", "semicolons"), ("\t", "tabs")):
                if sep in first:
                    return [
                        f"{rel}:1: the fields are separated by {name}; reviewkit reads comma-separated CSV "
                        '(save as "CSV UTF-8 (comma delimited)", or replace the separator with commas)'
                    ]
        n = len(header)
        for row in reader:
            if not row:  # a blank line
                continue
            if len(row) != n:
                out.append(f"{rel}:{reader.line_num}: expected {n} fields (as in the header), saw {len(row)}")
                if len(out) >= limit:
                    out.append(f"{rel}: … further lines not checked")
                    break
    except csv.Error as exc:
        out.append(f"{rel}:{reader.line_num}: not valid CSV: {exc} (an unclosed quote?)")
    return out


def _typed_reader(path: Path):
    """The reader whose own validation applies to *path* (by the file's role in a review), else None."""
    from ..evidence.bias import read_risk_of_bias
    from ..evidence.grade import read_grade
    from ..evidence.screening import read_log
    from ..evidence.sheet import read_sheet
    from ..trials import read_table
    from ..trials.classify import read_classes

    by_name = {
        "evidence.csv": read_sheet,
        "screening.csv": read_log,
        "intervention-classes.csv": read_classes,
        "risk-of-bias.csv": read_risk_of_bias,
        "grade.csv": read_grade,
    }
    if path.name in by_name:
        return by_name[path.name]
    if path.is_dir() and "trials" in path.parts:  # a snapshot folder named by a parameter
        return read_table
    if path.parent.name == "trials" and path.suffix in (".csv", ".json"):  # a trial table (not a file of a snapshot)
        return read_table
    return None


# -- the validation ------------------------------------------------------------------------------------------------


def problems(
    cfg, *, sections=None, cheap: bool = True, deep: bool = True, report: bool = True
) -> tuple[list[Problem], list[str]]:
    """(problems, notes) of the review *cfg* for *sections* (default: all); warnings are Problems with warning=True."""
    from . import params

    sections = cfg.sections if sections is None else sections
    root = cfg.root
    lines = _Lines(cfg)
    found: list[Problem] = []
    notes: list[str] = []

    def rel(p: Path) -> str:
        try:
            return str(Path(p).resolve().relative_to(root.resolve()))
        except ValueError:
            return str(p)

    def attempt(fn, *a, **k):
        try:
            return fn(*a, **k)
        except ReviewkitError as exc:
            found.append(Problem(str(exc)))
            return None

    # paths in review.toml
    bad_paths = set()
    if cheap:
        if cfg.report.get("abstract") is not None:
            why = path_problem(root, cfg.report["abstract"], "report.abstract")
            if why:
                found.append(Problem(f"{lines.report('abstract')}: {why}"))
        for pat in cfg.report.get("bibliography", []):
            why = path_problem(root, pat, "report.bibliography entry")
            if why:
                found.append(Problem(f"{lines.report('bibliography')}: {why}"))
    seen_bases = set()
    for s in sections:
        if cheap and s.base not in seen_bases:
            seen_bases.add(s.base)
            if not _inside(root, s.notebook):
                found.append(
                    Problem(
                        f"{lines.section(s, 'notebook')}: section {s.base!r}: notebook {s.notebook} "
                        f"resolves outside the project ({root}); keep the review's files inside its folder"
                    )
                )
                bad_paths.add(s.notebook)
            for pat in s.inputs:
                why = path_problem(root, pat, f"section {s.base!r}: inputs entry")
                if why:
                    found.append(Problem(f"{lines.section(s, 'inputs')}: {why}"))

    # notebooks, parameters, parameter paths
    notebooks: dict[Path, dict | None] = {}
    for s in sections:
        if s.notebook in bad_paths:
            continue
        if s.notebook not in notebooks:  # an unreadable notebook is the cheap stage's problem, said once
            notebooks[s.notebook] = (
                attempt(params.read_notebook, s.notebook) if cheap else _quietly(params.read_notebook, s.notebook)
            )
        nb = notebooks[s.notebook]
        if nb is None or not cheap:
            continue
        try:
            params.check(s.name, s.notebook, s.parameters, nb)
        except (
            ReviewkitError
        ) as exc:  # a name or type in review.toml: said at its line (a notebook fault at the notebook)
            where = lines.section(s, "parameters") if "parameter " in exc.message and s.parameters else exc.source
            found.append(
                Problem(
                    f"{where}: {exc.message} ({rel(s.notebook)} declares the parameters)"
                    if where != exc.source
                    else str(exc)
                )
            )
        try:
            defaults = params.declared(s.notebook, nb)
        except ReviewkitError:
            continue  # reported by params.check
        effective = {k: v for k, v in defaults.items() if v is not params._ANY} | s.parameters
        for name, value in effective.items():
            if looks_like_path(value):
                why = path_problem(root, value, f"section {s.name!r}: parameter {name} =", folders=True)
                if why:
                    where = (
                        lines.section(s, "parameters")
                        if name in s.parameters
                        else f"{rel(s.notebook)}: parameters cell"
                    )
                    found.append(Problem(f"{where}: {why}"))
    if cheap:
        found.extend(_defaults_problems(cfg, sections, notebooks, lines, rel))
        for path, nb in notebooks.items():
            if nb is None:
                continue
            for i, cell in enumerate(nb.get("cells", []), start=1):
                if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
                    found.append(
                        Problem(
                            f"{rel(path)}, cell {i}: saved with outputs; commit notebooks without them: "
                            f"jupyter nbconvert --clear-output --inplace {rel(path)}",
                            warning=True,
                        )
                    )
                    break
        for folder in sorted({p.parent for p in notebooks}):  # a JupyterLab session that was killed: edits not yet back
            for copy in sorted(folder.glob("*.lab.ipynb")):
                found.append(
                    Problem(
                        f"{rel(copy)}: a lab copy left by a `reviewkit lab` session; its edits may not be in "
                        f"the source notebook yet: `reviewkit lab {copy.name[: -len('.lab.ipynb')]}` writes "
                        "them back (or delete the copy)",
                        warning=True,
                    )
                )
    if not deep:
        return found, notes

    # the bibliography and every citation
    from ..citations.library import Library
    from ..citations.resolve import LOCK_NAME, Lock
    from ..report.assemble import CitationResolver, cited_keys

    library = attempt(Library.load, cfg.bibliography_files)
    resolver = None
    if library is not None:
        notes.append(f"bibliography: {library.summary}")
        found.extend(Problem(w, warning=True, kind="bibliography") for w in library.warnings)
        resolver = CitationResolver(library, Lock.read(root / LOCK_NAME))
    if resolver is not None and report:
        if (
            cfg.report.get("abstract")
            and _inside(root, cfg.resolve(cfg.report["abstract"]))
            and cfg.resolve(cfg.report["abstract"]).is_file()
        ):
            abstract = cfg.resolve(cfg.report["abstract"])
            raw = abstract.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                found.append(
                    Problem(f"{rel(abstract)}:{line}: not UTF-8 text (byte {exc.start}); save the abstract as UTF-8")
                )
                text = ""
            for n, line in enumerate(text.splitlines(), start=1):
                for key in cited_keys(line):
                    attempt(resolver.resolve, key, f"{rel(abstract)}:{n}")
        for path, nb in notebooks.items():
            for i, cell in enumerate((nb or {}).get("cells", []), start=1):
                texts = (
                    [params.source_of(cell)]
                    if cell.get("cell_type") == "markdown"
                    else strings_in_code(params.source_of(cell))
                    if cell.get("cell_type") == "code"
                    else []
                )
                for text in texts:
                    for key in cited_keys(text):
                        attempt(resolver.resolve, key, f"{rel(path)}, cell {i}")

    # data files: declared inputs and files named by parameters
    files: dict[Path, None] = {}
    for s in sections:
        for p in cfg.glob(s.inputs):
            files[p] = None
        nb = notebooks.get(s.notebook)
        if nb is None:
            continue
        try:
            defaults = params.declared(s.notebook, nb)
        except ReviewkitError:
            continue
        for value in ({k: v for k, v in defaults.items() if v is not params._ANY} | s.parameters).values():
            if looks_like_path(value) and not path_problem(root, value, "", folders=True):
                for p in cfg.glob([value]) or ([cfg.resolve(value)] if cfg.resolve(value).is_dir() else []):
                    files[p] = None
    for path in files:
        structural = csv_problems(path, rel(path)) if path.suffix.lower() == ".csv" else []
        found.extend(Problem(t) for t in structural)
        reader = _typed_reader(path)
        if reader is not None and not structural:
            attempt(reader, path)
    return found, notes


def _quietly(fn, *a):
    try:
        return fn(*a)
    except ReviewkitError:
        return None


def _defaults_problems(cfg, sections, notebooks, lines, rel) -> list[Problem]:
    """A notebook's own defaults must be one of its sections' parameters: run as it is, it shows the report's numbers."""
    from . import params

    out = []
    users: dict[Path, list] = {}
    for s in sections:
        users.setdefault(s.notebook, []).append(s)
    for path, group in users.items():
        nb = notebooks.get(path)
        if nb is None:
            continue
        try:
            defaults = params.declared(path, nb)
        except ReviewkitError:
            continue
        if any(defaults_match(defaults, s.parameters) for s in group):
            continue
        first = group[0]
        wrong = {k: v for k, v in first.parameters.items() if not (k in defaults and _same(defaults[k], v))}
        fix = "; ".join(f"{k} = {_python_value(v)}" for k, v in wrong.items())
        others = f"; another with `reviewkit lab {group[1].name}`" if len(group) > 1 else ""
        out.append(
            Problem(
                f"{rel(path)}: parameters cell: its defaults match no section that runs it, so the notebook opened in "
                f"JupyterLab would show other numbers than the report; set them to those of section {first.name!r}: {fix} "
                f"(or change the section's parameters at {lines.section(first, 'parameters')}; open this section with "
                f"`reviewkit lab {first.name}`{others})"
            )
        )
    return out


def require(
    cfg, *, sections=None, cheap: bool = True, deep: bool = True, report: bool = True, log=None
) -> list[Problem]:
    """Raise :class:`ValidationError` listing every error; log warnings (the bibliography's are the build's own)."""
    found, _ = problems(cfg, sections=sections, cheap=cheap, deep=deep, report=report)
    if cheap and not deep and any(not p.warning for p in found):  # failing anyway: list every problem, as check does
        found += problems(cfg, sections=sections, cheap=False, deep=True, report=report)[0]
    errors = [p for p in found if not p.warning]
    if errors:
        raise ValidationError(errors)
    if log is not None:
        for p in found:
            if p.warning and p.kind != "bibliography":
                log(str(p))
    return found
