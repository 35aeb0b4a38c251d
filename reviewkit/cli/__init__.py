"""The ``reviewkit`` command: one module per verb, each imported only when it runs."""

from __future__ import annotations

import argparse
import errno
import sys
from typing import NoReturn

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
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM / SIGHUP (:class:`Stopped`)
        import logging

        # what Ctrl-C cut short (a browser's event loop during the PDF) may complain while Python exits: not news
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        sys.unraisablehook = lambda _: None
        signum = exc.signum if isinstance(exc, Stopped) else None
        what = "interrupted" if signum is None else f"stopped ({signal_name(signum)})"
        try:
            print(f"reviewkit: {what}; nothing half-written was published", file=sys.stderr)
        except OSError:  # SIGHUP: the terminal is gone
            pass
        return 130 if signum is None else 128 + signum
    except BrokenPipeError:  # e.g. `reviewkit import … -o - | head`
        return 0
    except OSError as exc:  # writing to standard output (`-o -`) on a full disk: the files are named by the commands
        if exc.filename is not None or exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
            raise
        print(f"reviewkit: cannot write standard output ({exc.strerror})", file=sys.stderr)
        return 2


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``kill PID``, a time limit, a closed terminal), raised in the main thread: the command
    stops as on Ctrl-C — a build kills its kernels, drops its unpublished files and keeps the last edition."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP raise :class:`Stopped` (where they are not ignored already, as under ``nohup``); a
    second one ends the process at once, as without this."""
    import signal

    def stop(signum, frame):
        signal.signal(signum, signal.SIG_DFL)
        raise Stopped(signum)

    for s in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(s) == signal.SIG_DFL:
            signal.signal(s, stop)


def run(argv=None) -> NoReturn:
    """The ``reviewkit`` command (console script and ``python -m reviewkit``): :func:`main`, then :func:`exit_now`;
    SIGTERM and SIGHUP stop it as Ctrl-C does (:func:`stop_on_signals`)."""
    stop_on_signals()
    exit_now(main(argv))


def exit_now(code: int) -> NoReturn:
    """End the process with *code* as Python's own exit would, less tearing down every imported module.

    After a build that teardown (pandas, matplotlib, nbconvert, jupyter_client … module by module) takes a quarter
    of a second and writes nothing.  What the exit does that matters is done first: a thread that is not a daemon
    is waited for (while one runs, Python's ordinary exit is taken), the exit handlers run (``atexit``: the
    finalizers of temporary folders, logging's flush, a Dask cluster's close), and standard output and error are
    flushed; output that cannot be written (a full disk) is an error, exit 2, as Python's own exit would make it one.
    """
    import atexit
    import os
    import threading

    main_thread = threading.main_thread()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not main_thread):
        sys.exit(code)
    atexit._run_exitfuncs()
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:  # the reader went away (`reviewkit refs | head`): as main() treats it
            pass
        except OSError as exc:
            if name == "stdout":
                os.write(2, f"reviewkit: cannot write standard output ({exc.strerror or exc})\n".encode())
                code = code or 2
        except ValueError:  # closed by the caller
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
