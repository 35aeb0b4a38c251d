"""``review.toml``: what a review is made of.

    [report]                      title, running_title, authors, affiliations,
                                  abstract (Markdown file), keywords,
                                  bibliography (paths/globs), style, edition;
                                  formats, docx_template, author metadata
                                  (reviewkit.report.settings / .metadata)
    [[section]]                   name, notebook, parameters, inputs (globs),
                                  matrix: {parameter = [values…]} runs the notebook
                                  once per combination, as sections NAME-VALUE…

Errors name the file, the line of the offending key and the valid choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, did_you_mean
from ..layout import CONFIG_NAME, find_root
from ..layout import line_of as _line_of
from ..layout import slug as slug  # also re-exported: `from reviewkit.pipeline.config import slug` (a notebook)

REPORT_KEYS = {
    "title": str,
    "running_title": str,
    "authors": list,
    "affiliations": list,
    "abstract": str,
    "keywords": list,
    "bibliography": list,
    "style": str,
    "edition": str,
    "data_as_of": str,
    "formats": list,
    "docx_template": str,
    "funding": str,
    "conflicts": str,
    "data_availability": str,
    "acknowledgements": str,
    "supplementary_rows": object,
    "supplementary_height": object,
}
SECTION_KEYS = {"name": str, "notebook": str, "parameters": dict, "inputs": list, "title": str, "matrix": dict}


@dataclass
class Section:
    name: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)
    base: str = ""  # the [[section]] name (a matrix member's name has its values appended)
    lines: dict = field(default_factory=dict)  # review.toml line of each key, for errors


@dataclass
class Config:
    root: Path
    path: Path
    report: dict
    sections: list[Section]

    def resolve(self, p) -> Path:
        return (self.root / p).resolve()

    def glob(self, patterns) -> list[Path]:
        """Files matching *patterns* (relative to the project), sorted, each once."""
        out: dict[Path, None] = {}
        root = self.root.resolve()
        for pat in patterns:
            if not isinstance(pat, str) or not pat.strip() or Path(pat).is_absolute() or pat.startswith("~"):
                continue  # never read: `check` and `build` report it (pipeline.validate)
            matches = sorted(self.root.glob(pat)) if any(c in pat for c in "*?[") else [self.root / pat]
            for m in matches:
                if m.is_file() and m.resolve().is_relative_to(root):  # outside the project: reported, never read
                    out[m.resolve()] = None
        return list(out)

    @property
    def bibliography_files(self) -> list[Path]:
        return self.glob(self.report.get("bibliography", []))

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"


def _spans(text: str, table: str) -> list[tuple[int, int]]:
    """The character range of each ``[table]`` / ``[[table]]`` in *text*, in order (so errors point at the right one)."""
    heads = [m.start() for m in re.finditer(rf"^[ \t]*\[\[?[ \t]*{table}[ \t]*\]\]?", text, re.MULTILINE)]
    ends = [m.start() for m in re.finditer(r"^[ \t]*\[", text, re.MULTILINE)]
    return [(h, next((e for e in ends if e > h), len(text))) for h in heads]


def _expand(matrix: dict, path, text, name, span=None):
    """[(name suffix, parameters)] for every combination of the matrix values, in order."""
    import itertools

    if not matrix:
        return [("", {})]
    for k, v in matrix.items():
        if not isinstance(v, list) or not v:
            raise ConfigError(
                f"section {name!r}: matrix.{k} must be a non-empty list of values",
                source=f"{path}:{_line_of(text, 'matrix', span)}",
            )
    keys = list(matrix)
    out = []
    for combo in itertools.product(*(matrix[k] for k in keys)):
        out.append(("-".join(slug(v) for v in combo), dict(zip(keys, combo))))
    return out


def load(project=None) -> Config:
    import tomllib

    root = find_root(project)
    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"not valid TOML: {exc}", source=f"{path}:{m.group(1) if m else 1}") from None

    unknown = [k for k in data if k not in ("report", "section")]
    if unknown:
        k = unknown[0]
        raise ConfigError(
            f"unknown table [{k}]{did_you_mean(k, ['report', 'section'])}", source=f"{path}:{_line_of(text, k)}"
        )

    def check_keys(table: dict, allowed: dict, label: str, span=None) -> None:
        for k, v in table.items():  # the line is looked for only for an error (a search per key costs)
            if k not in allowed:
                raise ConfigError(
                    f"unknown key {label}.{k}{did_you_mean(k, allowed)}", source=f"{path}:{_line_of(text, k, span)}"
                )
            if not isinstance(v, allowed[k]):
                raise ConfigError(
                    f"{label}.{k} must be a {allowed[k].__name__}, not {type(v).__name__}",
                    source=f"{path}:{_line_of(text, k, span)}",
                )

    report = data.get("report", {})
    check_keys(report, REPORT_KEYS, "report", next(iter(_spans(text, "report")), None))
    if "title" not in report:
        raise ConfigError("report.title is required", source=f"{path}:1")
    from ..report import settings

    settings.check(report, root, path, text)  # formats, style, docx_template, author metadata

    sections = []
    seen = set()
    spans = _spans(text, "section")
    for i, s in enumerate(data.get("section", [])):
        span = spans[i] if i < len(spans) else None
        at = f"{path}:{text[: span[0]].count(chr(10)) + 1}" if span else str(path)
        check_keys(s, SECTION_KEYS, f"section[{i + 1}]", span)
        if "notebook" not in s:
            raise ConfigError(f"section {i + 1}: 'notebook' is required", source=at)
        name = s.get("name") or Path(s["notebook"]).stem
        if not re.match(r"^[A-Za-z0-9_\-]+$", name):
            raise ConfigError(
                f"section name {name!r}: use letters, digits, '-' and '_'",
                source=f"{path}:{_line_of(text, 'name', span)}",
            )
        if name in seen:
            raise ConfigError(f"two sections are named {name!r}", source=f"{path}:{_line_of(text, 'name', span)}")
        seen.add(name)
        nb = root / s["notebook"]
        if not nb.is_file():
            raise ConfigError(
                f"section {name!r}: notebook {s['notebook']} not found",
                source=f"{path}:{_line_of(text, 'notebook', span)}",
            )
        for suffix, params in _expand(s.get("matrix", {}), path, text, name, span):
            full = f"{name}-{suffix}" if suffix else name
            if full in seen and suffix:
                raise ConfigError(
                    f"matrix of section {name!r} makes the name {full!r} twice",
                    source=f"{path}:{_line_of(text, 'matrix', span)}",
                )
            seen.add(full)
            lines = {k: _line_of(text, k, span) for k in ("notebook", "inputs", "parameters", "matrix")}
            sections.append(
                Section(
                    full, nb, {**s.get("parameters", {}), **params}, list(s.get("inputs", [])), base=name, lines=lines
                )
            )
    if not sections:
        raise ConfigError("no [[section]] defined", source=str(path))
    return Config(root, path, report, sections)
