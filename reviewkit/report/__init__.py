"""What notebooks call to put figures, tables and computed prose in the report.

Each call *displays* its content as a normal Jupyter output (so an author in
JupyterLab sees it) tagged with ``metadata["reviewkit"]``; report assembly
finds the tagged outputs in the executed notebooks, numbers them and writes
``figures/NAME.png|svg`` and ``tables/NAME.csv``.  Nothing is written to disk
from inside the kernel, so a section's results travel with its notebook.

    from reviewkit import report
    report.figure(fig, "trial-phases", caption="Registered trials by phase and status.")
    report.table(df, "trials", caption="Registered trials.", links={"NCT ID": "https://clinicaltrials.gov/study/{}"})
    report.text(f"Of {n} trials …")

The public names are :func:`figure`, :func:`table` and :func:`text` (``__all__``); everything else here and
every submodule (``assemble``, ``export``, the writers, …) is internal: report assembly uses them.
"""

from __future__ import annotations

import base64
import html
import io
import re

__all__ = ["figure", "table", "text"]

MIME_TABLE = "application/vnd.reviewkit.table+json"
_NAME = re.compile(r"^[a-z0-9][a-z0-9\-]*$")


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"name {name!r}: use lower-case letters, digits and '-' (e.g. 'trial-phases')")


def render_figure(fig) -> dict[str, bytes]:
    """PNG and SVG bytes of *fig*, byte-identical for identical figures."""
    import matplotlib

    out = {}
    with matplotlib.rc_context({"svg.hashsalt": "reviewkit", "svg.fonttype": "path"}):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=200, metadata={"Software": None}, bbox_inches="tight")
        out["png"] = buf.getvalue()
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
        out["svg"] = buf.getvalue()
    return out


def figure(fig, name: str, *, caption: str, supplementary: bool | None = None) -> None:
    """Show *fig* and register it as report figure *name* with a Markdown *caption*.

    ``supplementary=True`` puts it in the report's "Supplementary material" part
    (numbered Figure S1, S2, …); ``None`` (default) does so when it is taller than
    ``[report] supplementary_height`` inches; ``False`` keeps it in the text.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    _check_name(name)
    data = render_figure(fig)
    plt.close(fig)
    bundle = {
        "image/png": base64.b64encode(data["png"]).decode("ascii"),
        "image/svg+xml": data["svg"].decode("utf-8"),
        "text/plain": f"Figure '{name}': {caption}",
    }
    meta: dict[str, object] = {"kind": "figure", "name": name, "caption": caption}
    if supplementary is not None:
        meta["supplementary"] = bool(supplementary)
    display(bundle, raw=True, metadata={"reviewkit": meta})


def table_html(df, links: dict[str, str] | None = None) -> str:
    """An escaped HTML table; columns in *links* become links (``{}`` = cell value)."""
    links = links or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, row):
            text = "" if v is None or (isinstance(v, float) and v != v) else str(v)
            if isinstance(v, (list, tuple)):
                text = "; ".join(map(str, v))
            cell = html.escape(text)
            if col in links and text:
                href = links[col].format(text)
                if re.match(r"^https?://[^\s<>\"']+$", href):
                    cell = f'<a href="{html.escape(href)}">{cell}</a>'
            cls = ' class="num"' if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
            cells.append(f"<td{cls}>{cell}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _jsonable(v):
    """A JSON value for one table cell (missing -> None, numpy scalars -> Python)."""
    if v is None or (isinstance(v, float) and v != v) or str(v) in ("<NA>", "NaT"):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    return v if isinstance(v, (int, float, bool, str)) else str(v)


def table(
    df, name: str, *, caption: str, links: dict[str, str] | None = None, supplementary: bool | None = None
) -> None:
    """Show *df* and register it as report table *name* with a Markdown *caption*.

    ``supplementary=True`` puts it in the "Supplementary material" part (Table S1, …);
    ``None`` (default) does so when it has more rows than ``[report] supplementary_rows``.
    """
    from IPython.display import display

    _check_name(name)
    frame = df.copy()
    for col in frame.columns:
        frame[col] = [("; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for v in frame[col]]
    payload = {
        "columns": [str(c) for c in frame.columns],
        "data": [[_jsonable(v) for v in row] for row in frame.itertuples(index=False)],
    }
    bundle = {
        "text/html": table_html(frame, links),
        MIME_TABLE: payload,
        "text/plain": f"Table '{name}': {caption}",
    }
    meta: dict[str, object] = {"kind": "table", "name": name, "caption": caption, "links": links or {}}
    if supplementary is not None:
        meta["supplementary"] = bool(supplementary)
    display(bundle, raw=True, metadata={"reviewkit": meta})


def text(markdown: str) -> None:
    """Show computed Markdown prose; it becomes part of the report's narrative."""
    from IPython.display import display

    display({"text/markdown": markdown, "text/plain": markdown}, raw=True, metadata={"reviewkit": {"kind": "prose"}})
