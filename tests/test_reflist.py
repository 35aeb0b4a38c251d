"""Pasted NLM/Vancouver reference lists (the seeds' lists, copied into references/)."""

import pytest

from reviewkit.citations import reflist
from reviewkit.errors import InputError

from conftest import ROOT, SEEDS

BIB = ROOT / "references" / "bibliography"


def entries(name):
    return list(reflist.parse(BIB / name).bibliography.entries.values())


def test_copies_are_verbatim_lines_of_the_seeds():
    for copy, seed in [
        ("seed-000-kasper2022-references.txt", "000_"),
        ("seed-001-kasper2021-references.txt", "001_"),
        ("seed-004-yuan2021-references.txt", "004_"),
    ]:
        seed_text = next(SEEDS.glob(f"{seed}*")).read_text(encoding="utf-8")
        lines = [l for l in (BIB / copy).read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
        assert lines and all(l in seed_text for l in lines)


def test_vancouver_list_with_pubmed_markers():
    es = entries("seed-000-kasper2022-references.txt")
    assert len(es) == 5
    first = es[0]
    assert [str(p) for p in first.persons["author"]] == ["Martin-Liberal, J."]
    assert first.fields["title"] == "Leiomyosarcoma: principles of management"
    assert first.fields["journal"] == "Intractable Rare Dis Res"
    assert (first.fields["year"], first.fields["volume"], first.fields["pages"]) == ("2013", "2", "127–129")
    assert not any("PubMed" in v or "PMC" in v for k, v in first.fields.items() if k != "source")
    casali = es[3]
    assert casali.fields["number"] == "Suppl 4" and casali.fields["pages"] == "iv51–iv67"
    assert str(casali.persons["author"][-1]) == "others"  # "et al."


def test_mdpi_initials_with_periods_and_dois():
    es = entries("seed-001-kasper2021-references.txt")
    ikoma = es[2]
    assert len(ikoma.persons["author"]) == 9
    assert str(ikoma.persons["author"][1]) == "Torres, K. E."
    assert ikoma.fields["doi"] == "10.1002/jso.24667"
    assert es[3].fields["journal"] == "Clin. Oncol. (R. Coll. Radiol.)"


def test_invalid_printed_doi_is_a_warning_naming_the_line_never_a_link():
    result = reflist.parse(BIB / "seed-004-yuan2021-references.txt")
    meyer = list(result.bibliography.entries.values())[1]
    assert "doi" not in meyer.fields
    assert "1007/s11864-019-0606-9" in meyer.fields["note"]
    assert any(
        w.endswith(
            ":3: printed DOI '1007/s11864-019-0606-9' is not a valid DOI (expected '10.<registrant>/<suffix>'); kept as a note, not linked"
        )
        for w in result.warnings
    )


def test_editors_and_web_reference():
    howlader = entries("seed-004-yuan2021-references.txt")[3]
    assert "editor" in howlader.persons and "author" not in howlader.persons
    assert howlader.fields["url"] == "https://seer.cancer.gov/csr/1975_2018/"
    assert howlader.fields["title"] == "SEER Cancer Statistics Review"


def test_every_entry_names_its_source():
    for e in entries("seed-000-kasper2022-references.txt"):
        assert e.fields["source"].startswith("references/sources/000_b431d25ade0b6ddd.txt")


def test_unnumbered_text_is_an_error_with_line(tmp_path):
    bad = tmp_path / "refs.txt"
    bad.write_text("Some notes first\n1. Kasper B. A title. J Test. 2021;1:2.\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        reflist.load(bad)
    assert str(info.value).startswith(f"{bad}:1: expected a numbered reference")
