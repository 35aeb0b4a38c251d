"""reviewkit diff OLD_OUTPUTS NEW_OUTPUTS [-o CHANGES.html]"""

from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("diff", help="what changed between two editions (two outputs/ folders)")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("-o", "--output", help="HTML change report (default: NEW/changes.html)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..atomic import write as atomic_write
    from ..report.editions import diff_outputs, to_html

    d = diff_outputs(args.old, args.new)
    print(d.summary())
    for k, text in d.references_added:
        print(f"+ reference {k}: {text}")
    for k, text in d.references_removed:
        print(f"- reference {k}: {text}")
    for n in d.trials_added:
        print(f"+ trial {n}")
    for n in d.trials_removed:
        print(f"- trial {n}")
    for n, col, a, b in d.trials_changed:
        print(f"~ trial {n} {col}: {a} -> {b}")
    for t, row, col, a, b in d.cells_changed:
        print(f"~ {t} {row} {col}: {a} -> {b}")
    out = Path(args.output) if args.output else Path(args.new) / "changes.html"
    atomic_write(out, to_html(d, args.old, args.new))
    print(f"change report: {out}")
    return 0
