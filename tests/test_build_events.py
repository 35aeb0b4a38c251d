"""The build's typed events: what they carry, the manifest made from them, and how they read to the author.

The display tests check the human-facing text itself — the plain log and the terminal table — because that is
what authors read; every other test learns what a build did from its events (``proc.events`` in conftest).
Section names, paths and timings here are synthetic.
"""

import copy
import io
import json
from datetime import UTC

import pytest

from reviewkit.pipeline import events
from reviewkit.pipeline.events import (
    BibliographyLoaded,
    EditionPublished,
    Exported,
    ReportAssembled,
    ReportUpToDate,
    SectionFailed,
    SectionQueued,
    SectionRan,
    SectionReused,
    UndeclaredReads,
    Warned,
)

from conftest import copy_project, kinds

FAILED = SectionFailed(
    "efficacy-overall",
    2.04,
    "notebooks/efficacy.ipynb, cell 2: ZeroDivisionError: division by zero",
    "outputs/failed/efficacy-overall.ipynb",
)
EVERY_KIND = [
    Warned("references/x.txt:3: printed DOI '1007/x' is not a valid DOI"),
    SectionReused("background", "nothing it depends on changed", 1.26, "2026-11-23T17:19:23+00:00"),
    SectionQueued("trials", ("parameters changed", "references/evidence.csv changed")),
    SectionRan("trials", 4.13, "2026-11-23T17:19:26+00:00"),
    FAILED,
    UndeclaredReads("trials", ("references/intervention-classes.csv", "data/")),
    ReportUpToDate(0.03),
    BibliographyLoaded("read 20 records, merged 3 duplicates, wrote 17"),
    ReportAssembled(7, 4),
    Exported("pdf", "outputs/report.pdf", 2.71),
    EditionPublished(("outputs/report.html", "outputs/report.pdf"), 15.87),
]


def test_every_kind_survives_the_events_file(tmp_path):
    assert {type(e) for e in EVERY_KIND} == set(events.KINDS.values())
    record = events.JsonLines(tmp_path / "events.jsonl")
    for e in EVERY_KIND:
        record(e)
    record.close()
    assert events.load(tmp_path / "events.jsonl") == EVERY_KIND
    first = json.loads((tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()[2])
    assert first == {
        "event": "SectionQueued",
        "section": "trials",
        "reasons": ["parameters changed", "references/evidence.csv changed"],
    }
    with open(tmp_path / "events.jsonl", "a", encoding="utf-8") as f:
        f.write('{"event": "SectionRan", "sect')  # a build killed in the middle of a line
    assert events.load(tmp_path / "events.jsonl") == EVERY_KIND
    stream = io.StringIO()  # `--events -`: standard output, left open
    events.JsonLines(stream)(EVERY_KIND[0])
    assert json.loads(stream.getvalue()) == {"event": "Warned", "text": EVERY_KIND[0].text}


def test_events_are_values():
    with pytest.raises(AttributeError):
        EVERY_KIND[3].seconds = 0.0  # frozen
    assert SectionRan("trials", 4.13, "2026-11-23T17:19:26+00:00") == EVERY_KIND[3]


# -- display tests: the wording authors (and the README) see -------------------------------------------------------


def test_display_plain_log_lines():
    lines = [str(e) for e in EVERY_KIND]
    assert lines == [
        "warning: references/x.txt:3: printed DOI '1007/x' is not a valid DOI",
        "reused background (nothing it depends on changed)",
        "running trials (parameters changed; references/evidence.csv changed)",
        "ran trials (4.1 s)",
        "FAILED efficacy-overall (2.0 s): notebooks/efficacy.ipynb, cell 2: ZeroDivisionError: division by zero "
        "(executed notebook with the error: outputs/failed/efficacy-overall.ipynb)",
        "note: trials read references/intervention-classes.csv (no `inputs` declares it); it is tracked from now on\n"
        "note: trials listed data/ (no `inputs` declares it); it is tracked from now on",
        "report is up to date (0.03 s)",
        "bibliography: read 20 records, merged 3 duplicates, wrote 17",
        "assembled the report (7 figures, 4 tables)",
        "exported outputs/report.pdf (2.7 s)",
        "built outputs/report.html, outputs/report.pdf in 15.9 s",
    ]


def test_display_many_undeclared_reads_are_counted():
    reads = UndeclaredReads("batch", tuple(f"data/file-{i}.csv" for i in range(7)) + ("/srv/shared/outside.csv",))
    lines = str(reads).splitlines()
    assert lines[0] == "note: batch read data/file-0.csv (no `inputs` declares it); it is tracked from now on"
    assert len(lines) == 6 and lines[-1] == (
        "note: batch read 3 more files no `inputs` declares; all are tracked and listed in outputs/manifest.json"
    )
    outside = UndeclaredReads("batch", ("/srv/shared/outside.csv",))
    assert str(outside) == (
        "note: batch read /srv/shared/outside.csv (outside the project, no `inputs` declares it); "
        "it is tracked from now on"
    )


def test_display_plain_log_writes_each_event_as_it_comes():
    from reviewkit.cli.progress import PlainLog

    stream = io.StringIO()
    log = PlainLog(stream)
    log(EVERY_KIND[2])
    log(EVERY_KIND[3])
    assert (
        stream.getvalue()
        == "running trials (parameters changed; references/evidence.csv changed)\nran trials (4.1 s)\n"
    )


def test_display_terminal_table_follows_the_events():
    from reviewkit.cli.progress import Progress

    stream = io.StringIO()
    table = Progress(stream, jobs=1)
    try:
        table(SectionReused("background", "nothing it depends on changed"))
        table(SectionQueued("trials", ("--force",)))
        table(SectionQueued("efficacy-overall", ("--force",)))
        assert [r[0] for r in table.rows.values()] == ["reused", "running", "queued"]  # -j 1: one at a time
        table(SectionRan("trials", 4.13, "2026-11-23T17:19:26+00:00"))
        assert [r[0] for r in table.rows.values()] == ["reused", "done", "running"]  # the next one starts
        table(FAILED)
        table(BibliographyLoaded("read 20 records, merged 3 duplicates, wrote 17"))
    finally:
        table.close()
    screen = stream.getvalue()
    assert "\x1b[" in screen  # redrawn in place
    assert "= background" in screen and "✓ trials" in screen and "done     (4.1 s)" in screen
    assert "✗ efficacy-overall" in screen and "ZeroDivisionError" in screen
    assert "bibliography: read 20 records" in screen  # other events are lines above the table


# -- the manifest, from the events -----------------------------------------------------------------------------------


def test_manifest_status_and_timing_come_from_the_events(tmp_path):
    from datetime import datetime

    from reviewkit.pipeline import config, manifest

    cfg = config.load(copy_project(tmp_path / "p"))
    outcomes = manifest.Outcomes()
    for e in [
        SectionQueued("trials", ("--force",)),
        SectionRan("trials", 4.13, "2026-11-23T17:19:26+00:00"),
        Warned("not about a section"),
    ]:
        outcomes(e)
    for s in cfg.sections[2:]:
        outcomes(SectionReused(s.name, "nothing it depends on changed", 1.5, "2026-11-22T10:00:00+00:00"))
    prov = {"commit": "", "dirty": False}
    manifest.write(cfg, outcomes, {}, datetime(2026, 11, 23, tzinfo=UTC), tmp_path, prov)
    sections = {s["name"]: s for s in json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["sections"]}
    assert cfg.sections[1].name == "trials"
    assert {k: sections["trials"][k] for k in ("status", "ran", "seconds", "finished")} == {
        "status": "ok",
        "ran": True,
        "seconds": 4.13,
        "finished": "2026-11-23T17:19:26+00:00",
    }
    assert sections["background"]["status"] == "failed" and not sections["background"]["ran"]  # no event: not built
    assert {k: sections["changes"][k] for k in ("status", "ran", "seconds")} == {
        "status": "ok",
        "ran": False,
        "seconds": 1.5,
    }


# -- build() in-process: subscribers, and the caller's configuration left alone -------------------------------------


def test_build_sends_events_to_its_subscriber_and_leaves_the_callers_sections_alone(tmp_path):
    from reviewkit.pipeline import config
    from reviewkit.pipeline.build import build

    project = copy_project(tmp_path / "p")
    cfg = config.load(project)
    before = copy.deepcopy([(s.name, s.parameters) for s in cfg.sections])
    seen = []
    build(cfg, only=["trials"], overrides={"statuses": ["RECRUITING"]}, report=False, jobs=1, on_event=seen.append)
    assert [(s.name, s.parameters) for s in cfg.sections] == before  # the overrides went to a copy
    assert [type(e) for e in seen if not isinstance(e, (Warned, UndeclaredReads))] == [SectionQueued, SectionRan]
    assert kinds(seen, SectionQueued) == [SectionQueued("trials", ("no previous run",))]
    assert [e.section for e in kinds(seen, SectionRan)] == ["trials"]
    executed = (project / "outputs" / "run" / "trials.ipynb").read_text(encoding="utf-8")
    assert "Of 8 registered trials, eight are recruiting" in executed  # the override reached the kernel
    again = []
    build(cfg, only=["trials"], report=False, jobs=1, on_event=again.append)  # review.toml's own parameters
    assert kinds(again, SectionQueued) == [SectionQueued("trials", ("parameters changed",))]
    assert [e.section for e in kinds(again, SectionRan)] == ["trials"]
