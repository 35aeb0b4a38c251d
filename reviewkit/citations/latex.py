"""Plain text <-> the LaTeX-flavoured text that BibTeX files hold.

reviewkit keeps every citation field as plain Unicode text.  The BibTeX
importer decodes LaTeX once (accents, ``--``, escapes, case-protecting braces,
font commands) with :func:`to_text`; the BibTeX writer escapes with
:func:`escape`.  Formatting styles render fields verbatim.
"""

from __future__ import annotations

import codecs

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import re

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


def to_text(value: str) -> str:
    """A BibTeX field value -> plain Unicode text (idempotent on plain text)."""
    if not value or not any(c in value for c in "\\{}~$-"):
        return value or ""
    s = value.replace(r"\{", _LBRACE).replace(r"\}", _RBRACE).replace(r"\$", "\ue005")
    s = s.replace(r"\textbackslash{}", "\ue002").replace(r"\textbackslash", "\ue002")
    s = s.replace(r"\textasciitilde{}", "\ue003").replace(r"\textasciicircum{}", "\ue004")
    try:
        s = codecs.decode(s, "ulatex")
    except (ValueError, UnicodeDecodeError):  # pragma: no cover - latexcodec is lenient
        pass
    s = _COMMAND.sub("", s)  # \emph{x} -> {x}; the braces go next
    s = s.replace("{", "").replace("}", "").replace("$", "")
    s = re.sub(r"[ \t\r\n]+", " ", s).strip()
    return (
        s.replace(_LBRACE, "{").replace(_RBRACE, "}")
        .replace("\ue002", "\\").replace("\ue003", "~").replace("\ue004", "^")
        .replace("\ue005", "$")
    )
