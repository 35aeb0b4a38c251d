"""BibTeX import (pybtex) and merging the example's files into one record per work."""

import pytest

from reviewkit.citations import bibtex, load_bibliography
from reviewkit.citations.merge import Record, merge
from reviewkit.errors import InputError

from conftest import DATA, ROOT


def test_zotero_export_decoded_to_unicode():
    bib = bibtex.load(DATA / "manubot-zotero-export.bib")
    e = bib.entries["doi:10.7554/elife.32822"]
    assert e.fields["title"] == "Sci-Hub provides access to nearly all scholarly literature"
    assert e.fields["doi"] == "10.7554/elife.32822"  # bare, lower case
    assert e.fields["month"] == "March"  # month macro expanded
    tech = bib.entries["noauthor_techblog:_nodate"]
    assert tech.fields["title"] == "TechBlog: ‘Manubot’ powers a crowdsourced ‘deep-learning’ review : Naturejobs Blog"


def test_not_utf8_names_file_line_and_encoding():
    with pytest.raises(InputError) as info:
        bibtex.load(DATA / "manubot-zotero-export-cp1252.bib")
    msg = str(info.value)
    assert msg.startswith(str(DATA / "manubot-zotero-export-cp1252.bib") + ":16:")
    assert "not valid utf-8" in msg and "--encoding" in msg
    ok = bibtex.load(DATA / "manubot-zotero-export-cp1252.bib", encoding="cp1252")
    assert "‘Manubot’" in ok.entries["noauthor_techblog:_nodate"].fields["title"]


def test_unbalanced_braces_is_an_error(tmp_path):
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{a,\n  title = {Unclosed,\n  year = 2020\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        bibtex.load(bad)
    assert str(bad) in str(info.value)


def test_example_bibliography_merges_duplicates(bibliography):
    # 5 seed documents + 15 listed references = 20 records; the same work appears twice 3 times
    assert bibliography.read == 20
    assert bibliography.written == 17
    assert len(bibliography.decisions) == 3
    entries = bibliography.bibliography.entries
    ml = entries["martinliberal2013leiomyosarcoma"]
    assert ml.fields["doi"] == "10.5582/irdr.2013.v2.4.127"  # from seed 001; seed 000 printed none
    k = entries["kasper2021unmet"]
    assert len(k.persons["author"]) == 7  # six named + et al., from seed 000's list
    assert k.fields["doi"] == "10.3390/cancers13040886"
    assert "references/sources/000_" in k.fields["source"] and "references/sources/001_" in k.fields["source"]
    assert any("prefix" in d for d in bibliography.decisions)  # journal run into the title


def test_keys_do_not_depend_on_input_order():
    files = sorted((ROOT / "references" / "bibliography").glob("*"))
    forward = load_bibliography(files).bibliography
    backward = load_bibliography(list(reversed(files))).bibliography
    assert list(forward.entries) == list(backward.entries)
    for key in forward.entries:
        assert dict(forward.entries[key].fields) == dict(backward.entries[key].fields)


def test_key_collisions_resolved_deterministically():
    from pybtex.database import Entry, Person

    def entry(title, doi):
        e = Entry("article", fields={"title": title, "year": "2020", "doi": doi})
        e.add_person(Person("Smith, J."), "author")
        return e

    a, b = entry("Sarcoma outcomes", "10.1000/b"), entry("Sarcoma trials", "10.1000/a")
    keys1 = {k: e.fields["doi"] for k, e in merge([Record(a), Record(b)]).bibliography.entries.items()}
    keys2 = {k: e.fields["doi"] for k, e in merge([Record(b), Record(a)]).bibliography.entries.items()}
    assert keys1 == keys2 == {"smith2020sarcoma": "10.1000/a", "smith2020sarcomab": "10.1000/b"}
