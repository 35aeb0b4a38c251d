"""The Vancouver style, golden-tested against reference strings printed in the seeds."""

import re

import pytest
from pybtex.plugin import find_plugin

from reviewkit.citations.styles.vancouver import format_html, format_text

from conftest import SEEDS


def printed(seed_prefix, startswith):
    text = next(SEEDS.glob(f"{seed_prefix}*")).read_text(encoding="utf-8")
    line = next(l.strip() for l in text.splitlines() if l.strip().startswith(f"1. {startswith}"))
    line = re.sub(r"(\s+-\s+(DOI|PMC|PubMed))+$", "", line)[3:]
    return line.rstrip(".")  # the seed ends the DOI with a period; NLM/AMA print none


@pytest.mark.parametrize("author", ["Gamboa AC", "Siegel RL"])
def test_golden_against_seed_004(author, bibliography):
    entry = next(e for e in bibliography.bibliography.entries.values() if format_text(e).startswith(author))
    assert format_text(entry) == printed("004_", author)


def test_issue_example_kasper_2021(bibliography):
    text = format_text(bibliography.bibliography.entries["kasper2021unmet"])
    assert text.startswith("Kasper B, Achee A, Schuster K, et al. Unmet Medical Needs")
    assert text.endswith("Cancers (Basel). 2021;13(4):886. doi:10.3390/cancers13040886")


def test_nlm_journal_abbreviation_and_up_to_six_authors(bibliography):
    ikoma = format_text(bibliography.bibliography.entries["ikoma2017recurrence"])
    assert ikoma.startswith("Ikoma N, Torres KE, Lin HY, et al. Recurrence patterns")  # 9 authors -> 3 + et al
    assert " J Surg Oncol. 2017;116:313–319. doi:10.1002/jso.24667" in ikoma
    fletcher = format_text(bibliography.bibliography.entries["fletcher2013classification"])
    assert fletcher.startswith("Fletcher B, Hogendoorn PC, Mertens F. WHO Classification")


def test_html_links_only_valid_identifiers_and_escapes_text():
    from pybtex.database import Entry, Person

    e = Entry(
        "article",
        fields={
            "title": "<script>alert(1)</script> & more",
            "journal": "J <b>",
            "year": "2020",
            "doi": "10.1000/xyz",
            "url": "javascript:alert(1)",
        },
    )
    e.add_person(Person("O'Neil, A."), "author")
    out = format_html(e)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert '<a href="https://doi.org/10.1000/xyz">10.1000/xyz</a>' in out
    assert "javascript:" not in out
    bad = Entry("article", fields={"title": "T", "doi": "1007/s11864-019-0606-9"})
    assert "href" not in format_html(bad)


def test_registered_as_pybtex_plugin(bibliography):
    style = find_plugin("pybtex.style.formatting", "vancouver")()
    formatted = list(style.format_entries(bibliography.bibliography.entries.values()))
    assert len(formatted) == 17
    assert str(formatted[0].text)
