"""The ``reviewkit`` command: one module per verb, each imported only when it runs."""

from __future__ import annotations

import argparse
import sys

from .. import __version__


def parser() -> argparse.ArgumentParser:
    from . import build, bundle, check, cite, diff, importcmd, init, lab, refs, trials

    p = argparse.ArgumentParser(prog="reviewkit", description="Evidence bases to position-paper reports.")
    p.add_argument("--version", action="version", version=f"reviewkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build.add_parser(sub)
    importcmd.add_parser(sub)
    cite.add_parser(sub)
    trials.add_parser(sub)
    diff.add_parser(sub)
    init.add_parser(sub)
    check.add_parser(sub)
    refs.add_parser(sub)
    lab.add_parser(sub)
    bundle.add_parser(sub)
    return p


def main(argv=None) -> int:
    from ..errors import ReviewkitError

    try:
        args = parser().parse_args(argv)  # inside: Ctrl-C while an option's type imports its module is no traceback
        return args.run(args)
    except ReviewkitError as exc:
        print(f"reviewkit: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        import logging

        # what Ctrl-C cut short (a browser's event loop during the PDF) may complain while Python exits: not news
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        sys.unraisablehook = lambda _: None
        print("reviewkit: interrupted; nothing half-written was published", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `reviewkit import … -o - | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
