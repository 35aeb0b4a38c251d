"""Property-based tests (hypothesis): every citation importer and every trials reader, fed arbitrary
bytes and mutations of the real files in tests/data (truncated, lines dropped or repeated, bytes
flipped, other encodings and line ends, huge lines), gives records or a reviewkit error naming the
file — never another exception, never a hang — and no identifier the input does not contain.

The number of examples is bounded for CI (``HYPOTHESIS_EXAMPLES``, default 40 per reader); the
deadline is off because the machine running the tests may be loaded.  Each example has a 30 s alarm.
"""

import html
import os
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewkit.errors import ReviewkitError

from conftest import DATA

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CITATION_SEEDS = {
    "bibtex": ["manubot-zotero-export.bib", "same-works-four-formats.bib"],
    "ris": [
        "ris-ovid-tags-and-links-after-er.ris",
        "ris-web-of-science-two-letter-tags.ris",
        "ris-embase-pmid-in-c5.ris",
        "ris-stray-lines-between-records.ris",
        "same-works-four-formats.ris",
        "ris-byte-order-mark.ris",
    ],
    "medline": ["same-works-four-formats.nbib"],
    "pubmed-xml": ["pubmed-xml-structured-abstract-inline-markup.xml"],
    "csljson": ["same-works-four-formats.json", "csl-crossref-doi-response.json", "csl-string-date-parts.json"],
    "reflist": ["../../references/bibliography/seed-001-kasper2021-references.txt"],
}
TRIAL_SEEDS = {
    "api-json": [
        "ctgov/api-v2-NCT00465816.json",
        "ctgov/api-v2-NCT03453554.json",
        "ctgov/site-download-json-array.json",
    ],
    "site-csv": ["ctgov/site-export-172-studies-multiline-cells.csv"],
    "table-csv": ["../../references/trials/seed-nct05204524-related.csv"],
}
SUFFIX = {
    "bibtex": ".bib",
    "ris": ".ris",
    "medline": ".nbib",
    "pubmed-xml": ".xml",
    "csljson": ".json",
    "reflist": ".txt",
    "api-json": ".json",
    "site-csv": ".csv",
    "table-csv": ".csv",
}


def _seed_bytes(names):
    return {n: (DATA / n).read_bytes() for n in names}


@st.composite
def mutated(draw, seeds: dict):
    """Real bytes, mutated a few times; sometimes arbitrary bytes instead."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=3000))
    data = seeds[draw(st.sampled_from(sorted(seeds)))]
    for op in draw(
        st.lists(
            st.sampled_from(["truncate", "drop", "repeat", "flip", "encode", "huge", "cr", "crlf", "insert"]),
            min_size=1,
            max_size=3,
        )
    ):
        lines = data.split(b"\n")
        if op == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif op == "drop" and len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join(lines[:i] + lines[i + 1 :])
        elif op == "repeat" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join(lines[: i + 1] + [lines[i]] * draw(st.integers(1, 3)) + lines[i + 1 :])
        elif op == "flip" and data:
            buf = bytearray(data)
            for _ in range(draw(st.integers(1, 8))):
                buf[draw(st.integers(0, len(buf) - 1))] = draw(st.integers(0, 255))
            data = bytes(buf)
        elif op == "encode":
            text = data.decode("utf-8", errors="replace")
            enc = draw(st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-8-sig", "utf-32"]))
            data = text.encode(enc, errors="replace")
        elif op == "huge" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join(lines[:i] + [lines[i] + b"x" * draw(st.integers(10_000, 300_000))] + lines[i + 1 :])
        elif op == "cr":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        elif op == "crlf":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif op == "insert":
            pos = draw(st.integers(0, len(data)))
            data = data[:pos] + draw(st.binary(max_size=200)) + data[pos:]
    return data


@contextmanager
def alarm(seconds=30):
    def fail(*_):
        raise TimeoutError(f"no answer within {seconds} s (a hang)")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def haystacks(raw: bytes) -> str:
    """Every way the input's text could be read, to look identifiers up in (lower case)."""
    out = []
    for enc in ("utf-8", "utf-16", "utf-32", "latin-1"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        out += [text, html.unescape(text), unquote(text)]
    try:
        import gzip

        out.append(gzip.decompress(raw).decode("utf-8", errors="replace"))
    except Exception:
        pass
    return "\n".join(out).lower()


def check_outcome(fn, path: Path, raw: bytes, identifiers):
    """*fn(path)* gives a value or a ReviewkitError naming the file; its identifiers are all in the input."""
    with alarm():
        try:
            value = fn(path)
        except ReviewkitError as exc:
            assert path.name in str(exc), f"error does not name the file: {exc}"
            return None
    hay = haystacks(raw)
    for kind, ident in identifiers(value):
        assert ident.lower() in hay or ident.lower().lstrip("0") in hay, f"{kind} {ident!r} is not in the input"
    return value


def citation_ids(bib):
    for e in bib.entries.values():
        for kind in ("doi", "pmid", "pmcid", "nct"):
            if e.fields.get(kind):
                yield kind, e.fields[kind]


@pytest.mark.parametrize("fmt", sorted(CITATION_SEEDS))
def test_citation_importers_never_fail_otherwise(fmt):
    from reviewkit.citations import load

    seeds = _seed_bytes(CITATION_SEEDS[fmt])

    @SETTINGS
    @given(data=mutated(seeds), detect=st.booleans())
    def run(data, detect):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"input{SUFFIX[fmt]}"
            path.write_bytes(data)
            check_outcome(lambda p: load(p, fmt=None if detect else fmt, cache=False), path, data, citation_ids)

    run()


def trial_ids(df):
    for nct in df["nct_id"]:
        yield "nct", nct


@pytest.mark.parametrize("kind", sorted(TRIAL_SEEDS))
def test_trial_readers_never_fail_otherwise(kind):
    from reviewkit.trials.table import read

    seeds = _seed_bytes(TRIAL_SEEDS[kind])

    @SETTINGS
    @given(data=mutated(seeds), skip=st.booleans())
    def run(data, skip):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"input{SUFFIX[kind]}"
            path.write_bytes(data)
            check_outcome(lambda p: read([p], skip_invalid=skip).table, path, data, trial_ids)

    run()


@SETTINGS
@given(text=st.text(max_size=2000))
def test_arbitrary_text_through_format_detection(text):
    from reviewkit.citations import load

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "download"
        raw = text.encode("utf-8", errors="surrogatepass")
        path.write_bytes(raw)
        check_outcome(lambda p: load(p, cache=False), path, raw, citation_ids)


@st.composite
def synthetic_records(draw):
    """SYNTHETIC records drawn from a small pool of titles, years, surnames and identifiers, so that
    collisions (same title, shared or conflicting identifiers) are common."""
    from pybtex.database import Entry, Person

    titles = [
        "Synthetic leiomyosarcoma trial",
        "Synthetic leiomyosarcoma trial Cancers Basel",
        "Correction",
        "Synthetic outcome study of drug X",
        "Synthetic outcome study",
    ]
    out = []
    for _ in range(draw(st.integers(1, 12))):
        fields = {"title": draw(st.sampled_from(titles)), "year": draw(st.sampled_from(["2020", "2021"]))}
        for kind, pool in (
            ("doi", ["10.5555/a", "10.5555/b", "10.5555/c"]),
            ("pmid", ["101", "102"]),
            ("pmcid", ["PMC1", "PMC2"]),
        ):
            if draw(st.booleans()):
                fields[kind] = draw(st.sampled_from(pool))
        e = Entry("article", fields=fields)
        e.add_person(Person(draw(st.sampled_from(["Kasper, B.", "Yuan, J."]))), "author")
        out.append(e)
    return out


@SETTINGS
@given(entries=synthetic_records(), seed=st.randoms())
def test_merge_never_fuses_conflicting_identifiers_and_keeps_every_one(entries, seed):
    from reviewkit.citations.merge import Record, merge

    order = list(range(len(entries)))
    seed.shuffle(order)
    result = merge([Record(entries[i], origin=f"synthetic:{i}") for i in order])
    out = list(result.bibliography.entries.values())
    for kind in ("doi", "pmid", "pmcid"):
        given_ids = {e.fields[kind] for e in entries if e.fields.get(kind)}
        kept = {e.fields[kind] for e in out if e.fields.get(kind)}
        assert given_ids == kept  # every identifier survives, none is invented
    # a merged work never carries two values of one kind, so no two conflicting records were fused
    assert len(out) >= max(
        (len({e.fields[k] for e in entries if e.fields.get(k)}) for k in ("doi", "pmid", "pmcid")), default=1
    )
    again = merge([Record(entries[i], origin=f"synthetic:{i}") for i in sorted(order)])
    assert sorted(result.bibliography.entries) == sorted(again.bibliography.entries)  # order does not matter
