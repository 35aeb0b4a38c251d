"""reviewkit refs [QUERY ...] [--project DIR | --file FILE ...] — list and search citation keys."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser(
        "refs",
        help="list the citation keys of the bibliography, filtered by a fuzzy query "
        "(e.g. reviewkit refs kasper 2021 unmet)",
    )
    p.add_argument(
        "query", nargs="*", metavar="QUERY", help="words to look for: surname, year, title word, identifier, key"
    )
    p.add_argument("--project", default=".", help="the review (folder holding review.toml; default: here)")
    p.add_argument(
        "--file",
        dest="files",
        action="append",
        metavar="FILE",
        help="read these bibliography files instead of the review's (repeatable)",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    from ..citations import search
    from ..citations.library import Library

    if args.files:
        files = args.files
    else:
        from ..pipeline import config

        files = config.load(args.project).bibliography_files
    library = Library.load(files)
    query = " ".join(args.query)
    rows = search(library.entries, query)
    width = max((len(r.key) for r in rows), default=0)
    author_w = min(max((len(r.author) for r in rows), default=0), 30)
    for r in rows:
        ids = r.identifiers() + (f" (also @{', @'.join(r.aliases)})" if r.aliases else "")
        print(
            f"{r.key:<{width}}  {r.author[:30]:<{author_w}}  {r.year or '----':<4}  {r.title}"
            + (f"  [{ids}]" if ids else "")
        )
    what = f"matching {query!r}" if query else "in the bibliography"
    print(f"{len(rows)} work{'s' if len(rows) != 1 else ''} {what}", file=sys.stderr)
    return 0
