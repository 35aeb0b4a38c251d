"""Import at scale: records stream from the importers into the merge; the collector pause is scoped.

Inputs are the real files in tests/data, or SYNTHETIC records written here (titles say so).
"""

import gc

import pytest

from reviewkit.citations import bibtex, csljson, load_bibliography, medline, pubmed_xml, ris
from reviewkit.citations.record import gc_paused
from reviewkit.errors import InputError

from conftest import DATA


def _synthetic_ris(n: int, cut_after: int | None = None) -> str:
    out = []
    for i in range(n):
        out += [
            "TY  - JOUR",
            f"AU  - Synthetic{i}, A.",
            f"TI  - [synthetic] record number {i} of a streamed file",
            "PY  - 2020",
            f"DO  - 10.5555/synthetic.{i}",
        ]
        if cut_after is None or i < cut_after:
            out.append("ER  - ")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("was_enabled", [True, False])
def test_gc_paused_restores_the_previous_state_even_after_an_error(was_enabled):
    before = gc.isenabled()
    try:
        (gc.enable if was_enabled else gc.disable)()
        inside = []

        def fail_inside():
            with gc_paused():
                inside.append(gc.isenabled())
                raise ValueError("inside")

        with pytest.raises(ValueError, match="inside"):
            fail_inside()
        assert inside == [False]
        assert gc.isenabled() is was_enabled
    finally:
        (gc.enable if before else gc.disable)()


def test_a_failed_import_leaves_the_collector_as_it_was(tmp_path):
    bad = tmp_path / "cut.ris"
    bad.write_text(_synthetic_ris(3, cut_after=1), encoding="utf-8")
    assert gc.isenabled()
    with pytest.raises(InputError, match=r"cut\.ris:\d+"):
        load_bibliography([DATA / "same-works-four-formats.ris", bad], cache=False)
    assert gc.isenabled()


def test_ris_records_are_parsed_as_they_are_read(tmp_path):
    """A record is handed over before the rest of the file is parsed: the error in record 3 comes after 2 records."""
    path = tmp_path / "stream.ris"
    path.write_text(_synthetic_ris(5, cut_after=2), encoding="utf-8")
    records = ris.records_of(path).records
    got = [next(records), next(records)]
    assert [e.fields["doi"] for _, e, _ in got] == ["10.5555/synthetic.0", "10.5555/synthetic.1"]
    with pytest.raises(InputError, match="no end tag"):
        next(records)


@pytest.mark.parametrize(
    "module, name",
    [
        (ris, "same-works-four-formats.ris"),
        (medline, "same-works-four-formats.nbib"),
        (csljson, "same-works-four-formats.json"),
        (bibtex, "same-works-four-formats.bib"),
        (pubmed_xml, "pubmed-xml-structured-abstract-inline-markup.xml"),
        (ris, "ris-ovid-tags-and-links-after-er.ris"),
    ],
)
def test_streamed_records_are_the_parsed_records(module, name):
    """What the import streams is exactly what `read` returns (entries, order, warnings), without the keys."""
    reading = module.records_of(DATA / name)
    streamed = list(reading.records)
    parsed = module.read(DATA / name)
    assert [e.fields for _, e, _ in streamed] == [e.fields for e in parsed.bibliography.entries.values()]
    assert reading.warnings == parsed.warnings and reading.skipped == parsed.skipped
    if module is bibtex:  # BibTeX keys are the source's, with the line of their @type{key,
        assert [k for k, _, _ in streamed] == list(parsed.bibliography.entries)
        assert all(isinstance(line, int) and line > 0 for _, _, line in streamed)
    else:
        assert {k for k, _, _ in streamed} == {None}


def test_cached_and_streamed_imports_give_the_same_library(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWKIT_CACHE", str(tmp_path / "cache"))
    files = [DATA / f"same-works-four-formats.{e}" for e in ("bib", "nbib", "ris", "json")]
    streamed = load_bibliography(files, cache=False)
    cold = load_bibliography(files, cache=True)
    warm = load_bibliography(files, cache=True)  # entries decoded from the parse cache
    for other in (cold, warm):
        assert bibtex.dumps(other.bibliography) == bibtex.dumps(streamed.bibliography)
        assert other.report() == streamed.report()
