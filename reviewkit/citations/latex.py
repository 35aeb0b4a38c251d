"""Plain text <-> the LaTeX-flavoured text that BibTeX files hold.

reviewkit keeps every citation field as plain Unicode text.  The BibTeX
importer decodes LaTeX once (accents, ``--``, escapes, case-protecting braces,
font commands) with :func:`to_text`; the BibTeX writer escapes with
:func:`escape`.  Formatting styles render fields verbatim.
"""

from __future__ import annotations

import codecs
import re

import latexcodec  # noqa: F401  (registers the "ulatex" codec)

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(k) for k in _SPECIALS))
# Escaped braces survive brace-stripping through private-use placeholders.
_LBRACE, _RBRACE = "\ue000", "\ue001"
_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")


def escape(text: str) -> str:
    """Plain text -> a BibTeX field value that decodes to the same text."""
    return _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group()], text)


def needs_escape(text: str) -> bool:
    """Whether :func:`escape` changes *text* (one search: most values have nothing to escape)."""
    return _SPECIAL_RE.search(text) is not None


_NEEDS_CODEC = re.compile(r"[\\~$`]|''|<<|>>|!`|\?`")


def to_text(value: str) -> str:
    """A BibTeX field value -> plain Unicode text (idempotent on plain text).

    latexcodec runs only where LaTeX is present (a backslash, ``~``, ``$``,
    ``--``, TeX quotes); a value that only has case-protecting braces just
    loses them — decoding every braced title cost half of the parse time.
    """
    if not value:
        return ""
    if not _NEEDS_CODEC.search(value):
        if "{" in value or "}" in value:
            value = re.sub(r"[ \t\r\n]+", " ", value.replace("{", "").replace("}", "")).strip()
        if "--" in value:  # TeX dashes, as latexcodec decodes them
            value = value.replace("---", "\u2014").replace("--", "\u2013")
        return value
    s = value.replace(r"\{", _LBRACE).replace(r"\}", _RBRACE).replace(r"\$", "\ue005")
    s = s.replace(r"\textbackslash{}", "\ue002").replace(r"\textbackslash", "\ue002")
    s = s.replace(r"\textasciitilde{}", "\ue003").replace(r"\textasciicircum{}", "\ue004")
    try:
        s = codecs.decode(s, "ulatex")  # type: ignore[call-overload]  # latexcodec's codec: str to str
    except (ValueError, UnicodeDecodeError):  # pragma: no cover - latexcodec is lenient
        pass
    s = _COMMAND.sub("", s)  # \emph{x} -> {x}; the braces go next
    s = s.replace("{", "").replace("}", "").replace("$", "")
    s = re.sub(r"[ \t\r\n]+", " ", s).strip()
    return (
        s.replace(_LBRACE, "{")
        .replace(_RBRACE, "}")
        .replace("\ue002", "\\")
        .replace("\ue003", "~")
        .replace("\ue004", "^")
        .replace("\ue005", "$")
    )
