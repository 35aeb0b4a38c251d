"""ClinicalTrials.gov readers, live fetch into snapshots, and edition diffs (real records)."""

import json
import threading
from http.server import ThreadingHTTPServer

import pytest

from reviewkit.errors import InputError
from reviewkit.trials import read_table, read_trials, snapshots, to_csv
from reviewkit.trials.ctgov import Client, Query
from reviewkit.trials.diff import diff, summary
from reviewkit.trials.schema import COLUMNS
from reviewkit.trials.table import read
from reviewkit.vocab import STATUSES

from conftest import DATA, reviewkit
from test_clients import Replay

CT = DATA / "ctgov"
API = sorted(CT.glob("api-v2-*.json"))


def test_api_v2_records_of_every_kind():
    df = read_trials(API)
    assert list(df.columns) == COLUMNS and len(df) == 12
    t = df.set_index("nct_id")
    assert t.at["NCT02210780", "phase"] == "PHASE2" and t.at["NCT02210780", "has_results"]
    assert t.at["NCT03475563", "study_type"] == "OBSERVATIONAL" and t.at["NCT03475563", "phase"] == ""
    assert t.at["NCT00763412", "start_date"] == "2006-11"  # month precision kept, no invented day
    assert t.at["NCT03630471", "countries"] == ["India"] and isinstance(t.at["NCT03630471", "conditions"], list)
    assert t.at["NCT03453554", "overall_status"] == ""  # trimmed record: empty, not invented
    assert t.at["NCT03630471", "source"] == "api-v2-NCT03630471.json"


def test_file_name_that_lies_is_trusted_by_content_and_warned():
    got = read([CT / "NCT02278341-file-name-lies.json"])
    df, warnings = got.table, got.warnings
    assert df["nct_id"].tolist() == ["NCT02552212"]
    assert "file name says NCT02278341 but the record inside is NCT02552212" in warnings[0]


def test_website_download_json_array_and_csv():
    arr = read_table(CT / "site-download-json-array.json")
    assert len(arr) == 10 and arr["source"].str.contains(r"#\d+$").all()
    csv = read_table(CT / "site-export-172-studies-multiline-cells.csv")
    assert len(csv) == 172 and csv["nct_id"].is_unique
    first = csv.set_index("nct_id").loc["NCT03555344"]
    assert first["interventions"] == ["Mantra Chikitsa"] and first["intervention_types"] == ["OTHER"]
    assert first["collaborators"] == ["Warwick Research Services", "Swamigal Trust for Vedic Science, India"]
    assert set(csv["overall_status"]) <= set(STATUSES) and "NO_LONGER_AVAILABLE" in set(csv["overall_status"])
    assert csv["start_date"].str.fullmatch(r"(\d{4}-\d{2}(-\d{2})?)?").all()


def test_csv_round_trip():
    df = read_trials(API)
    text = to_csv(df)
    import io

    import pandas as pd

    from reviewkit.trials.table import normalize

    back = normalize(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), name="roundtrip")
    assert back["nct_id"].tolist() == df["nct_id"].tolist()
    assert back["countries"].tolist() == df["countries"].tolist()


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda s: s[: len(s) // 2], "is the file truncated"),
        (lambda s: s.replace('"nctId": "NCT03630471"', '"nctIdx": "NCT03630471"'), "nct_id '' is not an NCT id"),
        (
            lambda s: s.replace('"nctId": "NCT03630471"', '"nctId": "NCT0363047"'),
            "nct_id 'NCT0363047' is not an NCT id",
        ),
        (lambda s: s.replace('"overallStatus": "COMPLETED"', '"overallStatus": "DONE"'), "unknown status 'DONE'"),
        (lambda s: s.replace('"NA"', '"PHASE9"', 1), "unknown phase 'PHASE9'"),
    ],
)
def test_bad_records(tmp_path, mutate, message):
    bad = tmp_path / "study.json"
    bad.write_text(mutate((CT / "api-v2-NCT03630471.json").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_table(bad)


def test_csv_with_a_missing_column(tmp_path):
    bad = tmp_path / "export.csv"
    text = (CT / "site-export-172-studies-multiline-cells.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("Study Status", "Status", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"export.csv:1: missing column\(s\) .*'Study Status'"):
        read_table(bad)


def test_cli_import_skip_invalid_and_exit_2(tmp_path):
    out = tmp_path / "trials.csv"
    both = [*API, CT / "NCT02278341-file-name-lies.json"]  # NCT02552212 twice
    proc = reviewkit("trials", "import", *both, "-o", out)
    assert proc.returncode == 2 and "NCT02552212 appears more than once" in proc.stderr and not out.exists()
    proc = reviewkit("trials", "import", *both, "--skip-invalid", "-o", out)
    assert proc.returncode == 0 and "12 trials, skipped 1 invalid" in proc.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


# -- fetch and snapshots -----------------------------------------------------------------------------


@pytest.fixture
def ctgov_server():
    replay = Replay()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), replay.handler())
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield replay, f"http://127.0.0.1:{httpd.server_address[1]}/api/v2"
    httpd.shutdown()
    httpd.server_close()


def pages(records, size):
    """API v2 pages of the real records (the server replays them in order)."""
    out = []
    for i in range(0, len(records), size):
        body = {"studies": records[i : i + size], "totalCount": len(records)}
        if i + size < len(records):
            body["nextPageToken"] = f"token{i + size}"
        out.append((200, {"Content-Type": "application/json"}, json.dumps(body).encode()))
    return out


def test_fetch_pages_through_429_and_503_into_an_atomic_snapshot(ctgov_server, tmp_path):
    replay, base = ctgov_server
    records = [json.loads(p.read_text(encoding="utf-8")) for p in API]
    pg = pages(records, 5)
    replay.add(
        "/api/v2/studies", pg[0], (429, {"Retry-After": "0"}, b""), pg[1], (503, {"Retry-After": "0"}, b""), pg[2]
    )
    replay.add("/api/v2/version", (200, {}, b'{"apiVersion": "2.0.3", "dataTimestamp": "2026-11-20T09:00:05"}'))
    client = Client(base, page_size=5, backoff=0.01)
    studies = client.studies(Query(condition="leiomyosarcoma"))
    assert len(studies) == 12
    queries = [h[1] for h in replay.hits if h[0] == "/api/v2/studies"]
    assert queries[0]["query.cond"] == ["leiomyosarcoma"] and queries[0]["pageSize"] == ["5"]
    assert "pageToken" not in queries[0] and queries[-1]["pageToken"] == ["token10"]
    snap = snapshots.write(
        tmp_path / "2026-11-22", studies, {"query": Query(condition="leiomyosarcoma").params(), **client.version()}
    )
    manifest = json.loads((snap / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["count"] == 12 and manifest["apiVersion"] == "2.0.3"
    df = read_table(snap)
    assert len(df) == 12 and df["source"].str.startswith("2026-11-22/").all()
    assert json.loads((snap / "studies" / "NCT03630471.json").read_text(encoding="utf-8")) == json.loads(
        (CT / "api-v2-NCT03630471.json").read_text(encoding="utf-8")
    )  # the record as received


def test_failed_fetch_leaves_no_snapshot(ctgov_server, tmp_path):
    replay, base = ctgov_server
    records = [json.loads(p.read_text(encoding="utf-8")) for p in API]
    replay.add("/api/v2/studies", pages(records, 5)[0], (500, {}, b"down"))
    client = Client(base, page_size=5, backoff=0.01, retries=2)
    with pytest.raises(InputError, match="HTTP 500"):
        client.studies(Query(condition="x"))
    target = tmp_path / "2026-11-22"
    with pytest.raises(InputError, match="study 1 of the response has no protocolSection"):
        snapshots.write(target, ['{"not": "a study"}'], {})
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_offline_is_a_clear_error():
    with pytest.raises(InputError, match="are you online"):
        Client("http://127.0.0.1:9/api/v2", retries=0, backoff=0.01).studies(Query(condition="x"))


# -- diff --------------------------------------------------------------------------------------------


def test_diff_of_two_snapshots_derived_from_real_records(tmp_path):
    studies = [p.read_text(encoding="utf-8") for p in API]
    old = snapshots.write(tmp_path / "2026-05-01", studies[:11], {"note": "derived for the test"})
    changed = []
    for text in studies[1:]:  # NCT00465816 gone, NCT06171568 new, two records edited
        rec = json.loads(text)
        sm = rec["protocolSection"].get("statusModule")
        if rec["protocolSection"]["identificationModule"]["nctId"] == "NCT04207047":
            sm["overallStatus"] = "TERMINATED"
            sm["completionDateStruct"] = {"date": "2025-01", "type": "ACTUAL"}
        if rec["protocolSection"]["identificationModule"]["nctId"] == "NCT03418623":
            rec["hasResults"] = True
        changed.append(json.dumps(rec))
    new = snapshots.write(tmp_path / "2026-11-22", changed, {"note": "derived for the test"})
    changes = diff(read_table(old), read_table(new))
    got = set(zip(changes["nct_id"], changes["change"]))
    assert ("NCT06171568", "added") in got and ("NCT00465816", "removed") in got
    assert ("NCT04207047", "status changed") in got and ("NCT04207047", "date moved") in got
    assert ("NCT03418623", "results posted") in got
    row = changes[(changes.nct_id == "NCT04207047") & (changes.change == "status changed")].iloc[0]
    assert (row.old, row.new) == ("UNKNOWN", "TERMINATED")
    text = summary(changes, old_label="the edition of 2026-05-01")
    assert text.startswith(
        "Since the edition of 2026-05-01: one new trial; one trial no longer found; one status change"
    )
    assert "NCT04207047 unknown → terminated" in text
    proc = reviewkit("trials", "diff", old, new)
    assert proc.returncode == 0 and proc.stdout.startswith("Since 2026-05-01:")


def test_no_change():
    df = read_trials(API[:3])
    assert summary(diff(df, df)) == "No registered trial changed since the last edition."


# -- intervention classes ----------------------------------------------------------------------------


def test_intervention_classes_are_seeded_from_the_seeds_and_match_exactly():
    from reviewkit.trials.classify import classify, read_classes

    from conftest import ROOT, SEEDS

    classes = read_classes(ROOT / "references" / "intervention-classes.csv")
    seed = next(SEEDS.glob("003_*")).read_text(encoding="utf-8").casefold()
    for r in classes.itertuples():
        assert r.name.casefold() in seed or any(s.casefold() in seed for s in r.synonyms.split("|") if s), r.name
        assert r.named_in.startswith("references/sources/003_")
    assert classes.set_index("name").loc["pazopanib", "class"] == "VEGFR tyrosine-kinase inhibitor"
    assert classes.set_index("name").loc["nivolumab", "class"] == "PD-1 immune-checkpoint inhibitor"
    import pandas as pd

    trials = pd.DataFrame(
        {
            "nct_id": ["NCT04624178", "NCT00093080", "NCT02210780"],
            "phase": ["PHASE2"] * 3,
            "overall_status": ["ACTIVE_NOT_RECRUITING"] * 3,
            "interventions": [["Rucaparib", "Nivolumab"], ["AP23573 (ridaforolimus)"], ["FPA144"]],
        }
    )
    hits, unmatched = classify(trials, classes)
    assert hits.set_index("intervention")["class"].to_dict() == {
        "Rucaparib": "PARP inhibitor",
        "Nivolumab": "PD-1 immune-checkpoint inhibitor",
        "AP23573 (ridaforolimus)": "mTOR inhibitor",
    }
    assert unmatched == ["FPA144"]  # listed, never guessed


def test_real_registry_interventions_unmatched_are_listed():
    from reviewkit.trials.classify import classify, read_classes

    from conftest import ROOT

    hits, unmatched = classify(read_trials(API), read_classes(ROOT / "references" / "intervention-classes.csv"))
    assert hits.empty and "Dupilumab" in unmatched and "Placebo" in unmatched
