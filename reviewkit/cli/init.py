"""reviewkit init DIR — a new review from the template."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("init", help="create a new review (config, notebooks, empty evidence files) that builds as is")
    p.add_argument("directory")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..template import create

    root = create(args.directory)
    print(f"created {root}; next: cd {root} && reviewkit build", file=sys.stderr)
    return 0
