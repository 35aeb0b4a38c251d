"""``reviewkit init DIR``: a new review that builds as is, copied from the template shipped with reviewkit.

The template is a folder of real files, ``reviewkit/template/`` (package data): ``review.toml``, the abstract,
the bibliography file and one notebook per kind of section (background, trial landscape, screening, efficacy
per subgroup, meta-analysis, what changed).  Its notebooks are the example's (``notebooks/``, and the
meta-analysis of ``examples/bcg-vaccine``) with the template's own narrative and parameter defaults: their code
cells are the same, which ``tests/test_template.py`` asserts.  The evidence files are written empty with the
headers their readers expect (the column lists live with the readers).  Every notebook handles empty data, so
the first ``reviewkit build`` succeeds before any evidence is added.
"""

from __future__ import annotations

import sys
from pathlib import Path

TYPE_CHECKING = False  # not `typing`: the CLI starts without importing it
if TYPE_CHECKING:
    import argparse
    from importlib.resources.abc import Traversable

#: the template's placeholder title in review.toml, replaced by one made from the folder's name
PLACEHOLDER_TITLE = '"A new review"'
#: files copied as they are (besides review.toml, whose title is set, and the notebooks)
COPIED = ["abstract.md", "references/bibliography/references.bib"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create a new review (config, notebooks, empty evidence files) that builds as is")
    p.add_argument("directory")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = create(args.directory)
    print(f"created {root}; next: cd {root} && reviewkit build", file=sys.stderr)
    return 0


def template() -> Traversable:
    """The template folder shipped with reviewkit (in a wheel or an editable install alike)."""
    from importlib.resources import files

    return files("reviewkit") / "template"


def headers() -> dict[str, list[str]]:
    """{path under references/: the columns its reader expects}, for the empty evidence files."""
    from ..evidence.bias import COLUMNS as RISK_OF_BIAS
    from ..evidence.grade import COLUMNS as GRADE
    from ..evidence.screening import COLUMNS as SCREENING
    from ..evidence.sheet import COLUMNS as SHEET
    from ..evidence.sheet import OPTIONAL as SHEET_OPTIONAL
    from ..trials.classify import COLUMNS as CLASSES
    from ..trials.schema import COLUMNS as TRIALS

    return {
        "trials/trials.csv": TRIALS,
        "evidence.csv": SHEET + SHEET_OPTIONAL,
        "screening.csv": SCREENING,
        "intervention-classes.csv": CLASSES,
        "risk-of-bias.csv": RISK_OF_BIAS,
        "grade.csv": GRADE,
    }


def create(directory: str | Path) -> Path:
    """Make the review folder *directory* (new or empty) from the template; returns its path."""
    from ..errors import InputError

    root = Path(directory)
    if (root / "review.toml").exists():
        raise InputError("a review already exists here (review.toml); choose an empty folder", source=str(root))
    if root.exists() and any(root.iterdir()):
        raise InputError("the folder is not empty; choose a new or empty folder", source=str(root))
    source = template()
    (root / "notebooks").mkdir(parents=True)
    (root / "references" / "bibliography").mkdir(parents=True)
    (root / "references" / "trials").mkdir(parents=True)
    (root / "outputs").mkdir()
    title = root.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize() or "A new review"
    toml = source.joinpath("review.toml").read_text(encoding="utf-8")
    (root / "review.toml").write_text(
        toml.replace(PLACEHOLDER_TITLE, '"' + title.replace('"', "'") + '"'), encoding="utf-8"
    )
    for rel in COPIED:
        (root / rel).write_bytes(source.joinpath(rel).read_bytes())
    for nb in sorted(source.joinpath("notebooks").iterdir(), key=lambda p: p.name):
        if nb.name.endswith(".ipynb"):
            (root / "notebooks" / nb.name).write_bytes(nb.read_bytes())
    for rel, cols in headers().items():
        (root / "references" / rel).write_text(",".join(cols) + "\n", encoding="utf-8")
    (root / ".gitignore").write_text("outputs/*\n!outputs/.gitkeep\n.ipynb_checkpoints/\n", encoding="utf-8")
    (root / "outputs" / ".gitkeep").write_text("", encoding="utf-8")
    return root
