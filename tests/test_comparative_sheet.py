"""Comparative outcomes in the extraction sheet: arm counts, means/SDs or a reported ratio with its CI."""

from pathlib import Path

import pytest

from reviewkit.errors import InputError
from reviewkit.evidence import effect_sizes, meta_analysis
from reviewkit.evidence.comparative import effects
from reviewkit.evidence.sheet import COLUMNS, OPTIONAL, read_sheet

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "bcg-vaccine" / "references" / "evidence.csv"
HEADER = ",".join(COLUMNS + OPTIONAL)


def row(**values):
    base = dict.fromkeys(COLUMNS + OPTIONAL, "")
    base.update(
        study="Trial A",
        design="randomized",
        arm="drug",
        endpoint="Other",
        outcome="Response",
        where="Table 2",
        source="key2020",
        comparator="placebo",
    )
    base.update({k: str(v) for k, v in values.items()})
    return ",".join(base[c] for c in COLUMNS + OPTIONAL)


def write(tmp_path, *rows):
    path = tmp_path / "evidence.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_leiomyosarcoma_sheet_is_unchanged_and_still_valid():
    import hashlib

    data = (ROOT / "references" / "evidence.csv").read_bytes()
    assert hashlib.sha256(data).hexdigest() == "322174da6916eae37b9ac39f420b0856606e8e9b566801fde5afa3243eac05fb", (
        "references/evidence.csv changed"
    )
    sheet = read_sheet(ROOT / "references" / "evidence.csv")
    assert len(sheet) == 9 and not sheet["statistic"].isin(["counts", "means"]).any()
    assert list(sheet.columns) == COLUMNS + OPTIONAL and sheet["comparator_n"].isna().all()


def test_three_kinds_of_comparative_rows_are_valid(tmp_path):
    path = write(
        tmp_path,
        row(statistic="counts", events=4, n=123, comparator_events=11, comparator_n=139),
        row(
            study="Trial B",
            statistic="means",
            mean=5.1,
            sd=1.2,
            n=40,
            comparator_mean=4.0,
            comparator_sd=1.5,
            comparator_n=38,
            endpoint="PFS",
            outcome="",
        ),
        row(
            study="Trial C",
            statistic="HR",
            value=0.8,
            ci_low=0.6,
            ci_high=1.1,
            ci_level=95,
            endpoint="OS",
            outcome="",
            n=100,
            comparator_n=98,
        ),
    )
    sheet = read_sheet(path)
    assert list(sheet["statistic"]) == ["counts", "means", "HR"]
    assert sheet.loc[0, "comparator_events"] == 11


@pytest.mark.parametrize(
    "bad, message",
    [
        (
            row(statistic="counts", events=4, n=123, comparator_events=11, comparator_n=139, mean=3.0),
            ":2: the row mixes arm-level counts with means/SDs (mean)",
        ),
        (
            row(
                statistic="counts",
                events=4,
                n=123,
                comparator_events=11,
                comparator_n=139,
                value=0.4,
                ci_low=0.2,
                ci_high=0.9,
            ),
            ":2: the row mixes arm-level counts with a reported estimate",
        ),
        (
            row(statistic="means", mean=5, sd=1, n=10, comparator_mean=4, comparator_sd=1, comparator_n=10, events=3),
            ":2: the row mixes means/SDs with event counts",
        ),
        (
            row(statistic="RR", value=0.8, ci_low=0.6, ci_high=1.1, comparator_events=5),
            ":2: the row mixes a reported RR with arm-level data",
        ),
        (
            row(statistic="HR", value=0.8, ci_low=0.6, ci_high=0.7),
            ":2: the interval [0.6, 0.7] does not contain the value 0.8",
        ),
        (
            row(statistic="HR", value=0.8, ci_low=0.6),
            ":2: a reported HR needs its confidence interval; missing ci_high",
        ),
        (row(statistic="OR", value=0, ci_low=0, ci_high=1.1), ":2: a OR and its interval must be positive"),
        (
            row(statistic="counts", events=4, n=123, comparator_n=139),
            ":2: statistic 'counts' needs events, n, comparator_events, comparator_n; missing comparator_events",
        ),
        (
            row(statistic="counts", events=4, n=123, comparator_events=140, comparator_n=139),
            ":2: comparator_events (140) > comparator_n (139)",
        ),
        (row(statistic="proportion", value=20, events=2, n=10, comparator_events=3), ":2: comparator/mean columns"),
        (
            row(statistic="counts", events=4, n=12.5, comparator_events=1, comparator_n=10),
            ":2: n 12.5 is not a whole number",
        ),
        (
            row(statistic="counts", events=4, n=12, comparator_events=1, comparator_n=10, outcome=""),
            ":2: endpoint 'Other' needs the outcome's name",
        ),
    ],
)
def test_bad_comparative_rows_name_the_line(tmp_path, bad, message):
    path = write(tmp_path, bad)
    with pytest.raises(InputError) as info:
        read_sheet(path)
    assert f"{path}{message}" in str(info.value)


def test_the_cli_check_reports_a_mixed_row_with_exit_2(tmp_path):
    from conftest import reviewkit

    proc = reviewkit("init", tmp_path / "r", check=True)
    assert proc.returncode == 0
    write(
        tmp_path / "r" / "references",
        row(statistic="counts", events=4, n=123, comparator_events=11, comparator_n=139, mean=3.0),
    )
    proc = reviewkit("check", tmp_path / "r")
    assert proc.returncode == 2
    assert "evidence.csv:2: the row mixes arm-level counts with means/SDs" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_effects_from_counts_equal_escalc_and_from_a_reported_ratio(tmp_path):
    sheet = read_sheet(DEMO)
    es = effects(sheet, "RR")
    direct = effect_sizes(
        "RR", ai=sheet["events"], n1i=sheet["n"], ci=sheet["comparator_events"], n2i=sheet["comparator_n"]
    )
    assert es["yi"].tolist() == pytest.approx(direct["yi"].tolist(), rel=1e-12)
    assert list(es["line"]) == list(range(2, 15))
    res = meta_analysis(es["yi"], es["vi"])
    assert res.scale == "log" and round(res.back.estimate, 2) == 0.49  # metafor: 0.4894 for dat.bcg, REML

    path = write(tmp_path, row(statistic="HR", value=0.8, ci_low=0.64, ci_high=1.0))
    hr = effects(read_sheet(path), "HR")
    import math

    assert hr["yi"][0] == pytest.approx(math.log(0.8))
    assert hr["vi"][0] == pytest.approx(((math.log(1.0) - math.log(0.64)) / (2 * 1.959963984540054)) ** 2)


def test_a_row_that_cannot_be_pooled_is_an_error_not_dropped(tmp_path):
    path = write(
        tmp_path,
        row(statistic="counts", events=4, n=123, comparator_events=11, comparator_n=139),
        row(statistic="HR", value=0.8, ci_low=0.6, ci_high=1.1),
    )
    with pytest.raises(InputError) as info:
        effects(read_sheet(path), "RR", name=str(path))
    assert f"{path}:3: statistic 'HR' cannot be pooled as RR (usable: counts, RR)" in str(info.value)


def test_a_reported_hazard_ratio_is_not_drawn_as_a_median(tmp_path):
    from reviewkit.evidence import figures

    path = write(
        tmp_path,
        row(statistic="median", value=13.2, ci_low=4.7, ci_high=31.1, endpoint="OS", outcome="", unit="months", n=25),
        row(study="Trial B", statistic="HR", value=0.8, ci_low=0.6, ci_high=1.1, endpoint="OS", outcome=""),
    )
    fig = figures.outcome_intervals(read_sheet(path), endpoints=("OS",))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 1 and "Trial B" not in " ".join(labels)


def test_a_reported_ratio_at_90_percent_uses_its_own_level(tmp_path):
    import math

    path = write(
        tmp_path, row(statistic="OR", value=0.5, ci_low=0.3, ci_high=0.9, ci_level=90, endpoint="ORR", outcome="")
    )
    es = effects(read_sheet(path), "OR")
    se = (math.log(0.9) - math.log(0.3)) / (2 * 1.6448536269514722)
    assert es["vi"][0] == pytest.approx(se**2) and es["yi"][0] == pytest.approx(math.log(0.5))
