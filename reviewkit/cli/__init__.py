"""The ``reviewkit`` command: one module per verb, each imported only when it runs."""

from __future__ import annotations

import argparse
import sys

from .. import __version__

#: each command, by the module that adds its parser, in the order ``reviewkit --help`` lists them
COMMANDS = {
    "build": "build",
    "run": "build",
    "import": "importcmd",
    "cite": "cite",
    "trials": "trials",
    "diff": "diff",
    "init": "init",
    "check": "check",
    "refs": "refs",
    "lab": "lab",
    "bundle": "bundle",
}


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given a *command*, only that command's module is imported and its parser added
    (argparse spends milliseconds on each command's parser, a tenth of a build with nothing to do)."""
    import importlib

    p = argparse.ArgumentParser(prog="reviewkit", description="Evidence bases to position-paper reports.")
    p.add_argument("--version", action="version", version=f"reviewkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = [COMMANDS[command]] if command in COMMANDS else dict.fromkeys(COMMANDS.values())
    for name in wanted:
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
    return p


def main(argv=None) -> int:
    from ..errors import ReviewkitError

    try:
        # inside: Ctrl-C while an option's type imports its module is no traceback
        argv = sys.argv[1:] if argv is None else list(argv)
        args = parser(argv[0] if argv else None).parse_args(argv)
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
