"""The repository stands alone: its example, tests and build need nothing beside it (issue #10, item 5)."""

import re
import subprocess

from conftest import ROOT

# what the tests, the build and the README's commands use
USED = [
    "review.toml",
    "abstract.md",
    "Makefile",
    "pyproject.toml",
    "notebooks",
    "references",
    "reviewkit",
    "scripts",
    "tests",
    "benchmarks",
]
OUTSIDE = re.compile(r"\.\./shared|/work/|shared/seeds")


def tracked(*paths):
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--", *paths], capture_output=True, text=True)
    if out.returncode != 0:  # not a git checkout (e.g. an unpacked archive): every file on disk
        return [
            p
            for name in paths
            for p in ([ROOT / name] if (ROOT / name).is_file() else (ROOT / name).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        ]
    return [ROOT / line for line in out.stdout.splitlines()]


def test_no_file_the_project_uses_points_outside_the_repository():
    offenders = []
    for path in tracked(*USED):
        if path.name == "README.md" and "data" in path.parts:  # tests/data/README.md records where each copy came from
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError):
            continue
        for n, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line) and path.name != "test_standalone.py":
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert offenders == []


def test_every_source_that_names_a_source_document_names_one_in_the_repository():
    sources = ROOT / "references" / "sources"
    names = {p.name for p in sources.glob("*.txt")}
    assert len(names) == 5 and (sources / "README.md").is_file()
    cited = set()
    for path in (ROOT / "references").rglob("*"):
        if path.is_file() and path.suffix in (".bib", ".txt", ".csv") and path.parent != sources:
            cited |= set(re.findall(r"references/sources/([\w.]+\.txt)", path.read_text(encoding="utf-8")))
    assert cited == names  # each of the five is used, and nothing else is named


def test_the_report_names_no_path_outside_the_project(built_example):
    project, _ = built_example
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    assert "../shared" not in html and "(references/sources/)" in html
