"""reviewkit build [PROJECT] [--to html,pdf,docx,jats] [-j N]"""

from __future__ import annotations

import argparse


def _formats(text: str) -> tuple[str, ...]:
    from ..report.writers import parse_formats

    try:
        return parse_formats(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub) -> None:
    b = sub.add_parser("build", help="run the sections and build the report (HTML, PDF, DOCX, JATS)")
    b.add_argument("project", nargs="?", default=".", help="folder holding review.toml (default: .)")
    b.add_argument(
        "--to",
        type=_formats,
        default=None,
        help="comma-separated: html,pdf,docx,jats (default: [report] formats in review.toml, else html,pdf)",
    )
    b.add_argument("-j", "--jobs", type=int, default=None, help="sections run at once (default: number of cores)")
    b.add_argument("--force", action="store_true", help="rerun every section even if nothing changed")
    b.add_argument(
        "--executor",
        choices=["local", "dask"],
        default="local",
        help="local worker processes (default) or a dask.distributed cluster",
    )
    b.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    _events_option(b)
    b.set_defaults(run=run)

    r = sub.add_parser("run", help="run sections (no report), with parameters as papermill takes them")
    r.add_argument("project", nargs="?", default=".")
    r.add_argument("--only", nargs="+", metavar="NAME", help="sections to run (a batch by its base name)")
    r.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    r.add_argument("-f", "--parameters-file", metavar="YAML", help="a YAML file of parameters")
    r.add_argument("-j", "--jobs", type=int, default=None)
    r.add_argument("--force", action="store_true")
    _events_option(r)
    r.set_defaults(run=run_sections_only)


def _events_option(parser) -> None:
    parser.add_argument(
        "--events",
        metavar="FILE",
        help="also write what the build does (sections queued, ran, reused, failed; report assembled, "
        "exported, published) to FILE (- for standard output), one JSON object a line, as it happens",
    )


def run(args) -> int:
    from ..pipeline.runner import quiet_imports

    quiet_imports()
    from ..pipeline.build import build
    from .progress import subscribers

    on_event, close = subscribers(args.jobs, args.events)
    try:
        build(
            args.project,
            to=args.to,
            jobs=args.jobs,
            force=args.force,
            executor=args.executor,
            scheduler=args.scheduler,
            on_event=on_event,
        )
    finally:
        close()
    return 0


def run_sections_only(args) -> int:
    from ..errors import InputError
    from ..pipeline.params import parse_value
    from ..pipeline.runner import quiet_imports

    quiet_imports()
    from ..pipeline.build import build

    overrides = {}
    if args.parameters_file:
        import yaml

        try:
            with open(args.parameters_file, encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"cannot read parameters: {exc}", source=args.parameters_file) from None
        if not isinstance(data, dict):
            raise InputError("expected a mapping of parameter names to values", source=args.parameters_file)
        overrides.update(data)
    overrides.update({name: parse_value(value) for name, value in args.parameter})
    from .progress import subscribers

    on_event, close = subscribers(args.jobs, args.events)
    try:
        build(
            args.project,
            jobs=args.jobs,
            force=args.force,
            only=args.only,
            overrides=overrides,
            report=False,
            on_event=on_event,
        )
    finally:
        close()
    return 0
