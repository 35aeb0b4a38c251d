"""reviewkit cite refresh [PROJECT]  — resolve cited identifiers online into the lock file."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("cite", help="cite by identifier: resolve [@pmid:…], [@doi:…], [@nct:…] into the lock file")
    csub = p.add_subparsers(dest="cite_command", required=True, metavar="ACTION")
    r = csub.add_parser("refresh", help="resolve identifiers that are cited but not locked (needs internet)")
    r.add_argument("project", nargs="?", default=".")
    r.add_argument("identifiers", nargs="*", help="extra identifiers to resolve (e.g. pmid:33669457)")
    r.add_argument("--timeout", type=float, default=20)
    r.set_defaults(run=run)


def project_identifiers(cfg) -> set[str]:
    import json

    from ..report.assemble import cited_identifiers

    found = set()
    texts = []
    if cfg.report.get("abstract"):
        texts.append(cfg.resolve(cfg.report["abstract"]).read_text(encoding="utf-8"))
    for s in cfg.sections:
        nb = json.loads(s.notebook.read_text(encoding="utf-8"))
        texts += ["".join(c.get("source", "")) for c in nb.get("cells", [])]
    for t in texts:
        found |= cited_identifiers(t)
    return found


def run(args) -> int:
    from ..citations.resolve import LOCK_NAME, Lock, Resolver, canonical, refresh
    from ..errors import InputError
    from ..pipeline import config

    cfg = config.load(args.project)
    wanted = project_identifiers(cfg)
    for extra in args.identifiers:
        c = canonical(extra)
        if not c:
            raise InputError(f"{extra!r} is not an identifier (expected pmid:…, pmcid:PMC…, doi:10.…, nct:NCT…)")
        wanted.add(c)
    from ..citations import load_bibliography
    from ..report.assemble import CitationResolver

    carried = CitationResolver(load_bibliography(cfg.bibliography_files).bibliography).by_id
    wanted = {i for i in wanted if tuple(i.lower().split(":", 1)) not in carried}  # the bibliography has them
    lock = Lock.read(cfg.root / LOCK_NAME)
    missing = sorted(i for i in wanted if i not in lock.entries)
    print(f"{len(wanted)} identifiers cited, {len(missing)} to resolve", file=sys.stderr)
    failures = refresh(missing, lock, Resolver(timeout=args.timeout), log=lambda m: print(m, file=sys.stderr))
    if len(failures) < len(missing):
        lock.write()
    return 1 if failures else 0
