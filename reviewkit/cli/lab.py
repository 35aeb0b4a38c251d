"""reviewkit lab [SECTION] [--project DIR] — JupyterLab on the review, a section opened with the report's parameters."""

from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "lab",
        help="JupyterLab on the review; SECTION opens that section's notebook with the "
        "parameters the report runs it with (edits are written back to the source)",
    )
    p.add_argument("section", nargs="?", help="a section name as the build prints it, e.g. efficacy-leiomyosarcoma")
    p.add_argument("--project", default=".", help="folder holding review.toml (default: .)")
    p.add_argument("--no-browser", action="store_true", help="start the server without opening a browser")
    p.add_argument("--list", action="store_true", help="list the sections and what each opens, then exit")
    p.set_defaults(run=run)


def run(args) -> int:
    import os
    import signal
    import subprocess
    import threading

    from .. import lab
    from ..pipeline import config, params, validate

    cfg = config.load(args.project)
    if args.list:
        for s in cfg.sections:
            same = validate.defaults_match(params.declared(s.notebook), s.parameters)
            opens = s.notebook.relative_to(cfg.root) if same else f"{lab.copy_path(s).relative_to(cfg.root)} (lab copy)"
            print(f"{s.name}\t{opens}")
        return 0
    target, copy = None, None
    if args.section:
        section = lab.find_section(cfg, args.section)
        target = lab.prepare(cfg, section)
        copy = target if target != section.notebook else None
        what = "a lab copy with" if copy else "the notebook itself: its defaults are"
        print(
            f"reviewkit: section {section.name}: opening {target.relative_to(cfg.root)}, {what} the report's "
            f"parameters {section.parameters}"
            + (f"; edits are written back to {section.notebook.relative_to(cfg.root)} as you save" if copy else ""),
            file=sys.stderr,
        )
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={cfg.root}"]
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI run as root; JupyterLab refuses without this
        cmd.append("--allow-root")
    if target is not None:
        cmd.append(str(target.relative_to(cfg.root)))
    stop = threading.Event()
    problems: list[str] = []

    def watch(copy: Path) -> None:  # write each save of the copy back to the source
        last = None
        while not stop.wait(1.0):
            try:
                mtime = copy.stat().st_mtime_ns
                if mtime != last:
                    if last is not None and lab.sync_back(copy, cfg.root) == "written":
                        print(
                            f"reviewkit: wrote your edits back to {section.notebook.relative_to(cfg.root)}",
                            file=sys.stderr,
                        )
                    last = mtime
            except FileNotFoundError:
                return
            except Exception as exc:  # a conflict or a half-saved file: said once, tried again at the end
                if str(exc) not in problems:
                    problems.append(str(exc))
                    print(f"reviewkit: {exc}", file=sys.stderr)

    watcher = threading.Thread(target=watch, args=(copy,), daemon=True) if copy else None
    child = subprocess.Popen(cmd, cwd=cfg.root)
    previous = signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    if watcher:
        watcher.start()
    try:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:  # JupyterLab asks for a second Ctrl-C itself; wait for it to stop
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
        if watcher:
            watcher.join()
        if copy is not None and copy.is_file():
            status = lab.finish(copy, cfg.root)  # raises (copy kept) on a conflict
            print(f"reviewkit: lab copy {'written back and ' if status == 'written' else ''}removed", file=sys.stderr)
    return 0 if code in (0, -2, -15, 130, 143) else code
