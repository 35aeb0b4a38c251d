"""The notebook pages of an edition (``notebooks/SECTION.html``), rendered once per content.

A page is an executed section notebook shown with its code (:func:`writers.notebook_page`,
what a figure's or table's link opens).  Rendering one costs about half a second, and every
build with HTML or PDF writes all of them, although most sections did not run again.  So a
page is kept in the cache (``$REVIEWKIT_CACHE/pages``, default ``~/.cache/reviewkit/pages``)
under a key made of

- the executed notebook's bytes (sha256),
- the code that renders it: the reviewkit modules :mod:`reviewkit.report.writers` uses
  (:func:`reviewkit.pipeline.code.key`), and
- the environment: the Python version and the installed distributions (nbconvert, its
  ``lab`` template, mistune, …), as the section keys use it.

A cached page is served only when all three are unchanged; anything else renders it again.
The pages are returned as bytes, written by the caller into the staged edition, so an edition
is still published whole.  An unreadable or damaged cache file (not ending in ``</html>``) is rendered again; a cache that
cannot be written only costs the time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def cache_dir() -> Path:
    from ..citations import cache_dir as citations_cache

    return citations_cache().parent / "pages"  # beside the parsed citation files, under $REVIEWKIT_CACHE


def page_key(notebook: bytes, code: str, environment: str) -> str:
    return hashlib.sha256(
        b"\0".join([hashlib.sha256(notebook).digest(), code.encode(), environment.encode()])
    ).hexdigest()


def notebook_pages(notebooks: dict[str, Path], *, cache: bool = True, stats: dict | None = None) -> dict[str, bytes]:
    """``{name: page bytes}`` for the executed notebooks ``{name: path}``; unchanged pages come from the cache.

    *stats*, when given, receives ``{"rendered": [...], "cached": [...]}`` (section names).
    """
    from ..atomic import write
    from ..pipeline import code
    from ..pipeline.cache import environment

    code_key = code.key(["reviewkit.report.writers"])
    env = environment()
    folder = cache_dir()
    pages, rendered, cached = {}, [], []
    for name, path in notebooks.items():
        data = Path(path).read_bytes()
        stored = folder / f"{page_key(data, code_key, env)}.html"
        if cache:
            try:
                page = stored.read_bytes()
            except OSError:
                page = b""
            if page.rstrip().endswith(b"</html>"):  # whole (written atomically; anything else is rendered again)
                pages[name] = page
                cached.append(name)
                continue
        pages[name] = _render(data)
        rendered.append(name)
        if cache:
            try:
                write(stored, pages[name])
            except OSError:
                pass
    if stats is not None:
        stats.update(rendered=rendered, cached=cached)
    return pages


def _render(data: bytes) -> bytes:
    import nbformat

    from .writers import notebook_page

    return notebook_page(nbformat.reads(data.decode("utf-8"), as_version=4))


def notebook_pages_started(notebooks: dict[str, Path], **kwargs) -> Started:
    """:func:`notebook_pages` in a thread started now; ``.result()`` waits for the pages (or raises its error).

    The PDF is mostly Chromium's time, in another process: rendering the pages meanwhile uses the time the
    build would spend waiting (measured in ``benchmarks/bench_formats.py``).  The thread is a daemon and
    writes nothing: an interrupted or failed build does not wait for it, and the pages reach the staged
    edition only through the caller, after ``.result()``.
    """
    return Started(notebook_pages, notebooks, **kwargs)


class Started:
    def __init__(self, fn, *args, **kwargs):
        import threading

        self._value, self._error = None, None

        def run():
            try:
                self._value = fn(*args, **kwargs)
            except BaseException as exc:  # handed to the caller by result()
                self._error = exc

        self._thread = threading.Thread(target=run, name="reviewkit-pages", daemon=True)
        self._thread.start()

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value
